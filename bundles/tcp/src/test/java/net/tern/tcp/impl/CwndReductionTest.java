package net.tern.tcp.impl;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Proportional Rate Reduction (RFC 6937) and its inputs: {@link TcpCwndReduction}'s window per
 * ACK, the duplicate ACKs a connection without SACK counts as SACKs ({@link RenoSacks}), and
 * whether the window limits sending ({@link TcpCwndUsage}). The numbers are those the scripts
 * under {@code packetdrill/prr/} saw Linux 6.18 use.
 */
class CwndReductionTest {
    @Test
    void aboveSsthreshEachAckLetsGoItsProportionalShare() {
        TcpCwndReduction prr = new TcpCwndReduction();
        prr.start();
        // RecoverFS 10, ssthresh 5, pipe 8 after the third duplicate: the fast retransmission.
        assertThat(prr.cwndReduction(5, 10, 8, 1, 1, false)).isEqualTo(9);
        prr.sent(1);
        // ceil(5 * 2 / 10) - 1 = 0, then ceil(5 * 3 / 10) - 1 = 1.
        assertThat(prr.cwndReduction(5, 10, 8, 1, 0, false)).isEqualTo(8);
        assertThat(prr.cwndReduction(5, 10, 7, 1, 0, false)).isEqualTo(8);
        prr.sent(1);
        assertThat(prr.prrDelivered()).isEqualTo(3);
        assertThat(prr.prrOut()).isEqualTo(2);
    }

    @Test
    void atOrBelowSsthreshTheSlowStartReductionBoundApplies() {
        TcpCwndReduction prr = new TcpCwndReduction();
        prr.start();
        // Four lost of ten, three SACKed: pipe 3, below ssthresh 5: max(1 - 0, 1) = 1.
        assertThat(prr.cwndReduction(5, 10, 3, 1, 4, false)).isEqualTo(4);
        prr.sent(1);
        // A cumulative ACK that delivered one and found nothing lost: one more than delivered,
        // but not past ssthresh.
        assertThat(prr.cwndReduction(5, 10, 3, 1, 0, true)).isEqualTo(5);
        // With a loss found by the same ACK, no extra segment.
        TcpCwndReduction lossy = new TcpCwndReduction();
        lossy.start();
        lossy.sent(3);
        assertThat(lossy.cwndReduction(5, 10, 3, 1, 1, true)).isEqualTo(4);
    }

    @Test
    void theFirstAckOfAReductionAlwaysLetsOneGo() {
        TcpCwndReduction prr = new TcpCwndReduction();
        prr.start();
        // Pipe far above ssthresh: ceil(2 * 1 / 20) = 1 anyway, and never less than one before the first send.
        assertThat(prr.cwndReduction(2, 20, 18, 1, 0, false)).isEqualTo(19);
    }

    @Test
    void duplicateAcksCountAsSackedButNeverAllOfTheFlight() {
        RenoSacks sacks = new RenoSacks();
        assertThat(sacks.addRenoSack(1, 10, 0)).isEqualTo(1);
        assertThat(sacks.addRenoSack(1, 10, 0)).isEqualTo(1);
        assertThat(sacks.count()).isEqualTo(2);
        // At most what is out less the hole.
        assertThat(sacks.addRenoSack(20, 10, 0)).isEqualTo(7);
        assertThat(sacks.count()).isEqualTo(9);
        // A cumulative ACK of 3: one filled the hole, two were counted: one newly delivered.
        assertThat(sacks.removeRenoSacks(3, 7, 1)).isEqualTo(1);
        assertThat(sacks.count()).isEqualTo(6);
        // One that covers more than was counted delivers the rest.
        assertThat(sacks.removeRenoSacks(7, 0, 0)).isEqualTo(1);
        assertThat(sacks.count()).isZero();
        sacks.addRenoSack(2, 10, 0);
        sacks.resetRenoSack();
        assertThat(sacks.count()).isZero();
    }

    @Test
    void theWindowLimitsSendingForAWholeWindowOfDataOnceItDid() {
        TcpCwndUsage usage = new TcpCwndUsage();
        // Four sent of a window of ten in slow start: 10 < 2 * 4 is false, not limited.
        usage.cwndValidate(false, 0, 4000, 4);
        assertThat(usage.isCwndLimited(10, Integer.MAX_VALUE)).isFalse();
        // Six out: 10 < 12, limited in slow start though the window was not filled.
        usage.cwndValidate(false, 0, 6000, 6);
        assertThat(usage.maxPacketsOut()).isEqualTo(6);
        assertThat(usage.isCwndLimited(10, Integer.MAX_VALUE)).isTrue();
        assertThat(usage.isCwndLimited(10, 5)).as("not in slow start").isFalse();
        // Held back by the window: limited until that window of data is acknowledged.
        usage.cwndValidate(true, 0, 10_000, 10);
        usage.cwndValidate(false, 5000, 12_000, 2);
        assertThat(usage.isCwndLimited(10, 5)).isTrue();
        usage.cwndValidate(false, 10_000, 12_000, 2);
        assertThat(usage.isCwndLimited(10, 5)).isFalse();
    }
}
