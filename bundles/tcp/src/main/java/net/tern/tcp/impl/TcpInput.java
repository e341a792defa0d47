package net.tern.tcp.impl;

import static net.tern.api.socket.SocketConstants.EPOLLIN;
import static net.tern.api.socket.SocketConstants.EPOLLOUT;
import static net.tern.api.socket.SocketConstants.EPOLLRDHUP;
import static net.tern.tcp.impl.wire.TcpHeader.ACK;
import static net.tern.tcp.impl.wire.TcpHeader.FIN;
import static net.tern.tcp.impl.wire.TcpHeader.RST;
import static net.tern.tcp.impl.wire.TcpHeader.SYN;

import io.netty.buffer.ByteBuf;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.inet.route.Flowi4;
import net.tern.inet.route.Rtable;
import net.tern.inet.sock.InetSock;
import net.tern.inet.sock.SkState;
import net.tern.inet.wire.IcmpTypes;
import net.tern.inet.wire.InetChecksum;
import net.tern.inet.wire.Ipv4Packet;
import net.tern.spi.net.Packet;
import net.tern.tcp.impl.wire.TcpHeader;
import net.tern.tcp.impl.wire.TcpOptions;

/**
 * TCP input ({@code tcp_ipv4.c}, {@code tcp_input.c}, {@code tcp_minisocks.c}): {@code tcp_v4_rcv}
 * checks and decodes a segment, finds its owner in O(1) (established hash: socket, request
 * or TIME-WAIT entry; then the listeners), and runs RFC 9293's "SEGMENT ARRIVES" (3.10.7)
 * for it: {@code tcp_v4_conn_request} and {@code tcp_check_req} for listeners,
 * {@code tcp_rcv_synsent_state_process}, {@code tcp_rcv_state_process} with
 * {@code tcp_validate_incoming} (PAWS, sequence check, RFC 5961), {@code tcp_ack},
 * {@code tcp_data_queue}, {@code tcp_fin}, and {@code tcp_timewait_state_process}.
 *
 * <p>Runs on the network thread, taking the owning socket's lock (a listener's for a request).
 */
final class TcpInput {
    /**
     * RFC 6298 5.7 ({@code TCP_TIMEOUT_FALLBACK}): a handshake that gave no RTT sample (its
     * SYN or SYN-ACK was sent again, or a cookie without timestamps) leaves a 3 s RTO, as
     * Linux's {@code tcp_init_metrics} sets it on both sides.
     */
    static final long TIMEOUT_FALLBACK_US = 3_000_000;

    private static final int DEFAULT_MSS = 536;
    /** {@code IP_MAX_MTU}: a datagram's total length is 16 bits, whatever the link (lo has 65536). */
    private static final int IP_MAX_MTU = 65535;
    /** {@code TCP_MAX_QUICKACKS}. */
    private static final int MAX_QUICKACKS = 16;
    /** RFC 7323 5.5: a TS.Recent older than 24 days is not trusted for PAWS ({@code TCP_PAWS_24DAYS}). */
    private static final long PAWS_24DAYS_NANOS = 24L * 24 * 3600 * 1_000_000_000L;
    /**
     * {@code TCP_PAWS_MSL}: once TS.Recent of a TIME-WAIT entry is this old, a RST is judged by
     * its sequence number alone, so a peer whose clock went back (a reboot) can still end it.
     */
    private static final long PAWS_MSL_NANOS = 60L * 1_000_000_000L;
    /** {@code TCP_PAWS_WINDOW}: a connection takes a TSval this many ticks behind TS.Recent. */
    private static final int PAWS_WINDOW = 1;

    private final Tcp tcp;

    TcpInput(Tcp tcp) {
        this.tcp = tcp;
    }

    // ==== tcp_v4_rcv ==========================================================================

    void receive(Packet packet) {
        try {
            Segment seg = decode(packet);
            if (seg != null) {
                tcp.trace().receiving(seg);
                dispatch(seg);
            }
        } finally {
            tcp.trace().received();
            packet.release();
        }
    }

    private Segment decode(Packet packet) {
        ByteBuf buf = packet.buf();
        int start = buf.readerIndex();
        int length = packet.length();
        // Counted even if it is bad, as tcp_v4_rcv counts it before any check.
        tcp.counters().inc(TcpMib.InSegs);
        if (length < TcpHeader.MIN_LENGTH) {
            // tcp_v4_rcv's pskb_may_pull of a whole header fails: dropped with InSegs alone.
            return null;
        }
        TcpHeader th = TcpHeader.at(buf, start);
        int headerLength = th.headerLength();
        if (headerLength < TcpHeader.MIN_LENGTH) {
            tcp.counters().inc(TcpMib.InErrs);
            return null;
        }
        if (headerLength > length) {
            // Options past the end: pskb_may_pull(doff * 4) fails, dropped with InSegs alone.
            return null;
        }
        Ipv4Packet ip = Ipv4Packet.at(buf, packet.networkHeader());
        int saddr = ip.source();
        int daddr = ip.destination();
        if (!InetChecksum.verifyTransport(buf, start, length, saddr, daddr, 6)) {
            tcp.counters().inc(TcpMib.InCsumErrors);
            tcp.counters().inc(TcpMib.InErrs);
            return null;
        }
        Segment seg = new Segment();
        seg.saddr = saddr;
        seg.daddr = daddr;
        seg.sport = th.sourcePort();
        seg.dport = th.destinationPort();
        seg.seq = th.seq();
        seg.ack = th.ack();
        seg.flags = th.flags();
        seg.window = th.window();
        th.parseOptions(seg.options);
        seg.buf = buf;
        seg.dataIndex = start + th.headerLength();
        seg.dataLength = length - th.headerLength();
        return seg;
    }

    /** The demultiplexing of {@code tcp_v4_rcv}: established hash, then listeners, else a RST. */
    void dispatch(Segment seg) {
        ConnKey key = new ConnKey(seg.daddr, seg.dport, seg.saddr, seg.sport);
        int isnHint = 0;
        for (int attempt = 0; attempt < 3; attempt++) {
            Object owner = tcp.tables().lookupEstablished(key);
            if (owner instanceof TcpSock sk) {
                sk.lock();
                try {
                    if (tcp.tables().lookupEstablished(key) != sk) {
                        continue; // It changed while we waited for the lock: look again.
                    }
                    process(sk, seg);
                } finally {
                    sk.unlock();
                }
                return;
            }
            if (owner instanceof RequestSock req) {
                TcpSock listener = req.listener;
                listener.lock();
                try {
                    if (tcp.tables().lookupEstablished(key) != req) {
                        continue;
                    }
                    checkRequest(req, seg);
                } finally {
                    listener.unlock();
                }
                return;
            }
            if (owner instanceof TimeWaitSock tw) {
                isnHint = timeWaitProcess(tw, seg);
                if (isnHint == 0) {
                    return;
                }
            }
            break;
        }
        TcpSock listener = tcp.tables().lookupListener(seg.daddr, seg.dport);
        if (listener == null) {
            tcp.output().sendResetReply(seg);
            return;
        }
        listener.lock();
        try {
            if (listener.state() != SkState.LISTEN) {
                tcp.output().sendResetReply(seg);
                return;
            }
            listen(listener, seg, isnHint);
        } finally {
            listener.unlock();
        }
    }

    private void process(TcpSock sk, Segment seg) {
        tcp.trace().rcvStateProcess(sk);
        sk.segsIn++;
        sk.lastReceivedNanos = tcp.clock().nanoTime();
        switch (sk.state()) {
            case SYN_SENT -> synSent(sk, seg);
            case CLOSE, LISTEN -> tcp.output().sendResetReply(seg);
            default -> synchronizedState(sk, seg);
        }
        sk.publishQueues();
    }

    // ==== LISTEN ==============================================================================

    private void listen(TcpSock listener, Segment seg, int isnHint) {
        if (seg.has(RST)) {
            return;
        }
        if (seg.has(ACK)) {
            if (!seg.has(SYN) && tcp.settings().syncookies() && SynCookies.check(tcp, listener, seg)) {
                return;
            }
            tcp.output().sendResetReply(seg);
            return;
        }
        if (!seg.has(SYN) || seg.has(FIN)) {
            return;
        }
        connRequest(listener, seg, isnHint);
    }

    /** {@code tcp_conn_request}: a SYN to a listener becomes a request (or a SYN cookie, or a drop). */
    private void connRequest(TcpSock listener, Segment seg, int isnHint) {
        tcp.trace().sock("tcp_conn_request", listener);
        TcpCounters c = tcp.counters();
        boolean wantCookie = false;
        // inet_csk_reqsk_queue_is_full: more requests than the backlog, judged as the accept
        // queue is (sk_acceptq_is_full), so a backlog of N holds N + 1 requests, as current
        // Linux does ("tcp/dccp: allow a connection when sk_max_ack_backlog is zero"; a kernel
        // 6.18 listener with backlog 128 holds 129). A SYN reusing a TIME-WAIT 4-tuple proves
        // its peer and is never refused.
        if (listener.synQueue.size() > listener.maxBacklog && isnHint == 0) {
            if (tcp.settings().syncookies()) {
                wantCookie = true;
                c.inc(TcpExtMib.TCPReqQFullDoCookies);
            } else {
                c.inc(TcpExtMib.TCPReqQFullDrop);
                c.inc(TcpExtMib.ListenDrops);
                return;
            }
        }
        if (listener.acceptQueue.size() > listener.maxBacklog) {
            c.inc(TcpExtMib.ListenOverflows);
            c.inc(TcpExtMib.ListenDrops);
            return;
        }
        Rtable route;
        try {
            route = tcp.ip().routeOutput(Flowi4.of(seg.daddr, seg.saddr, 6));
        } catch (ErrnoException e) {
            c.inc(TcpExtMib.ListenDrops);
            return;
        }
        TcpSettings s = tcp.settings();
        TcpOptions o = seg.options;
        int advmss = advertisedMss(route.mtu(), listener.userMss);
        boolean tsOk = s.timestamps() && o.timestamp;
        boolean sackOk = s.sack() && o.sackPermitted;
        int peerWscale = s.windowScaling() ? o.wscale : -1;
        int rcvWscale = peerWscale >= 0 ? Math.max(0, s.windowShift()) : 0;
        int peerMss = o.mss > 0 ? o.mss : DEFAULT_MSS;
        ConnKey key = new ConnKey(seg.daddr, seg.dport, seg.saddr, seg.sport);
        int tsOffset = tcp.secrets().tsOffset(seg.daddr, seg.saddr);
        int rcvWnd = TcpOutput.initialWindow(tcp.memory().windowSpace(listener), advmss);
        if (wantCookie) {
            SynCookies.sendCookie(tcp, listener, seg, key, route, advmss, peerMss, tsOk, sackOk, peerWscale,
                    rcvWscale, tsOffset, rcvWnd);
            return;
        }
        int iss = isnHint != 0 ? isnHint : tcp.secrets().isn(seg.daddr, seg.saddr, seg.dport, seg.sport);
        RequestSock req = new RequestSock(listener, key, iss, seg.seq, peerMss, peerWscale, sackOk, tsOk, o.tsVal,
                tsOffset, rcvWscale, advmss, rcvWnd, route);
        req.tsRecentStampNanos = tcp.clock().nanoTime();
        if (!tcp.tables().insertEstablished(key, req)) {
            return;
        }
        listener.synQueue.add(req);
        armRequestTimer(req);
        req.synAckSentNanos = tcp.clock().nanoTime();
        tcp.output().sendSynAck(req);
    }

    /** {@code reqsk_timer_handler}: the SYN-ACK again, with backoff, up to {@code tcp_synack_retries}. */
    private void armRequestTimer(RequestSock req) {
        long delay = tcp.settings().rtoInitialMillis() << req.retransmits;
        req.timer = tcp.timersOf().schedule(Math.min(delay, tcp.settings().rtoMaxMillis()), () -> {
            TcpSock listener = req.listener;
            listener.lock();
            try {
                if (tcp.tables().lookupEstablished(req.key) != req) {
                    return;
                }
                if (req.retransmits >= tcp.settings().synackRetries() || listener.state() != SkState.LISTEN) {
                    tcp.lifecycle().dropRequest(req);
                    return;
                }
                req.retransmits++;
                tcp.counters().inc(TcpMib.RetransSegs);
                tcp.output().sendSynAck(req);
                armRequestTimer(req);
            } finally {
                listener.unlock();
            }
        });
    }

    /** {@code tcp_check_req}: a segment for a request in the SYN queue (the listener is locked). */
    private void checkRequest(RequestSock req, Segment seg) {
        tcp.trace().conn("tcp_check_req", req.key, null, null);
        TcpSock listener = req.listener;
        boolean inWindow = Seq.between(seg.seq, req.irs + 1, req.irs + 1 + req.rcvWnd);
        // PAWS (RFC 7323 5.3) against the SYN's TSval, as tcp_check_req applies tcp_paws_reject.
        boolean pawsReject = req.tsOk && seg.options.timestamp
                && pawsReject(req.tsRecent, req.tsRecentStampNanos, seg.options.tsVal, seg.has(RST));
        if (seg.has(RST)) {
            if (pawsReject) {
                tcp.counters().inc(TcpExtMib.PAWSEstab);
            } else if (inWindow) {
                tcp.counters().inc(TcpExtMib.EmbryonicRsts);
                tcp.lifecycle().dropRequest(req);
            }
            return;
        }
        if (seg.has(SYN) && !seg.has(ACK) && seg.seq == req.irs && !pawsReject) {
            // The SYN again: our SYN-ACK may have been lost; sent again at most once per rate limit.
            if (!tcp.output().oowRateLimited(seg, req.lastOowAckNanos, TcpExtMib.TCPACKSkippedSynRecv)) {
                tcp.output().sendSynAck(req);
            }
            return;
        }
        if (!seg.has(ACK)) {
            return;
        }
        if (seg.ack != req.iss + 1) {
            tcp.output().sendResetReply(seg);
            return;
        }
        if (!inWindow || pawsReject) {
            // RFC 9293 3.10.7.4: an unacceptable segment is answered with an ACK (Linux's
            // tcp_v4_reqsk_send_ack), within the rate limit; one failing PAWS is counted too.
            if (pawsReject) {
                tcp.counters().inc(TcpExtMib.PAWSEstab);
            }
            if (!tcp.output().oowRateLimited(seg, req.lastOowAckNanos, TcpExtMib.TCPACKSkippedSynRecv)) {
                tcp.output().sendRequestAck(req, seg);
            }
            return;
        }
        if (seg.has(SYN)) {
            tcp.counters().inc(TcpExtMib.EmbryonicRsts);
            tcp.output().sendResetReply(seg);
            tcp.lifecycle().dropRequest(req);
            return;
        }
        if (listener.state() != SkState.LISTEN) {
            tcp.lifecycle().dropRequest(req);
            tcp.output().sendResetReply(seg);
            return;
        }
        if (listener.acceptQueue.size() > listener.maxBacklog) {
            // The request stays; the peer's retransmission (or ours of the SYN-ACK) tries again.
            tcp.counters().inc(TcpExtMib.ListenOverflows);
            tcp.counters().inc(TcpExtMib.ListenDrops);
            return;
        }
        listener.synQueue.remove(req);
        if (req.timer != null) {
            req.timer.cancel();
        }
        // tcp_synack_rtt_meas: the SYN-ACK's round trip is a sample unless it was sent again (Karn).
        long synAckRttUs = req.retransmits == 0 ? (tcp.clock().nanoTime() - req.synAckSentNanos) / 1000 : -1;
        TcpSock child = createChild(listener, req.key, req.route, req.iss, req.irs, req.peerMss, req.peerWscale,
                req.rcvWscale, req.sackOk, req.tsOk, req.tsOffset, req.advmss, req.rcvWnd, seg, synAckRttUs);
        if (!tcp.tables().replaceEstablished(req.key, req, child)) {
            child.orphan = true;
            tcp.lifecycle().done(child);
            return;
        }
        child.key = req.key;
        accepted(listener, child, seg);
    }

    /** A new connection joins the accept queue; data that came with the ACK are processed. */
    void accepted(TcpSock listener, TcpSock child, Segment seg) {
        tcp.tables().addOwner(child, child.key.localPort());
        listener.acceptQueue.addLast(child);
        listener.publishQueues();
        tcp.counters().inc(TcpMib.PassiveOpens);
        listener.wakeUp(EPOLLIN);
        if (seg.dataLength > 0 || seg.has(FIN)) {
            child.lock();
            try {
                synchronizedState(child, seg);
                child.publishQueues();
            } finally {
                child.unlock();
            }
        }
    }

    /**
     * {@code tcp_create_openreq_child}: the full socket of a connection, ESTABLISHED, with its
     * listener's options. {@code synAckRttUs} is the SYN-ACK's measured round trip, or -1 when
     * there is none (a cookie, a SYN-ACK sent again); then the ACK's timestamp echo gives the
     * first sample if it can, as {@code tcp_ack_update_rtt} prefers the former.
     */
    TcpSock createChild(TcpSock listener, ConnKey key, Rtable route, int iss, int irs, int peerMss, int peerWscale,
            int rcvWscale, boolean sackOk, boolean tsOk, int tsOffset, int advmss, int rcvWnd, Segment ack,
            long synAckRttUs) {
        TcpSock child = new TcpSock(tcp);
        tcp.sockets().add(child);
        child.rcvbuf(listener.rcvbuf());
        child.sndbuf(listener.sndbuf());
        child.nodelay = listener.nodelay;
        child.pingpong = listener.pingpong; // sk_clone_lock copies icsk_ack: TCP_QUICKACK 0 on a listener holds for its children
        child.keepAlive(listener.keepAlive());
        child.keepIdleSeconds = listener.keepIdleSeconds;
        child.keepIntvlSeconds = listener.keepIntvlSeconds;
        child.keepCnt = listener.keepCnt;
        child.timeWaitMillis = listener.timeWaitMillis;
        child.userMss = listener.userMss;
        child.ccName = listener.ccName;
        child.lingerSeconds(listener.lingerSeconds());
        child.ttl(listener.ttl());
        child.tos(listener.tos());
        child.reuseAddr(listener.reuseAddr());
        child.rcvSaddr(key.localAddress());
        child.saddr(key.localAddress());
        child.num(key.localPort());
        child.daddr(key.remoteAddress());
        child.dport(key.remotePort());
        child.route = route;
        child.iss = iss;
        child.sndUna = iss + 1;
        child.sndNxt = iss + 1;
        child.sndMax = iss + 1;
        child.highSeq = iss; // RFC 6582 3.2: "recover" starts at the ISN, so a first-segment loss is recoverable
        child.irs = irs;
        child.rcvNxt = irs + 1;
        child.rcvWup = child.rcvNxt;
        child.rcvWnd = rcvWnd;
        child.wscaleOk = peerWscale >= 0;
        child.sndWscale = child.wscaleOk ? peerWscale : 0;
        child.rcvWscale = child.wscaleOk ? rcvWscale : 0;
        child.sackOk = sackOk;
        child.tsOk = tsOk;
        child.tsOffset = tsOffset;
        if (tsOk && ack.options.timestamp) {
            child.tsRecent = ack.options.tsVal;
            child.tsRecentStampNanos = tcp.clock().nanoTime();
        }
        child.advmss = advmss;
        child.rcvMss = Math.min(advmss, peerMss);
        child.mssCache = sendMss(peerMss, route.mtu(), child.userMss, tsOk);
        child.sndWnd = ack.window << child.sndWscale;
        child.sndWl1 = ack.seq;
        child.sndWl2 = ack.ack;
        child.maxWindow = child.sndWnd;
        child.everConnected = true;
        child.lastReceivedNanos = tcp.clock().nanoTime();
        child.parent = listener;
        if (synAckRttUs >= 0) {
            rttSample(child, Math.max(1, synAckRttUs));
        } else if (tsOk && ack.options.timestamp && ack.options.tsEcr != 0) {
            long rttMs = (tcp.output().tsNow() + tsOffset) - ack.options.tsEcr;
            if (rttMs >= 0) {
                rttSample(child, Math.max(1, rttMs * 1000));
            }
        }
        if (child.srttUs == 0) {
            child.rtoUs = TIMEOUT_FALLBACK_US;
        }
        tcp.lifecycle().setState(child, SkState.SYN_RECV); // inet_csk_clone_lock: the child is born in SYN_RECV
        tcp.lifecycle().setState(child, SkState.ESTABLISHED);
        TcpCongestion.init(child);
        tcp.timersOf().startKeepalive(child);
        child.publishQueues();
        return child;
    }

    // ==== MSS =================================================================================

    /** The MSS offered on our SYN: route MTU (at most 65535) less the IPv4 and TCP headers, clamped by TCP_MAXSEG. */
    static int advertisedMss(int mtu, int userMss) {
        int mss = Math.min(mtu, IP_MAX_MTU) - 40;
        if (userMss > 0) {
            mss = Math.min(mss, userMss);
        }
        return Math.max(mss, 88);
    }

    /** {@code tcp_sync_mss}: the payload per segment: the peer's MSS and our route's, less the timestamp option. */
    static int sendMss(int peerMss, int mtu, int userMss, boolean tsOk) {
        int mss = Math.min(peerMss, Math.min(mtu, IP_MAX_MTU) - 40);
        if (userMss > 0) {
            mss = Math.min(mss, userMss);
        }
        if (tsOk) {
            mss -= TcpOptions.TIMESTAMP_ALIGNED_LENGTH;
        }
        return Math.max(mss, 48);
    }

    // ==== SYN-SENT ============================================================================

    /** {@code tcp_rcv_synsent_state_process} (RFC 9293 3.10.7.3). */
    private void synSent(TcpSock sk, Segment seg) {
        boolean hasAck = seg.has(ACK);
        if (hasAck && (Seq.beforeOrEqual(seg.ack, sk.iss) || Seq.after(seg.ack, sk.sndMax))) {
            tcp.output().sendResetReply(seg);
            return;
        }
        if (seg.has(RST)) {
            if (hasAck) {
                tcp.lifecycle().reset(sk);
            }
            return;
        }
        if (!seg.has(SYN)) {
            return;
        }
        TcpOptions o = seg.options;
        TcpSettings s = tcp.settings();
        sk.irs = seg.seq;
        sk.rcvNxt = seg.seq + 1;
        sk.rcvWup = sk.rcvNxt;
        sk.wscaleOk = s.windowScaling() && o.wscale >= 0;
        sk.sndWscale = sk.wscaleOk ? o.wscale : 0;
        if (!sk.wscaleOk) {
            sk.rcvWscale = 0;
        }
        sk.tsOk = s.timestamps() && o.timestamp;
        if (sk.tsOk) {
            sk.tsRecent = o.tsVal;
            sk.tsRecentStampNanos = tcp.clock().nanoTime();
        }
        sk.sackOk = s.sack() && o.sackPermitted;
        int peerMss = o.mss > 0 ? o.mss : DEFAULT_MSS;
        int mtu = sk.route != null ? sk.route.mtu() : sk.advmss + 40;
        sk.mssCache = sendMss(peerMss, mtu, sk.userMss, sk.tsOk);
        sk.rcvMss = Math.min(sk.advmss, peerMss);
        if (hasAck) {
            TxSegment syn = sk.rtxQueue.pollFirst();
            tcp.memory().settleSend(sk);
            long rttUs = -1;
            if (syn != null && !syn.retransmitted) {
                rttUs = (tcp.clock().nanoTime() - syn.sentNanos) / 1000;
            } else if (sk.tsOk && o.tsEcr != 0) {
                rttUs = ((long) (tcp.output().tsNow() + sk.tsOffset - o.tsEcr)) * 1000;
            }
            boolean synRetransmitted = sk.retransmits > 0;
            sk.lastAckRecvNanos = tcp.clock().nanoTime();
            sk.bytesAcked += seg.ack - sk.sndUna; // the SYN, as tcp_snd_una_update counts it
            sk.sndUna = seg.ack;
            sk.sndWnd = seg.window; // never scaled on a SYN (RFC 7323 2.2)
            sk.sndWl1 = seg.seq;
            sk.sndWl2 = seg.ack;
            sk.maxWindow = sk.sndWnd;
            tcp.timersOf().clear(sk);
            sk.retransmits = 0;
            sk.backoff = 0;
            if (rttUs >= 0) {
                rttSample(sk, Math.max(1, rttUs));
            } else if (synRetransmitted) {
                sk.rtoUs = TIMEOUT_FALLBACK_US;
            }
            established(sk);
            tcp.output().sendAck(sk);
            sk.wakeUp(EPOLLOUT);
            tcp.output().writeXmit(sk);
        } else {
            // Simultaneous open (RFC 9293 3.5, figure 8): SYN-RECEIVED, answer with SYN-ACK.
            sk.sndWnd = seg.window;
            sk.sndWl1 = seg.seq;
            sk.maxWindow = sk.sndWnd;
            tcp.lifecycle().setState(sk, SkState.SYN_RECV);
            tcp.output().sendSyn(sk, true);
        }
    }

    private void established(TcpSock sk) {
        sk.everConnected = true;
        tcp.lifecycle().setState(sk, SkState.ESTABLISHED);
        TcpCongestion.init(sk);
        tcp.timersOf().startKeepalive(sk);
        sk.publishQueues();
    }

    // ==== synchronized states (tcp_rcv_state_process) =========================================

    /**
     * A SYN on a synchronized connection, in the window or not, or failing PAWS (RFC 5961
     * 4.2): counted, as an input error too on an established connection (Linux's
     * {@code syn_inerr} from {@code tcp_rcv_established}), and answered with a challenge ACK.
     */
    private void synChallenge(TcpSock sk) {
        if (sk.state() == SkState.ESTABLISHED) {
            tcp.counters().inc(TcpMib.InErrs);
        }
        tcp.counters().inc(TcpExtMib.TCPSYNChallenge);
        tcp.output().sendChallengeAck(sk);
    }

    /**
     * The counter of an ACK to an invalid segment held back: an orphaned connection in
     * FIN-WAIT-2 has its own, as Linux keeps it as a TIME-WAIT entry in that substate.
     */
    private static TcpExtMib skipped(TcpSock sk, TcpExtMib otherwise) {
        return sk.orphan && sk.state() == SkState.FIN_WAIT2 ? TcpExtMib.TCPACKSkippedFinWait2 : otherwise;
    }

    /**
     * {@code tcp_paws_check}: whether {@code tsVal} passes PAWS against {@code tsRecent}, taken
     * at {@code stampNanos}: it is at most {@code window} ticks behind, or TS.Recent is not to be
     * trusted, being older than 24 days (RFC 7323 5.5) or 0 (some stacks send TSval 0 in their
     * SYN and real values after).
     */
    private boolean pawsCheck(int tsRecent, long stampNanos, int tsVal, int window) {
        return tsRecent - tsVal <= window || tcp.clock().nanoTime() - stampNanos >= PAWS_24DAYS_NANOS || tsRecent == 0;
    }

    /** What a segment failing PAWS turns out to be ({@code tcp_disordered_ack_check}). */
    private enum PawsFailure {
        /** A duplicate ACK reordered behind newer segments: processed as if it had passed. */
        DISORDERED_ACK,
        /** A pure ACK below {@code rcv_nxt}: dropped silently ({@code PAWSOldAck}), old ACKs being common. */
        OLD_ACK,
        /** Anything else: dropped and answered with a duplicate ACK ({@code PAWSEstab}). */
        REJECTED
    }

    /**
     * {@code tcp_disordered_ack_check}: a pure duplicate ACK at {@code rcv_nxt} that changes no
     * window and is behind TS.Recent by less than the replay window (RTO ticks times 1.2, as
     * Linux's {@code tcp_tsval_replay} allows for peers with a 1200 Hz clock) only came late;
     * RFC 7323 5.3 lets it through, as dropping it would lose its information.
     */
    private static PawsFailure disorderedAckCheck(TcpSock sk, Segment seg) {
        if (!seg.has(ACK) || seg.length() != 0) {
            return PawsFailure.REJECTED;
        }
        if (seg.seq != sk.rcvNxt) {
            return Seq.before(seg.seq, sk.rcvNxt) ? PawsFailure.OLD_ACK : PawsFailure.REJECTED;
        }
        if (seg.ack != sk.sndUna) {
            return PawsFailure.REJECTED;
        }
        int window = seg.window << sk.sndWscale;
        if (Seq.after(seg.seq, sk.sndWl1) || (seg.seq == sk.sndWl1 && (window > sk.sndWnd || window == 0))) {
            return PawsFailure.REJECTED; // tcp_may_update_window: it may carry a window update
        }
        long replayTicks = sk.rtoUs * 12 / 10_000;
        return sk.tsRecent - seg.options.tsVal > replayTicks ? PawsFailure.REJECTED : PawsFailure.DISORDERED_ACK;
    }

    /**
     * {@code tcp_replace_ts_recent} (RFC 7323 4.3): TS.Recent from a segment at or before the
     * last ACK sent, once its ACK has been found valid, and never back (a TSval inside the
     * PAWS window but behind TS.Recent passes the check without becoming TS.Recent).
     */
    private void replaceTsRecent(TcpSock sk, Segment seg) {
        TcpOptions o = seg.options;
        if (sk.tsOk && o.timestamp && !Seq.after(seg.seq, sk.rcvWup)
                && pawsCheck(sk.tsRecent, sk.tsRecentStampNanos, o.tsVal, 0)) {
            sk.tsRecent = o.tsVal;
            sk.tsRecentStampNanos = tcp.clock().nanoTime();
        }
    }

    /**
     * {@code tcp_send_dupack}: the ACK answering a segment dropped unprocessed, with a D-SACK
     * for the part of its data received already.
     */
    private void sendDupAck(TcpSock sk, Segment seg) {
        if (seg.dataLength > 0 && Seq.before(seg.seq, sk.rcvNxt)) {
            dsackSet(sk, seg.seq, Seq.min(seg.seq + seg.dataLength, sk.rcvNxt));
        }
        tcp.output().sendAck(sk);
    }

    void synchronizedState(TcpSock sk, Segment seg) {
        TcpOutput out = tcp.output();
        TcpOptions o = seg.options;
        // PAWS (RFC 7323 5.3, tcp_validate_incoming). A RST is judged by its sequence number
        // alone; a SYN draws a challenge; an old pure ACK is dropped without an answer.
        if (sk.tsOk && o.timestamp && !pawsCheck(sk.tsRecent, sk.tsRecentStampNanos, o.tsVal, PAWS_WINDOW)) {
            if (sk.orphan && sk.state() == SkState.FIN_WAIT2 && !seg.has(RST)) {
                // Linux keeps this connection as a TIME-WAIT entry in FIN-WAIT-2, which answers
                // whatever fails PAWS with an ACK, counting nothing but the ACKs held back.
                if (!out.oowRateLimited(seg, sk.lastOowAckNanos, TcpExtMib.TCPACKSkippedFinWait2)) {
                    out.sendAck(sk);
                }
                return;
            }
            PawsFailure failure = disorderedAckCheck(sk, seg);
            if (failure != PawsFailure.DISORDERED_ACK && !seg.has(RST)) {
                if (seg.has(SYN)) {
                    synChallenge(sk);
                } else if (failure == PawsFailure.OLD_ACK) {
                    tcp.counters().inc(TcpExtMib.PAWSOldAck);
                } else {
                    tcp.counters().inc(TcpExtMib.PAWSEstab);
                    if (!out.oowRateLimited(seg, sk.lastOowAckNanos, TcpExtMib.TCPACKSkippedPAWS)) {
                        sendDupAck(sk, seg);
                    }
                }
                return;
            }
        }
        // Sequence check ({@code tcp_sequence}): the segment must overlap the window.
        int window = TcpOutput.receiveWindowNow(sk);
        boolean acceptable = !Seq.before(seg.endSeq(), sk.rcvWup) && !Seq.after(seg.seq, sk.rcvNxt + window);
        if (!acceptable) {
            if (seg.has(SYN) && !seg.has(RST)) {
                synChallenge(sk);
            } else if (!seg.has(RST)
                    && !out.oowRateLimited(seg, sk.lastOowAckNanos, skipped(sk, TcpExtMib.TCPACKSkippedSeq))) {
                sendDupAck(sk, seg);
            }
            return;
        }
        // RST (RFC 5961 3.2): only an exact match resets; else a challenge ACK.
        if (seg.has(RST)) {
            if (seg.seq == sk.rcvNxt) {
                if (sk.state() == SkState.SYN_RECV) {
                    sk.reportError(Errno.ECONNREFUSED);
                }
                tcp.lifecycle().reset(sk);
            } else {
                out.sendChallengeAck(sk);
            }
            return;
        }
        // SYN in a synchronized state (RFC 5961 4.2): challenge ACK.
        if (seg.has(SYN)) {
            synChallenge(sk);
            return;
        }
        if (!seg.has(ACK)) {
            return;
        }
        if (sk.state() == SkState.SYN_RECV) {
            if (!Seq.between(seg.ack, sk.sndUna + 1, sk.sndMax)) {
                out.sendResetReply(seg);
                return;
            }
            TxSegment syn = sk.rtxQueue.peekFirst();
            if (syn != null && (syn.flags & SYN) != 0) {
                sk.rtxQueue.pollFirst();
                tcp.memory().settleSend(sk);
            }
            sk.bytesAcked += sk.iss + 1 - sk.sndUna; // the SYN, as tcp_snd_una_update counts it
            sk.sndUna = sk.iss + 1;
            sk.sndWnd = seg.window << sk.sndWscale;
            sk.sndWl1 = seg.seq;
            sk.sndWl2 = seg.ack;
            sk.maxWindow = sk.sndWnd;
            tcp.timersOf().clear(sk);
            sk.retransmits = 0;
            sk.backoff = 0;
            established(sk);
            if (sk.finQueued) {
                // close() or SHUT_WR came in SYN-RECEIVED: the FIN waited for ESTABLISHED
                // (RFC 9293 3.10.4) and goes after this ACK's processing, from FIN-WAIT-1.
                tcp.lifecycle().setState(sk, SkState.FIN_WAIT1);
            }
            sk.wakeUp(EPOLLOUT);
        }
        if (!ack(sk, seg)) {
            return;
        }
        switch (sk.state()) {
            case FIN_WAIT1 -> {
                if (sk.finAcked) {
                    tcp.lifecycle().setState(sk, SkState.FIN_WAIT2);
                    sk.shutdown(sk.shutdown() | InetSock.SEND_SHUTDOWN);
                    if (sk.orphan) {
                        tcp.timersOf().startFinWait2(sk);
                    }
                    sk.wakeUp(EPOLLOUT);
                }
            }
            case CLOSING -> {
                if (sk.finAcked) {
                    tcp.lifecycle().timeWait(sk);
                    return;
                }
            }
            case LAST_ACK -> {
                if (sk.finAcked) {
                    tcp.lifecycle().done(sk);
                    return;
                }
            }
            default -> {
            }
        }
        // Data (RFC 9293 3.10.7.4, seventh) and FIN (eighth).
        SkState state = sk.state();
        boolean canReceive = state == SkState.ESTABLISHED || state == SkState.FIN_WAIT1 || state == SkState.FIN_WAIT2;
        if (seg.dataLength > 0) {
            if (!canReceive) {
                // The peer sent its FIN already; data after it are ignored (CLOSE-WAIT, CLOSING, LAST-ACK).
            } else if (sk.orphan && Seq.after(seg.seq + seg.dataLength, sk.rcvNxt)) {
                // Nobody will read it ({@code TCPAbortOnData}): reset, as RFC 9293 3.10.4 and Linux do.
                tcp.counters().inc(TcpExtMib.TCPAbortOnData);
                out.sendActiveReset(sk);
                tcp.lifecycle().done(sk);
                return;
            } else {
                dataQueue(sk, seg);
            }
        }
        if (seg.has(FIN) && sk.state() != SkState.CLOSE) {
            int finSeq = seg.seq + seg.dataLength;
            if (finSeq == sk.rcvNxt && !sk.finReceived) {
                fin(sk);
            } else if (Seq.after(finSeq, sk.rcvNxt)) {
                sk.oooFin = true;
                sk.oooFinSeq = finSeq;
            } else {
                out.sendAck(sk); // a FIN again: ACK it again
            }
        }
    }

    // ==== tcp_ack =============================================================================

    /** Processes the ACK field; false when the segment is to be dropped. */
    private boolean ack(TcpSock sk, Segment seg) {
        TcpOutput out = tcp.output();
        int ack = seg.ack;
        int priorUna = sk.sndUna;
        // RFC 5961 5.2: an ACK of data not sent yet, or older than the peer could have seen
        // (snd_una - max_window, where the window is at most what was acknowledged so far, as
        // no ACK below the first byte can be valid), draws a challenge ACK and is dropped.
        if (Seq.after(ack, sk.sndMax)
                || Seq.before(ack, priorUna - (int) Math.min(sk.maxWindow, sk.bytesAcked))) {
            out.sendChallengeAck(sk);
            return false;
        }
        if (Seq.before(ack, priorUna)) {
            return true; // an old ACK: nothing to learn, the data may still count
        }
        replaceTsRecent(sk, seg);
        sk.probesOut = 0;
        sk.keepaliveProbes = 0;
        sk.softError(null); // something got through: forget the ICMP error (tcp_ack)
        sk.lastAckRecvNanos = tcp.clock().nanoTime();
        int window = seg.window << sk.sndWscale;
        boolean windowChanged = false;
        if (Seq.before(sk.sndWl1, seg.seq) || (sk.sndWl1 == seg.seq && !Seq.before(ack, sk.sndWl2))) {
            windowChanged = window != sk.sndWnd;
            sk.sndWnd = window;
            sk.sndWl1 = seg.seq;
            sk.sndWl2 = ack;
            sk.maxWindow = Math.max(sk.maxWindow, window);
        }
        int sackFlags = sk.sackOk ? TcpSack.tag(sk, seg.options, ack) : 0;
        if (Seq.after(ack, priorUna)) {
            newlyAcked(sk, seg, ack, priorUna);
        } else if ((seg.dataLength == 0 && !windowChanged && !seg.has(FIN) && !sk.rtxQueue.isEmpty())
                || (sackFlags & TcpSack.NEW_SACKED) != 0) {
            // A duplicate ACK: RFC 5681 2, or one that SACKs new data (RFC 6675 2), which may
            // ride on data.
            if (TcpCongestion.onDupAck(sk, ack)) {
                tcp.counters().inc(TcpExtMib.TCPFastRetrans);
                out.retransmitHead(sk);
            }
        }
        if (sk.sackOk && !TcpSack.checkReneging(sk)) {
            TcpCongestion.sackAlert(sk, ack);
        }
        if (sk.pending == TcpTimers.Pending.PROBE && sk.sndWnd > 0) {
            tcp.timersOf().clear(sk);
            sk.backoff = 0;
        }
        out.writeXmit(sk);
        return true;
    }

    private void newlyAcked(TcpSock sk, Segment seg, int ack, int priorUna) {
        long now = tcp.clock().nanoTime();
        int ackedBytes = ack - priorUna;
        int dataAcked = Math.min(ackedBytes, sk.sendQueued());
        sk.sendQueue.consume(dataAcked);
        if (ackedBytes > dataAcked && sk.finQueued) {
            sk.finAcked = true;
        }
        sk.bytesAcked += ackedBytes;
        sk.sndUna = ack;
        int ackedSegments = 0;
        boolean retransmittedAcked = false;
        long oldestSent = -1;
        while (!sk.rtxQueue.isEmpty()) {
            TxSegment s = sk.rtxQueue.peekFirst();
            if (Seq.beforeOrEqual(s.endSeq(), ack)) {
                sk.rtxQueue.pollFirst();
                TcpSack.unlink(sk, s);
                ackedSegments++;
                if (s.retransmitted) {
                    retransmittedAcked = true;
                } else if (oldestSent < 0) {
                    oldestSent = s.sentNanos;
                }
            } else {
                if (Seq.after(ack, s.seq)) {
                    s.length -= ack - s.seq;
                    s.seq = ack;
                    ackedSegments++;
                }
                break;
            }
        }
        // RTT (RFC 6298 with Karn's rule; RFC 7323 RTTM when a retransmission was acked).
        long rttUs = -1;
        if (!retransmittedAcked && oldestSent >= 0) {
            rttUs = Math.max(1, (now - oldestSent) / 1000);
        } else if (sk.tsOk && seg.options.timestamp && seg.options.tsEcr != 0) {
            long ms = (long) (tcp.output().tsNow() + sk.tsOffset - seg.options.tsEcr);
            if (ms >= 0) {
                rttUs = Math.max(1, ms * 1000);
            }
        }
        if (rttUs > 0) {
            rttSample(sk, rttUs);
        }
        sk.retransmits = 0;
        sk.backoff = 0;
        boolean fullAck = !Seq.before(ack, sk.highSeq);
        boolean inRecovery = sk.caState == net.tern.tcp.cc.CaState.RECOVERY;
        int tsEcr = sk.tsOk && seg.options.timestamp ? seg.options.tsEcr : 0;
        TcpCongestion.onAck(sk, Math.max(1, ackedSegments), rttUs, fullAck, tsEcr);
        if (inRecovery && !sk.sackOk && !fullAck && !sk.rtxQueue.isEmpty()) {
            tcp.output().retransmitHead(sk); // NewReno partial ACK (RFC 6582 3.2 (5))
        }
        if (sk.rtxQueue.isEmpty()) {
            if (sk.pending == TcpTimers.Pending.RETRANS) {
                tcp.timersOf().clear(sk);
            }
        } else {
            tcp.timersOf().reset(sk, TcpTimers.Pending.RETRANS, sk.rtoUs); // RFC 6298 5.3
        }
        // The memory acknowledged data held is free again: the sender may queue more.
        sk.sendMemoryLimited = false;
        tcp.memory().settleSend(sk);
        tcp.memory().reclaimIdle(sk);
        sk.publishQueues();
        if (dataAcked > 0) {
            sk.wakeUp(EPOLLOUT); // sk_stream_write_space
        }
    }

    /** {@code tcp_rtt_estimator} and {@code tcp_set_rto} (RFC 6298 2), with Linux's floor on the variance term. */
    void rttSample(TcpSock sk, long rttUs) {
        if (sk.srttUs == 0) {
            sk.srttUs = rttUs;
            sk.rttvarUs = rttUs / 2;
        } else {
            long delta = Math.abs(sk.srttUs - rttUs);
            sk.rttvarUs = (3 * sk.rttvarUs + delta) / 4;
            sk.srttUs = (7 * sk.srttUs + rttUs) / 8;
        }
        sk.minRttUs = sk.minRttUs == 0 ? rttUs : Math.min(sk.minRttUs, rttUs);
        long rtoMinUs = tcp.settings().rtoMinMillis() * 1000;
        long rto = sk.srttUs + Math.max(4 * sk.rttvarUs, rtoMinUs);
        sk.rtoUs = Math.min(rto, tcp.settings().rtoMaxMillis() * 1000);
    }

    // ==== tcp_data_queue ======================================================================

    /**
     * {@code tcp_data_queue}: data in order go to the receive queue, data beyond
     * {@code rcv_nxt} are placed where they belong and recorded in the out-of-order queue
     * ({@code tcp_data_queue_ofo}). Either first gets its memory ({@link TcpMemory#tryRmemSchedule}):
     * refused, out-of-order data are dropped ({@code TCPOFODrop}, without an ACK, as Linux), and
     * in-order data too while the reader has data queued ({@code TCPRcvQDrop}); an empty queue
     * takes the segment whatever, so the connection moves ({@code sk_forced_mem_schedule}).
     */
    private void dataQueue(TcpSock sk, Segment seg) {
        TcpOutput out = tcp.output();
        TcpMemory memory = tcp.memory();
        int seq = seg.seq;
        int length = seg.dataLength;
        int index = seg.dataIndex;
        if (!Seq.after(seq + length, sk.rcvNxt)) {
            // All old: a retransmission; tell the sender where we are at once, and that this
            // arrived twice (tcp_dsack_set).
            dsackSet(sk, seq, seq + length);
            out.sendAck(sk);
            return;
        }
        if (Seq.before(seq, sk.rcvNxt)) {
            dsackSet(sk, seq, sk.rcvNxt);
            int cut = sk.rcvNxt - seq;
            index += cut;
            length -= cut;
            seq = sk.rcvNxt;
        }
        int windowEnd = sk.rcvNxt + TcpOutput.receiveWindowNow(sk);
        if (Seq.after(seq + length, windowEnd)) {
            length = windowEnd - seq;
        }
        if (length <= 0) {
            tcp.counters().inc(TcpExtMib.TCPZeroWindowDrop);
            out.sendAck(sk);
            return;
        }
        sk.dataSegsIn++;
        sk.lastDataRecvNanos = tcp.clock().nanoTime();
        if (!sk.atoInitialised) {
            sk.atoInitialised = true;
            sk.quickAcks = Math.min(MAX_QUICKACKS, Math.max(2, sk.rcvWnd / (2 * Math.max(1, sk.rcvMss))));
        }
        ByteRing ring = sk.recvQueue;
        ring.limit(memory.windowSpace(sk));
        int gap = seq - sk.rcvNxt; // in the window: 0 .. 2^30
        long offset = sk.rcvOffset + gap;
        int ringAt = ring.size() + gap;
        int growth = TcpMemory.ringGrowth(ring, ringAt + length);
        if (gap == 0) {
            if (!memory.tryRmemSchedule(sk, growth, offset) && !ring.isEmpty()) {
                tcp.counters().inc(TcpExtMib.TCPRcvQDrop);
                out.sendAck(sk); // ICSK_ACK_NOW: the sender learns the window at once
                return;
            }
            ring.append(seg.buf, index, length);
            sk.rcvNxt += length;
            sk.rcvOffset += length;
            sk.bytesReceived += length;
            boolean ackNow = false;
            if (!sk.outOfOrder.isEmpty()) {
                long reached = sk.outOfOrder.drain(sk.rcvOffset);
                int filled = (int) (reached - sk.rcvOffset);
                ring.commit(filled);
                sk.rcvOffset = reached;
                sk.rcvNxt += filled;
                sk.bytesReceived += filled;
                ackNow = true; // RFC 5681 4.2: a segment filling a gap is ACKed at once
            }
            memory.settleRecv(sk);
            if (length >= 128) {
                memory.growWindow(sk, length);
            }
            sk.publishQueues();
            sk.wakeUp(EPOLLIN);
            if (sk.oooFin && sk.rcvNxt == sk.oooFinSeq) {
                fin(sk);
                return;
            }
            if (length >= sk.rcvMss) {
                sk.unackedFullSegments++;
            }
            if (ackNow || (sk.quickAcks > 0 && !sk.pingpong) || sk.unackedFullSegments >= 2) { // tcp_in_quickack_mode
                out.sendAck(sk);
            } else {
                sk.ackPending = true;
                tcp.timersOf().scheduleDelack(sk);
            }
        } else {
            dataQueueOfo(sk, seg, offset, ringAt, index, length, growth);
        }
    }

    /**
     * {@code tcp_data_queue_ofo}: the bytes go to their place in the ring and their run into
     * the out-of-order queue, merging with the runs they touch; data held already are a
     * duplicate ({@code TCPOFOMerge}), reported in a D-SACK block ({@code TCPDSACKOfoSent},
     * RFC 2883). Answered at once with a duplicate ACK carrying the SACK blocks (RFC 5681 4.2,
     * RFC 2018).
     */
    private void dataQueueOfo(TcpSock sk, Segment seg, long offset, int ringAt, int index, int length, int growth) {
        TcpMemory memory = tcp.memory();
        OutOfOrderQueue ooo = sk.outOfOrder;
        long end = offset + length;
        int cost = growth + runsCost(ooo, offset, end);
        boolean admitted = memory.tryRmemSchedule(sk, cost, offset);
        // Pruning may have taken a run this segment would have joined: then it costs an entry more.
        int costNow = growth + runsCost(ooo, offset, end);
        if (!admitted || (costNow > cost && !memory.tryRmemSchedule(sk, costNow, offset))) {
            tcp.counters().inc(TcpExtMib.TCPOFODrop);
            return;
        }
        tcp.counters().inc(TcpExtMib.TCPOFOQueue);
        if (ooo.covers(offset, end)) {
            tcp.counters().inc(TcpExtMib.TCPOFOMerge);
            int seq = sk.rcvNxt + (int) (offset - sk.rcvOffset);
            dsackSet(sk, seq, seq + length);
        } else {
            sk.recvQueue.place(ringAt, seg.buf, index, length);
            ooo.insert(offset, end);
            if (sk.sackOk) {
                memory.growWindow(sk, length); // for non-SACK peers the window stays, to draw duplicate ACKs
            }
        }
        memory.settleRecv(sk);
        tcp.output().sendAck(sk); // a duplicate ACK, with SACK blocks (RFC 5681 4.2, RFC 2018)
    }

    /** The memory the runs of the out-of-order queue grow by when {@code [start, end)} joins them. */
    private static int runsCost(OutOfOrderQueue ooo, long start, long end) {
        return ooo.covers(start, end) ? 0 : Math.max(0, ooo.entriesAdded(start, end)) * OutOfOrderQueue.ENTRY_TRUESIZE;
    }

    /**
     * {@code tcp_dsack_set}: reports {@code [start, end)}, received twice, in a D-SACK block on
     * the next ACK (RFC 2883), counted as old ({@code TCPDSACKOldSent}) below {@code rcv_nxt} or
     * out of order ({@code TCPDSACKOfoSent}) above.
     */
    private void dsackSet(TcpSock sk, int start, int end) {
        if (!sk.sackOk) {
            return;
        }
        sk.dsackPending = true;
        sk.dsackStart = start;
        sk.dsackEnd = end;
        tcp.counters().inc(Seq.before(start, sk.rcvNxt) ? TcpExtMib.TCPDSACKOldSent : TcpExtMib.TCPDSACKOfoSent);
    }

    /** {@code tcp_fin}: the peer's FIN, in order. */
    private void fin(TcpSock sk) {
        tcp.trace().sock("tcp_fin", sk);
        sk.rcvNxt++;
        sk.finReceived = true;
        sk.oooFin = false;
        sk.shutdown(sk.shutdown() | InetSock.RCV_SHUTDOWN);
        tcp.memory().clearOutOfOrder(sk);
        TcpOutput out = tcp.output();
        switch (sk.state()) {
            case SYN_RECV, ESTABLISHED -> {
                tcp.lifecycle().setState(sk, SkState.CLOSE_WAIT);
                out.sendAck(sk);
            }
            case FIN_WAIT1 -> {
                // Simultaneous close (RFC 9293 3.6, figure 13).
                out.sendAck(sk);
                tcp.lifecycle().setState(sk, SkState.CLOSING);
            }
            case FIN_WAIT2 -> {
                out.sendAck(sk);
                tcp.lifecycle().timeWait(sk);
                return;
            }
            default -> out.sendAck(sk);
        }
        sk.publishQueues();
        sk.wakeUp(EPOLLIN | EPOLLRDHUP);
    }

    // ==== TIME-WAIT ===========================================================================

    /**
     * {@code tcp_timewait_state_process}: returns the ISN for a new connection when a SYN may
     * reuse the 4-tuple (RFC 9293 3.6.1, with timestamps as RFC 6191 allows), else 0.
     */
    private int timeWaitProcess(TimeWaitSock tw, Segment seg) {
        TcpOptions o = seg.options;
        boolean pawsReject = tw.tsOk && o.timestamp && pawsReject(tw.tsRecent, tw.tsRecentStampNanos, o.tsVal, seg.has(RST));
        if (!pawsReject && seg.seq == tw.rcvNxt && (seg.length() == 0 || seg.has(RST))) {
            if (seg.has(RST)) {
                tcp.lifecycle().killTimeWait(tw); // Linux's default (tcp_rfc1337=0)
                return 0;
            }
            // A bare ACK in the window: TIME-WAIT starts again, with its TS.Recent.
            tcp.lifecycle().scheduleTimeWaitEnd(tw);
            if (tw.tsOk && o.timestamp) {
                tw.tsRecent = o.tsVal;
                tw.tsRecentStampNanos = tcp.clock().nanoTime();
            }
            return 0;
        }
        if (seg.has(SYN) && !seg.has(RST) && !seg.has(ACK) && !pawsReject
                && (Seq.after(seg.seq, tw.rcvNxt) || (tw.tsOk && o.timestamp && tw.tsRecent - o.tsVal < 0))) {
            // No counter: Linux counts TWRecycled only when connect() takes over a TIME-WAIT
            // 4-tuple (tcp_twsk_unique), not when a peer's SYN reopens one.
            int isn = tw.sndNxt + 65535 + 2;
            tcp.lifecycle().killTimeWait(tw);
            return isn == 0 ? 1 : isn;
        }
        if (pawsReject) {
            tcp.counters().inc(TcpExtMib.PAWSTimewait);
        }
        if (!seg.has(RST)) {
            if (pawsReject || seg.has(ACK)) {
                tcp.lifecycle().scheduleTimeWaitEnd(tw);
            }
            if (!tcp.output().oowRateLimited(seg, tw.lastOowAckNanos, TcpExtMib.TCPACKSkippedTimeWait)) {
                tcp.output().sendTimeWaitAck(tw, seg);
            }
        }
        return 0;
    }

    /**
     * {@code tcp_paws_reject}: PAWS for a TIME-WAIT entry or a request takes no TSval behind
     * TS.Recent; a RST is judged by its sequence number alone once TS.Recent is older than
     * {@code TCP_PAWS_MSL}.
     */
    private boolean pawsReject(int tsRecent, long stampNanos, int tsVal, boolean rst) {
        if (pawsCheck(tsRecent, stampNanos, tsVal, 0)) {
            return false;
        }
        return !(rst && tcp.clock().nanoTime() - stampNanos >= PAWS_MSL_NANOS);
    }

    // ==== tcp_v4_err ==========================================================================

    /**
     * {@code tcp_v4_err}: an ICMP error about a segment we sent, as Linux (6.x) takes it.
     * Fragmentation needed lowers the MSS ({@code tcp_v4_mtu_reduced}). Otherwise the error
     * becomes an errno ({@code icmp_err_convert}; time exceeded is EHOSTUNREACH, a parameter
     * problem EPROTO; source quench and redirects are ignored) and:
     * <ul>
     * <li>a request in the SYN queue is dropped when the error is a parameter problem, time
     * exceeded, or network or host unreachable, and quotes the SYN-ACK's sequence number
     * ({@code tcp_req_err}; {@code ListenDrops}): no socket exists to report it to;</li>
     * <li>a connection in SYN-SENT or SYN-RECEIVED ends with that error
     * ({@code tcp_done_with_error}): connect fails with it;</li>
     * <li>a synchronized connection keeps trying: the error is soft (RFC 1122 4.2.3.9, without
     * {@code IP_RECVERR}), kept as the socket's soft error ({@code sk_err_soft}): {@code SO_ERROR}
     * reads it, and it is the connection's error if the connection times out.</li>
     * </ul>
     * A quoted sequence number outside what is unacknowledged counts {@code OutOfWindowIcmps}.
     */
    void error(Packet quoted, int type, int code, int info) {
        ByteBuf buf = quoted.buf();
        int start = buf.readerIndex();
        Ipv4Packet ip = Ipv4Packet.at(buf, start);
        if (quoted.length() < Ipv4Packet.MIN_HEADER_LENGTH || quoted.length() < ip.headerLength() + 8) {
            return;
        }
        int tcpStart = start + ip.headerLength();
        ConnKey key = new ConnKey(ip.source(), buf.getUnsignedShort(tcpStart), ip.destination(),
                buf.getUnsignedShort(tcpStart + 2));
        int seq = buf.getInt(tcpStart + 4);
        Object found = tcp.tables().lookupEstablished(key);
        if (found instanceof RequestSock req) {
            requestError(req, seq, type == IcmpTypes.PARAMETER_PROB || type == IcmpTypes.TIME_EXCEEDED
                    || (type == IcmpTypes.DEST_UNREACH
                            && (code == IcmpTypes.NET_UNREACH || code == IcmpTypes.HOST_UNREACH)));
            return;
        }
        if (!(found instanceof TcpSock sk)) {
            return;
        }
        sk.lock();
        try {
            if (sk.state() == SkState.CLOSE) {
                return;
            }
            if (!Seq.between(seq, sk.sndUna, sk.sndMax)) {
                tcp.counters().inc(TcpExtMib.OutOfWindowIcmps);
                return;
            }
            Errno errno;
            switch (type) {
                case IcmpTypes.PARAMETER_PROB -> errno = Errno.EPROTO;
                case IcmpTypes.TIME_EXCEEDED -> errno = Errno.EHOSTUNREACH;
                case IcmpTypes.DEST_UNREACH -> {
                    if (code == IcmpTypes.FRAG_NEEDED) {
                        mtuReduced(sk, info);
                        return;
                    }
                    errno = unreachableErrno(code);
                    if (errno == null) {
                        return;
                    }
                }
                default -> {
                    return; // source quench, redirect, others: ignored
                }
            }
            if (sk.state() == SkState.SYN_SENT || sk.state() == SkState.SYN_RECV) {
                tcp.lifecycle().writeError(sk, errno);
            } else {
                sk.softError(errno);
            }
        } finally {
            sk.unlock();
        }
    }

    /** {@code icmp_err_convert}: the errno of a destination-unreachable code, null past the last code (15). */
    private static Errno unreachableErrno(int code) {
        return switch (code) {
            case 0, 6, 9, 11 -> Errno.ENETUNREACH;
            case 1, 10, 12, 13, 14, 15 -> Errno.EHOSTUNREACH;
            case 2 -> Errno.ENOPROTOOPT;
            case 3 -> Errno.ECONNREFUSED;
            case 5 -> Errno.EOPNOTSUPP;
            case 7 -> Errno.EHOSTDOWN;
            case 8 -> Errno.ENONET;
            default -> null;
        };
    }

    /** {@code tcp_req_err}: drops the request when {@code abort} and the ICMP quotes its SYN-ACK. */
    private void requestError(RequestSock req, int seq, boolean abort) {
        TcpSock listener = req.listener;
        listener.lock();
        try {
            if (tcp.tables().lookupEstablished(req.key) != req) {
                return;
            }
            if (seq != req.iss) {
                tcp.counters().inc(TcpExtMib.OutOfWindowIcmps);
            } else if (abort) {
                tcp.lifecycle().dropRequest(req);
                tcp.counters().inc(TcpExtMib.ListenDrops);
            }
        } finally {
            listener.unlock();
        }
    }

    /** {@code tcp_v4_mtu_reduced}: a smaller path MTU lowers the MSS and resends what no longer fits. */
    private void mtuReduced(TcpSock sk, int mtu) {
        if (mtu < 68) {
            return;
        }
        int mss = sendMss(sk.mssCache + (sk.tsOk ? TcpOptions.TIMESTAMP_ALIGNED_LENGTH : 0), mtu, sk.userMss, sk.tsOk);
        if (mss < sk.mssCache) {
            sk.mssCache = mss;
            sk.route = null;
            TcpCongestion.simpleRetransmit(sk);
            tcp.output().writeXmit(sk);
        }
    }
}
