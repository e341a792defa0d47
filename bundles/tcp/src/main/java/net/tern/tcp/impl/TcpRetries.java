package net.tern.tcp.impl;

/**
 * A connection's retry and probe counters (the {@code inet_connection_sock} part Linux keeps
 * them in): retransmission timeouts in a row ({@code icsk_retransmits}) and the RTO's backoff
 * ({@code icsk_backoff}), when the first of those retransmissions went ({@code retrans_stamp},
 * which {@code retransmits_timed_out} measures from), zero-window
 * probes unanswered ({@code icsk_probes_out}) and keepalive probes unanswered. Counted up by
 * the timers, set back by the ACKs that prove the peer alive.
 *
 * <p>Used under the socket lock.
 */
final class TcpRetries {
    private static final long NO_PROBES = Long.MIN_VALUE;

    private int retransmits;
    private int backoff;
    private long retransStampNanos;
    private int probesOut;
    private int keepaliveProbes;
    /** When the first of the zero-window probes unanswered went ({@code icsk_probes_tstamp}); {@link #NO_PROBES} while none is. */
    private long probesStampNanos = NO_PROBES;

    int retransmits() {
        return retransmits;
    }

    int backoff() {
        return backoff;
    }

    long retransStampNanos() {
        return retransStampNanos;
    }

    int probesOut() {
        return probesOut;
    }

    int keepaliveProbes() {
        return keepaliveProbes;
    }

    /** The first transmission that a timeout may have to repeat left at {@code sentNanos} ({@code retrans_stamp}). */
    void retransStamp(long sentNanos) {
        retransStampNanos = sentNanos;
    }

    /** {@code tcp_retransmit_timer}: one more timeout, the RTO backed off ({@code icsk_retransmits++}, {@code icsk_backoff++}). */
    void onRetransmitTimeout() {
        retransmits++;
        backoff++;
    }

    /** {@code tcp_retransmit_timer} whose retransmission the link's queue dropped: a timeout ({@code tcp_update_rto_stats}), no backoff. */
    void onTimeoutRetransmitDropped() {
        retransmits++;
    }

    /** New data acknowledged, a handshake completed, a fresh connect or disconnect: no timeout pending, no backoff. */
    void clearRetransmits() {
        retransmits = 0;
        backoff = 0;
    }

    /** {@code tcp_ack_probe}: the window opened, so the probe timer's backoff ends. */
    void clearBackoff() {
        backoff = 0;
    }

    /** {@code tcp_send_probe0}: a zero-window probe went ({@code icsk_probes_out++}, {@code icsk_backoff++}). */
    void onProbeSent() {
        probesOut++;
        backoff++;
    }

    /** {@code tcp_send_probe0} for a probe the link's queue dropped: counted, but no backoff. */
    void onProbeDropped() {
        probesOut++;
    }

    /** {@code tcp_probe_timer} with nothing to probe for: the probes are over. */
    void clearProbes() {
        probesOut = 0;
        probesStampNanos = NO_PROBES;
    }

    /** Whether a probe series has started ({@code icsk_probes_tstamp} set). */
    boolean probesStamped() {
        return probesStampNanos != NO_PROBES;
    }

    /** When the probe series started. */
    long probesStampNanos() {
        return probesStampNanos;
    }

    /** {@code tcp_probe_timer}: the probe series starts now. */
    void probesStamp(long nowNanos) {
        probesStampNanos = nowNanos;
    }

    /** {@code tcp_keepalive_timer}: a keepalive probe went. */
    void onKeepaliveProbe() {
        keepaliveProbes++;
    }

    /** {@code tcp_ack}: the peer answered, so no probe is outstanding ({@code icsk_probes_out = 0}). */
    void onAckIn() {
        probesOut = 0;
        probesStampNanos = NO_PROBES;
        keepaliveProbes = 0;
    }
}
