package net.tern.tcp.cubic;

/**
 * The window increase function of one congestion avoidance stage (RFC 9438, 4.2):
 * {@code W_cubic(t) = C * (t - K)^3 + W_max}, with {@code K = cbrt((W_max - cwnd_epoch) / C)}.
 * Windows are in segments and {@code t} in seconds since the stage began, the units in
 * which {@link #C} is defined.
 *
 * @param wMax the plateau the curve is centred on, in segments
 * @param k    the time in seconds the curve takes from the stage's first window to {@code wMax}
 */
record CubicCurve(double wMax, double k) {
    /** C, the curve's scaling constant, in segments per second cubed (RFC 9438, 4.1.1; 5.1 explains 0.4). */
    static final double C = 0.4;
    /** beta_cubic, the multiplicative decrease factor (RFC 9438, 4.1.1 and 4.6), as the fraction 7/10. */
    static final int BETA_NUMERATOR = 7;
    static final int BETA_DENOMINATOR = 10;
    static final double BETA = (double) BETA_NUMERATOR / BETA_DENOMINATOR;
    /**
     * alpha_cubic = 3 * (1 - beta) / (1 + beta) (RFC 9438, 4.3): the additive increase per RTT
     * with which the Reno-friendly estimate matches Reno's average window under the same loss.
     */
    static final double ALPHA_RENO_FRIENDLY = 3 * (1 - BETA) / (1 + BETA);

    /**
     * The curve of a stage starting at {@code cwndEpoch} towards {@code wMax}. When the stage
     * starts at or above {@code wMax} (after a timeout, or when slow start ended without a
     * loss), K is 0 and the plateau is the starting window itself (RFC 9438, 4.8 and 4.10):
     * the curve starts in its convex part.
     */
    static CubicCurve startingAt(double cwndEpoch, double wMax) {
        if (wMax <= cwndEpoch) {
            return new CubicCurve(cwndEpoch, 0);
        }
        return new CubicCurve(wMax, Math.cbrt((wMax - cwndEpoch) / C));
    }

    /** W_cubic(t): the window, in segments, {@code t} seconds after the stage began. */
    double window(double t) {
        double d = t - k;
        return C * d * d * d + wMax;
    }
}
