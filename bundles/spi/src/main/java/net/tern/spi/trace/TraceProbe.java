package net.tern.spi.trace;

/**
 * A connection's sending state, as Linux's {@code tcp:tcp_probe} tracepoint records it
 * (with {@code tcp_info}'s names): what congestion-window plots are drawn from.
 *
 * @param sndNxt          the next sequence number to send
 * @param sndUna          the oldest unacknowledged sequence number
 * @param cwnd            the congestion window, in segments
 * @param ssthresh        the slow-start threshold, in segments ({@code Integer.MAX_VALUE}: none yet)
 * @param sndWnd          the peer's receive window, scaled, in bytes
 * @param rcvWnd          our receive window, in bytes
 * @param srttUs          the smoothed round-trip time, microseconds
 * @param rttvarUs        the round-trip time variation, microseconds
 * @param packetsInFlight segments in flight ({@code tcp_packets_in_flight})
 * @param mss             the segment size in use ({@code mss_cache})
 * @param bytesAcked      bytes acknowledged so far ({@code tcpi_bytes_acked}): the delivery
 *                        rate is its growth over time
 * @param caState         the congestion state ({@code TCP_CA_Open}, {@code TCP_CA_Recovery}, ...)
 */
public record TraceProbe(int sndNxt, int sndUna, int cwnd, int ssthresh, long sndWnd, long rcvWnd, long srttUs,
        long rttvarUs, int packetsInFlight, int mss, long bytesAcked, String caState) {
}
