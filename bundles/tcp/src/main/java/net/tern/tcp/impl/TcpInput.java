package net.tern.tcp.impl;

import static net.tern.api.socket.SocketConstants.EPOLLIN;
import static net.tern.api.socket.SocketConstants.EPOLLOUT;
import static net.tern.api.socket.SocketConstants.EPOLLRDHUP;
import static net.tern.wire.TcpPacket.ACK;
import static net.tern.wire.TcpPacket.FIN;
import static net.tern.wire.TcpPacket.RST;
import static net.tern.wire.TcpPacket.SYN;

import io.netty.buffer.ByteBuf;
import java.util.function.Supplier;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.inet.route.Flowi4;
import net.tern.inet.route.Rtable;
import net.tern.inet.sock.InetSock;
import net.tern.inet.sock.SkState;
import net.tern.spi.net.Clock;
import net.tern.spi.net.Packet;
import net.tern.wire.IcmpTypes;
import net.tern.wire.InetChecksum;
import net.tern.wire.Ipv4Packet;
import net.tern.wire.TcpOptions;
import net.tern.wire.TcpPacket;

/**
 * TCP input for a connection ({@code tcp_input.c}): RFC 9293's "SEGMENT ARRIVES" (3.10.7)
 * once {@link TcpIpv4} has found the socket: {@code tcp_rcv_synsent_state_process},
 * {@code tcp_rcv_state_process} and {@code tcp_rcv_established} with
 * {@code tcp_validate_incoming} (PAWS, sequence check, RFC 5961), then the ACK
 * ({@link TcpAck}), {@code tcp_data_queue} with its out-of-order queue and D-SACK, and
 * {@code tcp_fin}.
 *
 * <p>Runs on the network thread with the socket locked.
 */
final class TcpInput {

    private final Clock clock;
    private final Supplier<TcpSettings> settings;
    private final TcpCounters counters;
    private final TcpMemory memory;
    private final TcpTrace trace;
    private final TcpOutput output;
    private final TcpReplies replies;
    private final TcpChallengeAck challengeAck;
    private final TcpAck tcpAck;
    private final TcpLifecycle lifecycle;
    private final TcpTimers timers;

    TcpInput(Clock clock, Supplier<TcpSettings> settings, TcpCounters counters, TcpMemory memory, TcpTrace trace,
            TcpOutput output, TcpReplies replies, TcpChallengeAck challengeAck, TcpAck tcpAck,
            TcpLifecycle lifecycle, TcpTimers timers) {
        this.clock = clock;
        this.settings = settings;
        this.counters = counters;
        this.memory = memory;
        this.trace = trace;
        this.output = output;
        this.replies = replies;
        this.challengeAck = challengeAck;
        this.tcpAck = tcpAck;
        this.lifecycle = lifecycle;
        this.timers = timers;
    }

    // ==== SYN-SENT ============================================================================

    /** {@code tcp_rcv_synsent_state_process} (RFC 9293 3.10.7.3). */
    private void rcvSynsentStateProcess(TcpSock sk, Segment seg) {
        boolean hasAck = seg.has(ACK);
        if (hasAck && (Seq.beforeOrEqual(seg.ack(), sk.snd().iss()) || Seq.after(seg.ack(), sk.snd().sndMax()))) {
            replies.v4SendReset(seg);
            return;
        }
        if (seg.has(RST)) {
            if (hasAck) {
                lifecycle.reset(sk);
            }
            return;
        }
        if (!seg.has(SYN)) {
            return;
        }
        TcpOptions o = seg.options();
        TcpSettings s = settings.get();
        sk.rcv().synReceived(seg.seq());
        boolean tsOk = s.timestamps() && o.timestamp;
        if (tsOk) {
            sk.ts().storeTsRecent(o.tsVal, clock.nanoTime());
        }
        int peerMss = o.mss > 0 ? o.mss : NegotiatedOptions.DEFAULT_MSS;
        int mtu = sk.af().routeMtu(sk);
        if (mtu == 0) {
            mtu = sk.opts().advmss() + sk.af().netHeaderLength() + TcpPacket.MIN_HEADER_LENGTH;
        }
        sk.opts().synsentNegotiate(s.windowScaling() && o.wscale >= 0, o.wscale, tsOk, s.sack() && o.sackPermitted,
                peerMss, mtu);
        if (hasAck) {
            TxSegment syn = sk.rtx().pollHead();
            memory.settleSend(sk);
            long rttUs = -1;
            if (syn != null && !syn.retransmitted()) {
                rttUs = (clock.nanoTime() - syn.sentNanos()) / 1000;
            } else if (sk.opts().tsOk() && o.tsEcr != 0) {
                rttUs = ((long) (sk.ts().tsVal(TcpTimestamps.tsNow(clock)) - o.tsEcr)) * 1000;
            }
            boolean synRetransmitted = sk.retries().retransmits() > 0;
            sk.stats().onAckIn(clock.nanoTime());
            sk.snd().synAcked(seg.ack());
            sk.snd().firstWindow(seg.window(), seg.seq(), seg.ack()); // never scaled on a SYN (RFC 7323 2.2)
            sk.opts().boundToHalfWindow(sk.snd().maxWindow());
            sk.timers().clearXmitTimer();
            sk.retries().clearRetransmits();
            if (rttUs >= 0) {
                tcpAck.rttEstimator(sk, Math.max(1, rttUs));
            } else if (synRetransmitted) {
                sk.rtt().timeoutFallback();
            }
            // tcp_finish_connect: the SYN-ACK is the last data received (icsk_ack.lrcvtime),
            // so tcpi_last_data_recv counts from it, not from connect().
            sk.stats().onDataReceivedAt(clock.nanoTime());
            initTransfer(sk);
            output.sendAck(sk);
            sk.wakeUp(EPOLLOUT);
            output.writeXmit(sk);
        } else {
            // Simultaneous open (RFC 9293 3.5, figure 8): SYN-RECEIVED, answer with SYN-ACK.
            sk.snd().firstWindow(seg.window(), seg.seq());
            sk.opts().boundToHalfWindow(sk.snd().maxWindow());
            lifecycle.setState(sk, SkState.SYN_RECV);
            output.sendSyn(sk, true);
        }
    }

    /**
     * {@code tcp_init_transfer}: the connection is established; congestion control, buffer
     * autotuning ({@code tcp_init_buffer_space}) and keepalive start, and the last data sent is
     * now ({@code lsndtime}), as Linux sets it.
     */
    private void initTransfer(TcpSock sk) {
        sk.everConnected(true);
        sk.stats().onDataSentAt(clock.nanoTime()); // lsndtime: no restart of an idle window on the first data
        lifecycle.setState(sk, SkState.ESTABLISHED);
        sk.ca().initCongestionControl();
        memory.tuning().initBufferSpace(sk);
        timers.setKeepalive(sk);
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
            counters.inc(TcpMib.InErrs);
        }
        counters.inc(TcpExtMib.TCPSYNChallenge);
        challengeAck.sendChallengeAck(sk);
    }

    /**
     * The counter of an ACK to an invalid segment held back: an orphaned connection in
     * FIN-WAIT-2 has its own, as Linux keeps it as a TIME-WAIT entry in that substate.
     */
    private static TcpExtMib skipped(TcpSock sk, TcpExtMib otherwise) {
        return sk.orphaned() && sk.state() == SkState.FIN_WAIT2 ? TcpExtMib.TCPACKSkippedFinWait2 : otherwise;
    }

    /**
     * {@code tcp_send_dupack}: the ACK answering a segment dropped unprocessed, with a D-SACK
     * for the part of its data received already.
     */
    void sendDupack(TcpSock sk, Segment seg) {
        if (seg.dataLength() > 0 && Seq.before(seg.seq(), sk.rcv().rcvNxt())) {
            dsackSet(sk, seg.seq(), Seq.min(seg.seq() + seg.dataLength(), sk.rcv().rcvNxt()));
        }
        output.sendAck(sk);
    }

    /**
     * {@code tcp_validate_incoming} (RFC 9293 3.10.7.4, first to fourth, with RFC 7323 and
     * RFC 5961): PAWS, the sequence check ({@code tcp_sequence}), a RST, a SYN. Returns whether
     * the segment goes on; a segment that does not was answered or dropped here.
     */
    private boolean validateIncoming(TcpSock sk, Segment seg) {
        TcpOutput out = output;
        TcpOptions o = seg.options();
        // PAWS (RFC 7323 5.3). A RST is judged by its sequence number alone; a SYN draws a
        // challenge; an old pure ACK is dropped without an answer.
        if (sk.opts().tsOk() && o.timestamp && !sk.ts().pawsCheck(o.tsVal,
                TcpPaws.PAWS_WINDOW, clock.nanoTime())) {
            if (sk.orphaned() && sk.state() == SkState.FIN_WAIT2 && !seg.has(RST)) {
                // Linux keeps this connection as a TIME-WAIT entry in FIN-WAIT-2, which answers
                // whatever fails PAWS with an ACK, counting nothing but the ACKs held back.
                if (!challengeAck.oowRateLimited(seg, sk.oowRateLimit(), TcpExtMib.TCPACKSkippedFinWait2)) {
                    out.sendAck(sk);
                }
                return false;
            }
            TcpPaws.PawsFailure failure = TcpPaws.disorderedAckCheck(sk, seg);
            if (failure != TcpPaws.PawsFailure.DISORDERED_ACK && !seg.has(RST)) {
                if (seg.has(SYN)) {
                    synChallenge(sk);
                } else if (failure == TcpPaws.PawsFailure.OLD_ACK) {
                    counters.inc(TcpExtMib.PAWSOldAck);
                } else {
                    counters.inc(TcpExtMib.PAWSEstab);
                    if (!challengeAck.oowRateLimited(seg, sk.oowRateLimit(), TcpExtMib.TCPACKSkippedPAWS)) {
                        sendDupack(sk, seg);
                    }
                }
                return false;
            }
        }
        // Sequence check ({@code tcp_sequence}): the segment must overlap the window.
        int window = TcpWindow.receiveWindow(sk);
        boolean acceptable = !Seq.before(seg.endSeq(), sk.rcv().rcvWup()) && !Seq.after(seg.seq(), sk.rcv().rcvNxt() + window);
        if (!acceptable) {
            if (seg.has(SYN) && !seg.has(RST)) {
                synChallenge(sk);
            } else if (!seg.has(RST)
                    && !challengeAck.oowRateLimited(seg, sk.oowRateLimit(), skipped(sk, TcpExtMib.TCPACKSkippedSeq))) {
                sendDupack(sk, seg);
            }
            return false;
        }
        // RST (RFC 5961 3.2): only an exact match resets; else a challenge ACK.
        if (seg.has(RST)) {
            if (seg.seq() == sk.rcv().rcvNxt()) {
                if (sk.state() == SkState.SYN_RECV) {
                    sk.reportError(Errno.ECONNREFUSED);
                }
                lifecycle.reset(sk);
            } else {
                challengeAck.sendChallengeAck(sk);
            }
            return false;
        }
        // SYN in a synchronized state (RFC 5961 4.2): challenge ACK.
        if (seg.has(SYN)) {
            synChallenge(sk);
            return false;
        }
        return true;
    }

    /**
     * {@code tcp_rcv_state_process} (RFC 9293 3.10.7): a segment for a connection in any state
     * but LISTEN and TIME-WAIT (those are {@link TcpIpv4}'s and {@link TcpMinisocks}'). SYN-SENT
     * has its own ({@link #rcvSynsentStateProcess}); in the synchronized states the segment is
     * validated, its ACK completes the handshake in SYN-RECEIVED, is processed
     * ({@link TcpAck#ack}) and moves the close along, then come its data and FIN.
     */
    void rcvStateProcess(TcpSock sk, Segment seg) {
        switch (sk.state()) {
            case SYN_SENT -> {
                rcvSynsentStateProcess(sk, seg);
                return;
            }
            case CLOSE, LISTEN -> {
                replies.v4SendReset(seg);
                return;
            }
            default -> {
            }
        }
        if (!validateIncoming(sk, seg) || !seg.has(ACK)) {
            return;
        }
        if (sk.state() == SkState.SYN_RECV) {
            if (!Seq.between(seg.ack(), sk.snd().sndUna() + 1, sk.snd().sndMax())) {
                replies.v4SendReset(seg);
                return;
            }
            TxSegment syn = sk.rtx().head();
            if (syn != null && (syn.flags() & SYN) != 0) {
                sk.rtx().pollHead();
                memory.settleSend(sk);
            }
            sk.snd().synAcked(sk.snd().iss() + 1);
            sk.snd().firstWindow(seg.window() << sk.opts().sndWscale(), seg.seq(), seg.ack());
            sk.opts().boundToHalfWindow(sk.snd().maxWindow());
            sk.timers().clearXmitTimer();
            sk.retries().clearRetransmits();
            initTransfer(sk);
            if (sk.snd().finQueued()) {
                // close() or SHUT_WR came in SYN-RECEIVED: the FIN waited for ESTABLISHED
                // (RFC 9293 3.10.4) and goes after this ACK's processing, from FIN-WAIT-1.
                lifecycle.setState(sk, SkState.FIN_WAIT1);
            }
            sk.wakeUp(EPOLLOUT);
        }
        if (!tcpAck.ack(sk, seg)) {
            return;
        }
        switch (sk.state()) {
            case FIN_WAIT1 -> {
                if (sk.snd().finAcked()) {
                    lifecycle.setState(sk, SkState.FIN_WAIT2);
                    sk.shutdown(sk.shutdown() | InetSock.SEND_SHUTDOWN);
                    if (sk.orphaned()) {
                        timers.startFinWait2(sk);
                    }
                    sk.wakeUp(EPOLLOUT);
                }
            }
            case CLOSING -> {
                if (sk.snd().finAcked()) {
                    lifecycle.timeWait(sk);
                    return;
                }
            }
            case LAST_ACK -> {
                if (sk.snd().finAcked()) {
                    lifecycle.done(sk);
                    return;
                }
            }
            default -> {
            }
        }
        queueDataAndFin(sk, seg);
    }

    /**
     * {@code tcp_rcv_established}: a segment for an ESTABLISHED connection, the common case:
     * validated, its ACK processed, then its data and FIN, as {@link #rcvStateProcess} does
     * for the state (Linux's header-prediction fast path is not taken).
     */
    void rcvEstablished(TcpSock sk, Segment seg) {
        if (!validateIncoming(sk, seg) || !seg.has(ACK)) {
            return;
        }
        if (!tcpAck.ack(sk, seg)) {
            return;
        }
        if (seg.options().timestamp) {
            memory.tuning().rcvRttMeasureTs(sk, seg.options().tsEcr, seg.dataLength());
        }
        queueDataAndFin(sk, seg);
    }

    /** Data (RFC 9293 3.10.7.4, seventh) and FIN (eighth) of a segment whose ACK was taken. */
    private void queueDataAndFin(TcpSock sk, Segment seg) {
        TcpOutput out = output;
        SkState state = sk.state();
        boolean canReceive = state == SkState.ESTABLISHED || state == SkState.FIN_WAIT1 || state == SkState.FIN_WAIT2;
        if (seg.dataLength() > 0) {
            if (!canReceive) {
                // The peer sent its FIN already; data after it are ignored (CLOSE-WAIT, CLOSING, LAST-ACK).
            } else if (sk.orphaned() && Seq.after(seg.seq() + seg.dataLength(), sk.rcv().rcvNxt())) {
                // Nobody will read it ({@code TCPAbortOnData}): reset, as RFC 9293 3.10.4 and Linux do.
                // Linux's tcp_rcv_state_process answers from the segment (tcp_v4_send_reset: seq
                // = its ACK, no ACK flag), not with the socket's own active reset.
                counters.inc(TcpExtMib.TCPAbortOnData);
                replies.v4SendReset(seg);
                lifecycle.done(sk);
                return;
            } else {
                dataQueue(sk, seg);
            }
        }
        if (seg.has(FIN) && sk.state() != SkState.CLOSE) {
            int finSeq = seg.seq() + seg.dataLength();
            if (finSeq == sk.rcv().rcvNxt() && !sk.rcv().finReceived()) {
                fin(sk);
            } else if (Seq.after(finSeq, sk.rcv().rcvNxt())) {
                sk.rcv().finOutOfOrder(finSeq);
            } else {
                out.sendAck(sk); // a FIN again: ACK it again
            }
        }
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
        TcpOutput out = output;
        int seq = seg.seq();
        int length = seg.dataLength();
        int index = seg.dataIndex();
        if (!Seq.after(seq + length, sk.rcv().rcvNxt())) {
            // All old: a retransmission; tell the sender where we are at once, and that this
            // arrived twice (tcp_dsack_set).
            dsackSet(sk, seq, seq + length);
            out.sendAck(sk);
            return;
        }
        if (Seq.before(seq, sk.rcv().rcvNxt())) {
            dsackSet(sk, seq, sk.rcv().rcvNxt());
            int cut = sk.rcv().rcvNxt() - seq;
            index += cut;
            length -= cut;
            seq = sk.rcv().rcvNxt();
        }
        int windowEnd = sk.rcv().rcvNxt() + TcpWindow.receiveWindow(sk);
        if (Seq.after(seq + length, windowEnd)) {
            length = windowEnd - seq;
        }
        if (length <= 0) {
            counters.inc(TcpExtMib.TCPZeroWindowDrop);
            out.sendAck(sk);
            return;
        }
        sk.stats().onDataIn(clock.nanoTime());
        sk.ackMode().firstData(sk.rcv().rcvWnd(), sk.opts().rcvMss());
        ByteRing ring = sk.rcv().queue();
        ring.limit(memory.fullSpace(sk));
        int gap = seq - sk.rcv().rcvNxt(); // in the window: 0 .. 2^30
        long offset = sk.rcv().offsetOf(seq);
        int ringAt = ring.size() + gap;
        int growth = TcpMemory.ringGrowth(ring, ringAt + length);
        if (gap == 0) {
            // Kept in its packet when the ring holds nothing and the packet is mostly these
            // bytes (its truesize charged, as an skb's), else copied into the ring.
            boolean inPacket = sk.rcv().mayQueuePacket() && 2L * length >= TcpReceiver.sliceTruesize(seg.buf());
            if (inPacket && sk.mem().rmemAlloc() + TcpReceiver.sliceTruesize(seg.buf()) > sk.rcvbuf()
                    && sk.rcv().shrinkEmptyRing()) {
                memory.settleRecv(sk); // only when it would not fit beside it: regrowing costs an array
            }
            int cost = inPacket ? TcpReceiver.sliceTruesize(seg.buf()) : growth;
            if (!memory.tryRmemSchedule(sk, cost, offset) && !sk.rcv().queueEmpty()) {
                counters.inc(TcpExtMib.TCPRcvQDrop);
                out.sendAck(sk); // ICSK_ACK_NOW: the sender learns the window at once
                return;
            }
            if (inPacket) {
                sk.rcv().queueInOrderInPacket(seg.buf(), index, length);
            } else {
                sk.rcv().queueInOrder(seg.buf(), index, length);
            }
            memory.tuning().rcvRttMeasure(sk); // tcp_event_data_recv
            sk.stats().onBytesReceived(length);
            boolean ackNow = false;
            if (!sk.rcv().outOfOrder().isEmpty()) {
                sk.stats().onBytesReceived(sk.rcv().drainOutOfOrder());
                ackNow = true; // RFC 5681 4.2: a segment filling a gap is ACKed at once
            }
            memory.settleRecv(sk);
            if (length >= 128) {
                // A byte copied into the ring costs a byte; one kept in its packet, its share of the packet.
                memory.growWindow(sk, length, inPacket ? cost : length);
            }
            sk.publishQueues();
            sk.wakeUp(EPOLLIN);
            if (sk.rcv().oooFinDue()) {
                fin(sk);
                return;
            }
            if (length >= sk.opts().rcvMss()) {
                sk.ackMode().fullSegmentReceived();
            }
            if (seg.has(FIN) && length == seg.dataLength() && !ackNow) {
                // The FIN right behind these bytes decides for both (tcp_fin, then one
                // tcp_ack_snd_check for the segment): one ACK covers data and FIN.
                sk.ackMode().schedule();
            } else if (ackNow || sk.ackMode().ackNow()) {
                out.sendAck(sk);
            } else {
                sk.ackMode().schedule();
                sk.timers().sendDelayedAck();
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
        OutOfOrderQueue ooo = sk.rcv().outOfOrder();
        long end = offset + length;
        int cost = growth + runsCost(ooo, offset, end);
        boolean admitted = memory.tryRmemSchedule(sk, cost, offset);
        // Pruning may have taken a run this segment would have joined: then it costs an entry more.
        int costNow = growth + runsCost(ooo, offset, end);
        if (!admitted || (costNow > cost && !memory.tryRmemSchedule(sk, costNow, offset))) {
            counters.inc(TcpExtMib.TCPOFODrop);
            return;
        }
        counters.inc(TcpExtMib.TCPOFOQueue);
        if (ooo.covers(offset, end)) {
            counters.inc(TcpExtMib.TCPOFOMerge);
            int seq = sk.rcv().seqAt(offset);
            dsackSet(sk, seq, seq + length);
        } else {
            sk.rcv().queue().place(ringAt, seg.buf(), index, length);
            ooo.insert(offset, end);
            if (sk.opts().sackOk()) {
                memory.growWindow(sk, length, length); // for non-SACK peers the window stays, to draw duplicate ACKs
            }
        }
        memory.settleRecv(sk);
        if (sk.socket() != null) {
            memory.tuning().rcvbufGrow(sk); // room for what the out-of-order queue spans (not before accept)
        }
        output.sendAck(sk); // a duplicate ACK, with SACK blocks (RFC 5681 4.2, RFC 2018)
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
        if (!sk.opts().sackOk()) {
            return;
        }
        sk.rcv().dsackSet(start, end);
        counters.inc(Seq.before(start, sk.rcv().rcvNxt()) ? TcpExtMib.TCPDSACKOldSent : TcpExtMib.TCPDSACKOfoSent);
    }

    /** {@code tcp_fin}: the peer's FIN, in order. */
    private void fin(TcpSock sk) {
        trace.sock("tcp_fin", sk);
        sk.rcv().finReceivedInOrder();
        sk.shutdown(sk.shutdown() | InetSock.RCV_SHUTDOWN);
        memory.clearOutOfOrder(sk);
        TcpOutput out = output;
        switch (sk.state()) {
            case SYN_RECV, ESTABLISHED -> {
                // tcp_fin: CLOSE-WAIT in interactive mode, since the application's reply (its
                // FIN) usually follows; the ACK is owed, and __tcp_ack_snd_check sends it now
                // only when more than a segment's worth arrived since the last ACK, else after
                // the delayed-ACK timeout (ato: none before any data, so within a tick).
                lifecycle.setState(sk, SkState.CLOSE_WAIT);
                sk.ackMode().pingpong(true);
                sk.ackMode().schedule();
                if (sk.rcv().rcvNxt() - sk.rcv().rcvWup() > sk.opts().rcvMss()) {
                    out.sendAck(sk);
                } else {
                    sk.timers().sendDelayedAck(sk.ackMode().atoInitialised() ? timers.delackMillis() : 0);
                }
            }
            case FIN_WAIT1 -> {
                // Simultaneous close (RFC 9293 3.6, figure 13).
                out.sendAck(sk);
                lifecycle.setState(sk, SkState.CLOSING);
            }
            case FIN_WAIT2 -> {
                out.sendAck(sk);
                lifecycle.timeWait(sk);
                return;
            }
            default -> out.sendAck(sk);
        }
        sk.publishQueues();
        sk.wakeUp(EPOLLIN | EPOLLRDHUP);
    }
}
