package net.tern.tcp.cc;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The parts of a connection ({@code struct tcp_sock}) congestion control reads and sets.
 * Provided by TCP; windows in segments, times in microseconds on the stack's clock.
 */
@ProviderType
public interface CongestionState {
    /** {@code snd_cwnd}. */
    int cwnd();

    /** Sets {@code snd_cwnd}; TCP clamps it to {@code [1, cwndClamp()]}. */
    void cwnd(int segments);

    /** {@code snd_ssthresh}; {@link Integer#MAX_VALUE} until the first loss (Linux's TCP_INFINITE_SSTHRESH). */
    int ssthresh();

    /**
     * Sets {@code snd_ssthresh}, as Linux's HyStart does when it ends slow start without a loss
     * (RFC 9406 4.2, RFC 9438 4.10: ssthresh = cwnd). TCP keeps it at least 2 segments. TCP
     * itself sets ssthresh from {@link CongestionController#ssthresh} after a loss; this is for
     * an algorithm's own decisions between losses.
     *
     * @since 1.1
     */
    void ssthresh(int segments);

    /** {@code snd_cwnd_cnt}: the additive-increase accumulator, in ACKed segments. */
    int cwndCount();

    void cwndCount(int count);

    /** {@code snd_cwnd_clamp}: the most the window may grow to. */
    int cwndClamp();

    /** {@code prior_cwnd}: the window before the last reduction, for undo. */
    int priorCwnd();

    /** Segments sent and not yet acknowledged nor marked lost ({@code tcp_packets_in_flight}). */
    int packetsInFlight();

    /** The sender maximum segment size ({@code mss_cache}), in bytes. */
    int mss();

    /** Smoothed RTT ({@code srtt_us >> 3}), or 0 before the first sample. */
    long srttMicros();

    /** The lowest RTT seen ({@code tcp_min_rtt}), or 0 before the first sample. */
    long minRttMicros();

    /** Now, on the stack's clock ({@code tcp_jiffies32} / {@code tcp_clock_us}). */
    long nowMicros();

    /** {@code tcp_is_cwnd_limited}: whether the window, not the application, limits sending now. */
    boolean isCwndLimited();

    /** The congestion-avoidance state ({@code icsk_ca_state}). */
    CaState caState();

    /**
     * {@code snd_una}: the oldest unacknowledged sequence number. With {@link #sndNxt()} it marks
     * round trips as Linux's HyStart does ({@code end_seq = snd_nxt}, a round ends when
     * {@code snd_una} passes it).
     *
     * @since 1.2
     */
    int sndUna();

    /**
     * {@code snd_nxt}: the next sequence number to send.
     *
     * @since 1.2
     */
    int sndNxt();

    /**
     * {@code lsndtime}: when data were last sent, in microseconds on the stack's clock. When
     * sending resumes after idle ({@link CaEvent#TX_START}) it is still the previous send's time,
     * so an algorithm can measure how long the connection was idle.
     *
     * @since 1.2
     */
    long lastSendMicros();
}
