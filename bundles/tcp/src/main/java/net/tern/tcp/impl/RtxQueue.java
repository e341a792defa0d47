package net.tern.tcp.impl;


import java.util.ListIterator;
import net.tern.spi.net.Spares;
import net.tern.wire.TcpPacket;

/**
 * A connection's retransmission queue with its SACK scoreboard ({@code tcp_rtx_queue} and
 * {@code packets_out}, {@code sacked_out}, {@code lost_out}, {@code retrans_out} of
 * {@code struct tcp_sock}, RFC 6675): the segments sent and not yet acknowledged, in
 * sequence order, each with its marks, and the counts of the marks.
 *
 * <p>Invariants, kept by its methods alone (segments and counts change nowhere else):
 * {@link #sackedOut()} is the number of segments marked SACKed (without SACK: of duplicate
 * ACKs, {@link RenoSacks}, marking none), {@link #lostOut()} of those
 * marked lost, {@link #retransOut()} of those with a retransmission in flight; a SACKed
 * segment is neither lost nor in retransmission; so RFC 6675's pipe,
 * {@link #packetsInFlight()} = size - sacked - lost + retrans, is never negative. A list
 * linked through its segments, because a retransmission may split a segment in place
 * ({@code tcp_fragment}); a segment acknowledged goes back to its thread's spares
 * ({@link TxSegment#of}), so a connection in steady state allocates none.
 *
 * <p>Used under the socket lock.
 */
final class RtxQueue extends TxList {
    /** RFC 6675 DupThresh ({@code tcp_reordering}). */
    static final int DUP_THRESH = TcpCongestion.DUPACK_THRESHOLD;

    /** What the last {@link #cleanAcked} found: a retransmitted segment acknowledged, and the oldest other one's send time. */
    private boolean ackedRetransmitted;
    private long ackedOldestSentNanos;
    private long ackedNewestSentNanos;
    /** Segments the receiver holds by SACK ({@code sacked_out}). */
    private int sackedOut;
    /** Without SACK, the duplicate ACKs counted in {@code sacked_out}; made at the first ({@link #renoSacks()}). */
    private RenoSacks renoSacks;
    /** Segments marked lost ({@code lost_out}). */
    private int lostOut;
    /** Retransmissions in flight ({@code retrans_out}). */
    private int retransOut;
    /** The end of the highest SACKed segment ({@code tcp_highest_sack_seq}); meaningful while sackedOut > 0. */
    private int highestSack;
    /** RFC 6675 RescueRxt: the recovery point when the rescue retransmission (NextSeg() rule 4) was made. */
    private int rescueRxt;
    private boolean rescueSet;
    /** Duplicate segments the receiver reported by D-SACK (RFC 2883; {@code tcp_info.tcpi_dsack_dups}). */
    private int dsackDups;
    /** RACK-TLP's state (RFC 8985), timed against these segments; made at the first use ({@link #rack()}). */
    private Rack rack;
    /**
     * The lowest start of a segment never retransmitted that the marking since the last
     * {@link #takeReordLow} found delivered after data sent later: reordering ({@code state->reord}).
     */
    private int reordLow;
    private boolean reordFound;

    // ---- what others read

    /** Segments the receiver holds: SACKed, or without SACK counted by duplicate ACKs ({@code sacked_out}). */
    int sackedOut() {
        return renoSacks == null ? sackedOut : sackedOut + renoSacks.count();
    }

    /** Without SACK, the duplicate ACKs counted as SACKs: made at the first use, so a SACK connection holds none. */
    RenoSacks renoSacks() {
        if (renoSacks == null) {
            renoSacks = new RenoSacks();
        }
        return renoSacks;
    }

    /** {@code tcp_reset_reno_sack}: none counted any more (recovery over, or a timeout). */
    void resetRenoSacks() {
        if (renoSacks != null) {
            renoSacks.resetRenoSack();
        }
    }

    int lostOut() {
        return lostOut;
    }

    int retransOut() {
        return retransOut;
    }

    int highestSack() {
        return highestSack;
    }

    int dsackDups() {
        return dsackDups;
    }

    /** This connection's RACK-TLP state. */
    Rack rack() {
        if (rack == null) {
            rack = new Rack(); // at the first use: an idle connection that never had data acknowledged holds none
        }
        return rack;
    }

    /** {@code tp->reordering}: the degree of reordering seen ({@link Rack#reordering}), the duplicate-ACK threshold until any was. */
    int reordering() {
        return rack == null ? TcpCongestion.DUPACK_THRESHOLD : rack.reordering();
    }

    /** This connection's RACK-TLP state if it was made; null while no data was acknowledged or probed. */
    Rack rackIfMade() {
        return rack;
    }

    /** An ACK begins ({@link Rack#startAck}); nothing to do while RACK's state is not made. */
    void rackStartAck() {
        if (rack != null) {
            rack.startAck();
        }
    }

    /** {@link Rack#rackUpdateReoWnd} after an ACK; nothing to adapt while RACK's state is not made. */
    void rackUpdateReoWnd() {
        if (rack != null) {
            rack.rackUpdateReoWnd();
        }
    }

    /** Segments delivered so far ({@code tp->delivered}), 0 before RACK's state is made. */
    int delivered() {
        return rack == null ? 0 : rack.delivered();
    }

    /** Segments found lost so far ({@code tp->lost}), 0 before RACK's state is made. */
    int lostTotal() {
        return rack == null ? 0 : rack.lost();
    }

    /** {@code tcp_packets_in_flight}: packets_out - (sacked_out + lost_out) + retrans_out, RFC 6675's pipe. */
    int packetsInFlight() {
        return size() - sackedOut() - lostOut + retransOut;
    }

    // ---- the queue

    /** A segment just sent for the first time joins the tail, as an skb of its own. */
    void add(TxSegment segment) {
        add(segment, true);
    }

    /**
     * A segment just sent for the first time joins the tail: the first of a packet sent at
     * once ({@code startsSkb}), or the next segment of the packet before.
     */
    void add(TxSegment segment, boolean startsSkb) {
        segment.deliveredAtSend(delivered());
        segment.skbHead(startsSkb || isEmpty());
        linkBefore(segment, null);
    }

    /** Takes the head off (the SYN, acknowledged), with its marks. */
    TxSegment pollHead() {
        TxSegment head = head();
        if (head != null) {
            remove(head);
            unlink(head);
        }
        return head;
    }

    /** Empties the queue and the scoreboard. */
    void clear() {
        for (TxSegment s = head(); s != null; s = head()) {
            remove(s);
            s.recycle();
        }
        sackedOut = 0;
        resetRenoSacks();
        lostOut = 0;
        retransOut = 0;
        if (rack != null) {
            rack.reset();
        }
    }

    /**
     * The queue's part of {@code tcp_clean_rtx_queue}: segments wholly below {@code ack} leave
     * with their marks, a head {@code ack} falls inside is trimmed to what is left. Returns the
     * segments acknowledged (a trimmed head counts); {@link #ackedRetransmitted} then says
     * whether one of them had been retransmitted, and {@link #ackedOldestSentNanos} when the
     * oldest one never retransmitted was sent (-1 if none), for Karn's rule. With SACK
     * ({@code rackOn}) it also tells RACK ({@code tcp_clean_rtx_queue}'s
     * {@code tcp_rack_advance}) of each segment delivered now that was not SACKed before, at
     * {@code nowNanos}; except a retransmission the ACK's {@code tsEcr} shows was not needed
     * (it echoes a TSval older than the retransmission, {@code tcp_skb_spurious_retrans}),
     * which would give RACK a false RTT. {@code tsOffset} turns the clock into TSvals.
     * Notes reordering: a segment never retransmitted nor SACKed acknowledged only now.
     */
    int cleanAcked(int ack, long nowNanos, long minRttUs, int tsEcr, int tsOffset, boolean rackOn) {
        int ackedSegments = 0;
        boolean retransmittedAcked = false;
        long oldestSent = -1;
        long newestSent = -1;
        for (TxSegment s = head(); s != null; s = head()) {
            if (Seq.beforeOrEqual(s.endSeq(), ack)) {
                remove(s);
                unlink(s);
                ackedSegments++;
                if (s.retransmitted()) {
                    retransmittedAcked = true;
                } else {
                    if (oldestSent < 0) {
                        oldestSent = s.sentNanos();
                    }
                    if (!s.sacked()) {
                        newestSent = s.sentNanos();
                    }
                }
                if (!s.sacked() && rackOn) {
                    int sentTsVal = (int) (s.sentNanos() / 1_000_000) + tsOffset;
                    if (s.retransmitted() && tsEcr != 0 && tsEcr - sentTsVal < 0) {
                        rack().countDelivered();
                    } else {
                        rack().rackAdvance(s, nowNanos, minRttUs);
                    }
                    if (!s.retransmitted()) {
                        noteReordering(s.seq());
                    }
                }
                s.recycle();
            } else {
                if (Seq.after(ack, s.seq())) {
                    s.trimHead(ack);
                    ackedSegments++;
                }
                break;
            }
        }
        ackedRetransmitted = retransmittedAcked;
        ackedOldestSentNanos = oldestSent;
        ackedNewestSentNanos = newestSent;
        return ackedSegments;
    }

    /** Whether a segment the last {@link #cleanAcked} took off had been retransmitted. */
    boolean ackedRetransmitted() {
        return ackedRetransmitted;
    }

    /** When the oldest never-retransmitted segment the last {@link #cleanAcked} took off was sent; -1 if none. */
    long ackedOldestSentNanos() {
        return ackedOldestSentNanos;
    }

    /**
     * When the newest segment the last {@link #cleanAcked} took off that was never retransmitted
     * nor SACKed was sent ({@code last_ackt}); -1 if none.
     */
    long ackedNewestSentNanos() {
        return ackedNewestSentNanos;
    }

    private void noteReordering(int seq) {
        if (!reordFound || Seq.before(seq, reordLow)) {
            reordLow = seq;
            reordFound = true;
        }
    }

    /** The lowest start of a segment found delivered out of order since the last call, as an unsigned int; -1 if none. */
    long takeReordLow() {
        long low = reordFound ? Integer.toUnsignedLong(reordLow) : -1;
        reordFound = false;
        return low;
    }

    /** The end of the highest SACKed segment, or {@code sndUna} when nothing is SACKed ({@code tcp_highest_sack_seq}). */
    int highestSackSeq(int sndUna) {
        return sackedOut > 0 ? highestSack : sndUna;
    }

    /** Forgets the marks of a segment leaving the queue. */
    private void unlink(TxSegment s) {
        if (s.sacked()) {
            sackedOut--;
        }
        if (s.lost()) {
            lostOut--;
        }
        if (s.retransInFlight()) {
            retransOut--;
        }
    }

    // ---- retransmission

    /**
     * {@code tcp_fragment}: {@code s}, the segment {@code it} returned last, is cut to
     * {@code mss}; the rest, with the same marks for loss, follows it, and {@code it} stands
     * before the rest again. Returns whether it was cut (the queue holds one segment more).
     */
    boolean fragment(ListIterator<TxSegment> it, TxSegment s, int mss) {
        if (s.length() <= mss) {
            return false;
        }
        TxSegment rest = s.splitAt(mss);
        if (rest.lost()) {
            lostOut++;
        }
        it.add(rest);
        it.previous();
        return true;
    }

    /** {@code s} was sent again at {@code nowNanos}, with {@code snd_nxt} at {@code sndNxt}: its retransmission is in flight. */
    void retransmitted(TxSegment s, long nowNanos, int sndNxt) {
        if (!s.retransInFlight()) {
            s.retransInFlight(true);
            retransOut++;
        }
        s.resent(nowNanos, delivered());
        s.retransSndNxt(sndNxt);
    }

    /**
     * {@code s} went again at {@code nowNanos} as a tail loss probe ({@code __tcp_retransmit_skb}
     * from {@code tcp_send_loss_probe}): sent more than once, but not counted a retransmission
     * in flight, as it presumes nothing lost.
     */
    void probeRetransmitted(TxSegment s, long nowNanos) {
        s.resent(nowNanos, delivered());
    }

    /** Whether this recovery's rescue retransmission (RFC 6675 NextSeg() rule 4) was made: one at or after {@code sndUna}. */
    boolean rescueMade(int sndUna) {
        return rescueSet && !Seq.after(sndUna, rescueRxt);
    }

    /** The rescue retransmission of the recovery ending at {@code recoveryPoint} is made now. */
    void rescue(int recoveryPoint) {
        rescueSet = true;
        rescueRxt = recoveryPoint;
    }

    // ---- the scoreboard

    /**
     * Marks SACKed every segment {@code [start, end)} covers whole (the marking of
     * {@code tcp_sacktag_write_queue}): it is no longer lost nor in retransmission. Returns
     * whether a segment was newly SACKed.
     */
    boolean markSacked(int start, int end) {
        return markSacked(start, end, highestSack, 0, 0, false);
    }

    /**
     * {@link #markSacked(int, int)} that also tells RACK of each segment newly SACKed at
     * {@code nowNanos} ({@code tcp_sacktag_one}'s {@code tcp_rack_advance}), and notes
     * reordering: a segment never retransmitted, newly SACKed below {@code priorHighestSack}
     * (the highest SACKed before this ACK) arrived after data sent later.
     */
    boolean markSacked(int start, int end, int priorHighestSack, long nowNanos, long minRttUs, boolean rackOn) {
        boolean hadSacked = sackedOut > 0;
        boolean newly = false;
        for (TxSegment s = head(); s != null; s = s.next()) {
            if (!Seq.before(s.seq(), end)) {
                break;
            }
            if (s.sacked() || Seq.before(s.seq(), start) || Seq.after(s.endSeq(), end)) {
                continue;
            }
            if (rackOn) {
                rack().rackAdvance(s, nowNanos, minRttUs);
                if (!s.retransmitted() && hadSacked && Seq.before(s.seq(), priorHighestSack)) {
                    noteReordering(s.seq());
                }
            }
            s.sacked(true);
            sackedOut++;
            if (s.lost()) {
                s.lost(false);
                lostOut--;
            }
            if (s.retransInFlight()) {
                s.retransInFlight(false);
                retransOut--;
            }
            if (sackedOut == 1 || Seq.after(s.endSeq(), highestSack)) {
                highestSack = s.endSeq();
            }
            newly = true;
        }
        return newly;
    }

    /** The receiver reported a duplicate by D-SACK. */
    void dsackReceived() {
        dsackDups++;
    }

    /**
     * {@code tcp_mark_head_lost}: RFC 6675 IsLost() for every segment not yet marked: lost
     * when DupThresh SACKed segments, or more than (DupThresh - 1) * {@code mss} SACKed bytes,
     * lie above it. One walk from the tail down, summing what is SACKed above. On the way, a
     * retransmission is itself lost ({@code tcp_mark_lost_retrans}, {@code TCPLostRetransmit})
     * when data sent after it was SACKed: it goes back to waiting for a retransmission.
     * Returns how many such lost retransmissions it found.
     */
    int markHeadLost(int mss) {
        int lostRetransmits = 0;
        if (sackedOut == 0) {
            return lostRetransmits;
        }
        int sackedAbove = 0;
        long sackedBytesAbove = 0;
        long byteThreshold = (long) (DUP_THRESH - 1) * mss;
        for (TxSegment s = tail(); s != null; s = s.prev()) {
            if (s.sacked()) {
                sackedAbove++;
                sackedBytesAbove += s.length();
                continue;
            }
            if (s.retransInFlight() && Seq.after(highestSack, s.retransSndNxt())) {
                s.retransInFlight(false);
                retransOut--;
                lostRetransmits++;
            }
            if (!s.lost() && (sackedAbove >= DUP_THRESH || sackedBytesAbove > byteThreshold)) {
                s.lost(true);
                lostOut++;
                rack().countLost();
            }
        }
        return lostRetransmits;
    }

    /** What a RACK loss detection found ({@link #rackDetectLoss}). */
    record RackLoss(long reoTimeoutUs, int marked, int lostRetransmits) {
    }

    /**
     * {@code tcp_rack_detect_loss} (RFC 8985 6.2 step 5): every segment not SACKed, not already
     * waiting for its retransmission, and sent before the most recently sent delivered one is
     * lost once RACK.rtt + {@code reoWndUs} have passed since it was sent
     * ({@code tcp_mark_skb_lost}: a lost retransmission is counted and waits for another).
     * Returns the longest any other such segment has still to wait (0 for none), for the
     * reorder timer.
     */
    RackLoss rackDetectLoss(long nowNanos, long reoWndUs) {
        long timeoutUs = 0;
        int marked = 0;
        int lostRetransmits = 0;
        for (TxSegment s = head(); s != null; s = s.next()) {
            if (s.sacked() || (s.lost() && !s.retransInFlight()) || !rack().sentBeforeLatestDelivered(s)) {
                continue;
            }
            long remaining = rack().rackSkbTimeout(s, nowNanos, reoWndUs);
            if (remaining > 0) {
                timeoutUs = Math.max(timeoutUs, remaining);
                continue;
            }
            marked++;
            rack().countLost();
            if (s.lost()) {
                s.retransInFlight(false); // lost again: it waits for another retransmission
                retransOut--;
                lostRetransmits++;
            } else {
                s.lost(true);
                lostOut++;
            }
        }
        return new RackLoss(timeoutUs, marked, lostRetransmits);
    }

    /** {@code tcp_mark_skb_lost} for the head: fast retransmit presumes it lost whatever the SACKs say. */
    void markSkbLost() {
        TxSegment head = head();
        if (head != null && !head.sacked() && !head.lost()) {
            head.lost(true);
            lostOut++;
            rack().countLost();
        }
    }

    /**
     * {@code tcp_enter_loss}'s marking: after a retransmission timeout every segment not
     * SACKed is lost and no retransmission is in flight any more. SACKed segments keep their
     * mark (RFC 6675 5.1) unless the receiver reneged: a SACKed head means it dropped what it
     * had SACKed, so every mark is cleared (RFC 2018 8).
     */
    void markAllLost() {
        TxSegment head = head();
        boolean reneged = head != null && head.sacked();
        lostOut = 0;
        retransOut = 0;
        resetRenoSacks();
        if (reneged) {
            sackedOut = 0;
        }
        for (TxSegment s = head(); s != null; s = s.next()) {
            s.retransInFlight(false);
            if (reneged) {
                s.sacked(false);
            }
            s.lost(!s.sacked());
            if (s.lost()) {
                lostOut++;
                rack().countLost();
            }
        }
    }

    /**
     * {@code tcp_simple_retransmit}'s marking: every segment longer than {@code mss} and not
     * SACKed was dropped on the way (the path MTU fell): lost, its retransmission no longer in
     * flight.
     */
    void markOversizedLost(int mss) {
        for (TxSegment s = head(); s != null; s = s.next()) {
            if (s.length() > mss && !s.sacked()) {
                if (s.retransInFlight()) {
                    s.retransInFlight(false);
                    retransOut--;
                }
                if (!s.lost()) {
                    s.lost(true);
                    lostOut++;
                    rack().countLost();
                }
            }
        }
    }

    /** After a needless timeout ({@code tcp_undo_cwnd_reduction} with unmarking) nothing is lost. */
    void clearLost() {
        for (TxSegment s = head(); s != null; s = s.next()) {
            s.lost(false);
        }
        lostOut = 0;
    }
}
