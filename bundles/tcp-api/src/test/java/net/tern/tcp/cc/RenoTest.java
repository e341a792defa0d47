package net.tern.tcp.cc;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RenoTest {
    private final FakeCongestionState c = new FakeCongestionState();
    private final CongestionController reno = new Reno().create(c);

    @Test
    void slowStartGrowsOneSegmentPerAckedSegment() {
        reno.congAvoid(c, 10);
        assertThat(c.cwnd).isEqualTo(20);
    }

    @Test
    void slowStartStopsAtSsthreshAndTheRestGoesToAdditiveIncrease() {
        c.ssthresh = 14;
        reno.congAvoid(c, 10); // 4 segments take cwnd to 14; 6 left count towards 14
        assertThat(c.cwnd).isEqualTo(14);
        assertThat(c.cwndCount).isEqualTo(6);
    }

    @Test
    void congestionAvoidanceAddsOneSegmentPerWindowAcked() {
        c.ssthresh = 10;
        for (int i = 0; i < 9; i++) {
            reno.congAvoid(c, 1);
        }
        assertThat(c.cwnd).as("nine of ten ACKed: not yet").isEqualTo(10);
        reno.congAvoid(c, 1);
        assertThat(c.cwnd).isEqualTo(11);
        assertThat(c.cwndCount).isZero();
    }

    @Test
    void aLargeAckGrowsByWholeWindowsAndKeepsTheRemainder() {
        c.ssthresh = 10;
        reno.congAvoid(c, 25);
        assertThat(c.cwnd).isEqualTo(12);
        assertThat(c.cwndCount).isEqualTo(5);
    }

    @Test
    void nothingGrowsWhenTheApplicationLimitsSending() {
        c.cwndLimited = false;
        reno.congAvoid(c, 10);
        assertThat(c.cwnd).isEqualTo(10);
    }

    @Test
    void theClampBoundsGrowth() {
        c.cwndClamp = 12;
        reno.congAvoid(c, 10);
        assertThat(c.cwnd).isEqualTo(12);
    }

    @Test
    void ssthreshHalvesTheWindowButKeepsTwoSegments() {
        c.cwnd = 21;
        assertThat(reno.ssthresh(c)).isEqualTo(10);
        c.cwnd = 3;
        assertThat(reno.ssthresh(c)).isEqualTo(2);
    }

    @Test
    void undoReturnsToTheWindowBeforeTheReduction() {
        c.cwnd = 5;
        c.priorCwnd = 20;
        assertThat(reno.undoCwnd(c)).isEqualTo(20);
        c.cwnd = 25;
        assertThat(reno.undoCwnd(c)).isEqualTo(25);
    }

    @Test
    void registersUnderTheNameReno() {
        assertThat(new Reno().name()).isEqualTo("reno").isEqualTo(Reno.NAME);
    }
}
