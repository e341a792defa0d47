package net.tern.tcp.impl;

import net.tern.spi.net.Spares;
import net.tern.wire.TcpPacket;

/**
 * One segment sent and not yet acknowledged (an entry of {@code tcp_rtx_queue}): its
 * sequence range, whether it carried SYN, FIN or PSH, when it was (last) sent, and its
 * scoreboard marks ({@code TCP_SKB_CB(skb)->sacked}). Its data stay in the send queue
 * until acknowledged. Others read it; only its {@link RtxQueue}, which keeps its counts in
 * step with the marks, calls the methods that change it.
 */
final class TxSegment {
    /**
     * Entries acknowledged, kept for the next segments sent: by the thread that processed
     * the ACK, then shared, so the application thread that sends takes what the network
     * thread freed.
     */
    private static final Spares<TxSegment> SPARES = new Spares<>(4096);

    /** Its neighbours in its queue ({@link TxList}), null at the ends and off the queue. */
    private TxSegment prev;
    private TxSegment next;
    private int seq;
    private int length;
    private int flags;
    private long sentNanos;
    /** Sent more than once ({@code TCPCB_EVER_RETRANS}): Karn's rule refuses RTT samples from it. */
    private boolean retransmitted;
    /** The receiver holds it, by a SACK block ({@code TCPCB_SACKED_ACKED}). */
    private boolean sacked;
    /** Presumed lost, waiting for (or past) its retransmission ({@code TCPCB_LOST}). */
    private boolean lost;
    /** A retransmission of it is in flight ({@code TCPCB_SACKED_RETRANS}). */
    private boolean retransInFlight;
    /**
     * {@code snd_nxt} when it was last retransmitted: once data from there on are SACKed, that
     * retransmission is lost too ({@code tcp_mark_lost_retrans}).
     */
    private int retransSndNxt;
    /** Segments delivered when it was (last) sent ({@code tx.delivered}): how old a D-SACK for it is (RACK). */
    private int deliveredAtSend;
    /**
     * It is the first segment still queued of an skb as Linux would hold it: of a packet
     * {@code tcp_write_xmit} sent at once, or of a piece {@code tcp_fragment} cut off. Counted
     * by {@link TxList#skbs}.
     */
    private boolean skbHead;

    TxSegment(int seq, int length, int flags, long sentNanos, boolean retransmitted) {
        this.seq = seq;
        this.length = length;
        this.flags = flags;
        this.sentNanos = sentNanos;
        this.retransmitted = retransmitted;
    }

    /** A segment as {@link #TxSegment the constructor} makes it, an entry acknowledged before if one is kept. */
    static TxSegment of(int seq, int length, int flags, long sentNanos, boolean retransmitted) {
        TxSegment s = SPARES.take();
        if (s == null) {
            return new TxSegment(seq, length, flags, sentNanos, retransmitted);
        }
        s.seq = seq;
        s.length = length;
        s.flags = flags;
        s.sentNanos = sentNanos;
        s.retransmitted = retransmitted;
        s.sacked = false;
        s.lost = false;
        s.retransInFlight = false;
        s.retransSndNxt = 0;
        s.deliveredAtSend = 0;
        s.skbHead = false;
        return s;
    }

    /** Off its queue for good: kept for a later {@link #of}. */
    void recycle() {
        SPARES.give(this);
    }

    int seq() {
        return seq;
    }

    TxSegment prev() {
        return prev;
    }

    TxSegment next() {
        return next;
    }

    /** Links it between {@code prev} and {@code next}; {@link TxList} alone calls it. */
    void link(TxSegment prev, TxSegment next) {
        this.prev = prev;
        this.next = next;
    }

    /** Data bytes (SYN and FIN not counted). */
    int length() {
        return length;
    }

    /** SYN, FIN and PSH as sent. */
    int flags() {
        return flags;
    }

    /** When it was (last) sent. */
    long sentNanos() {
        return sentNanos;
    }

    boolean retransmitted() {
        return retransmitted;
    }

    boolean sacked() {
        return sacked;
    }

    boolean lost() {
        return lost;
    }

    boolean retransInFlight() {
        return retransInFlight;
    }

    int retransSndNxt() {
        return retransSndNxt;
    }

    boolean skbHead() {
        return skbHead;
    }

    void skbHead(boolean head) {
        skbHead = head;
    }

    int deliveredAtSend() {
        return deliveredAtSend;
    }

    /** {@code tcp_trim_head}: the receiver acknowledged its bytes before {@code ack}. */
    void trimHead(int ack) {
        length -= ack - seq;
        seq = ack;
    }

    /**
     * {@code tcp_fragment}'s cut: this segment keeps its first {@code mss} bytes and no flags;
     * the returned one holds the rest, with the flags, send time and loss mark it had.
     */
    TxSegment splitAt(int mss) {
        TxSegment rest = of(seq + mss, length - mss, flags, sentNanos, retransmitted);
        rest.lost = lost;
        rest.skbHead = true; // tcp_fragment allocates an skb for the rest
        length = mss;
        flags = 0;
        return rest;
    }

    /** Sent again at {@code nowNanos}, with {@code delivered} segments delivered so far. */
    void resent(long nowNanos, int delivered) {
        retransmitted = true;
        sentNanos = nowNanos;
        deliveredAtSend = delivered;
    }

    void retransSndNxt(int sndNxt) {
        retransSndNxt = sndNxt;
    }

    void deliveredAtSend(int delivered) {
        deliveredAtSend = delivered;
    }

    void sacked(boolean sacked) {
        this.sacked = sacked;
    }

    void lost(boolean lost) {
        this.lost = lost;
    }

    void retransInFlight(boolean retransInFlight) {
        this.retransInFlight = retransInFlight;
    }

    /** The sequence number after this segment: data plus one for SYN and one for FIN. */
    int endSeq() {
        return seq + length + ((flags & TcpPacket.SYN) != 0 ? 1 : 0) + ((flags & TcpPacket.FIN) != 0 ? 1 : 0);
    }
}
