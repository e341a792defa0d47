package net.tern.tcp.impl;

import static net.tern.tcp.cc.CaState.LOSS;

import io.netty.buffer.ByteBuf;
import java.util.function.Supplier;
import net.tern.api.socket.ErrnoException;
import net.tern.inet.sock.SkState;
import net.tern.spi.net.Clock;
import net.tern.spi.net.NetXmit;
import net.tern.spi.net.Packet;
import net.tern.spi.net.PacketAllocator;
import net.tern.wire.TcpOptions;
import net.tern.wire.TcpPacket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TCP output ({@code tcp_output.c}): {@code tcp_transmit_skb} builds a segment from the send
 * queue with the options the connection negotiated and hands it to its network layer ({@link TcpAfOps});
 * {@code tcp_write_xmit} decides what may go now (receiver window, congestion window, Nagle);
 * and the control segments: SYN, SYN-ACK, ACK, probes,
 * and resets with and without a socket ({@code tcp_send_active_reset},
 * {@code tcp_v4_send_reset}, {@code tcp_v4_send_ack}).
 *
 * <p>Called under the socket's lock (or, for replies without a socket, on the network thread).
 */
final class TcpOutput {
    private static final Logger LOG = LoggerFactory.getLogger(TcpOutput.class);

    private final Clock clock;
    private final Supplier<TcpSettings> settings;
    private final TcpCounters counters;
    private final TcpMemory memory;
    private final PacketAllocator allocator;
    private final TcpTrace trace;
    /** {@code tcp_select_window} for the segments built here. */
    private final TcpWindow windowSelect;

    TcpOutput(Clock clock, Supplier<TcpSettings> settings, TcpCounters counters, TcpMemory memory,
            PacketAllocator allocator, TcpTrace trace) {
        this.clock = clock;
        this.settings = settings;
        this.counters = counters;
        this.memory = memory;
        this.allocator = allocator;
        this.trace = trace;
        this.windowSelect = new TcpWindow(memory, counters);
    }

    // ---- tcp_transmit_skb

    /**
     * Sends one segment of the connection: {@code length} bytes of the send queue from
     * {@code seq} with {@code flags}. SYN segments carry the SYN options; others the
     * timestamp and SACK blocks when negotiated. Every segment but a bare SYN carries the
     * ACK and the window, which clears a pending ACK. Returns 0, or {@link NetXmit#DROP} when
     * the link's queue had no room for it (see the six-argument form).
     */
    int transmitSkb(TcpSock sk, int seq, int length, int flags) {
        return transmitSkb(sk, seq, length, flags, 0, false);
    }

    /**
     * {@link #transmitSkb(TcpSock, int, int, int)}, of several segments of {@code gsoSize}
     * bytes at once when {@code length} exceeds it: one packet the device cuts ({@code
     * tcp_transmit_skb} of a TSO skb), counted as its segments. {@code newData}: the bytes
     * are sent for the first time, though {@code snd_nxt} has moved past them already.
     *
     * <p>Returns 0 when the segment left (or was lost on the way, or found no route), {@link
     * NetXmit#DROP} when the link's queue had no room: local congestion, not sent.
     */
    private int transmitSkb(TcpSock sk, int seq, int length, int flags, int gsoSize, boolean newData) {
        boolean syn = (flags & TcpPacket.SYN) != 0;
        TcpOptions options = TcpOutOptions.of(sk, flags, length, clock, settings.get());
        int window;
        if (syn) {
            window = Math.min(sk.rcv().rcvWnd(), 65535);
        } else if ((flags & TcpPacket.RST) != 0 && (flags & TcpPacket.ACK) == 0) {
            window = 0;
        } else {
            window = windowSelect.selectWindow(sk);
        }
        int ack = (flags & TcpPacket.ACK) != 0 ? sk.rcv().rcvNxt() : 0;
        try {
            sk.af().dstCheck(sk);
        } catch (ErrnoException e) {
            LOG.debug("{}: no route to send: {}", sk, e.getMessage());
            return 0;
        }
        Packet packet = build(sk.num(), sk.dport(), seq, ack, flags, window, options, sk, seq - sk.snd().sndUna(), length);
        int segments = TcpTso.markGso(packet, length, gsoSize);
        trace.transmitSkb(sk, seq, ack, flags, length, window, options);
        int status = NetXmit.SUCCESS;
        try {
            status = sk.af().queueXmit(sk, packet);
        } catch (ErrnoException e) {
            // Lost like a packet dropped on the way; the retransmission timer covers it, and a
            // fresh route is looked up next time (the link may have been replaced).
            sk.dstReset();
            LOG.debug("{}: transmit failed: {}", sk, e.getMessage());
        }
        if (status > 0) {
            sk.ca().enterCwr(); // the queue was full (NET_XMIT_DROP) or congested (CN)
        }
        if ((flags & TcpPacket.RST) != 0) {
            counters.inc(TcpMib.OutRsts);
        }
        boolean retransmission = !newData && Seq.before(seq, sk.snd().sndMax());
        for (int i = 0, left = length; i < segments; i++, left -= gsoSize) {
            counters.inc(TcpMib.OutSegs); // tcp_skb_pcount: a TSO packet counts its segments
            sk.stats().onSegmentOut(segments == 1 ? length : Math.min(left, gsoSize), retransmission, clock.nanoTime());
        }
        if ((flags & TcpPacket.ACK) != 0) {
            eventAckSent(sk);
        }
        return status > 0 ? NetXmit.eval(status) : 0;
    }

    /** {@code tcp_event_ack_sent}. */
    private void eventAckSent(TcpSock sk) {
        sk.ackMode().ackSent();
        sk.timers().clearDelack();
    }

    /** Allocates and fills a segment; data come from {@code sk}'s send queue at {@code dataOffset}. */
    private Packet build(int sport, int dport, int seq, int ack, int flags, int window,
            TcpOptions options, TcpSock sk, int dataOffset, int length) {
        int headerLength = TcpPacket.headerLength(options);
        Packet packet = allocator.allocate(sk.af().headroom(), headerLength + length);
        ByteBuf buf = packet.buf();
        int start = buf.writerIndex();
        buf.writerIndex(start + headerLength);
        TcpPacket.emitHeader(buf, start, sport, dport, seq, ack, flags, window, options);
        if (length > 0) {
            sk.snd().queue().copyTo(dataOffset, length, buf);
        }
        sk.af().sendCheck(sk, packet, start, headerLength + length);
        return packet;
    }

    // ---- control segments of a connection

    /** Sends the SYN of {@code tcp_connect} (or the SYN-ACK of a simultaneous open). */
    void sendSyn(TcpSock sk, boolean withAck) {
        int flags = TcpPacket.SYN | (withAck ? TcpPacket.ACK : 0);
        transmitSkb(sk, sk.snd().iss(), 0, flags);
    }

    /** The SYN's retransmission ({@code tcp_retransmit_skb} of the SYN). */
    void retransmitSyn(TcpSock sk) {
        sendSyn(sk, sk.state() == SkState.SYN_RECV);
        counters.inc(TcpMib.RetransSegs);
        sk.stats().onRetransmit();
    }

    /** {@code tcp_send_ack}. */
    void sendAck(TcpSock sk) {
        if (sk.state() == SkState.CLOSE || sk.state() == SkState.LISTEN || sk.state() == SkState.SYN_SENT) {
            return;
        }
        transmitSkb(sk, sk.snd().acceptableSeq(), 0, TcpPacket.ACK);
    }

    /** {@code tcp_send_active_reset}: RST from {@code snd_nxt}, with an ACK. */
    void sendActiveReset(TcpSock sk) {
        trace.sendActiveReset(sk);
        transmitSkb(sk, sk.snd().acceptableSeq(), 0, TcpPacket.RST | TcpPacket.ACK);
    }

    /**
     * A window probe or keepalive ({@code tcp_write_wakeup}): new data if the window allows
     * (at most an MSS, up to the next PSH mark, sent with PSH), else a segment one below
     * {@code snd_una} that the peer must answer with an ACK ({@code tcp_xmit_probe_skb}).
     * Returns what {@link #transmitSkb} returned: {@link NetXmit#DROP} when the link's queue
     * had no room (the data stay unsent). Whether data went shows in the retransmission queue.
     */
    int writeWakeup(TcpSock sk) {
        TcpSender snd = sk.snd();
        int unsent = snd.notSent();
        int room = snd.sndUna() + snd.sndWnd() - snd.sndNxt();
        if (unsent > 0 && room > 0) {
            int seq = snd.sndNxt();
            int length = Math.min(Math.min(unsent, room), sk.opts().mssCache());
            int mark = snd.nextPushMark(seq);
            if (Seq.after(mark, seq)) {
                length = Math.min(length, mark - seq);
            }
            int err = sendData(sk, length, TcpPacket.ACK | TcpPacket.PSH, TcpPacket.PSH, true);
            if (err == 0) {
                snd.pushedTo(seq + length);
            }
            return err;
        }
        return transmitSkb(sk, snd.sndUna() - 1, 0, TcpPacket.ACK);
    }

    // ---- data

    /**
     * Sends {@code length} new bytes at {@code snd_nxt} with {@code flags}, {@code kept}'s FIN,
     * PSH for a retransmission; {@code startsSkb}: first of a packet. Returns {@link #transmitSkb}'s
     * answer: not 0, they stay unsent, as {@code tcp_write_xmit} leaves an skb it failed to send.
     */
    private int sendData(TcpSock sk, int length, int flags, int kept, boolean startsSkb) {
        TcpSender snd = sk.snd();
        int seq = snd.sndNxt();
        boolean priorEmpty = txStart(sk);
        int err = transmitSkb(sk, seq, length, flags);
        if (err != 0) {
            return err;
        }
        if (length > 0) {
            snd.sendingData(seq, seq + length);
            snd.takePush(seq, seq + length);
        }
        dataSent(sk, seq, length, kept, priorEmpty, startsSkb);
        return 0;
    }

    /** Before new data go: the first with nothing in flight tells congestion control ({@code CA_EVENT_TX_START}). */
    private static boolean txStart(TcpSock sk) {
        boolean priorEmpty = sk.rtx().isEmpty();
        if (priorEmpty) {
            sk.ca().caEvent(net.tern.tcp.cc.CaEvent.TX_START);
        }
        return priorEmpty;
    }

    /** {@code tcp_event_new_data_sent} for {@code length} bytes at {@code seq}, with {@code kept}'s FIN and PSH. */
    private void dataSent(TcpSock sk, int seq, int length, int kept, boolean priorEmpty, boolean startsSkb) {
        // FIN and PSH stay with the segment: a retransmission carries the flags it first had.
        TxSegment segment = TxSegment.of(seq, length, kept & (TcpPacket.FIN | TcpPacket.PSH), clock.nanoTime(),
                false);
        sk.rtx().add(segment, startsSkb);
        memory.settleSend(sk);
        sk.snd().sent(segment.endSeq());
        // tcp_event_new_data_sent: the first segment in flight arms the retransmission timer,
        // and new data replace a pending probe timeout by it (the probe is scheduled again
        // after the burst); a reorder timer stays.
        SockTimers.Pending pending = sk.timers().pending();
        if (priorEmpty || pending == SockTimers.Pending.NONE || pending == SockTimers.Pending.PROBE
                || pending == SockTimers.Pending.LOSS_PROBE) {
            rearmRto(sk, pending == SockTimers.Pending.LOSS_PROBE);
        }
    }

    // ---- timers of the retransmission slot (tcp_rearm_rto, tcp_schedule_loss_probe)

    /**
     * {@code tcp_rearm_rto}: the retransmission timer for what is in flight, an RTO from now;
     * or, when it replaces a reorder timer or a probe timeout ({@code sinceHead}), an RTO from
     * when the head was sent, so those timers do not put the timeout off. Nothing in flight:
     * the slot is cleared (a zero-window probe stays).
     */
    void rearmRto(TcpSock sk, boolean sinceHead) {
        SockTimers timers = sk.timers();
        TxSegment head = sk.rtx().head();
        if (head == null) {
            if (timers.pending() != SockTimers.Pending.PROBE) {
                timers.clearXmitTimer();
            }
            return;
        }
        long rtoUs = sk.rtt().rtoUs();
        if (sinceHead) {
            rtoUs = Math.max(1, rtoUs - (clock.nanoTime() - head.sentNanos()) / 1000);
        }
        timers.resetXmitTimer(SockTimers.Pending.RETRANS, rtoUs);
    }

    /**
     * {@code tcp_set_xmit_timer}, after an ACK that acknowledged data: a tail loss probe if one
     * may be scheduled, else the retransmission timer.
     */
    void setXmitTimer(TcpSock sk) {
        if (!scheduleLossProbe(sk, true)) {
            SockTimers.Pending pending = sk.timers().pending();
            rearmRto(sk, pending == SockTimers.Pending.REO_TIMEOUT || pending == SockTimers.Pending.LOSS_PROBE);
        }
    }

    /**
     * {@code tcp_schedule_loss_probe} (RFC 8985 7.2): with tail loss probes on
     * ({@code tcp_early_retrans} 3), SACK, data in flight and the connection Open (or CWR),
     * the probe timeout PTO = 2 * SRTT, plus the least RTO when one segment is out (its ACK
     * may be delayed) or 2 ms otherwise; 1 s before an RTT sample; never later than the
     * retransmission timeout would fire (an RTO from now when {@code advancingRto}, else from
     * the head's transmission). Returns whether the probe was scheduled.
     */
    boolean scheduleLossProbe(TcpSock sk, boolean advancingRto) {
        TcpSettings s = settings.get();
        net.tern.tcp.cc.CaState state = sk.ca().caState();
        TxSegment head = sk.rtx().head();
        if (!s.lossDetection().tailLossProbe() || head == null || !sk.opts().sackOk()
                || (state != net.tern.tcp.cc.CaState.OPEN && state != net.tern.tcp.cc.CaState.CWR)) {
            return false;
        }
        long timeoutUs;
        long srttUs = sk.rtt().srttUs();
        if (srttUs > 0) {
            timeoutUs = 2 * srttUs + (sk.rtx().size() == 1 ? s.rtoMinMillis() * 1000 : Rack.TIMEOUT_MIN_US);
        } else {
            timeoutUs = s.rtoInitialMillis() * 1000;
        }
        long rtoDeltaUs = advancingRto ? sk.rtt().rtoUs()
                : sk.rtt().rtoUs() - (clock.nanoTime() - head.sentNanos()) / 1000;
        if (rtoDeltaUs > 0) {
            timeoutUs = Math.min(timeoutUs, rtoDeltaUs);
        }
        sk.timers().resetXmitTimer(SockTimers.Pending.LOSS_PROBE, timeoutUs);
        return true;
    }

    /**
     * {@code tcp_send_loss_probe} (RFC 8985 7.3): the probe timeout fired. At most one probe
     * is out at a time. The probe is a new segment if there is one the receiver's window
     * takes (the congestion window and Nagle do not hold it back), else the last segment sent
     * again; it is counted ({@code TCPLossProbes}) and its point noted for the ACK that ends the
     * episode. Then the retransmission timer, an RTO from now.
     */
    void sendLossProbe(TcpSock sk) {
        Rack rack = sk.rtx().rack();
        if (rack.tlpOut() || sk.rtx().isEmpty()) {
            rearmRto(sk, true);
            return;
        }
        boolean retransmission;
        TcpSender snd = sk.snd();
        int unsent = snd.notSent();
        int seq = snd.sndNxt();
        int mss = sk.opts().mssCache();
        int length = Math.min(unsent, mss);
        int mark = snd.nextPushMark(seq);
        if (length > 0 && Seq.after(mark, seq)) {
            length = Math.min(length, mark - seq); // as tcp_write_xmit: a segment ends at a PSH mark
        }
        int room = snd.sndUna() + snd.sndWnd() - seq;
        if ((unsent > 0 || snd.finDue()) && room >= length) {
            // tcp_write_xmit(push_one = 2, TCP_NAGLE_OFF): past cwnd, Nagle and cork.
            boolean last = length == unsent;
            boolean withFin = last && snd.finQueued() && !snd.finAcked();
            boolean push = length > 0 && snd.pushMarkAt(seq, seq + length);
            int flags = TcpPacket.ACK | (push ? TcpPacket.PSH : 0) | (withFin ? TcpPacket.FIN : 0);
            if (sendData(sk, length, flags, flags, true) != 0) {
                rearmRto(sk, false); // no probe went (local congestion), none counted
                return;
            }
            if (length < mss) {
                snd.smallSegmentSent(snd.sndNxt());
            }
            retransmission = false;
        } else {
            TxSegment tail = sk.rtx().tail();
            counters.inc(TcpMib.RetransSegs);
            sk.stats().onRetransmit();
            if (transmitSkb(sk, tail.seq(), tail.length(), TcpPacket.ACK | tail.flags()) != 0) {
                rearmRto(sk, false); // the timeout an RTO after the attempt, as Linux stamps the skb first
                return;
            }
            trace.retransmitSkb(sk, tail.seq(), tail.length(), TcpPacket.ACK | tail.flags());
            sk.rtx().probeRetransmitted(tail, clock.nanoTime());
            retransmission = true;
        }
        rack.probeSent(sk.snd().sndNxt(), retransmission);
        counters.inc(TcpExtMib.TCPLossProbes);
        rearmRto(sk, false);
        sk.publishQueues();
    }

    /**
     * A timeout's retransmission ({@code tcp_retransmit_timer}): the head, presumed lost, goes
     * at once whatever the windows say. Returns false when the link's queue had no room for it.
     */
    boolean retransmitHead(TcpSock sk) {
        TxSegment head = sk.rtx().head();
        if (head == null || head.sacked()) {
            return true;
        }
        sk.rtx().markSkbLost();
        return retransmitSkb(sk, sk.rtx().walk(0), 0);
    }

    /**
     * {@code tcp_xmit_retransmit_queue}: sends the segments marked lost, in sequence order,
     * while the pipe ({@link TcpSock#packetsInFlight()}) is below cwnd: RFC 6675 NextSeg()
     * rule 1, which comes before new data (rule 2, {@link #writeXmit}). SACKed segments and
     * those whose retransmission is in flight are skipped. Like Linux, the receiver's window
     * does not hold back a retransmission.
     */
    void xmitRetransmitQueue(TcpSock sk) {
        if (sk.rtx().lostOut() == 0) {
            return;
        }
        java.util.ListIterator<TxSegment> it = sk.rtx().walk(0);
        while (it.hasNext() && sk.packetsInFlight() < sk.ca().cwnd()) {
            TxSegment s = it.next();
            if (!s.lost() || s.retransInFlight()) {
                continue;
            }
            // tcp_retransmit_skb resends the skb's lost segments (up to the window's room and a
            // TSO packet's segments) as one packet, which carries PSH when it has several.
            int room = Math.min(sk.ca().cwnd() - sk.packetsInFlight(), sk.tso().tsoSegs(
                    Math.max(1, sk.opts().mssCache()), sk.rtt().minRttUs(), settings.get().sending().minTsoSegs()));
            int packet = 1;
            for (TxSegment t = s.next(); packet < room && t != null && !t.skbHead() && t.lost() && !t.retransInFlight();
                    t = t.next()) {
                packet++;
            }
            it.previous();
            for (int i = 1; i <= packet; i++) {
                if (!retransmitSkb(sk, it, packet > 1 && i == packet ? TcpPacket.PSH : 0)) {
                    return; // local congestion: the rest wait, as tcp_xmit_retransmit_queue stops
                }
                counters.inc(sk.ca().caState() == LOSS ? TcpExtMib.TCPSlowStartRetrans : TcpExtMib.TCPFastRetrans);
                sk.ca().onSent(1);
            }
        }
    }

    /**
     * RFC 6675 NextSeg() rules 3 and 4, the last resorts when no segment is marked lost and no
     * new data may go but the pipe has room: rule 3 resends the first segment neither SACKed
     * nor retransmitted below the highest SACK; failing that, rule 4 makes one rescue
     * retransmission per recovery of the highest segment not SACKed (a lost tail).
     */
    private void retransmitLastResort(TcpSock sk) {
        if (sk.packetsInFlight() >= sk.ca().cwnd()) {
            return;
        }
        java.util.ListIterator<TxSegment> it = sk.rtx().walk(0);
        while (it.hasNext()) {
            TxSegment s = it.next();
            if (!Seq.before(s.seq(), sk.rtx().highestSack())) {
                break;
            }
            if (!s.sacked() && !s.retransInFlight() && !s.lost()) {
                it.previous();
                retransmitSkb(sk, it, 0);
                return;
            }
        }
        if (sk.rtx().rescueMade(sk.snd().sndUna())) {
            return; // the rescue of this recovery was made
        }
        java.util.ListIterator<TxSegment> down = sk.rtx().walk(sk.rtx().size());
        while (down.hasPrevious()) {
            TxSegment s = down.previous();
            if (!s.sacked()) {
                if (!s.retransInFlight()) {
                    sk.rtx().rescue(sk.ca().highSeq()); // RescueRxt = RecoveryPoint
                    retransmitSkb(sk, down, 0);
                }
                return;
            }
        }
    }

    /**
     * {@code tcp_retransmit_skb} of the segment {@code it} returns next: splits it first when
     * it is longer than the MSS now ({@code tcp_fragment}, after a smaller path MTU), sends
     * it with {@code wireFlags} too (a packet's PSH), and marks its retransmission in flight.
     * The attempt counts ({@code RetransSegs}, {@code tcpi_total_retrans}, {@code undo_retrans}),
     * as {@code __tcp_retransmit_skb} counts before it sends; returns false when the link's queue
     * had no room for it, and it is not marked as in flight ({@code retrans_out}).
     */
    private boolean retransmitSkb(TcpSock sk, java.util.ListIterator<TxSegment> it, int wireFlags) {
        TxSegment s = it.next();
        if (sk.rtx().fragment(it, s, sk.opts().mssCache())) {
            memory.settleSend(sk);
        }
        int flags = TcpPacket.ACK | s.flags() | wireFlags; // the skb's own PSH is kept for each resend
        counters.inc(TcpMib.RetransSegs);
        sk.stats().onRetransmit();
        sk.ca().onRetransmit();
        if (transmitSkb(sk, s.seq(), s.length(), flags) != 0) {
            return false;
        }
        sk.rtx().retransmitted(s, clock.nanoTime(), sk.snd().sndNxt());
        trace.retransmitSkb(sk, s.seq(), s.length(), flags);
        return true;
    }

    /** {@code tcp_push_pending_frames}: {@link #writeXmit(TcpSock, int)} with the socket's Nagle mode. */
    void writeXmit(TcpSock sk) {
        writeXmit(sk, sk.snd().nonagle());
    }

    /**
     * {@code tcp_write_xmit}: sends what the windows allow. Per segment: the congestion window
     * (segments in flight below cwnd), the receiver's window, which takes a packet's first
     * segment whole or nothing ({@code tcp_snd_wnd_test}: Linux's sender-side silly window
     * avoidance, stricter than RFC 9293 3.8.6.2.1's), and Nagle as Linux has it
     * ({@link TcpNagle#nagleTest}). A segment ends at the next PSH mark and carries PSH there
     * ({@link TcpSender#markPush}). When nothing is in flight and data wait (the window, a
     * cork), the probe timer is armed ({@code tcp_check_probe_timer}), so they go at the
     * latest one RTO later ({@code tcp_write_wakeup}).
     *
     * @param nonagle the Nagle mode of this push ({@code nonagle} of the socket, or of the call:
     *                {@link TcpSender#NAGLE_CORK} for MSG_MORE, {@link TcpSender#NAGLE_PUSH},
     *                {@link TcpSender#NAGLE_OFF})
     */
    void writeXmit(TcpSock sk, int nonagle) {
        SkState state = sk.state();
        if (state != SkState.ESTABLISHED && state != SkState.CLOSE_WAIT && state != SkState.FIN_WAIT1
                && state != SkState.CLOSING && state != SkState.LAST_ACK) {
            return;
        }
        TcpSender snd = sk.snd();
        xmitRetransmitQueue(sk);
        sk.startTsoXmit();
        // sk_can_gso: the segments of each packet TcpTso measures leave as that one packet.
        int gsoSize = TcpTso.canGso(sk) ? sk.opts().mssCache() : 0;
        boolean sentNew = false;
        boolean cwndLimited = false;
        boolean rwndLimited = false;
        while (true) {
            int unsent = snd.notSent();
            boolean fin = snd.finDue();
            if (unsent <= 0 && !fin) {
                break;
            }
            if (sk.packetsInFlight() >= sk.ca().cwnd()) {
                cwndLimited = true;
                break;
            }
            int seq = snd.sndNxt();
            int room = snd.sndUna() + snd.sndWnd() - seq;
            int length = Math.min(sk.opts().mssCache(), Math.max(unsent, 0));
            // A segment ends at its skb's end (PSH) and at the end of the TSO packet Linux would send.
            length = sk.tso().segmentLength(sk, seq, length, nonagle, settings.get().sending().minTsoSegs());
            // tcp_snd_wnd_test: a packet's first segment fits the receiver's window whole, or waits
            // (for an ACK, or the probe timer's tcp_write_wakeup, which sends what fits).
            if (length > 0 && (room < length
                    || sk.tso().startsPacket() && room < Math.min(sk.opts().mssCache(), snd.nextSkbEnd(seq) - seq))) {
                rwndLimited = true;
                break;
            }
            boolean last = length == unsent;
            boolean withFin = snd.finQueued() && !snd.finAcked() && last;
            // Nagle applies to the last data queued; a segment before it will get no more data.
            if (length > 0 && !TcpNagle.nagleTest(sk, length, withFin, last ? nonagle : TcpSender.NAGLE_PUSH)) {
                break;
            }
            if (length == 0 && room < 0) {
                break;
            }
            boolean push = length > 0 && snd.pushMarkAt(seq, seq + length);
            int flags = TcpPacket.ACK | (withFin ? TcpPacket.FIN : 0) | (push ? TcpPacket.PSH : 0);
            // PSH on a TSO packet's last segment is the wire's, not the skb's: not kept for a retransmission.
            int wireFlags = flags | (length > 0 && sk.tso().pushAt(seq + length) ? TcpPacket.PSH : 0);
            boolean startsSkb = length == 0 || sk.tso().startsPacket();
            if (gsoSize > 0 && length > 0) {
                // Gathered segments count as sent; a packet the link's queue drops is the RTO's.
                snd.sendingData(seq, seq + length);
                snd.takePush(seq, seq + length);
                dataSent(sk, seq, length, flags, txStart(sk), startsSkb);
                if (sk.tso().gather(seq, length, wireFlags, gsoSize)) {
                    transmitGathered(sk, gsoSize);
                }
            } else {
                transmitGathered(sk, gsoSize);
                if (sendData(sk, length, wireFlags, flags, startsSkb) != 0) {
                    break; // local congestion: it stays unsent, and the probe timer tries again
                }
            }
            sk.ca().onSent(1);
            if (length < sk.opts().mssCache()) {
                snd.smallSegmentSent(snd.sndNxt()); // tcp_minshall_update
            }
            sentNew = true;
        }
        transmitGathered(sk, gsoSize);
        sk.ca().writeXmitDone(sentNew, cwndLimited || sk.packetsInFlight() >= sk.ca().cwnd(), rwndLimited);
        if (!sentNew && sk.ca().recovery().lastResort(sk.ca())) {
            retransmitLastResort(sk);
        }
        if (sentNew) {
            scheduleLossProbe(sk, false); // one probe per tail loss episode
        }
        if (sk.rtx().isEmpty() && (snd.notSent() > 0 || snd.finDue())
                && sk.timers().pending() != SockTimers.Pending.PROBE) {
            sk.timers().resetProbeTimer(); // tcp_check_probe_timer
        }
        sk.publishQueues();
    }

    /** Sends the segments {@link TcpTso#gather} holds, as one packet; none held, nothing. */
    private void transmitGathered(TcpSock sk, int gsoSize) {
        if (gsoSize == 0) {
            return; // nothing is gathered for a device that does not segment
        }
        TcpTso tso = sk.tso();
        if (tso.gatheredLength() > 0) {
            transmitSkb(sk, tso.gatheredSeq(), tso.gatheredLength(), tso.gatheredFlags(), gsoSize, true);
            tso.gatheredSent();
        }
    }
}
