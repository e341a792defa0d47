package net.tern.tcp.cubic;

import static net.tern.tcp.cubic.SimulatedConnection.MILLIS;
import static org.assertj.core.api.Assertions.assertThat;

import net.tern.tcp.cubic.HyStartPlusPlus.Phase;
import org.junit.jupiter.api.Test;

/** The initial slow start with HyStart++ (RFC 9406), through the controller's hooks. */
class HyStartPlusPlusTest {
    private static final long RTT = 100 * MILLIS;
    private static final long RISEN = 120 * MILLIS; // 100 ms + 12.5 ms threshold is crossed
    private static final CubicOptions PLUS_PLUS = CubicOptions.DEFAULTS.withSlowStartExit(false, true);

    private final SimulatedConnection c = new SimulatedConnection();
    private final CubicController cubic = (CubicController) new Cubic(PLUS_PLUS).create(c);

    private void rounds(int count, long rtt) {
        for (int i = 0; i < count; i++) {
            c.roundTrip(cubic, rtt);
        }
    }

    /** Round trips at {@code rtt} until HyStart++ reaches {@code phase}; how many it took. */
    private int roundsUntil(Phase phase, long rtt, int limit) {
        for (int round = 1; round <= limit; round++) {
            c.roundTrip(cubic, rtt);
            if (cubic.hyStartPlusPlusPhase() == phase) {
                return round;
            }
        }
        throw new AssertionError("no " + phase + " within " + limit + " round trips; cwnd " + c.cwnd);
    }

    @Test
    void theRttThresholdIsAnEighthOfTheLastRoundsMinimumWithinFourAndSixteenMilliseconds() {
        assertThat(HyStartPlusPlus.rttThreshold(100 * MILLIS)).isEqualTo(12_500);
        assertThat(HyStartPlusPlus.rttThreshold(10 * MILLIS)).isEqualTo(4 * MILLIS);
        assertThat(HyStartPlusPlus.rttThreshold(1_000 * MILLIS)).isEqualTo(16 * MILLIS);
    }

    @Test
    void slowStartGrowsOneSegmentPerSegmentAckedButAtMostLPerAck() {
        c.inFlight = 40;
        c.ack(cubic, 1, RTT);
        assertThat(c.cwnd).isEqualTo(11);
        c.ack(cubic, 20, RTT);
        assertThat(c.cwnd).isEqualTo(11 + HyStartPlusPlus.ACK_LIMIT);
    }

    @Test
    void withASteadyRttTheWindowDoublesEveryRoundTrip() {
        rounds(4, RTT);
        assertThat(c.cwnd).isEqualTo(160);
        assertThat(cubic.hyStartPlusPlusPhase()).isEqualTo(Phase.SLOW_START);
    }

    @Test
    void aRisingRttSwitchesToConservativeSlowStartAtAQuarterOfTheRate() {
        rounds(3, RTT);
        int rounds = roundsUntil(Phase.CONSERVATIVE_SLOW_START, RISEN, 3);
        assertThat(rounds).as("the first full round at the higher RTT decides").isLessThanOrEqualTo(2);

        int before = c.cwnd;
        c.roundTrip(cubic, RISEN);
        assertThat(c.cwnd - before).isBetween(before / 4 - 1, before / 4 + 1);
        assertThat(c.ssthresh).as("TCP's ssthresh is untouched").isEqualTo(Integer.MAX_VALUE);
    }

    @Test
    void conservativeSlowStartEndsSlowStartAfterFiveRounds() {
        rounds(3, RTT);
        roundsUntil(Phase.CONSERVATIVE_SLOW_START, RISEN, 3);
        int cssRoundTrips = roundsUntil(Phase.DONE, RISEN, 10);
        assertThat(cssRoundTrips).isBetween(HyStartPlusPlus.CSS_ROUNDS - 1, HyStartPlusPlus.CSS_ROUNDS + 1);

        int exit = c.cwnd;
        assertThat(c.ssthresh).as("HyStart++ sets TCP's ssthresh to cwnd (RFC 9406 4.2)").isEqualTo(exit);

        c.roundTrip(cubic, RISEN);
        assertThat(cubic.k()).as("congestion avoidance without a loss: K = 0").isZero();
        assertThat(cubic.lastMaxCwnd()).as("no loss yet: no W_max").isZero();
        int atEpoch = c.cwnd;
        rounds(5, RISEN);
        // Before any loss Linux's CUBIC grows at most 5% per round trip (cnt <= 20).
        assertThat(c.cwnd - atEpoch).as("growth in 5 round trips from %d", atEpoch).isPositive()
                .isLessThanOrEqualTo((int) Math.ceil(atEpoch * (Math.pow(1.05, 5) - 1)) + 5);
    }

    @Test
    void aFallingRttReturnsFromConservativeSlowStartToSlowStart() {
        rounds(3, RTT);
        roundsUntil(Phase.CONSERVATIVE_SLOW_START, RISEN, 3);
        roundsUntil(Phase.SLOW_START, RTT, 2);

        int before = c.cwnd;
        c.roundTrip(cubic, RTT);
        assertThat(c.cwnd).isEqualTo(2 * before);
    }

    @Test
    void aLossEndsHyStartAndLaterSlowStartsAreStandard() {
        rounds(3, RTT);
        c.timeout(cubic);
        assertThat(cubic.hyStartPlusPlusPhase()).isEqualTo(Phase.DONE);
        assertThat(c.ssthresh).as("80 * 717 / 1024").isEqualTo(56);

        c.ack(cubic, 20, RTT);
        assertThat(c.cwnd).as("no per-ACK limit outside HyStart++").isEqualTo(21);
        rounds(3, RISEN);
        assertThat(c.cwnd).as("slow start up to ssthresh despite the RTT rise").isGreaterThanOrEqualTo(56);
    }

    @Test
    void switchedOffItLeavesSlowStartOnlyOnALoss() {
        CubicController plain = (CubicController) new Cubic(CubicOptions.DEFAULTS.withSlowStartExit(false, false)).create(c);
        for (int i = 0; i < 3; i++) {
            c.roundTrip(plain, RTT);
        }
        for (int i = 0; i < 3; i++) {
            c.roundTrip(plain, RISEN);
        }
        assertThat(plain.hyStartPlusPlusPhase()).isEqualTo(Phase.DONE);
        assertThat(c.cwnd).isEqualTo(10 << 6);
    }

    @Test
    void aConnectionSwitchingToCubicAfterALossUsesStandardSlowStart() {
        c.ssthresh = 30;
        CubicController late = (CubicController) new Cubic(PLUS_PLUS).create(c);
        assertThat(late.hyStartPlusPlusPhase()).isEqualTo(Phase.DONE);
    }

    @Test
    void undoingALossAfterHyStartsExitRestoresItsThreshold() {
        rounds(3, RTT);
        roundsUntil(Phase.CONSERVATIVE_SLOW_START, RISEN, 3);
        roundsUntil(Phase.DONE, RISEN, 10);
        int exit = c.cwnd;
        rounds(2, RISEN);
        int before = c.cwnd;

        c.fastRecovery(cubic);
        c.undo(cubic, exit); // TCP's ssthresh before the loss: HyStart++'s exit point

        assertThat(c.cwnd).isEqualTo(before);
        assertThat(c.ssthresh).isEqualTo(exit);
        c.roundTrip(cubic, RISEN);
        assertThat(c.cwnd - before).as("congestion avoidance, not slow start").isLessThan(before / 10);
    }
}
