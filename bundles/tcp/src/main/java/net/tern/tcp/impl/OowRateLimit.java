package net.tern.tcp.impl;

/**
 * When an ACK last answered an invalid segment ({@code last_oow_ack_time} of a connection,
 * request or TIME-WAIT entry), which {@code __tcp_oow_rate_limited} judges the next one by
 * ({@link TcpChallengeAck#oowRateLimited}).
 */
final class OowRateLimit {
    private long lastAckNanos = Long.MIN_VALUE;

    /**
     * True when an ACK answered an invalid segment less than {@code intervalNanos} before
     * {@code nowNanos}; otherwise this one is allowed and its time noted.
     */
    boolean limited(long nowNanos, long intervalNanos) {
        long elapsed = nowNanos - lastAckNanos;
        if (lastAckNanos != Long.MIN_VALUE && elapsed >= 0 && elapsed < intervalNanos) {
            return true;
        }
        lastAckNanos = nowNanos;
        return false;
    }
}
