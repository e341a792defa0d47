package net.tern.tcp.impl;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ListIterator;
import org.junit.jupiter.api.Test;

/**
 * The retransmission queue keeps its scoreboard's invariants by itself: after every change
 * {@code sacked_out}, {@code lost_out} and {@code retrans_out} equal the marks on its
 * segments, no SACKed segment is lost or in retransmission, and the pipe is never negative.
 */
class RtxQueueTest {
    private static final int MSS = 1000;

    /** Ten full segments from sequence 0, sent at time 0. */
    private static RtxQueue tenSegments() {
        RtxQueue q = new RtxQueue();
        for (int i = 0; i < 10; i++) {
            q.add(new TxSegment(i * MSS, MSS, 0, 0, false));
        }
        return q;
    }

    private static void assertConsistent(RtxQueue q) {
        int sacked = 0;
        int lost = 0;
        int retrans = 0;
        for (TxSegment s : q) {
            sacked += s.sacked() ? 1 : 0;
            lost += s.lost() ? 1 : 0;
            retrans += s.retransInFlight() ? 1 : 0;
            if (s.sacked()) {
                assertThat(s.lost() || s.retransInFlight()).as("SACKed segment at %d lost or in retransmission", s.seq())
                        .isFalse();
            }
        }
        assertThat(q.sackedOut()).as("sacked_out").isEqualTo(sacked);
        assertThat(q.lostOut()).as("lost_out").isEqualTo(lost);
        assertThat(q.retransOut()).as("retrans_out").isEqualTo(retrans);
        assertThat(q.packetsInFlight()).as("pipe").isNotNegative();
    }

    @Test
    void sacksAboveTheHeadMarkItLostAndASackClearsARetransmission() {
        RtxQueue q = tenSegments();
        assertThat(q.markSacked(3 * MSS, 6 * MSS)).isTrue(); // segments 3, 4, 5
        assertConsistent(q);
        assertThat(q.highestSack()).isEqualTo(6 * MSS);
        assertThat(q.markHeadLost(MSS)).isZero(); // DupThresh SACKed above 0, 1, 2
        assertConsistent(q);
        assertThat(q.lostOut()).isEqualTo(3);
        q.retransmitted(q.head(), 5, 10 * MSS);
        assertConsistent(q);
        assertThat(q.retransOut()).isEqualTo(1);
        assertThat(q.markSacked(0, MSS)).isTrue(); // the retransmission arrived and is SACKed
        assertConsistent(q);
        assertThat(q.retransOut()).isZero();
        assertThat(q.lostOut()).isEqualTo(2);
        assertThat(q.markSacked(0, MSS)).isFalse();
    }

    @Test
    void aCumulativeAckTakesTheMarksOfWhatLeaves() {
        RtxQueue q = tenSegments();
        q.markSacked(4 * MSS, 8 * MSS);
        q.markHeadLost(MSS);
        q.retransmitted(q.head(), 5, 10 * MSS);
        assertConsistent(q);
        int acked = q.cleanAcked(5 * MSS + MSS / 2, 0, 0, 0, 0, false); // through half of segment 5
        assertConsistent(q);
        assertThat(acked).isEqualTo(6); // 0..4 whole and 5 trimmed
        assertThat(q.ackedRetransmitted()).isTrue();
        assertThat(q.head().seq()).isEqualTo(5 * MSS + MSS / 2);
        assertThat(q.head().length()).isEqualTo(MSS / 2);
        assertThat(q.size()).isEqualTo(5);
        assertThat(q.sackedOut()).isEqualTo(3);
    }

    @Test
    void aCumulativeAckGivesTheSendTimesOfItsOldestAndNewestSegmentsForTheRttSamples() {
        RtxQueue q = new RtxQueue();
        for (int i = 0; i < 10; i++) {
            q.add(new TxSegment(i * MSS, MSS, 0, i * 1_000_000L, false)); // segment i sent at i ms
        }
        q.markSacked(4 * MSS, 5 * MSS); // segment 4 was SACKed before: its delivery is not this ACK's
        q.cleanAcked(5 * MSS, 0, 0, 0, 0, false);
        assertThat(q.ackedOldestSentNanos()).as("seq_rtt's segment (first_ackt)").isZero();
        assertThat(q.ackedNewestSentNanos()).as("ca_rtt's segment (last_ackt), not the SACKed one")
                .isEqualTo(3_000_000L);
        q.retransmitted(q.head(), 20_000_000L, 10 * MSS);
        q.cleanAcked(6 * MSS, 0, 0, 0, 0, false);
        assertThat(q.ackedRetransmitted()).isTrue();
        assertThat(q.ackedNewestSentNanos()).as("nothing but a retransmission: no sample").isEqualTo(-1);
    }

    @Test
    void aSegmentCutToASmallerMssKeepsItsLossOnBothParts() {
        RtxQueue q = tenSegments();
        q.markOversizedLost(MSS / 2); // the path MTU fell: every segment is too long now
        assertConsistent(q);
        assertThat(q.lostOut()).isEqualTo(10);
        ListIterator<TxSegment> it = q.walk(0);
        TxSegment head = it.next();
        assertThat(q.fragment(it, head, MSS / 2)).isTrue();
        assertConsistent(q);
        assertThat(q.size()).isEqualTo(11);
        assertThat(q.lostOut()).isEqualTo(11);
        assertThat(it.next().seq()).as("the iterator stands before the rest").isEqualTo(MSS / 2);
        assertThat(q.fragment(it, head, MSS / 2)).as("a segment within the MSS is not cut").isFalse();
    }

    @Test
    void theSkbsLinuxWouldHoldArePacketsSentAtOnceUntilWhollyAcknowledged() {
        RtxQueue q = new RtxQueue();
        for (int i = 0; i < 10; i++) { // two packets of five segments (tcp_write_xmit's tso_fragment)
            q.add(new TxSegment(i * MSS, MSS, 0, 0, false), i % 5 == 0);
        }
        assertThat(q.skbs()).isEqualTo(2);
        q.cleanAcked(2 * MSS, 0, 0, 0, 0, false); // tcp_trim_head: the first packet is still queued
        assertThat(q.skbs()).isEqualTo(2);
        q.cleanAcked(5 * MSS, 0, 0, 0, 0, false);
        assertThat(q.skbs()).isEqualTo(1);
        ListIterator<TxSegment> it = q.walk(0);
        TxSegment head = it.next();
        assertThat(q.fragment(it, head, MSS / 2)).isTrue(); // tcp_fragment allocates an skb for the rest
        assertThat(q.skbs()).isEqualTo(2);
        q.cleanAcked(10 * MSS, 0, 0, 0, 0, false);
        assertThat(q.skbs()).isZero();
    }

    @Test
    void aTimeoutMarksAllButTheSackedLostAndForgetsRetransmissions() {
        RtxQueue q = tenSegments();
        q.markSacked(2 * MSS, 3 * MSS);
        q.retransmitted(q.head(), 5, 10 * MSS);
        q.markAllLost();
        assertConsistent(q);
        assertThat(q.lostOut()).isEqualTo(9);
        assertThat(q.retransOut()).isZero();
        q.clearLost();
        assertConsistent(q);
        assertThat(q.lostOut()).isZero();
    }

    @Test
    void aSackedHeadAtATimeoutMeansRenegingAndClearsEverySack() {
        RtxQueue q = tenSegments();
        q.markSacked(0, 2 * MSS);
        q.markAllLost();
        assertConsistent(q);
        assertThat(q.sackedOut()).isZero();
        assertThat(q.lostOut()).isEqualTo(10);
    }

    @Test
    void aRetransmissionOvertakenBySackedNewDataIsLostAgain() {
        RtxQueue q = tenSegments();
        q.markSacked(3 * MSS, 6 * MSS);
        q.markHeadLost(MSS);
        q.retransmitted(q.head(), 5, 6 * MSS); // snd_nxt was 6 * MSS when it went again
        q.markSacked(7 * MSS, 8 * MSS); // data sent after that retransmission arrived
        assertThat(q.markHeadLost(MSS)).isEqualTo(1);
        assertConsistent(q);
        assertThat(q.retransOut()).isZero();
        assertThat(q.head().lost()).isTrue();
    }

    @Test
    void takingTheSynOffAndClearingLeaveAnEmptyScoreboard() {
        RtxQueue q = new RtxQueue();
        q.add(new TxSegment(0, 0, net.tern.wire.TcpPacket.SYN, 0, false));
        q.markSkbLost();
        assertConsistent(q);
        assertThat(q.pollHead()).isNotNull();
        assertConsistent(q);
        assertThat(q.isEmpty()).isTrue();
        RtxQueue full = tenSegments();
        full.markSacked(MSS, 2 * MSS);
        full.clear();
        assertConsistent(full);
        assertThat(full.packetsInFlight()).isZero();
    }
}
