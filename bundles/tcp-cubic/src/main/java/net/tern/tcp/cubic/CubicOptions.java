package net.tern.tcp.cubic;

/**
 * CUBIC's tunables, Linux's {@code tcp_cubic} module parameters of the same names (beta and
 * bic_scale are constants in Linux 6.x and here). A controller keeps the options it was created with.
 *
 * @param fastConvergence       lower W_max further when a loss comes before the previous W_max
 *                              ({@code fast_convergence}, RFC 9438 4.7)
 * @param tcpFriendliness       never grow slower than Reno would ({@code tcp_friendliness}, RFC 9438 4.3)
 * @param hyStart               leave the initial slow start before the first loss ({@code hystart})
 * @param hyStartDetect         which HyStart detections run ({@code hystart_detect}): 1 the ACK train,
 *                              2 the delay increase, 3 both
 * @param hyStartLowWindow      no detection below this window ({@code hystart_low_window}, segments)
 * @param hyStartAckDeltaMicros ACKs this close together form a train ({@code hystart_ack_delta_us})
 * @param hyStartPlusPlus       use RFC 9406's HyStart++ (conservative slow start) instead of Linux's HyStart
 */
public record CubicOptions(boolean fastConvergence, boolean tcpFriendliness, boolean hyStart, int hyStartDetect,
        int hyStartLowWindow, int hyStartAckDeltaMicros, boolean hyStartPlusPlus) {
    /** Linux 6.x's defaults: everything on, HyStart with both detections from 16 segments, 2 ms trains. */
    public static final CubicOptions DEFAULTS = new CubicOptions(true, true, true, HyStart.ACK_TRAIN | HyStart.DELAY,
            16, 2000, false);

    public CubicOptions {
        if (hyStartDetect < 0 || hyStartDetect > (HyStart.ACK_TRAIN | HyStart.DELAY)) {
            throw new IllegalArgumentException("hystart_detect is 0 to 3 (1 ACK train, 2 delay), not " + hyStartDetect);
        }
        if (hyStartLowWindow < 0 || hyStartAckDeltaMicros < 0) {
            throw new IllegalArgumentException("hystart_low_window and hystart_ack_delta_us are not negative");
        }
    }

    /** These options with fast convergence on or off. */
    public CubicOptions withFastConvergence(boolean on) {
        return new CubicOptions(on, tcpFriendliness, hyStart, hyStartDetect, hyStartLowWindow, hyStartAckDeltaMicros,
                hyStartPlusPlus);
    }

    /** These options with slow start left by Linux's HyStart, by HyStart++, or only by a loss (neither). */
    public CubicOptions withSlowStartExit(boolean hyStart, boolean hyStartPlusPlus) {
        return new CubicOptions(fastConvergence, tcpFriendliness, hyStart, hyStartDetect, hyStartLowWindow,
                hyStartAckDeltaMicros, hyStartPlusPlus);
    }
}
