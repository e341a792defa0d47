package net.tern.tcp.impl;

import net.tern.spi.net.Clock;
import net.tern.wire.TcpOptions;

/**
 * SACK processing of an incoming ACK (RFC 2018, RFC 6675, RFC 2883), with what it reports to
 * the stack: the connection's scoreboard itself, and its marking, is its {@link RtxQueue}.
 * <ul>
 * <li>{@link #sacktagWriteQueue}: {@code tcp_sacktag_write_queue} with {@code tcp_check_dsack}
 *     ({@code TCPDSACKRecv}, and the D-SACK undo);</li>
 * <li>{@link #checkSackReneging}: {@code tcp_check_sack_reneging} ({@code TCPSACKReneging}, the
 *     retransmission timer brought forward).</li>
 * </ul>
 * Called under the socket lock.
 */
final class TcpSack {
    /** {@link #sacktagWriteQueue} result bit: a segment was newly SACKed ({@code FLAG_DATA_SACKED}). */
    static final int NEW_SACKED = 1;
    /** {@link #sacktagWriteQueue} result bit: the first block reported a duplicate (RFC 2883, {@code FLAG_DSACKING_ACK}). */
    static final int DSACK = 2;
    /** {@link #sacktagWriteQueue} result bit: the D-SACK reports the tail loss probe arriving with the original ({@code FLAG_DSACK_TLP}). */
    static final int DSACK_TLP = 4;

    private final TcpCounters counters;
    private final Clock clock;

    TcpSack(TcpCounters counters, Clock clock) {
        this.counters = counters;
        this.clock = clock;
    }

    /**
     * {@code tcp_sacktag_write_queue}: marks the segments the ACK's SACK blocks cover. A first
     * block below the cumulative ACK, or inside the second block, is a D-SACK (RFC 2883 4):
     * it is counted and not used as a SACK. Blocks outside {@code [snd_una - max_window,
     * snd_max]} or empty are ignored ({@code tcp_is_sackblock_valid}); a segment is SACKed
     * when a block covers it whole. Each segment newly SACKed is RACK's news (RFC 8985 6.2), and
     * one never retransmitted that fills a hole below the highest SACKed is reordering
     * ({@code tcp_check_sack_reordering}, {@code TCPSACKReorder}, {@code tcp_info.tcpi_reordering}).
     */
    int sacktagWriteQueue(TcpSock sk, TcpOptions options, int ack) {
        int count = options.sackBlockCount;
        if (count == 0) {
            return 0;
        }
        int result = 0;
        int[] blocks = options.sackBlocks;
        int first = 0;
        Rack rack = sk.rtx().rack();
        if (checkDsack(blocks, count, ack)) {
            result |= DSACK;
            first = 1;
            sk.rtx().dsackReceived();
            counters.inc(TcpExtMib.TCPDSACKRecv);
            // tcp_dsack_seen: one segment's D-SACK ending where the probe left snd_nxt reports
            // the probe and the original both arrived.
            int length = blocks[1] - blocks[0];
            boolean ofProbe = length <= sk.opts().mssCache() && rack.tlpOut() && rack.tlpHighSeq() == blocks[1];
            if (ofProbe) {
                result |= DSACK_TLP;
            }
            // A D-SACK for more duplicates than were ever retransmitted is not about this
            // sender's retransmissions (tcp_dsack_seen): RACK ignores it.
            if (sk.rtx().dsackDups() <= sk.stats().totalRetrans()) {
                rack.dsackSeen(ofProbe);
            }
            sk.ca().tryUndoDsack(blocks[0], blocks[1]);
        }
        int priorHighestSack = sk.rtx().highestSack();
        long now = clock.nanoTime();
        long minRttUs = sk.rtt().minRttUs();
        for (int b = first; b < count; b++) {
            int start = blocks[2 * b];
            int end = blocks[2 * b + 1];
            if (!Seq.before(start, end) || Seq.after(end, sk.snd().sndMax()) || !Seq.after(end, ack)
                    || Seq.before(start, sk.snd().sndUna() - sk.snd().maxWindow())) {
                continue;
            }
            if (sk.rtx().markSacked(Seq.max(start, ack), end, priorHighestSack, now, minRttUs, true)) {
                result |= NEW_SACKED;
            }
        }
        checkSackReordering(sk, sk.rtx().takeReordLow());
        return result;
    }

    /**
     * {@code tcp_check_sack_reordering}: segments from {@code low} (unsigned; -1 for none) were
     * delivered after data above them: the reordering degree grows to what it spans and the
     * event is counted ({@code TCPSACKReorder}).
     */
    void checkSackReordering(TcpSock sk, long low) {
        if (low < 0) {
            return;
        }
        int fack = sk.rtx().highestSackSeq(sk.snd().sndUna());
        if (sk.rtx().rack().checkSackReordering((int) low, fack, sk.opts().mssCache())) {
            counters.inc(TcpExtMib.TCPSACKReorder);
        }
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

    /**
     * {@code tcp_check_sack_reneging}: an ACK that stops at a segment the receiver SACKed
     * means it threw SACKed data away (allowed by RFC 2018 8). The scoreboard is wrong, so
     * the retransmission timer is brought forward to a short delay; the timeout then marks
     * everything lost and starts over. Returns whether the receiver reneged.
     */
    boolean checkSackReneging(TcpSock sk) {
        TxSegment head = sk.rtx().head();
        if (head == null || !head.sacked()) {
            return false;
        }
        counters.inc(TcpExtMib.TCPSACKReneging);
        long delayUs = Math.max(sk.rtt().srttUs() >> 4, 10_000L);
        sk.timers().resetXmitTimer(SockTimers.Pending.RETRANS, Math.min(delayUs, sk.rtt().rtoUs()));
        return true;
    }
}
