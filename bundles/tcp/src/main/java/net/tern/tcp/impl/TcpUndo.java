package net.tern.tcp.impl;

/**
 * What a window reduction needs to be taken back when it proves needless ({@code tcp_init_undo},
 * {@code tcp_may_undo}, {@code tcp_check_dsack}; RFC 3708 with D-SACK, RFC 3522 with
 * timestamps): where the reduction began ({@code undo_marker}), how many retransmissions since
 * are not yet reported needless ({@code undo_retrans}), ssthresh before it
 * ({@code prior_ssthresh}) and the TSval of the first retransmission ({@code retrans_stamp}).
 *
 * <p>One per connection, owned by its {@link TcpCongestion}, which applies the undo
 * ({@code tcp_undo_cwnd_reduction}); used under the socket lock.
 */
final class TcpUndo {
    /** A reduction may still be undone ({@code undo_marker} set); retransmissions from {@link #undoMarker} count. */
    private boolean marking;
    private int undoMarker;
    /** Retransmissions since the reduction not yet reported needless by D-SACK; -1 before the first ({@code undo_retrans}). */
    private int undoRetrans;
    /** ssthresh before the reduction ({@code prior_ssthresh}); 0 when there is none to go back to. */
    private int priorSsthresh;
    /** The TSval of the first retransmission since the reduction ({@code retrans_stamp}), for Eifel detection. */
    private int retransTsVal;
    private boolean retransTsSet;

    /**
     * {@code tcp_init_undo}: before a reduction, remember ssthresh and from where
     * retransmissions count ({@code sndUna}, with {@code retransOut} already out).
     */
    void initUndo(int ssthresh, int sndUna, int retransOut) {
        priorSsthresh = ssthresh;
        marking = true;
        undoMarker = sndUna;
        undoRetrans = retransOut > 0 ? retransOut : -1;
        retransTsVal = 0;
        retransTsSet = false;
    }

    /** Whether a reduction may still be undone ({@code tp->undo_marker != 0}). */
    boolean marking() {
        return marking;
    }

    /** No undo of this reduction (it was undone, or it was no guess: {@code tcp_simple_retransmit}). */
    void stopMarking() {
        marking = false;
    }

    /**
     * {@code tcp_enter_cwr}'s part: a reduction for local congestion is no guess, so nothing to
     * go back to ({@code prior_ssthresh = 0}); when it starts one, no undo of it either.
     */
    void noUndo(boolean reductionStarts) {
        priorSsthresh = 0;
        if (reductionStarts) {
            marking = false; // undo_marker = 0
        }
    }

    /** ssthresh before the reduction, or 0 for none. */
    int priorSsthresh() {
        return priorSsthresh;
    }

    /** A retransmission went out: one more to be proven needless before an undo. */
    void onRetransmit() {
        if (marking) {
            undoRetrans = Math.max(undoRetrans, 0) + 1;
        }
    }

    /** Whether the first retransmission's TSval was noted. */
    boolean retransStamped() {
        return retransTsSet;
    }

    /** The TSval of the first retransmission ({@code retrans_stamp}). */
    void retransStamp(int tsVal) {
        retransTsVal = tsVal;
        retransTsSet = true;
    }

    /**
     * {@code tcp_check_dsack}: a D-SACK ending at {@code end} reports a retransmission since the
     * reduction arriving twice. Returns true when with it every one was needless.
     */
    boolean dsack(int end) {
        if (!marking || undoRetrans <= 0 || !Seq.after(end, undoMarker)) {
            return false;
        }
        undoRetrans--;
        return undoRetrans == 0;
    }

    /**
     * {@code tcp_may_undo}: the reduction was needless when every retransmission since it was
     * reported a duplicate by D-SACK, or when the ACK echoes a timestamp older than the first
     * retransmission (Eifel, RFC 3522: the original arrived).
     */
    boolean mayUndo(int tsEcr) {
        if (!marking) {
            return false;
        }
        boolean allDuplicates = undoRetrans == 0;
        boolean delayed = retransTsSet && tsEcr != 0 && tsEcr - retransTsVal < 0;
        return allDuplicates || delayed;
    }
}
