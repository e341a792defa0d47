package net.tern.tcp.cubic;

import static net.tern.tcp.cubic.SimulatedConnection.MILLIS;
import static net.tern.tcp.cubic.SimulatedConnection.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import net.tern.tcp.cc.CaEvent;
import org.junit.jupiter.api.Test;

/**
 * CUBIC's window as Linux's {@code tcp_cubic.c} computes it: beta 717/1024, fast convergence,
 * K and the target in 1/1024 s fixed point, growth through cnt and Reno's additive increase,
 * the Reno-friendly estimate, the idle shift and the reset on a timeout.
 */
class CubicLinuxTest {
    private static final long RTT = 100 * MILLIS;

    private final SimulatedConnection c = new SimulatedConnection();
    private final CubicController cubic = (CubicController) new Cubic(CubicOptions.DEFAULTS.withSlowStartExit(false,
            false)).create(c);

    /** Congestion avoidance at {@code cwnd} after a loss from {@code atLoss}: the minimum RTT is known. */
    private void lossAt(int atLoss) {
        c.cwnd = atLoss;
        c.ssthresh = atLoss; // in congestion avoidance, not growing in this ACK
        c.ack(cubic, 1, RTT); // the minimum RTT
        c.fastRecovery(cubic);
    }

    @Test
    void ssthreshIsTheWindowTimes717Over1024AndAtLeastTwo() {
        int[][] expected = {{10, 7}, {100, 70}, {1000, 700}, {3, 2}, {2, 2}, {1, 2}, {16, 11}};
        for (int[] pair : expected) {
            c.cwnd = pair[0];
            assertThat(cubic.ssthresh(c)).as("ssthresh for cwnd %d", pair[0]).isEqualTo(pair[1]);
        }
    }

    @Test
    void fastConvergenceLowersWMaxWhenALossComesBelowThePreviousOne() {
        c.cwnd = 100;
        cubic.ssthresh(c);
        assertThat(cubic.lastMaxCwnd()).isEqualTo(100);
        c.cwnd = 80;
        cubic.ssthresh(c);
        assertThat(cubic.lastMaxCwnd()).as("80 * (1024 + 717) / 2048").isEqualTo(68);

        CubicController plain = (CubicController) new Cubic(CubicOptions.DEFAULTS.withFastConvergence(false)).create(c);
        c.cwnd = 100;
        plain.ssthresh(c);
        c.cwnd = 80;
        plain.ssthresh(c);
        assertThat(plain.lastMaxCwnd()).isEqualTo(80);
    }

    @Test
    void theEpochStartsOnTheFirstAckAfterTheLossWithKInFixedPoint() {
        lossAt(100);
        assertThat(c.cwnd).isEqualTo(70);
        assertThat(cubic.epochStartJiffies()).isEqualTo(Long.MIN_VALUE);
        c.now += RTT;
        c.ack(cubic, 1, RTT);
        assertThat(cubic.epochStartJiffies()).isEqualTo(CubicFunction.jiffies(c.now));
        // K = cbrt((W_max - cwnd) / C) seconds, here in 1/1024 s: cbrt(30 / 0.4) = 4.217 s.
        assertThat(cubic.k()).isEqualTo(CubicFunction.cubeRoot(CubicFunction.CUBE_FACTOR * 30));
        assertThat(cubic.k() / 1024.0).isBetween(4.20, 4.23);
    }

    @Test
    void theWindowClimbsBackToWMaxAroundKThenProbesBeyond() {
        lossAt(100);
        double kSeconds = Math.cbrt(30 / 0.4);
        c.run(cubic, RTT, (long) ((kSeconds - 1) * SECONDS));
        assertThat(c.cwnd).as("concave: most of the way back a second before K").isBetween(95, 100);
        c.run(cubic, RTT, 2 * SECONDS);
        assertThat(c.cwnd).as("a second after K: just past W_max").isBetween(100, 106);
        c.run(cubic, RTT, 3 * SECONDS);
        assertThat(c.cwnd).as("convex beyond").isGreaterThan(120);
    }

    @Test
    void cntIsNeverBelowTwo() {
        lossAt(1000);
        c.now += RTT;
        c.ack(cubic, 1, RTT); // the epoch starts
        c.now += 100 * SECONDS; // far past K: the target is far above cwnd
        c.ack(cubic, 1, RTT);
        assertThat(cubic.cnt()).isEqualTo(2);
    }

    @Test
    void beforeAnyLossGrowthIsAtMostFivePercentPerRoundTrip() {
        c.ssthresh = 100; // slow start ended without a loss
        c.cwnd = 100;
        c.ack(cubic, 1, RTT);
        assertThat(cubic.lastMaxCwnd()).isZero();
        assertThat(cubic.cnt()).as("K = 0, origin at cwnd: at most 20").isEqualTo(20);
    }

    @Test
    void theRenoFriendlyEstimateGainsOneSegmentPerFifteenEighthsOfTheWindow() {
        assertThat(CubicFunction.RENO_FRIENDLY_SCALE).as("8 * 1741 / 3 / 307").isEqualTo(15);
        lossAt(20);
        assertThat(c.cwnd).isEqualTo(14);
        c.now += RTT;
        c.ack(cubic, 1, RTT); // the epoch: Reno's estimate starts at 14
        assertThat(cubic.renoCwnd()).isEqualTo(14);
        for (int i = 0; i < 40; i++) {
            c.now += 2 * MILLIS; // cnt is recomputed at most 32 times a second while cwnd stays
            c.ack(cubic, 1, RTT);
        }
        assertThat(cubic.renoCwnd()).as("one segment per ~2 windows ACKed").isBetween(15, 16);
    }

    @Test
    void atShortRttsRenoFriendlinessKeepsCubicAtLeastAsFastAsReno() {
        lossAt(40);
        int start = c.cwnd;
        c.run(cubic, 2 * MILLIS, 200 * MILLIS); // 100 round trips, K is seconds away
        // Reno-friendly: about 0.53 segments per round trip; the curve alone would give a few.
        assertThat(c.cwnd - start).isBetween(35, 70);
    }

    @Test
    void idleTimeMovesTheEpochForward() {
        lossAt(100);
        c.run(cubic, RTT, SECONDS);
        long epoch = cubic.epochStartJiffies();
        c.lastSend = c.now;
        c.now += 30 * SECONDS;
        cubic.cwndEvent(c, CaEvent.TX_START);
        assertThat(cubic.epochStartJiffies()).isEqualTo(epoch + 30 * CubicFunction.HZ);
    }

    @Test
    void theEpochNeverMovesIntoTheFuture() {
        lossAt(100);
        c.now += RTT;
        c.ack(cubic, 1, RTT);
        c.lastSend = c.now - 10 * SECONDS; // sent long before the epoch began
        cubic.cwndEvent(c, CaEvent.TX_START);
        assertThat(cubic.epochStartJiffies()).isEqualTo(CubicFunction.jiffies(c.now));
    }

    @Test
    void aTimeoutForgetsTheCurveAndTheMinimumRtt() {
        lossAt(100);
        c.run(cubic, RTT, SECONDS);
        assertThat(cubic.delayMinMicros()).isEqualTo(RTT);
        c.timeout(cubic);
        assertThat(c.ssthresh).isEqualTo(cubic.lastMaxCwnd() == 0 ? c.ssthresh : -1);
        assertThat(cubic.lastMaxCwnd()).isZero();
        assertThat(cubic.delayMinMicros()).isZero();
        assertThat(cubic.epochStartJiffies()).isEqualTo(Long.MIN_VALUE);
    }

    @Test
    void undoIsRenos() {
        lossAt(100);
        c.priorCwnd = 100;
        assertThat(cubic.undoCwnd(c)).isEqualTo(100);
    }

    @Test
    void theCubeRootIsExact() {
        assertThat(CubicFunction.cubeRoot(0)).isZero();
        assertThat(CubicFunction.cubeRoot(26)).isEqualTo(2);
        assertThat(CubicFunction.cubeRoot(27)).isEqualTo(3);
        assertThat(CubicFunction.cubeRoot(1L << 60)).isEqualTo(1L << 20);
        assertThat(CubicFunction.cubeRoot((1L << 60) - 1)).isEqualTo((1L << 20) - 1);
    }
}
