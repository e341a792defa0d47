package net.tern.tcp.cc;

/**
 * Reno (RFC 5681) as TCP's built-in algorithm, and its building blocks for other algorithms:
 * slow start, additive increase, the halving {@code ssthresh} and the undo. NewReno's
 * recovery itself (RFC 6582: partial ACKs, the recovery point) is TCP's, not the
 * algorithm's, as in Linux.
 */
public final class Reno implements CongestionControl {
    /** The name Reno registers under, and the one every connection falls back to. */
    public static final String NAME = "reno";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public CongestionController create(CongestionState connection) {
        return Reno::congAvoid;
    }

    /** Whether the window is below the threshold ({@code tcp_in_slow_start}). */
    public static boolean inSlowStart(CongestionState c) {
        return c.cwnd() < c.ssthresh();
    }

    /**
     * Reno's growth ({@code tcp_reno_cong_avoid}): one segment per ACKed segment in slow
     * start, one per window's worth of ACKed segments after (RFC 5681, 3.1).
     */
    public static void congAvoid(CongestionState c, int acked) {
        if (!c.isCwndLimited()) {
            return;
        }
        int left = acked;
        if (inSlowStart(c)) {
            left = slowStart(c, acked);
            if (left == 0) {
                return;
            }
        }
        additiveIncrease(c, c.cwnd(), left);
    }

    /**
     * Slow start ({@code tcp_slow_start}): grows the window by {@code acked} segments but not
     * past ssthresh (nor the clamp), and returns the ACKed segments left over for congestion
     * avoidance once ssthresh is reached.
     */
    public static int slowStart(CongestionState c, int acked) {
        long target = Math.min((long) c.cwnd() + acked, c.ssthresh());
        int used = (int) (target - c.cwnd());
        c.cwnd((int) Math.min(target, c.cwndClamp()));
        return acked - used;
    }

    /**
     * Additive increase ({@code tcp_cong_avoid_ai}): one more segment of window for every
     * {@code w} segments ACKed, carrying the remainder in {@link CongestionState#cwndCount()}.
     * Reno passes the window itself as {@code w}; CUBIC passes its computed target count.
     */
    public static void additiveIncrease(CongestionState c, int w, int acked) {
        int width = Math.max(1, w);
        int count = c.cwndCount();
        int cwnd = c.cwnd();
        if (count >= width) {
            // A larger w since the count was taken: credit what is owed first, as Linux does.
            count = 0;
            cwnd++;
        }
        count += acked;
        if (count >= width) {
            int grow = count / width;
            count -= grow * width;
            cwnd += grow;
        }
        c.cwndCount(count);
        c.cwnd(Math.min(cwnd, c.cwndClamp()));
    }

    /** Reno's ssthresh after a loss ({@code tcp_reno_ssthresh}): half the window, at least two segments. */
    public static int ssthresh(CongestionState c) {
        return Math.max(c.cwnd() >>> 1, 2);
    }

    /** Reno's undo ({@code tcp_reno_undo_cwnd}): the larger of the window now and the one before the reduction. */
    public static int undoCwnd(CongestionState c) {
        return Math.max(c.cwnd(), c.priorCwnd());
    }
}
