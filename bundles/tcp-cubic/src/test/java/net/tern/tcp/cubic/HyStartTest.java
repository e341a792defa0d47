package net.tern.tcp.cubic;

import static net.tern.tcp.cubic.SimulatedConnection.MILLIS;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Linux's HyStart in CUBIC's initial slow start: the ACK train and the delay increase. */
class HyStartTest {
    private final SimulatedConnection c = new SimulatedConnection();

    private CubicController cubic(int detect) {
        CubicOptions o = CubicOptions.DEFAULTS;
        return (CubicController) new Cubic(new CubicOptions(o.fastConvergence(), o.tcpFriendliness(), true, detect,
                o.hyStartLowWindow(), o.hyStartAckDeltaMicros(), false)).create(c);
    }

    @Test
    void theDelayThresholdIsAnEighthOfTheMinimumWithinFourAndSixteenMilliseconds() {
        assertThat(HyStart.delayThreshold(100 * MILLIS)).isEqualTo(12_500);
        assertThat(HyStart.delayThreshold(10 * MILLIS)).isEqualTo(4 * MILLIS);
        assertThat(HyStart.delayThreshold(1_000 * MILLIS)).isEqualTo(16 * MILLIS);
    }

    @Test
    void aRisingRttEndsSlowStartWithSsthreshAtCwnd() {
        CubicController cc = cubic(HyStart.DELAY);
        c.srtt = 100 * MILLIS;
        for (int i = 0; i < 2; i++) {
            c.roundTrip(cc, 100 * MILLIS);
        }
        assertThat(c.cwnd).isEqualTo(40);
        assertThat(c.ssthresh).isEqualTo(Integer.MAX_VALUE);
        // The queue builds: RTT 100 + 12.5 ms or more.
        c.roundTrip(cc, 113 * MILLIS);
        assertThat(cc.hyStartFound()).isTrue();
        assertThat(c.ssthresh).as("ssthresh = cwnd when found").isBetween(48, 80);
        assertThat(c.cwnd).as("congestion avoidance from there").isGreaterThanOrEqualTo(c.ssthresh);
    }

    @Test
    void aRiseBelowTheThresholdDoesNotEndSlowStart() {
        CubicController cc = cubic(HyStart.DELAY);
        for (int i = 0; i < 2; i++) {
            c.roundTrip(cc, 100 * MILLIS);
        }
        c.roundTrip(cc, 112 * MILLIS);
        assertThat(cc.hyStartFound()).isFalse();
        assertThat(c.cwnd).isEqualTo(80);
    }

    @Test
    void theDelayNeedsEightSamplesInTheRound() {
        CubicController cc = cubic(HyStart.DELAY);
        c.cwnd = 20;
        c.ack(cc, 1, 100 * MILLIS); // delay_min; the flight goes out after it
        // The next ACK passes the round's end: a new round, whose first 8 samples only gather.
        for (int i = 0; i < HyStart.MIN_SAMPLES; i++) {
            c.ack(cc, 1, 150 * MILLIS);
        }
        assertThat(cc.hyStartFound()).as("the round's first samples only gather").isFalse();
        c.ack(cc, 1, 150 * MILLIS);
        assertThat(cc.hyStartFound()).isTrue();
    }

    @Test
    void nothingIsDetectedBelowTheLowWindow() {
        CubicController cc = cubic(HyStart.DELAY | HyStart.ACK_TRAIN);
        c.cwnd = 15;
        c.send(15);
        c.cwndLimited = false; // the window stays below 16
        c.ack(cc, 1, 100 * MILLIS);
        for (int i = 0; i < 12; i++) {
            c.ack(cc, 1, 200 * MILLIS);
        }
        assertThat(cc.hyStartFound()).isFalse();
    }

    @Test
    void anAckTrainLongerThanHalfTheMinimumRttEndsSlowStart() {
        CubicController cc = cubic(HyStart.ACK_TRAIN);
        c.srtt = 40 * MILLIS;
        c.cwnd = 16;
        c.send(40); // one flight longer than the train
        c.cwndLimited = false;
        c.ack(cc, 1, 40 * MILLIS); // the minimum RTT, 40 ms; the round starts
        // ACKs 1 ms apart: a train. Past (40 ms + 1 ms cushion) / 2 it has filled the path.
        int acks = 0;
        while (!cc.hyStartFound() && acks < 100) {
            c.now += MILLIS;
            c.ack(cc, 1, 40 * MILLIS);
            acks++;
        }
        assertThat(cc.hyStartFound()).isTrue();
        assertThat(acks).isBetween(20, 22);
        assertThat(c.ssthresh).isEqualTo(c.cwnd);
    }

    @Test
    void acksFartherApartThanTheDeltaAreNoTrain() {
        CubicController cc = cubic(HyStart.ACK_TRAIN);
        c.srtt = 40 * MILLIS;
        c.cwnd = 16;
        c.send(60);
        c.cwndLimited = false;
        c.ack(cc, 1, 40 * MILLIS);
        for (int i = 0; i < 40; i++) {
            c.now += 3 * MILLIS;
            c.ack(cc, 1, 40 * MILLIS);
        }
        assertThat(cc.hyStartFound()).isFalse();
    }

    @Test
    void aTimeoutLetsHyStartLookAgain() {
        CubicController cc = cubic(HyStart.DELAY);
        for (int i = 0; i < 2; i++) {
            c.roundTrip(cc, 100 * MILLIS);
        }
        c.roundTrip(cc, 120 * MILLIS);
        assertThat(cc.hyStartFound()).isTrue();
        c.timeout(cc);
        assertThat(cc.hyStartFound()).isFalse();
    }

    @Test
    void switchedOffItLeavesSlowStartOnlyOnALoss() {
        CubicController cc = (CubicController) new Cubic(CubicOptions.DEFAULTS.withSlowStartExit(false, false)).create(c);
        for (int i = 0; i < 2; i++) {
            c.roundTrip(cc, 100 * MILLIS);
        }
        c.roundTrip(cc, 150 * MILLIS);
        assertThat(c.ssthresh).isEqualTo(Integer.MAX_VALUE);
        assertThat(c.cwnd).isEqualTo(80);
    }
}
