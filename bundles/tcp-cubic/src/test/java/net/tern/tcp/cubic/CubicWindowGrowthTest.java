package net.tern.tcp.cubic;

import static net.tern.tcp.cubic.SimulatedConnection.MILLIS;
import static net.tern.tcp.cubic.SimulatedConnection.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import net.tern.tcp.cc.CaEvent;
import org.junit.jupiter.api.Test;

/** Congestion avoidance: the window against RFC 9438's formulas, computed here on their own. */
class CubicWindowGrowthTest {
    private static final double C = 0.4;
    private static final double BETA = 0.7;
    private static final long RTT = 100 * MILLIS;

    private final SimulatedConnection c = new SimulatedConnection();
    private final CubicController cubic = controller(c);

    private static CubicController controller(SimulatedConnection connection) {
        return (CubicController) new Cubic(new CubicOptions(true, false)).create(connection);
    }

    /** A window of {@code wMax} in congestion avoidance, then a loss: the epoch starts on the next ACK. */
    private static void lossAt(SimulatedConnection connection, CubicController cc, int wMax) {
        connection.cwnd = wMax;
        connection.ssthresh = wMax;
        connection.inFlight = wMax;
        connection.fastRecovery(cc);
    }

    private double secondsSinceEpoch() {
        return (c.now - cubic.epochStartMicros()) / (double) SECONDS;
    }

    private static double wCubic(double t, double k, double wMax) {
        return C * Math.pow(t - k, 3) + wMax;
    }

    @Test
    void afterALossTheWindowFollowsTheCubicFunction() {
        lossAt(c, cubic, 1000);
        assertThat(c.cwnd).isEqualTo(700);
        c.roundTrip(cubic, RTT);

        double k = Math.cbrt(1000 * (1 - BETA) / C); // 9.085 s
        assertThat(cubic.k()).isCloseTo(k, within(1e-9));
        assertThat(cubic.wMax()).isEqualTo(1000.0);

        for (double checkpoint : new double[] {1, 3, 5, 8, 9, 10, 12, 14, 16}) {
            while (secondsSinceEpoch() < checkpoint) {
                c.roundTrip(cubic, RTT);
            }
            double t = secondsSinceEpoch();
            assertThat((double) c.cwnd).as("cwnd at t=%.2f s", t).isCloseTo(wCubic(t, k, 1000), within(1.0));
        }
    }

    @Test
    void growthIsConcaveBelowWMaxAndConvexAbove() {
        lossAt(c, cubic, 1000);
        c.roundTrip(cubic, RTT);
        double k = cubic.k();

        List<Integer> growthPerSecond = new ArrayList<>();
        int previous = c.cwnd;
        for (int second = 1; second <= 16; second++) {
            while (secondsSinceEpoch() < second) {
                c.roundTrip(cubic, RTT);
            }
            growthPerSecond.add(c.cwnd - previous);
            previous = c.cwnd;
            if (second == 9) {
                assertThat(c.cwnd).as("at K the window has reached W_max").isBetween(998, 1000);
            }
        }
        int secondsBeforeK = (int) Math.floor(k); // 9
        List<Integer> concave = growthPerSecond.subList(0, secondsBeforeK);
        List<Integer> convex = growthPerSecond.subList(secondsBeforeK + 1, growthPerSecond.size());
        assertThat(concave).as("growth per second below W_max").isSortedAccordingTo((a, b) -> b - a);
        assertThat(convex).as("growth per second above W_max").isSorted();
        assertThat(concave.get(0)).isGreaterThan(10 * growthPerSecond.get(secondsBeforeK));
        assertThat(convex.get(convex.size() - 1)).isGreaterThan(10 * growthPerSecond.get(secondsBeforeK));
    }

    @Test
    void atShortRttTheRenoFriendlyEstimateGovernsTheWindow() {
        long rtt = MILLIS;
        lossAt(c, cubic, 20); // ssthresh 14, K = cbrt(15) = 2.47 s
        c.roundTrip(cubic, rtt);

        // Reno's window after the same loss: alpha_cubic segments per RTT until cwnd_prior (20), then one.
        double alpha = 3 * (1 - BETA) / (1 + BETA);
        double reno = 14;
        for (int round = 1; round < 200; round++) {
            c.roundTrip(cubic, rtt);
            reno += reno < 20 ? alpha : 1;
        }
        double t = secondsSinceEpoch();
        double cubicWindow = wCubic(t, Math.cbrt(20 * (1 - BETA) / C), 20);

        assertThat(cubicWindow).as("the cubic curve after %.3f s", t).isLessThan(16);
        assertThat((double) c.cwnd).isCloseTo(reno, within(3.0));
        assertThat(cubic.renoEstimate()).isCloseTo(reno, within(3.0));
    }

    @Test
    void theRenoFriendlyEstimateGrowsByAlphaCubicPerRoundTripUntilThePriorWindow() {
        lossAt(c, cubic, 1000);
        c.roundTrip(cubic, RTT);
        double start = cubic.renoEstimate();
        for (int round = 0; round < 10; round++) {
            c.roundTrip(cubic, RTT);
        }
        double perRound = (cubic.renoEstimate() - start) / 10;
        assertThat(perRound).isCloseTo(3 * (1 - BETA) / (1 + BETA), within(0.02));
    }

    @Test
    void noGrowthWhileTheApplicationLimitsSendingAndThatTimeIsNotTheEpochs() {
        SimulatedConnection twin = new SimulatedConnection();
        CubicController twinCubic = controller(twin);
        lossAt(c, cubic, 1000);
        lossAt(twin, twinCubic, 1000);
        c.run(cubic, RTT, 2 * SECONDS);
        twin.run(twinCubic, RTT, 2 * SECONDS);
        assertThat(c.cwnd).isEqualTo(twin.cwnd);

        int before = c.cwnd;
        c.cwndLimited = false;
        c.run(cubic, RTT, 3 * SECONDS);
        assertThat(c.cwnd).as("application-limited for 3 s").isEqualTo(before);

        c.cwndLimited = true;
        c.run(cubic, RTT, 2 * SECONDS);
        twin.run(twinCubic, RTT, 2 * SECONDS);
        assertThat(c.cwnd).as("the curve resumes where it stood").isCloseTo(twin.cwnd, within(1));
    }

    @Test
    void theClampBoundsCongestionAvoidance() {
        lossAt(c, cubic, 1000);
        c.cwndClamp = 750;
        c.run(cubic, RTT, 20 * SECONDS);
        assertThat(c.cwnd).isEqualTo(750);
    }

    @Test
    void theClampBoundsTheRenoFriendlyRegion() {
        lossAt(c, cubic, 20);
        c.cwndClamp = 30;
        c.run(cubic, MILLIS, SECONDS / 5);
        assertThat(c.cwnd).isEqualTo(30);
    }

    @Test
    void anIdlePeriodDoesNotMoveTheWindowAlongTheCurve() {
        SimulatedConnection twin = new SimulatedConnection();
        CubicController twinCubic = controller(twin);
        lossAt(c, cubic, 1000);
        lossAt(twin, twinCubic, 1000);
        c.run(cubic, RTT, 3 * SECONDS);
        twin.run(twinCubic, RTT, 3 * SECONDS);
        long epochBefore = cubic.epochStartMicros();

        // Everything ACKed, then 60 s with nothing to send; sending resumes with nothing in flight.
        c.now += 60 * SECONDS;
        twin.now += 1; // the twin resumes at once
        c.inFlight = 0;
        twin.inFlight = 0;
        cubic.cwndEvent(c, CaEvent.TX_START);
        twinCubic.cwndEvent(twin, CaEvent.TX_START);
        assertThat(cubic.epochStartMicros()).isEqualTo(epochBefore + 60 * SECONDS);

        for (int round = 0; round < 20; round++) {
            int before = c.cwnd;
            c.roundTrip(cubic, RTT);
            twin.roundTrip(twinCubic, RTT);
            assertThat(c.cwnd - before).as("growth in round %d after idle", round).isLessThan(20);
            assertThat(c.cwnd).isCloseTo(twin.cwnd, within(1));
        }
    }

    @Test
    void withoutTheIdleShiftTheWindowWouldJump() {
        lossAt(c, cubic, 1000);
        c.run(cubic, RTT, 3 * SECONDS);
        int before = c.cwnd;
        c.now += 60 * SECONDS; // no TX_START: the 60 s count as the epoch's
        c.roundTrip(cubic, RTT);
        assertThat(c.cwnd).as("the target is capped at 1.5 cwnd per round trip")
                .isGreaterThan(before + before / 3)
                .isLessThanOrEqualTo(before + before / 2 + 1);
    }

    @Test
    void aStageStartingAboveWMaxIsConvexFromTheStart() {
        CubicCurve curve = CubicCurve.startingAt(120, 100);
        assertThat(curve.k()).isZero();
        assertThat(curve.wMax()).isEqualTo(120);
        assertThat(curve.window(2)).isCloseTo(120 + C * 8, within(1e-12));
    }
}
