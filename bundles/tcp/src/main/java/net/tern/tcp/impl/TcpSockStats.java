package net.tern.tcp.impl;

/**
 * A connection's own statistics, the ones {@code struct tcp_info} reports and the stack's
 * counters ({@link TcpCounters}) do not: segments and data bytes each way
 * ({@code segs_in}, {@code segs_out}, {@code data_segs_in}, {@code data_segs_out},
 * {@code bytes_received}, {@code bytes_sent}, {@code bytes_retrans}, {@code total_retrans})
 * and when data and ACKs last came and went ({@code lsndtime}, {@code icsk_ack.lrcvtime},
 * {@code rcv_tstamp}). Only counted up by the events below; read by {@code tcp_get_info}.
 *
 * <p>Used under the socket lock.
 */
final class TcpSockStats {
    private long segsIn;
    private long segsOut;
    private long dataSegsIn;
    private long dataSegsOut;
    /** Data bytes taken in order ({@code bytes_received}, as {@code tcp_rcv_nxt_update} counts them). */
    private long bytesReceived;
    /** Data bytes sent, retransmissions included, and of those retransmitted. */
    private long bytesSent;
    private long bytesRetrans;
    /** Segments retransmitted, the SYN's included ({@code total_retrans}). */
    private int totalRetrans;
    /** When a segment last arrived: keepalive counts idleness from it. */
    private long lastReceivedNanos;
    /** When data were last sent ({@code lsndtime}) and received ({@code icsk_ack.lrcvtime}), and an acceptable ACK ({@code rcv_tstamp}). */
    private long lastDataSentNanos;
    private long lastDataRecvNanos;
    private long lastAckRecvNanos;

    /** A new connection: nothing counted, and every "last" time is its birth. */
    TcpSockStats(long nowNanos) {
        lastDataSentNanos = nowNanos;
        lastDataRecvNanos = nowNanos;
        lastAckRecvNanos = nowNanos;
    }

    /** A segment reached the socket at {@code nowNanos} ({@code tcp_v4_do_rcv}'s {@code tcp_segs_in}). */
    void onSegmentIn(long nowNanos) {
        segsIn++;
        lastReceivedNanos = nowNanos;
    }

    /** The peer was heard from at {@code nowNanos}: a passive open's child, born of the handshake's ACK. */
    void receivedAt(long nowNanos) {
        lastReceivedNanos = nowNanos;
    }

    /**
     * A segment left ({@code tcp_transmit_skb}'s {@code segs_out}); one carrying
     * {@code dataLength} > 0 bytes counts as data ({@code tcp_event_data_sent}), as a
     * retransmission when {@code retransmission}.
     */
    void onSegmentOut(int dataLength, boolean retransmission, long nowNanos) {
        segsOut++;
        if (dataLength > 0) {
            dataSegsOut++;
            bytesSent += dataLength;
            if (retransmission) {
                bytesRetrans += dataLength;
            }
            lastDataSentNanos = nowNanos;
        }
    }

    /** {@code icsk_ack.lrcvtime} without data: the SYN-ACK that completed an active open ({@code tcp_finish_connect}). */
    void onDataReceivedAt(long nowNanos) {
        lastDataRecvNanos = nowNanos;
    }

    /** {@code lsndtime} without data: the handshake's end ({@code tcp_finish_connect}, {@code tcp_rcv_state_process}). */
    void onDataSentAt(long nowNanos) {
        lastDataSentNanos = nowNanos;
    }

    /** A segment with data in the window arrived ({@code data_segs_in}, {@code icsk_ack.lrcvtime}). */
    void onDataIn(long nowNanos) {
        dataSegsIn++;
        lastDataRecvNanos = nowNanos;
    }

    /** {@code bytes} more data are in order ({@code tcp_rcv_nxt_update}'s {@code bytes_received}). */
    void onBytesReceived(long bytes) {
        bytesReceived += bytes;
    }

    /** An acceptable ACK arrived ({@code rcv_tstamp}). */
    void onAckIn(long nowNanos) {
        lastAckRecvNanos = nowNanos;
    }

    /** A segment was sent again ({@code total_retrans}). */
    void onRetransmit() {
        totalRetrans++;
    }

    long segsIn() {
        return segsIn;
    }

    long segsOut() {
        return segsOut;
    }

    long dataSegsIn() {
        return dataSegsIn;
    }

    long dataSegsOut() {
        return dataSegsOut;
    }

    long bytesReceived() {
        return bytesReceived;
    }

    long bytesSent() {
        return bytesSent;
    }

    long bytesRetrans() {
        return bytesRetrans;
    }

    int totalRetrans() {
        return totalRetrans;
    }

    /** When a segment last arrived, 0 before the first. */
    long lastReceivedNanos() {
        return lastReceivedNanos;
    }

    long lastDataSentNanos() {
        return lastDataSentNanos;
    }

    long lastDataRecvNanos() {
        return lastDataRecvNanos;
    }

    long lastAckRecvNanos() {
        return lastAckRecvNanos;
    }
}
