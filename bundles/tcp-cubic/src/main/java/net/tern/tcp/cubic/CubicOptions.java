package net.tern.tcp.cubic;

/**
 * The switches of CUBIC that a stack may want to change, as Linux's {@code tcp_cubic}
 * module parameters {@code fast_convergence} and {@code hystart}. A controller keeps the
 * options it was created with.
 *
 * @param fastConvergence lower W_max further when a loss comes before the previous W_max
 *                        (RFC 9438, 4.7); RFC 9438 asks to turn it off for a flow that is alone on its path
 * @param hyStart         leave the initial slow start with HyStart++ (RFC 9406) rather than only on a loss
 */
public record CubicOptions(boolean fastConvergence, boolean hyStart) {
    /** What RFC 9438 recommends for a shared path: both on. */
    public static final CubicOptions DEFAULTS = new CubicOptions(true, true);
}
