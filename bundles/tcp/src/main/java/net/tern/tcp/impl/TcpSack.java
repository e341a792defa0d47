package net.tern.tcp.impl;

import java.util.Iterator;
import net.tern.wire.TcpOptions;

/**
 * The sender's SACK scoreboard (RFC 2018, RFC 6675) over the retransmission queue, kept as
 * {@code tcp_input.c} keeps it: each {@link TxSegment} carries SACKed / lost / retransmitted
 * marks and the socket counts them ({@code sacked_out}, {@code lost_out},
 * {@code retrans_out}), so RFC 6675's pipe is {@link TcpSock#packetsInFlight()}.
 * <ul>
 * <li>{@link #sacktagWriteQueue}: {@code tcp_sacktag_write_queue} with {@code tcp_check_dsack};</li>
 * <li>{@link #markHeadLost}: RFC 6675 IsLost() over the queue ({@code tcp_mark_head_lost}
 *     with DupThresh 3, by segments or by bytes), and lost retransmissions
 *     ({@code tcp_mark_lost_retrans});</li>
 * <li>{@link #markAllLost}: {@code tcp_enter_loss}'s marking after a timeout (RFC 6675 5.1:
 *     SACKed segments are not sent again);</li>
 * <li>{@link #checkSackReneging}: {@code tcp_check_sack_reneging}.</li>
 * </ul>
 * Called under the socket lock.
 */
final class TcpSack {
    /** RFC 6675 DupThresh ({@code tcp_reordering}). */
    static final int DUP_THRESH = TcpCongestion.DUPACK_THRESHOLD;

    /** {@link #sacktagWriteQueue} result bit: a segment was newly SACKed ({@code FLAG_DATA_SACKED}). */
    static final int NEW_SACKED = 1;
    /** {@link #sacktagWriteQueue} result bit: the first block reported a duplicate (RFC 2883, {@code FLAG_DSACKING_ACK}). */
    static final int DSACK = 2;

    private final TcpCounters counters;
    private final TcpCongestion congestion;

    TcpSack(TcpCounters counters, TcpCongestion congestion) {
        this.counters = counters;
        this.congestion = congestion;
    }

    /**
     * {@code tcp_sacktag_write_queue}: marks the segments the ACK's SACK blocks cover. A first
     * block below the cumulative ACK, or inside the second block, is a D-SACK (RFC 2883 4):
     * it is counted and not used as a SACK. Blocks outside {@code [snd_una - max_window,
     * snd_max]} or empty are ignored ({@code tcp_is_sackblock_valid}); a segment is SACKed
     * when a block covers it whole.
     */
    int sacktagWriteQueue(TcpSock sk, TcpOptions options, int ack) {
        int count = options.sackBlockCount;
        if (count == 0) {
            return 0;
        }
        int result = 0;
        int[] blocks = options.sackBlocks;
        int first = 0;
        if (checkDsack(blocks, count, ack)) {
            result |= DSACK;
            first = 1;
            sk.dsackDups++;
            counters.inc(TcpExtMib.TCPDSACKRecv);
            congestion.tryUndoDsack(sk, blocks[0], blocks[1]);
        }
        for (int b = first; b < count; b++) {
            int start = blocks[2 * b];
            int end = blocks[2 * b + 1];
            if (!Seq.before(start, end) || Seq.after(end, sk.sndMax) || !Seq.after(end, ack)
                    || Seq.before(start, sk.sndUna - sk.maxWindow)) {
                continue;
            }
            if (markSacked(sk, Seq.max(start, ack), end)) {
                result |= NEW_SACKED;
            }
        }
        return result;
    }

    /** {@code tcp_check_dsack}: whether the first block reports data received twice. */
    private static boolean checkDsack(int[] blocks, int count, int ack) {
        int start = blocks[0];
        int end = blocks[1];
        if (!Seq.before(start, end)) {
            return false;
        }
        if (Seq.before(start, ack)) {
            return true;
        }
        return count > 1 && !Seq.before(start, blocks[2]) && !Seq.after(end, blocks[3]);
    }

    private static boolean markSacked(TcpSock sk, int start, int end) {
        boolean newly = false;
        for (TxSegment s : sk.rtxQueue) {
            if (!Seq.before(s.seq, end)) {
                break;
            }
            if (s.sacked || Seq.before(s.seq, start) || Seq.after(s.endSeq(), end)) {
                continue;
            }
            s.sacked = true;
            sk.sackedOut++;
            if (s.lost) {
                s.lost = false;
                sk.lostOut--;
            }
            if (s.retransInFlight) {
                s.retransInFlight = false;
                sk.retransOut--;
            }
            if (sk.sackedOut == 1 || Seq.after(s.endSeq(), sk.highestSack)) {
                sk.highestSack = s.endSeq();
            }
            newly = true;
        }
        return newly;
    }

    /**
     * RFC 6675 IsLost() for every segment not yet marked: lost when DupThresh SACKed segments,
     * or more than (DupThresh - 1) * SMSS SACKed bytes, lie above it. One walk from the tail
     * down, summing what is SACKed above. On the way, a retransmission is itself lost
     * ({@code tcp_mark_lost_retrans}, {@code TCPLostRetransmit}) when data sent after it was
     * SACKed: it goes back to waiting for a retransmission. Returns how many such lost
     * retransmissions it found.
     */
    static int markHeadLost(TcpSock sk) {
        int lostRetransmits = 0;
        if (sk.sackedOut == 0) {
            return lostRetransmits;
        }
        int sackedAbove = 0;
        long sackedBytesAbove = 0;
        long byteThreshold = (long) (DUP_THRESH - 1) * sk.mssCache;
        Iterator<TxSegment> down = sk.rtxQueue.descendingIterator();
        while (down.hasNext()) {
            TxSegment s = down.next();
            if (s.sacked) {
                sackedAbove++;
                sackedBytesAbove += s.length;
                continue;
            }
            if (s.retransInFlight && Seq.after(sk.highestSack, s.retransSndNxt)) {
                s.retransInFlight = false;
                sk.retransOut--;
                lostRetransmits++;
            }
            if (!s.lost && (sackedAbove >= DUP_THRESH || sackedBytesAbove > byteThreshold)) {
                s.lost = true;
                sk.lostOut++;
            }
        }
        return lostRetransmits;
    }

    /** {@code tcp_mark_skb_lost} for the head: fast retransmit presumes it lost whatever the SACKs say. */
    static void markSkbLost(TcpSock sk) {
        TxSegment head = sk.rtxQueue.peekFirst();
        if (head != null && !head.sacked && !head.lost) {
            head.lost = true;
            sk.lostOut++;
        }
    }

    /**
     * {@code tcp_enter_loss}'s marking: after a retransmission timeout every segment not
     * SACKed is lost and no retransmission is in flight any more. SACKed segments keep their
     * mark (RFC 6675 5.1) unless the receiver reneged: a SACKed head means it dropped what it
     * had SACKed, so every mark is cleared (RFC 2018 8).
     */
    static void markAllLost(TcpSock sk) {
        TxSegment head = sk.rtxQueue.peekFirst();
        boolean reneged = head != null && head.sacked;
        sk.lostOut = 0;
        sk.retransOut = 0;
        if (reneged) {
            sk.sackedOut = 0;
        }
        for (TxSegment s : sk.rtxQueue) {
            s.retransInFlight = false;
            if (reneged) {
                s.sacked = false;
            }
            s.lost = !s.sacked;
            if (s.lost) {
                sk.lostOut++;
            }
        }
    }

    /**
     * {@code tcp_check_sack_reneging}: an ACK that stops at a segment the receiver SACKed
     * means it threw SACKed data away (allowed by RFC 2018 8). The scoreboard is wrong, so
     * the retransmission timer is brought forward to a short delay; the timeout then marks
     * everything lost and starts over. Returns whether the receiver reneged.
     */
    boolean checkSackReneging(TcpSock sk) {
        TxSegment head = sk.rtxQueue.peekFirst();
        if (head == null || !head.sacked) {
            return false;
        }
        counters.inc(TcpExtMib.TCPSACKReneging);
        long delayUs = Math.max(sk.rtt().srttUs() >> 4, 10_000L);
        sk.timers().resetXmitTimer(SockTimers.Pending.RETRANS, Math.min(delayUs, sk.rtt().rtoUs()));
        return true;
    }

    /** {@code tcp_undo_cwnd_reduction} with unmarking: after a needless timeout nothing is lost. */
    static void clearLost(TcpSock sk) {
        for (TxSegment s : sk.rtxQueue) {
            s.lost = false;
        }
        sk.lostOut = 0;
    }

    /** Forgets the marks of a segment leaving the queue (cumulatively acknowledged). */
    static void unlink(TcpSock sk, TxSegment s) {
        if (s.sacked) {
            sk.sackedOut--;
        }
        if (s.lost) {
            sk.lostOut--;
        }
        if (s.retransInFlight) {
            sk.retransOut--;
        }
    }
}
