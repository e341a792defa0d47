package net.tern.tcp.impl;

import net.tern.tcp.cc.CaState;

/**
 * A connection's RACK-TLP state (RFC 8985; Linux's {@code tp->rack}, {@code tp->reordering},
 * {@code tp->reord_seen}, {@code tp->delivered}, {@code tp->tlp_high_seq} and
 * {@code tp->tlp_retrans}): the most recently sent segment known delivered, with the RTT it
 * measured, which RACK times every older segment against ({@code tcp_recovery.c}); the
 * reordering window and how it adapts; the reordering degree; and the tail loss probe in
 * flight. It holds no segments: its {@link RtxQueue} walks them and asks it.
 *
 * <p>Used under the socket lock.
 */
final class Rack {
    /** {@code TCP_RACK_RECOVERY_THRESH}: recoveries a widened reordering window is kept for. */
    static final int RECOVERY_THRESH = 16;
    /** {@code tcp_max_reordering}: the largest reordering degree believed. */
    static final int MAX_REORDERING = 300;
    /** {@code TCP_TIMEOUT_MIN_US}: the slack added to the reorder timer and to a probe timeout with more than one segment out. */
    static final long TIMEOUT_MIN_US = 2_000;

    // ---- RACK.xmit_ts, RACK.end_seq, RACK.rtt (RFC 8985 6.2 step 2)
    /** When the most recently sent delivered segment was sent ({@code rack.mstamp}); valid once {@link #xmitSet}. */
    private long xmitNanos;
    private boolean xmitSet;
    /** Its end ({@code rack.end_seq}), which breaks ties between segments sent at the same instant. */
    private int endSeq;
    /** The RTT the last delivered segment measured ({@code rack.rtt_us}). */
    private long rttUs;
    /** A segment was delivered since the last loss detection ({@code rack.advanced}). */
    private boolean advanced;

    // ---- the reordering window (RFC 8985 6.2 step 4, tcp_rack_update_reo_wnd)
    private int reoWndSteps = 1;
    private int reoWndPersist;
    private boolean dsackSeen;
    private int lastDelivered;

    // ---- delivery and reordering
    /** Segments delivered, cumulatively or by SACK ({@code tp->delivered}). */
    private int delivered;
    /** Segments ever marked lost, a lost retransmission counting again ({@code tp->lost}). */
    private int lost;
    /** The delivered count when the most recently sent segment this ACK delivered was sent ({@code rs->prior_delivered}). */
    private int ackPriorDelivered;
    /** As {@link #startAck} leaves it, so a state made during an ACK starts as if it had seen the ACK begin. */
    private long ackPriorSentNanos = Long.MIN_VALUE;
    /** The reordering degree in segments ({@code tp->reordering}, from {@code tcp_reordering} = 3). */
    private int reordering = TcpCongestion.DUPACK_THRESHOLD;
    /** Reordering events seen ({@code tp->reord_seen}, {@code tcpi_reord_seen}). */
    private int reordSeen;

    // ---- the tail loss probe (RFC 8985 7)
    /** A probe is in flight: {@code snd_nxt} when it went ({@code tlp_high_seq}). */
    private boolean tlpOut;
    private int tlpHighSeq;
    /** The probe was a retransmission, not new data ({@code tlp_retrans}). */
    private boolean tlpRetrans;

    // ---- what others read

    int reordering() {
        return reordering;
    }

    int reordSeen() {
        return reordSeen;
    }

    int delivered() {
        return delivered;
    }

    /** {@code tp->lost}: what an ACK newly found lost is the difference. */
    int lost() {
        return lost;
    }

    /** A segment was marked lost ({@code tcp_sum_lost}). */
    void countLost() {
        lost++;
    }

    int reoWndSteps() {
        return reoWndSteps;
    }

    boolean tlpOut() {
        return tlpOut;
    }

    int tlpHighSeq() {
        return tlpHighSeq;
    }

    boolean tlpRetrans() {
        return tlpRetrans;
    }

    // ---- RACK (tcp_recovery.c)

    /** {@code tcp_skb_sent_after}: whether (t1, seq1) was sent after (t2, seq2); the sequence breaks ties. */
    static boolean skbSentAfter(long t1, long t2, int seq1, int seq2) {
        return t1 > t2 || (t1 == t2 && Seq.after(seq1, seq2));
    }

    /** A new ACK is being processed: no segment delivered by it yet. */
    void startAck() {
        ackPriorDelivered = 0;
        ackPriorSentNanos = Long.MIN_VALUE;
    }

    /**
     * {@code tcp_rack_advance} (RFC 8985 6.2 step 2) for a segment just delivered (SACKed, or
     * cumulatively acknowledged without having been SACKed), at {@code nowNanos}. A segment
     * sent more than once is ambiguous: its delivery may be the original's, so a sample
     * shorter than the least RTT seen ({@code minRttUs}, 0 for none yet) is taken for that and
     * ignored. Also counts it delivered ({@code tcp_count_delivered}).
     */
    void rackAdvance(TxSegment s, long nowNanos, long minRttUs) {
        delivered++;
        if (s.sentNanos() > ackPriorSentNanos) {
            ackPriorSentNanos = s.sentNanos();
            ackPriorDelivered = s.deliveredAtSend();
        }
        long sampleUs = Math.max(0, (nowNanos - s.sentNanos()) / 1000);
        if (s.retransmitted() && (minRttUs == 0 || sampleUs < minRttUs)) {
            return;
        }
        advanced = true;
        rttUs = sampleUs;
        if (!xmitSet || skbSentAfter(s.sentNanos(), xmitNanos, s.endSeq(), endSeq)) {
            xmitNanos = s.sentNanos();
            endSeq = s.endSeq();
            xmitSet = true;
        }
    }

    /** A segment delivered without a RACK sample (a retransmission the ACK shows needless): still delivered. */
    void countDelivered() {
        delivered++;
    }

    /** {@code tcp_count_delivered} for segments known delivered without a RACK sample (duplicate ACKs without SACK). */
    void countDelivered(int segments) {
        delivered += segments;
    }

    /** {@code tcp_rack_mark_lost}'s guard: whether a segment was delivered since the last detection; clears it. */
    boolean takeAdvanced() {
        boolean was = advanced;
        advanced = false;
        return was;
    }

    /**
     * {@code tcp_rack_reo_wnd} (RFC 8985 6.2 step 4): before any reordering was seen, none is
     * allowed in recovery or once {@code reordering} segments are SACKed (the duplicate ACK
     * threshold, RFC 8985 6.2's "DupThresh"); otherwise a quarter of the least RTT for each
     * step the D-SACKs earned, at most SRTT.
     */
    long rackReoWnd(CaState state, int sackedOut, long minRttUs, long srttUs) {
        if (reordSeen == 0) {
            if (state == CaState.RECOVERY || state == CaState.LOSS) {
                return 0;
            }
            if (sackedOut >= reordering) {
                return 0;
            }
        }
        return Math.min((minRttUs >> 2) * reoWndSteps, srttUs);
    }

    /** Whether {@code s} was sent before the most recently sent delivered segment (a candidate for loss). */
    boolean sentBeforeLatestDelivered(TxSegment s) {
        return xmitSet && skbSentAfter(xmitNanos, s.sentNanos(), endSeq, s.endSeq());
    }

    /**
     * {@code tcp_rack_skb_timeout}: how long {@code s} has still to be delivered, after
     * RACK.rtt plus the reordering window from its transmission, before it is lost; 0 or less:
     * lost now.
     */
    long rackSkbTimeout(TxSegment s, long nowNanos, long reoWndUs) {
        return rttUs + reoWndUs - (nowNanos - s.sentNanos()) / 1000;
    }

    // ---- reordering (tcp_check_sack_reordering, tcp_dsack_seen, tcp_rack_update_reo_wnd)

    /**
     * {@code tcp_check_sack_reordering}: a segment never retransmitted starting at
     * {@code lowSeq} was delivered after data up to {@code fack} (the highest SACKed): that is
     * reordering, of a degree of (fack - lowSeq) / mss segments. Returns whether it counts as
     * reordering ({@code TCPSACKReorder}).
     */
    boolean checkSackReordering(int lowSeq, int fack, int mss) {
        if (!Seq.before(lowSeq, fack)) {
            return false;
        }
        long metric = Integer.toUnsignedLong(fack - lowSeq);
        if (mss > 0 && metric > (long) reordering * mss) {
            reordering = (int) Math.min((metric + mss - 1) / mss, MAX_REORDERING);
        }
        reordSeen++;
        return true;
    }

    /**
     * {@code tcp_dsack_seen}'s RACK part: a D-SACK after reordering was seen may mean a
     * retransmission RACK made too early, so the window widens on the next ACK
     * ({@link #rackUpdateReoWnd}); not for a D-SACK of a tail loss probe (timer-driven, not RACK's).
     */
    void dsackSeen(boolean ofProbe) {
        if (reordSeen > 0 && !ofProbe) {
            dsackSeen = true;
        }
    }

    /**
     * {@code tcp_rack_update_reo_wnd}: after a D-SACK, one more step of min_rtt/4 (at most once
     * a round trip: a D-SACK for data sent before the last step is ignored), kept for 16
     * recoveries; when those passed without D-SACK, back to one step.
     */
    void rackUpdateReoWnd() {
        if (ackPriorDelivered == 0) {
            return;
        }
        if (Seq.before(ackPriorDelivered, lastDelivered)) {
            dsackSeen = false;
        }
        if (dsackSeen) {
            reoWndSteps = Math.min(0xFF, reoWndSteps + 1);
            dsackSeen = false;
            lastDelivered = delivered;
            reoWndPersist = RECOVERY_THRESH;
        } else if (reoWndPersist == 0) {
            reoWndSteps = 1;
        }
    }

    /** A recovery ended without undo ({@code tcp_try_undo_recovery}): one fewer keeps the widened window. */
    void recoveryEnded() {
        if (reoWndPersist > 0) {
            reoWndPersist--;
        }
    }

    /** A recovery was undone by D-SACK ({@code tcp_try_undo_dsack}): the widened window is kept one more. */
    void recoveryUndone() {
        reoWndPersist = Math.min(RECOVERY_THRESH, reoWndPersist + 1);
    }

    // ---- the tail loss probe

    /** A probe went, new data ({@code retransmission} false) or the last segment again, with {@code snd_nxt} at {@code sndNxt}. */
    void probeSent(int sndNxt, boolean retransmission) {
        tlpOut = true;
        tlpHighSeq = sndNxt;
        tlpRetrans = retransmission;
    }

    /** The probe episode ends (acknowledged, proven needless, or a recovery or timeout took over). */
    void probeDone() {
        tlpOut = false;
        tlpRetrans = false;
    }

    /** A fresh connection: nothing delivered, nothing reordered. */
    void reset() {
        xmitSet = false;
        advanced = false;
        rttUs = 0;
        reoWndSteps = 1;
        reoWndPersist = 0;
        dsackSeen = false;
        lastDelivered = 0;
        delivered = 0;
        lost = 0;
        reordering = TcpCongestion.DUPACK_THRESHOLD;
        reordSeen = 0;
        probeDone();
    }
}
