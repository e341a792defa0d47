package net.tern.tcp.cubic;

import net.tern.tcp.cc.CaEvent;
import net.tern.tcp.cc.CaState;
import net.tern.tcp.cc.CongestionController;
import net.tern.tcp.cc.CongestionState;
import net.tern.tcp.cc.Reno;

/**
 * One connection's CUBIC (RFC 9438; Linux's {@code struct bictcp} and the
 * {@code cubictcp_*} hooks).
 *
 * <p>Congestion avoidance. The first ACK after a reduction starts an epoch (a congestion
 * avoidance stage): it fixes {@code cwnd_epoch}, the curve's K and W_max, and the
 * Reno-friendly estimate W_est = cwnd_epoch. Every ACK then computes W_cubic(t) with
 * {@code t} the epoch's age in seconds, and:
 * <ul>
 *   <li>if W_cubic(t) is below W_est, the window follows W_est (Reno-friendly region, 4.3);
 *   <li>otherwise it grows by (target - cwnd) / cwnd per ACKed segment, where target is
 *       W_cubic(t + SRTT) held within [cwnd, 1.5 cwnd] (4.2): concave below W_max (4.4),
 *       convex above (4.5). Growth is counted per segment, as Linux does, so delayed ACKs do
 *       not slow the curve; its fractions carry over between ACKs.
 * </ul>
 * W_est grows by alpha_cubic * acked / cwnd per ACK, alpha_cubic = 3(1 - beta)/(1 + beta)
 * until W_est reaches {@code cwnd_prior}, then 1 (4.3).
 *
 * <p>Time. All times come from {@link CongestionState#nowMicros()}. The epoch's age excludes
 * application-limited time (4.2, 5.8): the interval before an ACK that finds the sender not
 * window-limited, and an idle period, which {@link CaEvent#TX_START} reports when sending
 * resumes with nothing in flight, move the epoch's start forward by their length, as Linux's
 * {@code cubictcp_cwnd_event} does with {@code lsndtime}. The congestion state carries no
 * send time, so idleness is measured from the last ACK this controller saw.
 *
 * <p>Reductions. {@link #ssthresh} applies beta_cubic = 0.7 to cwnd (4.6; cwnd rather than
 * the flight size, as Linux does, which is safe because the window grows only while
 * window-limited), records W_max with fast convergence (4.7) and ends the epoch. Entering
 * Loss forgets W_max, so the first stage after a timeout has K = 0 and W_max = cwnd_epoch
 * (4.8). {@link #undoCwnd} restores W_max, K, the epoch, W_est and cwnd_prior as they were
 * before a loss found spurious (4.9).
 *
 * <p>Slow start uses HyStart++ (RFC 9406, {@link HyStartPlusPlus}) for the initial slow start
 * when enabled, standard slow start (RFC 5681) otherwise and afterwards. When HyStart++ ends
 * slow start without a loss, it sets TCP's ssthresh to cwnd ({@link CongestionState#ssthresh(int)},
 * RFC 9406 4.2), as Linux's HyStart does; TCP's undo restores that ssthresh with the rest.
 *
 * <p>TCP calls the hooks of one connection one at a time (socket lock or network thread);
 * the controller is not thread-safe and need not be.
 */
final class CubicController implements CongestionController {
    static final long NO_TIME = Long.MIN_VALUE;
    private static final double MICROS_PER_SECOND = 1_000_000.0;
    /** The target's upper bound, as a multiple of cwnd: growth stays below slow start's (4.2). */
    private static final double MAX_TARGET_FACTOR = 1.5;

    private final CubicOptions options;
    private final HyStartPlusPlus hyStart;

    /** W_max in segments; 0 before the first congestion event and after a timeout. */
    private double wMax;
    /** cwnd_prior: cwnd when ssthresh was last set (a reduction, or HyStart++'s exit); 0 before. */
    private double cwndPrior;
    /** t_epoch in microseconds, or {@link #NO_TIME} outside congestion avoidance. */
    private long epochStart = NO_TIME;
    /** The current epoch's curve; meaningful while {@link #epochStart} is set. */
    private CubicCurve curve;
    /** W_est, the Reno-friendly estimate, in segments. */
    private double wEst;
    /** Window growth owed but below one segment. */
    private double pendingGrowth;
    /** Up to when the epoch's age has been accounted for: the last ACK, or the end of an idle period. */
    private long accountedUntil = NO_TIME;
    /** The state before the last reduction, for {@link #undoCwnd}; null when there is nothing to undo. */
    private UndoState undo;

    /** What a reduction replaced, restored when the loss proves spurious (RFC 9438, 4.9). */
    private record UndoState(double wMax, double cwndPrior, long epochStart, CubicCurve curve, double wEst) {
    }

    CubicController(CongestionState connection, CubicOptions options) {
        this.options = options;
        // HyStart++ is for the initial slow start only (RFC 9406, 4.2): a connection switching
        // to CUBIC after its first loss keeps standard slow start.
        this.hyStart = new HyStartPlusPlus(options.hyStart() && connection.ssthresh() == Integer.MAX_VALUE);
    }

    @Override
    public void pktsAcked(CongestionState c, int acked, long rttMicros) {
        accountAck(c);
        if (hyStartGoverns(c) && c.cwnd() < c.ssthresh()
                && hyStart.onAck(acked, rttMicros, c.packetsInFlight())) {
            endSlowStart(c);
        }
    }

    @Override
    public void congAvoid(CongestionState c, int acked) {
        accountAck(c);
        if (acked <= 0 || !c.isCwndLimited()) {
            return; // RFC 9438, 5.8: no growth while the application, not the window, limits sending
        }
        int left = acked;
        int ssthresh = c.ssthresh();
        if (c.cwnd() < ssthresh) {
            left = slowStart(c, acked, ssthresh);
            if (left == 0) {
                return;
            }
        }
        congestionAvoidance(c, left);
    }

    /** {@code cubictcp_recalc_ssthresh}: beta_cubic and fast convergence (RFC 9438, 4.6 and 4.7). */
    @Override
    public int ssthresh(CongestionState c) {
        hyStart.finish(); // a loss or ECN mark ends HyStart++ (RFC 9406, 4.2)
        int cwnd = c.cwnd();
        undo = new UndoState(wMax, cwndPrior, epochStart, curve, wEst);
        if (options.fastConvergence() && cwnd < wMax) {
            // The saturation point fell: plateau lower to leave room for a newcomer.
            wMax = cwnd * (1 + CubicCurve.BETA) / 2;
        } else {
            wMax = cwnd;
        }
        cwndPrior = cwnd;
        endEpoch();
        return Math.max((int) ((long) cwnd * CubicCurve.BETA_NUMERATOR / CubicCurve.BETA_DENOMINATOR), 2);
    }

    /** {@code cubictcp_state}: a timeout forgets W_max and the epoch (RFC 9438, 4.8). */
    @Override
    public void setState(CongestionState c, CaState state) {
        if (state == CaState.LOSS) {
            hyStart.finish();
            wMax = 0;
            endEpoch();
        }
    }

    /** {@code cubictcp_cwnd_event}: resuming after idle moves the epoch past the idle time. */
    @Override
    public void cwndEvent(CongestionState c, CaEvent event) {
        if (event == CaEvent.TX_START) {
            long now = c.nowMicros();
            excludeFromEpoch(now);
            accountedUntil = now;
        }
    }

    /** RFC 9438, 4.9: back to the state before the reduction, if the window is still below it. */
    @Override
    public int undoCwnd(CongestionState c) {
        UndoState saved = undo;
        undo = null;
        if (saved != null && c.cwnd() < cwndPrior) {
            wMax = saved.wMax();
            cwndPrior = saved.cwndPrior();
            epochStart = saved.epochStart();
            curve = saved.curve();
            wEst = saved.wEst();
            pendingGrowth = 0;
        }
        return Reno.undoCwnd(c);
    }

    /** Slow start: HyStart++ while it governs, else {@code tcp_slow_start} up to {@code ssthresh}. */
    private int slowStart(CongestionState c, int acked, int ssthresh) {
        if (hyStartGoverns(c)) {
            grow(c, hyStart.increase(acked));
            return 0;
        }
        long target = Math.min((long) c.cwnd() + acked, ssthresh);
        int used = (int) (target - c.cwnd());
        grow(c, used);
        return acked - used;
    }

    /** {@code bictcp_update} and the growth it asks for. */
    private void congestionAvoidance(CongestionState c, int acked) {
        long now = c.nowMicros();
        int cwnd = c.cwnd();
        if (epochStart == NO_TIME) {
            startEpoch(now, cwnd);
        }
        if (cwnd >= c.cwndClamp()) {
            pendingGrowth = 0;
            return;
        }
        double t = (now - epochStart) / MICROS_PER_SECOND;
        double rtt = c.srttMicros() / MICROS_PER_SECOND;
        double cubicNow = curve.window(t);
        double target = Math.min(Math.max(curve.window(t + rtt), cwnd), MAX_TARGET_FACTOR * cwnd);

        double alpha = wEst >= cwndPrior ? 1.0 : CubicCurve.ALPHA_RENO_FRIENDLY;
        wEst = Math.min(wEst + alpha * acked / cwnd, c.cwndClamp());

        if (cubicNow < wEst) {
            // Reno-friendly region: Reno would be ahead of the curve here, so keep up with it.
            pendingGrowth = 0;
            int estimate = (int) wEst;
            if (estimate > cwnd) {
                c.cwnd(estimate);
            }
            return;
        }
        pendingGrowth += acked * (target - cwnd) / cwnd;
        if (pendingGrowth >= 1) {
            int whole = (int) pendingGrowth;
            pendingGrowth -= whole;
            grow(c, whole);
        }
    }

    private void startEpoch(long now, int cwnd) {
        epochStart = now;
        curve = CubicCurve.startingAt(cwnd, wMax);
        wMax = curve.wMax(); // after a timeout or HyStart++'s exit, W_max becomes cwnd_epoch (4.8, 4.10)
        wEst = cwnd;
        pendingGrowth = 0;
    }

    private void endEpoch() {
        epochStart = NO_TIME;
        pendingGrowth = 0;
    }

    /** HyStart++ left slow start without a loss: ssthresh = cwnd, cwnd_prior = cwnd (RFC 9406 4.2, RFC 9438 4.10). */
    private void endSlowStart(CongestionState c) {
        int cwnd = c.cwnd();
        c.ssthresh(cwnd);
        cwndPrior = cwnd;
    }

    private boolean hyStartGoverns(CongestionState c) {
        if (!hyStart.active()) {
            return false;
        }
        if (c.ssthresh() != Integer.MAX_VALUE) {
            hyStart.finish(); // the initial slow start is over, whoever ended it
            return false;
        }
        return true;
    }

    /** Every ACK: time since the previous one in which the window was not the limit is not the epoch's. */
    private void accountAck(CongestionState c) {
        long now = c.nowMicros();
        if (!c.isCwndLimited()) {
            excludeFromEpoch(now);
        }
        accountedUntil = now;
    }

    private void excludeFromEpoch(long now) {
        if (epochStart != NO_TIME && accountedUntil != NO_TIME && now > accountedUntil) {
            epochStart = Math.min(epochStart + (now - accountedUntil), now);
        }
    }

    private static void grow(CongestionState c, int segments) {
        if (segments > 0) {
            c.cwnd((int) Math.min((long) c.cwnd() + segments, c.cwndClamp()));
        }
    }

    // What ss -i would show; read by the tests.

    /** W_max in segments (0: none yet). */
    double wMax() {
        return wMax;
    }

    /** K of the current epoch in seconds, or NaN outside congestion avoidance. */
    double k() {
        return epochStart == NO_TIME ? Double.NaN : curve.k();
    }

    /** The current epoch's start in microseconds, or {@link #NO_TIME}. */
    long epochStartMicros() {
        return epochStart;
    }

    /** W_est in segments. */
    double renoEstimate() {
        return wEst;
    }

    double cwndPrior() {
        return cwndPrior;
    }

    HyStartPlusPlus.Phase hyStartPhase() {
        return hyStart.phase();
    }
}
