package net.tern.tcp.impl;

/**
 * One segment sent and not yet acknowledged (an entry of {@code tcp_rtx_queue}): its
 * sequence range, whether it carried SYN or FIN, when it was (last) sent, and whether it was
 * retransmitted, so Karn's rule can refuse RTT samples from it. Its data stay in the send
 * queue until acknowledged.
 */
final class TxSegment {
    int seq;
    int length;
    int flags;
    long sentNanos;
    boolean retransmitted;

    TxSegment(int seq, int length, int flags, long sentNanos, boolean retransmitted) {
        this.seq = seq;
        this.length = length;
        this.flags = flags;
        this.sentNanos = sentNanos;
        this.retransmitted = retransmitted;
    }

    /** The sequence number after this segment: data plus one for SYN and one for FIN. */
    int endSeq() {
        return seq + length + ((flags & net.tern.tcp.impl.wire.TcpHeader.SYN) != 0 ? 1 : 0)
                + ((flags & net.tern.tcp.impl.wire.TcpHeader.FIN) != 0 ? 1 : 0);
    }
}
