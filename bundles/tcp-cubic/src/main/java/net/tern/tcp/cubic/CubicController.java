package net.tern.tcp.cubic;

import static net.tern.tcp.cubic.CubicFunction.BETA;
import static net.tern.tcp.cubic.CubicFunction.BETA_SCALE;
import static net.tern.tcp.cubic.CubicFunction.BICTCP_HZ;
import static net.tern.tcp.cubic.CubicFunction.HZ;
import static net.tern.tcp.cubic.CubicFunction.RENO_FRIENDLY_SCALE;

import net.tern.tcp.cc.CaEvent;
import net.tern.tcp.cc.CaState;
import net.tern.tcp.cc.CongestionController;
import net.tern.tcp.cc.CongestionState;
import net.tern.tcp.cc.Reno;

/**
 * One connection's CUBIC as Linux 6.x runs it ({@code struct bictcp} and the {@code cubictcp_*}
 * hooks of {@code tcp_cubic.c}; RFC 9438).
 *
 * <p><b>Congestion avoidance</b> ({@code bictcp_update}). CUBIC does not set the window
 * directly: it computes {@code cnt}, the number of ACKed segments per one segment of growth,
 * and Reno's additive increase ({@code tcp_cong_avoid_ai}) applies it. The first ACK after a
 * reduction starts an epoch: K = cbrt((W_max - cwnd) / C) and the origin W_max, or K = 0 and
 * the origin at cwnd when cwnd is already at or above W_max. Then at each update the target is
 * W(t + delay_min) (the window one minimum RTT ahead), and cnt = cwnd / (target - cwnd), or
 * 100 cwnd (almost no growth) when the target is not above cwnd. Before any loss cnt is at most
 * 20 (5% per round trip). cnt is recomputed at most once per millisecond, and when cwnd has not
 * changed at most 32 times a second.
 *
 * <p><b>Reno friendliness</b> ({@code tcp_friendliness}, RFC 9438 4.3). An estimate of Reno's
 * window starts at the epoch's cwnd and gains one segment per cwnd * 15/8 ACKed segments (3(1 -
 * beta)/(1 + beta) per round trip); when it is ahead of cwnd, cnt is lowered so that cwnd
 * catches up within a round trip. cnt is never below 2: at most 1.5 cwnd per round trip.
 *
 * <p><b>Loss</b> ({@code cubictcp_recalc_ssthresh}). ssthresh = cwnd * 717/1024, at least 2;
 * W_max = cwnd, or cwnd * (1 + beta)/2 with fast convergence when the loss comes below the
 * previous W_max; the epoch ends. A timeout (Loss state) forgets everything, including the
 * minimum RTT and HyStart's verdict. Undo is Reno's (max of cwnd and the window before the
 * reduction); the curve carries on from the state the reduction left.
 *
 * <p><b>Idle</b> ({@code cubictcp_cwnd_event}). When sending resumes with nothing in flight,
 * the epoch's start moves forward by the time since the last send, so idle time does not count
 * as time on the curve.
 *
 * <p><b>Slow start</b>: standard ({@code tcp_slow_start}), left early by Linux's {@link HyStart}
 * (ssthresh = cwnd) or, when chosen instead, RFC 9406's {@link HyStartPlusPlus}.
 *
 * <p>The epoch is counted in jiffies, the rest in microseconds, as in Linux. TCP calls the hooks
 * of one connection one at a time (socket lock or network thread); not thread-safe.
 */
final class CubicController implements CongestionController {
    private static final long NO_EPOCH = Long.MIN_VALUE;
    /** cnt is recomputed at most this often when cwnd has not changed ({@code USEC_PER_SEC / 32}). */
    private static final long SAME_CWND_UPDATE_MICROS = 1_000_000 / 32;
    /** cnt is recomputed at most once per millisecond. */
    private static final long MIN_UPDATE_MICROS = 1_000;
    /** Before the first loss, cnt is at most this: 5% growth per round trip. */
    private static final int INITIAL_MAX_CNT = 20;

    private final CubicOptions options;
    /** Linux's HyStart, or null when HyStart++ or nothing ends slow start early. */
    private final HyStart hyStart;
    private final HyStartPlusPlus hyStartPlusPlus;

    /** ACKed segments per segment of growth ({@code cnt}). */
    private int cnt;
    /** W_max ({@code last_max_cwnd}), 0 before the first loss. */
    private int lastMaxCwnd;
    /** cwnd and time of the last computation of cnt ({@code last_cwnd}, {@code last_time}). */
    private int lastCwnd;
    private long lastTimeMicros;
    /** W(K) ({@code bic_origin_point}). */
    private int originPoint;
    /** K in 1/1024 s ({@code bic_K}). */
    private long k;
    /** The lowest RTT sample in microseconds ({@code delay_min}), 0 before the first. */
    private long delayMinMicros;
    /** The epoch's start in jiffies ({@code epoch_start}), or {@link #NO_EPOCH}. */
    private long epochStart = NO_EPOCH;
    /** ACKed segments not yet turned into Reno-estimate growth ({@code ack_cnt}). */
    private int ackCount;
    /** The Reno-friendly estimate in segments ({@code tcp_cwnd}). */
    private int renoCwnd;

    CubicController(CongestionState connection, CubicOptions options) {
        this.options = options;
        boolean linuxHyStart = options.hyStart() && !options.hyStartPlusPlus();
        this.hyStart = linuxHyStart ? new HyStart(options) : null;
        if (hyStart != null) {
            hyStart.reset(connection);
        }
        // HyStart++ is for the initial slow start only (RFC 9406, 4.2): a connection switching
        // to CUBIC after its first loss keeps standard slow start.
        this.hyStartPlusPlus = new HyStartPlusPlus(options.hyStartPlusPlus()
                && connection.ssthresh() == Integer.MAX_VALUE);
    }

    /** {@code cubictcp_acked}: the minimum RTT, and HyStart's sample. */
    @Override
    public void pktsAcked(CongestionState c, int acked, long rttMicros) {
        if (hyStartPlusPlusGoverns(c) && Reno.inSlowStart(c)
                && hyStartPlusPlus.onAck(acked, rttMicros, c.packetsInFlight())) {
            c.ssthresh(c.cwnd()); // CSS ran its rounds: RFC 9406 4.2
        }
        if (rttMicros < 0) {
            return;
        }
        if (epochStart != NO_EPOCH && jiffiesNow(c) - epochStart < HZ) {
            return; // the first second after a reduction: samples right after recovery mislead
        }
        long delay = Math.max(rttMicros, 1);
        if (delayMinMicros == 0 || delayMinMicros > delay) {
            delayMinMicros = delay;
        }
        if (hyStart != null && !hyStart.found() && Reno.inSlowStart(c)
                && hyStart.update(c, delay, delayMinMicros)) {
            c.ssthresh(c.cwnd());
        }
    }

    /** {@code cubictcp_cong_avoid}: slow start, then the growth {@link #update} sets, applied as Reno's. */
    @Override
    public void congAvoid(CongestionState c, int acked) {
        if (!c.isCwndLimited()) {
            return;
        }
        int left = acked;
        if (Reno.inSlowStart(c)) {
            if (hyStartPlusPlusGoverns(c)) {
                grow(c, hyStartPlusPlus.increase(acked));
                return;
            }
            left = Reno.slowStart(c, acked);
            if (left == 0) {
                return;
            }
        }
        update(c, c.cwnd(), left);
        Reno.additiveIncrease(c, cnt, left);
    }

    /** {@code cubictcp_recalc_ssthresh}: beta = 717/1024 and fast convergence (RFC 9438, 4.6 and 4.7). */
    @Override
    public int ssthresh(CongestionState c) {
        hyStartPlusPlus.finish(); // a loss or ECN mark ends HyStart++ (RFC 9406, 4.2)
        int cwnd = c.cwnd();
        epochStart = NO_EPOCH;
        if (cwnd < lastMaxCwnd && options.fastConvergence()) {
            // The saturation point fell: plateau lower to leave room for a newcomer.
            lastMaxCwnd = (int) ((long) cwnd * (BETA_SCALE + BETA) / (2 * BETA_SCALE));
        } else {
            lastMaxCwnd = cwnd;
        }
        return Math.max((int) ((long) cwnd * BETA / BETA_SCALE), 2);
    }

    /** {@code cubictcp_state}: a timeout forgets the curve, the minimum RTT and HyStart's round (RFC 9438, 4.8). */
    @Override
    public void setState(CongestionState c, CaState state) {
        if (state == CaState.LOSS) {
            hyStartPlusPlus.finish();
            cnt = 0;
            lastMaxCwnd = 0;
            lastCwnd = 0;
            lastTimeMicros = 0;
            originPoint = 0;
            k = 0;
            delayMinMicros = 0;
            epochStart = NO_EPOCH;
            ackCount = 0;
            renoCwnd = 0;
            if (hyStart != null) {
                hyStart.forget(c);
            }
        }
    }

    /** {@code cubictcp_cwnd_event}: resuming after idle moves the epoch past the idle time. */
    @Override
    public void cwndEvent(CongestionState c, CaEvent event) {
        if (event != CaEvent.TX_START || epochStart == NO_EPOCH) {
            return;
        }
        long now = jiffiesNow(c);
        long idle = now - CubicFunction.jiffies(c.lastSendMicros());
        if (idle > 0) {
            epochStart = Math.min(epochStart + idle, now);
        }
    }

    /** {@code bictcp_update}: recomputes {@link #cnt} for the window {@code cwnd}. */
    private void update(CongestionState c, int cwnd, int acked) {
        ackCount += acked;
        long now = c.nowMicros();
        long sinceLast = now - lastTimeMicros;
        if (lastCwnd == cwnd && sinceLast <= SAME_CWND_UPDATE_MICROS) {
            return;
        }
        if (epochStart == NO_EPOCH || sinceLast >= MIN_UPDATE_MICROS) {
            lastCwnd = cwnd;
            lastTimeMicros = now;
            cubicCount(c, cwnd, acked);
        }
        if (options.tcpFriendliness()) {
            renoFriendlyCount(cwnd);
        }
        cnt = Math.max(cnt, 2);
    }

    /** The cubic function's part of {@code bictcp_update}: cnt from W(t + delay_min). */
    private void cubicCount(CongestionState c, int cwnd, int acked) {
        long jiffies = jiffiesNow(c);
        if (epochStart == NO_EPOCH) {
            epochStart = jiffies;
            ackCount = acked;
            renoCwnd = cwnd;
            if (lastMaxCwnd <= cwnd) {
                k = 0;
                originPoint = cwnd;
            } else {
                k = CubicFunction.k(lastMaxCwnd - cwnd);
                originPoint = lastMaxCwnd;
            }
        }
        // t: the epoch's age one minimum RTT ahead, in 1/1024 s.
        long t = ((jiffies - epochStart) + CubicFunction.usecsToJiffies(delayMinMicros) << BICTCP_HZ) / HZ;
        long offset = t < k ? k - t : t - k;
        long delta = CubicFunction.delta(offset);
        long target = (t < k ? originPoint - delta : originPoint + delta) & 0xFFFF_FFFFL;
        if (target > cwnd) {
            cnt = (int) (cwnd / (target - cwnd));
        } else {
            cnt = 100 * cwnd; // at or past the target: the smallest of increases
        }
        if (lastMaxCwnd == 0 && cnt > INITIAL_MAX_CNT) {
            cnt = INITIAL_MAX_CNT; // no loss yet, the bandwidth is unknown: 5% per round trip
        }
    }

    /** The Reno-friendly part of {@code bictcp_update}: never slower than Reno's estimated window. */
    private void renoFriendlyCount(int cwnd) {
        int perSegment = Math.max((cwnd * RENO_FRIENDLY_SCALE) >> 3, 1);
        while (ackCount > perSegment) {
            ackCount -= perSegment;
            renoCwnd++;
        }
        if (renoCwnd > cwnd) {
            int maxCnt = cwnd / (renoCwnd - cwnd);
            if (cnt > maxCnt) {
                cnt = maxCnt;
            }
        }
    }

    private boolean hyStartPlusPlusGoverns(CongestionState c) {
        if (!hyStartPlusPlus.active()) {
            return false;
        }
        if (c.ssthresh() != Integer.MAX_VALUE) {
            hyStartPlusPlus.finish(); // the initial slow start is over, whoever ended it
            return false;
        }
        return true;
    }

    private static long jiffiesNow(CongestionState c) {
        return CubicFunction.jiffies(c.nowMicros());
    }

    private static void grow(CongestionState c, int segments) {
        if (segments > 0) {
            c.cwnd((int) Math.min((long) c.cwnd() + segments, c.cwndClamp()));
        }
    }

    // What ss -i shows of CUBIC (and the tests read).

    CubicOptions options() {
        return options;
    }

    /** W_max in segments ({@code last_max_cwnd}; 0: none yet). */
    int lastMaxCwnd() {
        return lastMaxCwnd;
    }

    /** K in 1/1024 s. */
    long k() {
        return k;
    }

    /** The epoch's start in jiffies, or {@link Long#MIN_VALUE} outside congestion avoidance. */
    long epochStartJiffies() {
        return epochStart;
    }

    /** ACKed segments per segment of growth. */
    int cnt() {
        return cnt;
    }

    /** The Reno-friendly estimate in segments. */
    int renoCwnd() {
        return renoCwnd;
    }

    /** The lowest RTT sample, microseconds. */
    long delayMinMicros() {
        return delayMinMicros;
    }

    /** Whether Linux's HyStart found the exit from slow start. */
    boolean hyStartFound() {
        return hyStart != null && hyStart.found();
    }

    HyStartPlusPlus.Phase hyStartPlusPlusPhase() {
        return hyStartPlusPlus.phase();
    }
}
