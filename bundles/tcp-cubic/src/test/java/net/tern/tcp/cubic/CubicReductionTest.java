package net.tern.tcp.cubic;

import static net.tern.tcp.cubic.SimulatedConnection.MILLIS;
import static net.tern.tcp.cubic.SimulatedConnection.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** Multiplicative decrease, fast convergence, timeouts and undo (RFC 9438, 4.6 to 4.9). */
class CubicReductionTest {
    private static final double C = 0.4;
    private static final long RTT = 100 * MILLIS;

    private final SimulatedConnection c = new SimulatedConnection();
    private final CubicController cubic = controller(c, true);

    private static CubicController controller(SimulatedConnection connection, boolean fastConvergence) {
        return (CubicController) new Cubic(new CubicOptions(fastConvergence, false)).create(connection);
    }

    private static void congestionAvoidanceAt(SimulatedConnection connection, int cwnd) {
        connection.cwnd = cwnd;
        connection.ssthresh = cwnd;
        connection.inFlight = cwnd;
    }

    @Test
    void ssthreshIsSeventyPercentOfTheWindowAndAtLeastTwo() {
        int[][] cwndToSsthresh = {{1000, 700}, {100, 70}, {11, 7}, {3, 2}, {2, 2}, {1, 2}};
        for (int[] pair : cwndToSsthresh) {
            c.cwnd = pair[0];
            assertThat(controller(c, true).ssthresh(c)).as("ssthresh for cwnd %d", pair[0]).isEqualTo(pair[1]);
        }
    }

    @Test
    void theFirstLossRemembersTheWindowAsWMaxAndEndsTheEpoch() {
        congestionAvoidanceAt(c, 500);
        c.run(cubic, RTT, SECONDS);
        assertThat(cubic.epochStartMicros()).isNotEqualTo(CubicController.NO_TIME);
        int atLoss = c.cwnd;

        c.fastRecovery(cubic);

        assertThat(c.ssthresh).isEqualTo(atLoss * 7 / 10);
        assertThat(cubic.wMax()).isEqualTo(atLoss);
        assertThat(cubic.cwndPrior()).isEqualTo(atLoss);
        assertThat(cubic.epochStartMicros()).isEqualTo(CubicController.NO_TIME);
        long firstAck = c.now + RTT / c.cwnd;
        c.roundTrip(cubic, RTT);
        assertThat(cubic.epochStartMicros()).as("the epoch starts on the first ACK after the reduction").isEqualTo(firstAck);
    }

    @Test
    void fastConvergenceLowersWMaxWhenTheLossComesBelowThePreviousWMax() {
        congestionAvoidanceAt(c, 1000);
        c.fastRecovery(cubic); // W_max 1000, cwnd 700
        c.run(cubic, RTT, 2 * SECONDS);
        int atLoss = c.cwnd;
        assertThat(atLoss).isLessThan(1000);

        c.fastRecovery(cubic);

        assertThat(cubic.wMax()).isCloseTo(atLoss * (1 + 0.7) / 2, within(1e-9));
        assertThat(c.ssthresh).isEqualTo(atLoss * 7 / 10);
        c.roundTrip(cubic, RTT);
        double cwndEpoch = atLoss * 7 / 10;
        assertThat(cubic.k()).isCloseTo(Math.cbrt((atLoss * 0.85 - cwndEpoch) / C), within(1e-9));
    }

    @Test
    void withoutFastConvergenceWMaxIsTheWindowAtTheLoss() {
        CubicController plain = controller(c, false);
        congestionAvoidanceAt(c, 1000);
        c.fastRecovery(plain);
        c.run(plain, RTT, 2 * SECONDS);
        int atLoss = c.cwnd;

        c.fastRecovery(plain);

        assertThat(plain.wMax()).isEqualTo(atLoss);
    }

    @Test
    void aLossAboveTheOldWMaxRemembersTheNewWindow() {
        congestionAvoidanceAt(c, 100);
        c.fastRecovery(cubic);
        c.run(cubic, RTT, 12 * SECONDS);
        int atLoss = c.cwnd;
        assertThat(atLoss).isGreaterThan(100);

        c.fastRecovery(cubic);

        assertThat(cubic.wMax()).isEqualTo(atLoss);
    }

    @Test
    void afterATimeoutTheFirstStageHasKZeroAndWMaxAtItsStartingWindow() {
        congestionAvoidanceAt(c, 1000);
        c.timeout(cubic);
        assertThat(c.ssthresh).isEqualTo(700);
        assertThat(c.cwnd).isEqualTo(1);

        while (c.cwnd < c.ssthresh) {
            c.roundTrip(cubic, RTT); // standard slow start up to ssthresh
        }
        int cwndEpoch = c.cwnd;
        c.roundTrip(cubic, RTT);

        assertThat(cubic.k()).isZero();
        assertThat(cubic.wMax()).isEqualTo(cwndEpoch);
        assertThat(cubic.renoEstimate()).isCloseTo(cwndEpoch, within(1.0));
    }

    @Test
    void undoAfterASpuriousFastRetransmitRestoresTheCurve() {
        SimulatedConnection twin = new SimulatedConnection();
        CubicController twinCubic = controller(twin, true);
        congestionAvoidanceAt(c, 1000);
        congestionAvoidanceAt(twin, 1000);
        c.fastRecovery(cubic);
        twin.fastRecovery(twinCubic);
        c.run(cubic, RTT, 3 * SECONDS);
        twin.run(twinCubic, RTT, 3 * SECONDS);
        double wMax = cubic.wMax();
        double k = cubic.k();
        long epoch = cubic.epochStartMicros();
        int before = c.cwnd;
        int ssthreshBefore = c.ssthresh;

        c.fastRecovery(cubic);
        assertThat(c.cwnd).isLessThan(before);
        c.undo(cubic, ssthreshBefore);

        assertThat(c.cwnd).isEqualTo(before);
        assertThat(cubic.wMax()).isEqualTo(wMax);
        assertThat(cubic.k()).isEqualTo(k);
        assertThat(cubic.epochStartMicros()).isEqualTo(epoch);
        c.run(cubic, RTT, 3 * SECONDS);
        twin.run(twinCubic, RTT, 3 * SECONDS);
        assertThat(c.cwnd).as("as if the loss never happened").isCloseTo(twin.cwnd, within(1));
    }

    @Test
    void undoAfterASpuriousTimeoutRestoresTheWMaxTheLossStateForgot() {
        congestionAvoidanceAt(c, 1000);
        c.fastRecovery(cubic);
        c.run(cubic, RTT, 3 * SECONDS);
        int before = c.cwnd;
        int ssthreshBefore = c.ssthresh;

        c.timeout(cubic);
        assertThat(cubic.wMax()).isZero();
        c.undo(cubic, ssthreshBefore);

        assertThat(c.cwnd).isEqualTo(before);
        assertThat(cubic.wMax()).isEqualTo(1000.0);
        assertThat(cubic.cwndPrior()).isEqualTo(1000.0);
    }

    @Test
    void anUndoAfterTheWindowRegrewKeepsTheCurrentState() {
        congestionAvoidanceAt(c, 100);
        c.fastRecovery(cubic);
        c.run(cubic, RTT, 12 * SECONDS); // far past the prior window
        int now = c.cwnd;
        double wMax = cubic.wMax();
        long epoch = cubic.epochStartMicros();

        assertThat(cubic.undoCwnd(c)).isEqualTo(now);
        assertThat(cubic.wMax()).isEqualTo(wMax);
        assertThat(cubic.epochStartMicros()).isEqualTo(epoch);
    }
}
