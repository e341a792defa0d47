package net.tern.tcp.impl;

/**
 * Duplicate ACKs counted as SACKs on a connection without SACK, as Linux counts them in
 * {@code sacked_out} ({@code tcp_add_reno_sack}, {@code tcp_remove_reno_sacks},
 * {@code tcp_limit_reno_sacked}): each says one more segment above the hole left the network
 * (which one is unknown, so no segment is marked). The pipe shrinks by one for each, which lets
 * new data go on the first duplicates (limited transmit, RFC 3042) and PRR count the delivery.
 *
 * <p>Part of its {@link RtxQueue}'s scoreboard ({@link RtxQueue#sackedOut()} includes it);
 * used under the socket lock.
 */
final class RenoSacks {
    private int count;

    int count() {
        return count;
    }

    /**
     * {@code tcp_add_reno_sack}: {@code dupAcks} more, at most what is out less the holes.
     * Returns the segments newly counted delivered.
     */
    int addRenoSack(int dupAcks, int packetsOut, int lostOut) {
        int prior = count;
        count += dupAcks;
        limitRenoSacked(packetsOut, lostOut);
        return Math.max(0, count - prior);
    }

    /**
     * {@code tcp_remove_reno_sacks}: a cumulative ACK of {@code acked} segments; one filled the
     * hole, the rest were counted already by duplicates. Returns the segments newly counted
     * delivered (at least one).
     */
    int removeRenoSacks(int acked, int packetsOut, int lostOut) {
        int newly = 0;
        if (acked > 0) {
            newly = Math.max(acked - count, 1);
            count = acked - 1 >= count ? 0 : count - (acked - 1);
        }
        limitRenoSacked(packetsOut, lostOut);
        return newly;
    }

    /** {@code tcp_reset_reno_sack}: recovery over, or a timeout. */
    void resetRenoSack() {
        count = 0;
    }

    /** {@code tcp_limit_reno_sacked}: at most what is out, less the holes (at least one). */
    private void limitRenoSacked(int packetsOut, int lostOut) {
        int holes = Math.min(Math.max(lostOut, 1), packetsOut);
        if (count + holes > packetsOut) {
            count = Math.max(0, packetsOut - holes);
        }
    }
}
