package net.tern.tcp.cubic;

/**
 * HyStart++ (RFC 9406): the initial slow start, left early when the RTT grows, before the
 * queue overflows. Standard slow start runs until the minimum RTT of a round rises by a
 * threshold over the previous round's; then Conservative Slow Start (CSS) grows at a quarter
 * of the rate for up to {@value #CSS_ROUNDS} rounds, returning to slow start if the RTT falls
 * back below the level that triggered it, and otherwise ending slow start for good.
 *
 * <p>Rounds. RFC 9406 marks a round with {@code windowEnd = SND.NXT} and ends it when an ACK
 * covers {@code windowEnd}. The segments outstanding when the round starts are exactly those
 * up to {@code SND.NXT}, so a round here ends once that many segments have been ACKed since
 * it began; the count comes from {@code packets_in_flight}, which is all the congestion
 * state carries. A loss would make the two differ, but a loss ends HyStart++.
 *
 * <p>Increases. Each ACK may grow the window by at most {@value #ACK_LIMIT} segments (L,
 * RFC 9406, 4.3: 8 for a sender that does not pace), in CSS by a quarter of that, carried
 * over between ACKs.
 *
 * <p>One instance per connection, driven from the controller's hooks; not thread-safe, as
 * TCP never calls one connection's hooks concurrently.
 */
final class HyStartPlusPlus {
    /** Lower bound of the RTT increase that ends slow start (MIN_RTT_THRESH, 4 ms). */
    static final long MIN_RTT_THRESH_MICROS = 4_000;
    /** Upper bound of that increase (MAX_RTT_THRESH, 16 ms). */
    static final long MAX_RTT_THRESH_MICROS = 16_000;
    /** The increase is the previous round's minimum RTT divided by this (MIN_RTT_DIVISOR). */
    static final int MIN_RTT_DIVISOR = 8;
    /** RTT samples a round needs before its minimum is trusted (N_RTT_SAMPLE). */
    static final int N_RTT_SAMPLE = 8;
    /** CSS grows by 1/this of slow start's increase (CSS_GROWTH_DIVISOR). */
    static final int CSS_GROWTH_DIVISOR = 4;
    /** The most rounds CSS lasts before slow start ends (CSS_ROUNDS). */
    static final int CSS_ROUNDS = 5;
    /** L: the most segments one ACK may add to the window, for a sender that does not pace. */
    static final int ACK_LIMIT = 8;

    private static final long NO_RTT = Long.MAX_VALUE;

    /** Where HyStart++ is. */
    enum Phase {
        /** Standard slow start, watching the RTT. */
        SLOW_START,
        /** Conservative Slow Start: the RTT rose; growing at a quarter of the rate. */
        CONSERVATIVE_SLOW_START,
        /** Over: CSS ran its rounds, a loss was seen, or HyStart++ is switched off. */
        DONE
    }

    private Phase phase;
    private long lastRoundMinRtt = NO_RTT;
    private long currentRoundMinRtt = NO_RTT;
    private int rttSampleCount;
    /** Segments of the current round not yet ACKed; at or below zero the next ACK starts a round. */
    private long roundRemaining;
    private long cssBaselineMinRtt = NO_RTT;
    /** CSS rounds begun, counting the partial round in which CSS started (RFC 9406, 4.2). */
    private int cssRounds;
    /** ACKed segments in CSS not yet turned into window. */
    private int cssCredit;

    HyStartPlusPlus(boolean enabled) {
        phase = enabled ? Phase.SLOW_START : Phase.DONE;
    }

    Phase phase() {
        return phase;
    }

    /** Whether HyStart++ still governs slow start. */
    boolean active() {
        return phase != Phase.DONE;
    }

    /** Ends HyStart++ for the rest of the connection: it applies to the initial slow start only. */
    void finish() {
        phase = Phase.DONE;
    }

    /**
     * An ACK in slow start ({@code pkts_acked}): advances the rounds and takes the RTT sample.
     *
     * @param acked           segments newly ACKed
     * @param rttMicros       the ACK's RTT sample, or negative when it gave none
     * @param packetsInFlight segments outstanding after this ACK, which a round started now must see ACKed
     * @return true when CSS has run its rounds and slow start is over (the caller sets ssthresh to cwnd)
     */
    boolean onAck(int acked, long rttMicros, int packetsInFlight) {
        if (phase == Phase.DONE) {
            return false;
        }
        roundRemaining -= acked;
        if (roundRemaining <= 0) {
            if (phase == Phase.CONSERVATIVE_SLOW_START && cssRounds >= CSS_ROUNDS) {
                phase = Phase.DONE;
                return true;
            }
            startRound(packetsInFlight);
        }
        if (rttMicros >= 0) {
            sample(rttMicros);
        }
        return false;
    }

    /**
     * The window increase for {@code acked} segments: at most L in slow start, a quarter of
     * that in CSS.
     */
    int increase(int acked) {
        int segments = Math.min(Math.max(acked, 0), ACK_LIMIT);
        if (phase != Phase.CONSERVATIVE_SLOW_START) {
            return segments;
        }
        cssCredit += segments;
        int grow = cssCredit / CSS_GROWTH_DIVISOR;
        cssCredit -= grow * CSS_GROWTH_DIVISOR;
        return grow;
    }

    private void startRound(int packetsInFlight) {
        lastRoundMinRtt = currentRoundMinRtt;
        currentRoundMinRtt = NO_RTT;
        rttSampleCount = 0;
        roundRemaining = Math.max(packetsInFlight, 0);
        if (phase == Phase.CONSERVATIVE_SLOW_START) {
            cssRounds++;
        }
    }

    private void sample(long rttMicros) {
        currentRoundMinRtt = Math.min(currentRoundMinRtt, rttMicros);
        rttSampleCount++;
        if (rttSampleCount < N_RTT_SAMPLE) {
            return;
        }
        if (phase == Phase.SLOW_START) {
            if (lastRoundMinRtt != NO_RTT && currentRoundMinRtt >= lastRoundMinRtt + rttThreshold(lastRoundMinRtt)) {
                // The queue is building: probe on at a quarter of the rate rather than stop outright.
                cssBaselineMinRtt = currentRoundMinRtt;
                cssRounds = 1;
                cssCredit = 0;
                phase = Phase.CONSERVATIVE_SLOW_START;
            }
        } else if (currentRoundMinRtt < cssBaselineMinRtt) {
            // The rise was jitter, not a queue: the exit was spurious.
            cssBaselineMinRtt = NO_RTT;
            phase = Phase.SLOW_START;
        }
    }

    /** RttThresh = max(MIN_RTT_THRESH, min(lastRoundMinRTT / MIN_RTT_DIVISOR, MAX_RTT_THRESH)). */
    static long rttThreshold(long lastRoundMinRttMicros) {
        return Math.max(MIN_RTT_THRESH_MICROS, Math.min(lastRoundMinRttMicros / MIN_RTT_DIVISOR, MAX_RTT_THRESH_MICROS));
    }
}
