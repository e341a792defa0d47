// The live view of a connection: reads the stack's trace events from /trace/events
// (Server-Sent Events, one JSON event each, see TraceJson) and draws, for the connection
// asked for (?a=ADDR:PORT&b=ADDR:PORT), or the newest one seen (?port=N, or none), a
// sequence diagram of its segments and uPlot charts of the sender's tcp_probe fields.
// The figures drawn are also put on <body data-...> for tests.
'use strict';
(function () {
  const params = new URLSearchParams(location.search);
  const wanted = params.get('a') && params.get('b') ? key(params.get('a'), params.get('b')) : null;
  const conns = new Map(); // key -> {key, ends: [x, y], events: [], first}
  let shown = null;
  let dirty = false;
  let closedStream = false;
  const SENT = new Set(['tcp_transmit_skb', 'tcp_v4_send_synack']);
  // A received segment fires one of these: in ESTABLISHED, in another state, a SYN to a
  // listener, a segment to a request.
  const RECEIVED = new Set(['tcp_rcv_established', 'tcp_rcv_state_process', 'tcp_openreq_init', 'tcp_check_req']);
  const MAX_ROWS = 4000;
  const FLAGS = [[0x01, 'F'], [0x02, 'S'], [0x04, 'R'], [0x08, 'P'], [0x20, 'U']];

  function key(x, y) { return x < y ? x + ' ' + y : y + ' ' + x; }

  function flags(bits) { // tcpdump's letters: [S.] for SYN-ACK
    let s = '';
    for (const [bit, letter] of FLAGS) if (bits & bit) s += letter;
    if (bits & 0x10) s += '.';
    return '[' + (s || 'none') + ']';
  }

  function add(e) {
    if (!e.local || !e.peer || e.peer.endsWith(':0') || e.local.endsWith(':0')) return;
    const k = key(e.local, e.peer);
    let c = conns.get(k);
    if (!c) {
      c = { key: k, ends: k.split(' '), events: [], first: e.time_ns };
      conns.set(k, c);
    }
    c.events.push(e);
    dirty = true;
  }

  const query = new URLSearchParams();
  for (const p of ['a', 'b', 'port']) if (params.get(p)) query.set(p, params.get(p));
  const source = new EventSource('/trace/events?' + query.toString());
  source.onmessage = (m) => add(JSON.parse(m.data));
  source.onerror = () => { closedStream = true; };

  /** This page's own server end: its connections (the page, its scripts, this stream) are not "the newest". */
  const self = location.hostname + ':' + (location.port || '80');

  function pick() {
    if (wanted) return conns.get(wanted) || null;
    let newest = null;
    for (const c of conns.values()) {
      if (c.ends.includes(self)) continue;
      if (c.events.some((e) => e.segment) && (!newest || c.first > newest.first)) newest = c;
    }
    return newest;
  }

  // ---- the sequence diagram

  /** The client end (it sent the first SYN without ACK), else the first end named. */
  function leftEnd(c) {
    for (const e of c.events) {
      if (SENT.has(e.function) && e.segment && (e.segment.flags & 0x12) === 0x02) return e.local;
    }
    return params.get('a') && c.ends.includes(params.get('a')) ? params.get('a') : c.ends[0];
  }

  function segKey(s) { return s.flags + '/' + s.seq + '/' + s.ack + '/' + s.len; }

  /** The segments between the two ends: each sent one matched with its arrival, or marked lost. */
  function segments(c) {
    const local = new Set(c.events.map((e) => e.local));
    const arrivals = new Map(); // receiver end -> segKey -> [times]
    const lastSend = new Map(); // end -> its last segment sent
    const sends = [];
    const states = [];
    for (const e of c.events) {
      // tcp_retransmit_skb follows the tcp_transmit_skb of the segment it sent again.
      if (e.function === 'tcp_retransmit_skb' && e.segment) {
        const x = lastSend.get(e.local);
        if (x && x.s.seq === e.segment.seq && x.s.len === e.segment.len) x.retrans = true;
      }
      if (e.function === 'tcp_set_state' || e.function === 'tcp_cong_state_set' || e.function === 'tcp_time_wait') {
        states.push({ t: e.time_ns, end: e.local, text: e.function === 'tcp_cong_state_set' ? e.new_state.replace('TCP_CA_', 'CA ') : e.new_state });
      }
      if (!e.segment) continue;
      if (SENT.has(e.function)) {
        const x = { t: e.time_ns, from: e.local, to: e.peer, s: e.segment, retrans: false };
        sends.push(x);
        lastSend.set(e.local, x);
      } else if (RECEIVED.has(e.function)) {
        // Every event while a segment is handled carries it; one of these fires once per segment.
        const k = segKey(e.segment);
        if (!arrivals.has(e.local)) arrivals.set(e.local, new Map());
        const m = arrivals.get(e.local);
        if (!m.has(k)) m.set(k, []);
        m.get(k).push({ t: e.time_ns, s: e.segment, from: e.peer, used: false });
      }
    }
    const rows = [];
    const sendsFrom = new Set(sends.map((x) => x.from));
    for (const x of sends) {
      const m = arrivals.get(x.to);
      let arrival = null;
      if (m && m.has(segKey(x.s))) arrival = m.get(segKey(x.s)).find((a) => !a.used && a.t >= x.t) || null;
      if (arrival) arrival.used = true;
      rows.push({ t: x.t, from: x.from, to: x.to, s: x.s, arrival: arrival ? arrival.t : null,
        lost: !arrival && local.has(x.to), retrans: x.retrans });
    }
    // A peer that is not this stack fires nothing: its segments are known by their arrival.
    for (const [end, m] of arrivals) {
      for (const list of m.values()) {
        for (const a of list) {
          if (!sendsFrom.has(a.from)) rows.push({ t: a.t, from: a.from, to: end, s: a.s, arrival: a.t, lost: false, retrans: false, remote: true });
        }
      }
    }
    rows.sort((p, q) => p.t - q.t);
    return { rows: rows, states: states };
  }

  /** The initial sequence number of {@code end}: its SYN's, else what the other's SYN-ACK acknowledged, less one. */
  function isn(rows, end) {
    for (const r of rows) if (r.from === end && (r.s.flags & 0x02)) return r.s.seq;
    for (const r of rows) if (r.to === end && (r.s.flags & 0x12) === 0x12) return r.s.ack - 1;
    for (const r of rows) if (r.from === end) return r.s.seq;
    return 0;
  }

  function rel(v, base) { return ((v - base) % 4294967296 + 4294967296) % 4294967296; }

  const SVG = 'http://www.w3.org/2000/svg';
  function el(name, attrs, text) {
    const n = document.createElementNS(SVG, name);
    for (const k in attrs) n.setAttribute(k, attrs[k]);
    if (text !== undefined) n.textContent = text;
    return n;
  }

  function drawTimeline(c) {
    const svg = document.getElementById('timeline');
    const left = leftEnd(c);
    const right = c.ends[0] === left ? c.ends[1] : c.ends[0];
    const all = segments(c);
    const rows = all.rows.slice(-MAX_ROWS);
    const base = { [left]: isn(all.rows, left), [right]: isn(all.rows, right) };
    const items = rows.map((r) => ({ kind: 'seg', t: r.t, r: r }))
      .concat(all.states.map((s) => ({ kind: 'state', t: s.t, s: s })))
      .sort((p, q) => p.t - q.t || (p.kind === 'state') - (q.kind === 'state'));
    const xl = 160, xr = 580, top = 40, step = 22;
    const t0 = c.first;
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    const defs = el('defs', {});
    const marker = el('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: '9', refY: '5', markerWidth: '6', markerHeight: '6', orient: 'auto-start-reverse' });
    marker.appendChild(el('path', { d: 'M 0 0 L 10 5 L 0 10 z', fill: '#333' }));
    defs.appendChild(marker);
    svg.appendChild(defs);
    const height = top + items.length * step + 20;
    svg.setAttribute('height', height);
    svg.appendChild(el('text', { x: xl, y: 16, 'text-anchor': 'middle', class: 'end' }, left));
    svg.appendChild(el('text', { x: xr, y: 16, 'text-anchor': 'middle', class: 'end' }, right));
    svg.appendChild(el('line', { x1: xl, y1: 24, x2: xl, y2: height, class: 'life' }));
    svg.appendChild(el('line', { x1: xr, y1: 24, x2: xr, y2: height, class: 'life' }));
    let drawn = 0, lost = 0, again = 0, sent = 0, sentBytes = 0;
    items.forEach((it, i) => {
      const y = top + i * step;
      svg.appendChild(el('text', { x: 4, y: y + 4, class: 'time' }, ((it.t - t0) / 1e6).toFixed(3) + ' ms'));
      if (it.kind === 'state') {
        const x = it.s.end === left ? xl - 6 : xr + 6;
        svg.appendChild(el('text', { x: x, y: y + 4, 'text-anchor': it.s.end === left ? 'end' : 'start', class: 'state' }, it.s.text));
        return;
      }
      const r = it.r;
      const fromLeft = r.from === left;
      const x1 = fromLeft ? xl : xr, x2 = fromLeft ? xr : xl;
      const g = el('g', { class: 'seg' + (fromLeft ? '' : ' back') + (r.retrans ? ' retrans' : '') + (r.lost ? ' lost' : '') });
      const s = r.s;
      const mine = base[r.from] || 0, theirs = base[r.to] || 0;
      let label = flags(s.flags) + ' seq ' + rel(s.seq, mine) + (s.len ? ':' + rel(s.seq + s.len, mine) : '');
      if (s.flags & 0x10) label += ' ack ' + rel(s.ack, theirs);
      if (s.win !== undefined) label += ' win ' + s.win;
      if (s.sack) label += ' sack ' + s.sack.map((b) => rel(b[0], theirs) + '-' + rel(b[1], theirs)).join(',');
      if (r.retrans) label += ' (again)';
      const slant = r.arrival !== null && r.arrival > r.t ? Math.min(step - 4, 6 + (r.arrival - r.t) / 2e6) : 8;
      if (r.lost) {
        const xm = (x1 + x2) / 2;
        g.appendChild(el('line', { x1: x1, y1: y, x2: xm, y2: y + slant / 2 }));
        g.appendChild(el('text', { x: xm - 5, y: y + slant / 2 + 5, class: 'x' }, '\u2715'));
        lost++;
      } else {
        g.appendChild(el('line', { x1: x1, y1: y, x2: x2, y2: y + slant }));
      }
      g.appendChild(el('text', { x: (xl + xr) / 2, y: y - 3 + (fromLeft ? 0 : 0), 'text-anchor': 'middle' }, label));
      svg.appendChild(g);
      drawn++;
      if (r.retrans) again++;
      if (!r.remote) { sent++; sentBytes += s.len; }
    });
    return { drawn: drawn, lost: lost, retrans: again, rows: all.rows.length, sent: sent, sentBytes: sentBytes };
  }

  // ---- the plots

  const plots = {};
  function plot(id, title, series, data, yLabel) {
    if (plots[id] && plots[id].series.length === series.length + 1) {
      plots[id].setData(data);
      return;
    }
    if (plots[id]) plots[id].destroy();
    const opts = {
      title: title, width: 600, height: 200,
      scales: { x: { time: false } },
      axes: [{ label: 'seconds' }, { label: yLabel }],
      series: [{ label: 's' }].concat(series),
    };
    plots[id] = new uPlot(opts, data, document.getElementById(id));
  }

  function drawPlots(c) {
    // The sender is the end whose ACKs acknowledged the most.
    const acked = new Map();
    for (const e of c.events) if (e.probe) acked.set(e.local, Math.max(acked.get(e.local) || 0, e.probe.bytes_acked));
    let sender = null;
    for (const [end, n] of acked) if (!sender || n > acked.get(sender)) sender = end;
    const probes = c.events.filter((e) => e.probe && e.local === sender);
    document.getElementById('sender').textContent = sender ? '(sender ' + sender + ')' : '';
    const t = [], cwnd = [], ssthresh = [], flight = [], srtt = [], rttvar = [], rate = [];
    let j = 0;
    for (let i = 0; i < probes.length; i++) {
      const p = probes[i].probe, ti = probes[i].time_ns;
      t.push((ti - c.first) / 1e9);
      cwnd.push(p.snd_cwnd);
      ssthresh.push(p.ssthresh >= 2147483647 ? null : p.ssthresh);
      flight.push(p.in_flight);
      srtt.push(p.srtt_us / 1000);
      rttvar.push(p.rttvar_us / 1000);
      // Bytes acknowledged over the last round trip (at least 10 ms), in Mbit/s.
      const span = Math.max(p.srtt_us * 1000, 1e7);
      while (j < i && ti - probes[j].time_ns > span) j++;
      const dt = ti - probes[j].time_ns;
      rate.push(dt > 0 ? (p.bytes_acked - probes[j].probe.bytes_acked) * 8 / dt * 1e3 : null);
    }
    plot('plot-cwnd', 'segments', [
      { label: 'cwnd', stroke: '#1f5fbf', width: 2 },
      { label: 'ssthresh', stroke: '#d9480f', dash: [6, 4] },
      { label: 'in flight', stroke: '#2b8a3e' }], [t, cwnd, ssthresh, flight], 'segments');
    plot('plot-rtt', 'milliseconds', [
      { label: 'srtt', stroke: '#7a3e9d', width: 2 },
      { label: 'rttvar', stroke: '#999' }], [t, srtt, rttvar], 'ms');
    plot('plot-rate', 'Mbit/s', [{ label: 'delivery rate', stroke: '#0b7285', width: 2 }], [t, rate], 'Mbit/s');
    return { probes: probes.length, cwndMax: cwnd.length ? Math.max(...cwnd) : 0,
      cwndMin: cwnd.length ? Math.min(...cwnd) : 0, sender: sender || '' };
  }

  function drawList() {
    const box = document.getElementById('connections');
    const links = [];
    for (const c of conns.values()) {
      if (!c.events.some((e) => e.segment)) continue;
      const [x, y] = c.ends;
      links.push('<a href="/conn.html?a=' + encodeURIComponent(x) + '&b=' + encodeURIComponent(y) + '"'
        + (shown && shown.key === c.key ? ' class="current"' : '') + '>' + x + ' &harr; ' + y + '</a>');
    }
    box.innerHTML = links.length ? 'Connections seen: ' + links.join('') : '';
  }

  function render() {
    if (!dirty) return;
    dirty = false;
    shown = pick();
    drawList();
    if (!shown) return;
    const ends = shown.ends;
    document.getElementById('title').textContent = ends[0] + ' \u2194 ' + ends[1];
    const tl = drawTimeline(shown);
    const pl = drawPlots(shown);
    const closed = shown.events.some((e) => e.new_state === 'CLOSE' || e.function === 'inet_twsk_kill');
    document.getElementById('summary').textContent = shown.events.length + ' events; ' + tl.drawn
      + ' segments drawn, ' + tl.retrans + ' sent again, ' + tl.lost + ' lost on the way; '
      + pl.probes + ' tcp_probe samples of ' + pl.sender + (closed ? '; the connection has closed.' : '; live.');
    const d = document.body.dataset;
    d.conn = shown.key; d.events = shown.events.length; d.segments = tl.drawn; d.rows = tl.rows;
    d.retrans = tl.retrans; d.lost = tl.lost; d.probes = pl.probes; d.sent = tl.sent; d.sentBytes = tl.sentBytes;
    d.cwndMax = pl.cwndMax; d.cwndMin = pl.cwndMin; d.sender = pl.sender; d.closed = closed;
    d.rendered = (Number(d.rendered || 0) + 1).toString();
  }

  setInterval(render, 300);
  window.ternView = { conns: conns, plots: plots, render: () => { dirty = true; render(); } };
})();
