package net.tern.tcp.impl;

/**
 * A connection's round-trip time estimate and retransmission timeout (RFC 6298; Linux's
 * {@code srtt_us}, {@code rttvar_us}, {@code rtt_min} and {@code icsk_rto}, as
 * {@code tcp_rtt_estimator}, {@code tcp_set_rto} and the backoff of
 * {@code tcp_retransmit_timer} change them). Its state changes only through its methods:
 * a sample, a backoff, the initial or the fallback timeout, a new start.
 */
final class RttEstimator {
    /**
     * RFC 6298 5.7 ({@code TCP_TIMEOUT_FALLBACK}): a handshake that gave no RTT sample (its
     * SYN or SYN-ACK was sent again, or a cookie without timestamps) leaves a 3 s RTO, as
     * Linux's {@code tcp_init_metrics} sets it on both sides.
     */
    static final long TIMEOUT_FALLBACK_US = 3_000_000;

    private long srttUs;
    private long rttvarUs;
    private long minRttUs;
    private long rtoUs;

    RttEstimator(long rtoUs) {
        this.rtoUs = rtoUs;
    }

    /** The smoothed RTT (SRTT), 0 before the first sample. */
    long srttUs() {
        return srttUs;
    }

    /** The RTT variation (RTTVAR). */
    long rttvarUs() {
        return rttvarUs;
    }

    /** The smallest RTT sampled, 0 before the first sample. */
    long minRttUs() {
        return minRttUs;
    }

    /** The retransmission timeout now, backoff included. */
    long rtoUs() {
        return rtoUs;
    }

    /**
     * {@code tcp_rtt_estimator} and {@code tcp_set_rto} (RFC 6298 2): a sample of
     * {@code rttUs} updates SRTT and RTTVAR, and the RTO becomes SRTT + max(4 * RTTVAR,
     * {@code rtoMinUs}) (Linux's floor on the variance term), at most {@code rtoMaxUs}.
     */
    void sample(long rttUs, long rtoMinUs, long rtoMaxUs) {
        if (srttUs == 0) {
            srttUs = rttUs;
            rttvarUs = rttUs / 2;
        } else {
            long delta = Math.abs(srttUs - rttUs);
            rttvarUs = (3 * rttvarUs + delta) / 4;
            srttUs = (7 * srttUs + rttUs) / 8;
        }
        minRttUs = minRttUs == 0 ? rttUs : Math.min(minRttUs, rttUs);
        rtoUs = Math.min(srttUs + Math.max(4 * rttvarUs, rtoMinUs), rtoMaxUs);
    }

    /** RFC 6298 5.5: the timer expired, the RTO doubles, up to {@code rtoMaxUs}. */
    void backoff(long rtoMaxUs) {
        rtoUs = Math.min(rtoUs * 2, rtoMaxUs);
    }

    /** The initial RTO of a connection being opened ({@code TCP_TIMEOUT_INIT}, RFC 6298 2.1). */
    void initRto(long initialUs) {
        rtoUs = initialUs;
    }

    /** RFC 6298 5.7: the handshake gave no sample after a retransmission; the RTO is 3 s. */
    void timeoutFallback() {
        rtoUs = TIMEOUT_FALLBACK_US;
    }

    /** A socket disconnected to connect again: no estimate, the initial RTO. */
    void restart(long initialUs) {
        srttUs = 0;
        rttvarUs = 0;
        rtoUs = initialUs;
    }
}
