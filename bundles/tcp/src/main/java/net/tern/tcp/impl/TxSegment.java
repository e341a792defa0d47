package net.tern.tcp.impl;

import net.tern.wire.TcpPacket;

/**
 * One segment sent and not yet acknowledged (an entry of {@code tcp_rtx_queue}): its
 * sequence range, whether it carried SYN, FIN or PSH, when it was (last) sent, and its scoreboard
 * marks ({@code TCP_SKB_CB(skb)->sacked}). Its data stay in the send queue until acknowledged.
 */
final class TxSegment {
    int seq;
    int length;
    int flags;
    long sentNanos;
    /** Sent more than once ({@code TCPCB_EVER_RETRANS}): Karn's rule refuses RTT samples from it. */
    boolean retransmitted;
    /** The receiver holds it, by a SACK block ({@code TCPCB_SACKED_ACKED}). */
    boolean sacked;
    /** Presumed lost, waiting for (or past) its retransmission ({@code TCPCB_LOST}). */
    boolean lost;
    /** A retransmission of it is in flight ({@code TCPCB_SACKED_RETRANS}). */
    boolean retransInFlight;
    /**
     * {@code snd_nxt} when it was last retransmitted: once data from there on are SACKed, that
     * retransmission is lost too ({@code tcp_mark_lost_retrans}).
     */
    int retransSndNxt;
    /** Segments delivered when it was (last) sent ({@code tx.delivered}): how old a D-SACK for it is (RACK). */
    int deliveredAtSend;

    TxSegment(int seq, int length, int flags, long sentNanos, boolean retransmitted) {
        this.seq = seq;
        this.length = length;
        this.flags = flags;
        this.sentNanos = sentNanos;
        this.retransmitted = retransmitted;
    }

    /** The sequence number after this segment: data plus one for SYN and one for FIN. */
    int endSeq() {
        return seq + length + ((flags & TcpPacket.SYN) != 0 ? 1 : 0) + ((flags & TcpPacket.FIN) != 0 ? 1 : 0);
    }
}
