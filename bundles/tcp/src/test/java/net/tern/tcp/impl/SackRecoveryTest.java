package net.tern.tcp.impl;

import static net.tern.api.socket.SocketConstants.SOL_TCP;
import static net.tern.api.socket.SocketConstants.TCP_INFO;
import static net.tern.wire.TcpPacket.ACK;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.TcpInfo;
import net.tern.tcp.cc.CaState;
import net.tern.tcp.testing.Seg;
import org.junit.jupiter.api.Test;

/**
 * The sender's SACK scoreboard and RFC 6675 loss recovery, against a scripted receiver that
 * SACKs: marking, IsLost, entering recovery, retransmitting holes before new data within the
 * pipe (NextSeg() rules 1 to 4), leaving at the recovery point, timeouts that keep SACKed
 * data (RFC 6675 5.1), reneging, D-SACK, lost retransmissions, undo (RFC 3522 Eifel,
 * RFC 3708 D-SACK), and the resending of split segments after a smaller path MTU
 * ({@code tcp_simple_retransmit}).
 */
class SackRecoveryTest extends ScriptedPeerTestBase {
    private static final int PEER_ISN = 90_000;
    private static final int MSS = 1000;

    SackRecoveryTest() {
        super(PEER_ISN);
    }

    /** RFC 6675's duplicate ACK rule and no tail loss probes ({@code tcp_recovery=0 tcp_early_retrans=0}): RACK-TLP has its own tests. */
    @Override
    protected TcpSettings settings() {
        return TcpSettings.defaults().withLossDetection(new TcpSettings.LossDetection(false, false));
    }

    /** A connection with SACK (and timestamps when {@code timestamps}), MSS 1000, a 65535-byte window and a 10 ms RTT. */
    private Conn open(boolean timestamps) throws ErrnoException {
        int fd = socket();
        Seg syn = connectToPeer(fd);
        peer.advance(10, TimeUnit.MILLISECONDS);
        Seg.Builder synAck = synAckTo(syn).mss(timestamps ? MSS + 12 : MSS).window(65535).sackOk();
        if (timestamps) {
            synAck.timestamp(1, syn.options().tsVal);
        }
        peer.inject(synAck.build());
        peer.emitted();
        return established(fd, syn);
    }

    /** Sends {@code segments} full segments and returns what went out. */
    private List<Seg> sendSegments(Conn c, int segments) throws ErrnoException {
        api.send(c.fd(), ByteBuffer.wrap(new byte[segments * MSS]), 0);
        return peer.emitted();
    }

    /** An ACK of {@code acked} bytes carrying SACK blocks given as byte offsets {@code [start, end)} pairs. */
    private Seg.Builder ack(Conn c, int acked, int... sackOffsets) {
        Seg.Builder b = fromPeer(c).flags(ACK).seq(PEER_ISN + 1).ack(c.nxt(acked)).window(65535);
        for (int i = 0; i < sackOffsets.length; i += 2) {
            b.sack(c.nxt(sackOffsets[i]), c.nxt(sackOffsets[i + 1]));
        }
        return b;
    }

    private static List<Integer> offsets(Conn c, List<Seg> segs) {
        return segs.stream().map(s -> s.seq() - c.nxt(0)).toList();
    }

    @Test
    void sackBlocksMarkSegmentsWithoutRetransmittingBelowDupThresh() throws Exception {
        Conn c = open(false);
        assertThat(sendSegments(c, 10)).hasSize(10);
        peer.inject(ack(c, 0, 1000, 2000).build());
        peer.inject(ack(c, 0, 1000, 3000).build());
        TcpSock sk = sock();
        assertThat(sk.rtx().sackedOut()).isEqualTo(2);
        assertThat(sk.rtx().lostOut()).isZero();
        assertThat(sk.caState()).isEqualTo(CaState.DISORDER);
        assertThat(sk.packetsInFlight()).isEqualTo(8);
        assertThat(peer.emitted()).isEmpty();
    }

    @Test
    void threeSegmentsSackedAboveTheHoleEnterRecoveryAndRetransmitOnlyTheHole() throws Exception {
        Conn c = open(false);
        sendSegments(c, 10);
        peer.inject(ack(c, 0, 1000, 2000).build());
        peer.inject(ack(c, 0, 1000, 3000).build());
        peer.inject(ack(c, 0, 1000, 4000).build());
        TcpSock sk = sock();
        assertThat(sk.caState()).isEqualTo(CaState.RECOVERY);
        assertThat(offsets(c, peer.emitted())).containsExactly(0);
        assertThat(sk.ssthresh()).isEqualTo(5);
        assertThat(sk.cwnd()).isEqualTo(7); // PRR (RFC 6937): the pipe (6) plus ceil(5 * 1 / 10)
        assertThat(sk.rtx().sackedOut()).isEqualTo(3);
        assertThat(sk.rtx().lostOut()).isEqualTo(1);
        assertThat(sk.rtx().retransOut()).isEqualTo(1);
        // pipe = 10 sent - 3 SACKed - 1 lost + 1 retransmitted
        assertThat(sk.packetsInFlight()).isEqualTo(7);
        TcpInfo info = api.getsockopt(c.fd(), SOL_TCP, TCP_INFO, TcpInfo.class);
        assertThat(info.unacked()).isEqualTo(10);
        assertThat(info.sacked()).isEqualTo(3);
        assertThat(info.lost()).isEqualTo(1);
        assertThat(info.retrans()).isEqualTo(1);
        assertThat(peer.host().counter(TcpExtMib.TCPSackRecovery)).isEqualTo(1);
        assertThat(peer.host().counter(TcpExtMib.TCPFastRetrans)).isEqualTo(1);
        assertThat(peer.host().counter(TcpExtMib.TCPRenoRecovery)).isZero();
    }

    @Test
    void sackedBytesBeyondTwoSegmentsMarkTheHoleLostEvenWithFewSegments() throws Exception {
        Conn c = open(false);
        sendSegments(c, 4);
        // One ACK SACKing three segments at once: IsLost by segments and by bytes (> 2 * SMSS).
        peer.inject(ack(c, 0, 1000, 4000).build());
        assertThat(sock().caState()).isEqualTo(CaState.RECOVERY);
        assertThat(offsets(c, peer.emitted())).containsExactly(0);
    }

    @Test
    void holesGoBeforeNewDataWithinThePipeAndSackedSegmentsAreNeverResent() throws Exception {
        Conn c = open(false);
        sendSegments(c, 10);
        api.send(c.fd(), ByteBuffer.wrap(new byte[10 * MSS]), 0); // queued behind cwnd
        assertThat(peer.emitted()).isEmpty();
        // Segments 0 and 2 lost; the receiver SACKs 1 and 3..9.
        peer.inject(ack(c, 0, 1000, 2000).build());
        // One SACKed segment leaves the pipe at 9 of cwnd 10: one new segment (as RFC 3042 would).
        assertThat(offsets(c, peer.emitted())).containsExactly(10_000);
        peer.inject(ack(c, 0, 3000, 10_000, 1000, 2000).build());
        TcpSock sk = sock();
        assertThat(sk.caState()).isEqualTo(CaState.RECOVERY);
        assertThat(sk.rtx().lostOut()).isEqualTo(2);
        // Head first (RFC 6675 4.3), then the other hole (NextSeg rule 1), then new data (rule 2)
        // while pipe < cwnd = 5: pipe = 11 - 8 - 2 + 2 = 3, so two new segments.
        assertThat(offsets(c, peer.emitted())).containsExactly(0, 2000, 11_000, 12_000);
        assertThat(sk.packetsInFlight()).isEqualTo(5);
        // A partial ACK (RFC 6675: no window change) stays in recovery and sends nothing new beyond the pipe.
        peer.inject(ack(c, 2000, 3000, 10_000).build());
        assertThat(sk.caState()).isEqualTo(CaState.RECOVERY);
        assertThat(sk.cwnd()).isEqualTo(5);
        assertThat(offsets(c, peer.emitted())).containsExactly(13_000);
        // Up to 10000 is not enough: the recovery point is snd_max at entry, 11000.
        peer.inject(ack(c, 10_000).build());
        assertThat(sk.caState()).isEqualTo(CaState.RECOVERY);
        // The ACK reaching it ends recovery with cwnd = ssthresh.
        peer.inject(ack(c, 11_000).build());
        assertThat(sk.caState()).isEqualTo(CaState.OPEN);
        assertThat(sk.cwnd()).isEqualTo(5);
        assertThat(sk.rtx().sackedOut() + sk.rtx().lostOut() + sk.rtx().retransOut()).isZero();
        assertThat(peer.host().counter(TcpMib.RetransSegs)).isEqualTo(2);
    }

    @Test
    void aTimeoutRetransmitsEverythingButWhatWasSacked() throws Exception {
        Conn c = open(false);
        sendSegments(c, 4);
        peer.inject(ack(c, 0, 1000, 2000).build()); // one SACK: below DupThresh
        assertThat(peer.emitted()).isEmpty();
        List<Seg> afterRto = peer.advanceCollecting(300, TimeUnit.MILLISECONDS);
        assertThat(offsets(c, afterRto)).containsExactly(0);
        TcpSock sk = sock();
        assertThat(sk.caState()).isEqualTo(CaState.LOSS);
        assertThat(sk.rtx().sackedOut()).isEqualTo(1);
        assertThat(sk.rtx().lostOut()).isEqualTo(3);
        // The head is acknowledged: cwnd 2, and the two lost segments go, not the SACKed one.
        peer.inject(ack(c, 1000, 1000, 2000).build());
        assertThat(offsets(c, peer.emitted())).containsExactly(2000, 3000);
        peer.inject(ack(c, 4000).build());
        assertThat(sk.caState()).isEqualTo(CaState.OPEN);
        assertThat(peer.host().counter(TcpExtMib.TCPTimeouts)).isEqualTo(1);
    }

    @Test
    void anAckStoppingAtASackedSegmentIsRenegingAndTheTimeoutComesSoon() throws Exception {
        Conn c = open(false);
        sendSegments(c, 4);
        peer.inject(ack(c, 0, 1000, 2000).build());
        // The receiver acknowledges up to the segment it SACKed and no further: it reneged.
        peer.inject(ack(c, 1000).build());
        assertThat(peer.host().counter(TcpExtMib.TCPSACKReneging)).isEqualTo(1);
        // The timer comes within max(srtt / 16, 10 ms), far before the RTO (210 ms), and
        // forgets the SACK: the reneged segment is sent again.
        List<Seg> soon = peer.advanceCollecting(20, TimeUnit.MILLISECONDS);
        assertThat(offsets(c, soon)).containsExactly(1000);
        assertThat(sock().rtx().sackedOut()).isZero();
    }

    @Test
    void aDsackBlockIsCountedAndNotTakenAsASack() throws Exception {
        Conn c = open(false);
        sendSegments(c, 3);
        peer.inject(ack(c, 1000).build());
        peer.emitted();
        // D-SACK (RFC 2883): the first block lies below the cumulative ACK.
        peer.inject(ack(c, 1000, 0, 1000).build());
        TcpSock sk = sock();
        assertThat(sk.rtx().dsackDups()).isEqualTo(1);
        assertThat(sk.rtx().sackedOut()).isZero();
        assertThat(peer.host().counter(TcpExtMib.TCPDSACKRecv)).isEqualTo(1);
        // A first block inside the second is a D-SACK too (RFC 2883 4.2).
        peer.inject(ack(c, 1000, 2000, 3000, 2000, 3000).build());
        assertThat(sk.rtx().dsackDups()).isEqualTo(2);
        assertThat(sk.rtx().sackedOut()).isEqualTo(1);
    }

    @Test
    void aRetransmissionIsLostWhenDataSentAfterItAreSacked() throws Exception {
        Conn c = open(false);
        sendSegments(c, 10);
        api.send(c.fd(), ByteBuffer.wrap(new byte[10 * MSS]), 0);
        // Three delivered at once: PRR lets ceil(5 * 3 / 10) = 2 go, the head and a new segment.
        peer.inject(ack(c, 0, 1000, 4000).build());
        assertThat(offsets(c, peer.emitted())).containsExactly(0, 10_000);
        // Everything but the head SACKed: the pipe (2) is below ssthresh, so PRR-SSRB lets it
        // grow to ssthresh: three new segments.
        peer.inject(ack(c, 0, 1000, 10_000).build());
        assertThat(offsets(c, peer.emitted())).containsExactly(11_000, 12_000, 13_000);
        // New data sent after the retransmission arrived and it did not: it was lost again.
        peer.inject(ack(c, 0, 1000, 11_000).build());
        assertThat(peer.host().counter(TcpExtMib.TCPLostRetransmit)).isEqualTo(1);
        assertThat(offsets(c, peer.emitted())).startsWith(0);
    }

    @Test
    void rule3ResendsAnUnsackedSegmentBelowTheHighestSackWhenNothingElseMaySend() throws Exception {
        Conn c = open(false);
        sendSegments(c, 10);
        // Segments 0 and 8 missing: 0 has eight SACKed above (lost), 8 only one (not lost by IsLost).
        peer.inject(ack(c, 0, 1000, 8000, 9000, 10_000).build());
        // The head (rule 1), then, with no new data and room in the pipe (2 of 5), segment 8
        // by NextSeg() rule 3; once each, as their retransmissions are in flight.
        assertThat(offsets(c, peer.emitted())).containsExactly(0, 8000);
        peer.inject(ack(c, 0, 1000, 8000, 9000, 10_000).build());
        assertThat(peer.emitted()).isEmpty();
        assertThat(peer.host().counter(TcpMib.RetransSegs)).isEqualTo(2);
    }

    @Test
    void rule4MakesOneRescueRetransmissionOfTheTailPerRecovery() throws Exception {
        Conn c = open(false);
        sendSegments(c, 10);
        // Segments 0, 8 and 9 missing: 0 is lost; nothing lies SACKed above 8 and 9.
        peer.inject(ack(c, 0, 1000, 8000).build());
        // The head (rule 1), then, with room in the pipe (3 of 5) and nothing for rules 2 and 3,
        // the rescue retransmission of the highest segment not SACKed (rule 4).
        assertThat(offsets(c, peer.emitted())).containsExactly(0, 9000);
        peer.inject(ack(c, 0, 1000, 8000).build());
        assertThat(peer.emitted()).as("one rescue per recovery").isEmpty();
        // The rescued tail arrives: segment 8 now lies below the highest SACK and goes by rule 3.
        peer.inject(ack(c, 0, 1000, 8000, 9000, 10_000).build());
        assertThat(offsets(c, peer.emitted())).containsExactly(8000);
    }

    @Test
    void anAckEchoingTheOriginalTimestampUndoesASpuriousTimeout() throws Exception {
        Conn c = open(true);
        List<Seg> sent = sendSegments(c, 4);
        int originalTsVal = sent.get(0).options().tsVal;
        TcpSock sk = sock();
        int cwndBefore = sk.cwnd();
        peer.advance(300, TimeUnit.MILLISECONDS); // the RTO fires (initial RTO after 10 ms RTT: 210 ms)
        List<Seg> retransmitted = peer.emitted();
        assertThat(offsets(c, retransmitted)).containsExactly(0);
        assertThat(retransmitted.get(0).options().tsVal).isNotEqualTo(originalTsVal);
        assertThat(sk.caState()).isEqualTo(CaState.LOSS);
        assertThat(sk.cwnd()).isEqualTo(1);
        // The ACK echoes the original's TSval: the original arrived, the timeout was spurious (RFC 3522).
        peer.inject(ack(c, 4 * MSS).timestamp(2, originalTsVal).build());
        assertThat(sk.caState()).isEqualTo(CaState.OPEN);
        assertThat(sk.cwnd()).isEqualTo(cwndBefore);
        assertThat(sk.ssthresh()).isEqualTo(Integer.MAX_VALUE);
        assertThat(peer.host().counter(TcpExtMib.TCPLossUndo)).isEqualTo(1);
    }

    @Test
    void aFullAckEchoingTheOriginalTimestampUndoesAFastRecovery() throws Exception {
        Conn c = open(true);
        List<Seg> sent = sendSegments(c, 10);
        int originalTsVal = sent.get(0).options().tsVal;
        peer.advance(5, TimeUnit.MILLISECONDS);
        peer.inject(ack(c, 0, 1000, 4000).timestamp(2, originalTsVal).build());
        List<Seg> retransmissions = peer.emitted();
        assertThat(offsets(c, retransmissions)).containsExactly(0, 9000); // PRR: ceil(5 * 3 / 10) = 2
        Seg retransmission = retransmissions.get(0);
        assertThat(retransmission.options().tsVal).isGreaterThan(originalTsVal);
        TcpSock sk = sock();
        assertThat(sk.cwnd()).isEqualTo(8);
        // The head was only reordered: the ACK of everything echoes its original TSval
        // (tcp_try_undo_recovery with Eifel detection, RFC 3522).
        peer.inject(ack(c, 10 * MSS).timestamp(3, originalTsVal).build());
        assertThat(sk.caState()).isEqualTo(CaState.OPEN);
        assertThat(sk.cwnd()).isGreaterThanOrEqualTo(10); // restored, then grown by the ACK's slow start
        assertThat(sk.ssthresh()).isEqualTo(Integer.MAX_VALUE);
        assertThat(peer.host().counter(TcpExtMib.TCPFullUndo)).isEqualTo(1);
    }

    @Test
    void anAckEchoingTheRetransmissionKeepsTheReduction() throws Exception {
        Conn c = open(true);
        sendSegments(c, 4);
        peer.advance(300, TimeUnit.MILLISECONDS);
        Seg retransmission = peer.emittedOne();
        TcpSock sk = sock();
        peer.inject(ack(c, MSS).timestamp(2, retransmission.options().tsVal).build());
        assertThat(sk.cwnd()).isEqualTo(2);
        assertThat(sk.ssthresh()).isEqualTo(5);
        assertThat(peer.host().counter(TcpExtMib.TCPLossUndo)).isZero();
    }

    @Test
    void dsacksForEveryRetransmissionUndoRecovery() throws Exception {
        Conn c = open(false);
        sendSegments(c, 10);
        peer.inject(ack(c, 0, 1000, 2000).build());
        peer.inject(ack(c, 0, 1000, 3000).build());
        peer.inject(ack(c, 0, 1000, 4000).build());
        // PRR lets one go (ceil(5 * 1 / 10)): the head.
        assertThat(offsets(c, peer.emitted())).containsExactly(0);
        TcpSock sk = sock();
        assertThat(sk.cwnd()).isEqualTo(7);
        // The original head was only delayed: the receiver acknowledges everything and reports
        // the retransmission as a duplicate (RFC 2883), so the reduction is undone (RFC 3708)
        // and recovery left (tcp_try_undo_dsack, tcp_try_to_open). The same ACK then grows the
        // window it restored (slow start: it acknowledged data and the window limited sending).
        peer.inject(ack(c, 4000, 0, 1000).build());
        assertThat(peer.host().counter(TcpExtMib.TCPDSACKUndo)).isEqualTo(1);
        assertThat(sk.caState()).isNotEqualTo(CaState.RECOVERY);
        assertThat(sk.cwnd()).isGreaterThanOrEqualTo(10);
        assertThat(sk.ssthresh()).isEqualTo(Integer.MAX_VALUE);
        // The rest arrives without reducing the window again.
        int restored = sk.cwnd();
        peer.inject(ack(c, 10_000).build());
        assertThat(sk.caState()).isEqualTo(CaState.OPEN);
        assertThat(sk.cwnd()).isGreaterThanOrEqualTo(restored);
    }

    @Test
    void aSmallerPathMtuResendsTheLongerSegmentsSplitWithoutAWindowReduction() throws Exception {
        Conn c = open(false);
        List<Seg> sent = sendSegments(c, 3);
        TcpSock sk = sock();
        int cwndBefore = sk.cwnd();
        // Fragmentation needed, next-hop MTU 576: the MSS falls to 536 (tcp_simple_retransmit).
        peer.injectIcmpError(3, 4, 576, sent.get(0));
        List<Seg> again = peer.emitted();
        assertThat(again).extracting(Seg::length).containsExactly(536, 464, 536, 464, 536, 464);
        assertThat(offsets(c, again)).containsExactly(0, 536, 1000, 1536, 2000, 2536);
        assertThat(sk.caState()).isEqualTo(CaState.LOSS);
        assertThat(sk.cwnd()).isEqualTo(cwndBefore);
        assertThat(sk.rtx().lostOut()).isEqualTo(6);
        assertThat(sk.rtx().retransOut()).isEqualTo(6);
        peer.inject(ack(c, 3000).build());
        assertThat(sk.caState()).isEqualTo(CaState.OPEN);
        assertThat(sk.rtx()).isEmpty();
        assertThat(sk.rtx().lostOut() + sk.rtx().retransOut()).isZero();
    }

    @Test
    void theReceiverReportsDataReceivedTwiceInOneDsackBlock() throws Exception {
        Conn c = open(false);
        Seg data = fromPeer(c).flags(ACK).seq(PEER_ISN + 1).ack(c.nxt(0)).window(65535).payload(new byte[100]).build();
        peer.inject(data);
        peer.emitted();
        peer.inject(data); // the same segment again: a needless retransmission
        Seg dupAck = peer.emittedOne();
        assertThat(dupAck.ack()).isEqualTo(PEER_ISN + 101);
        assertThat(dupAck.options().sackBlockCount).isEqualTo(1);
        assertThat(dupAck.options().sackBlocks[0]).isEqualTo(PEER_ISN + 1);
        assertThat(dupAck.options().sackBlocks[1]).isEqualTo(PEER_ISN + 101);
        assertThat(peer.host().counter(TcpExtMib.TCPDSACKOldSent)).isEqualTo(1);
        // Reported once: the next ACK (at once, still in quick-ack mode) carries no block.
        peer.inject(fromPeer(c).flags(ACK).seq(PEER_ISN + 101).ack(c.nxt(0)).window(65535).payload(new byte[100])
                .build());
        Seg nextAck = peer.emittedOne();
        assertThat(nextAck.ack()).isEqualTo(PEER_ISN + 201);
        assertThat(nextAck.options().sackBlockCount).isZero();
        assertThat(peer.advanceCollecting(100, TimeUnit.MILLISECONDS)).as("nothing more to acknowledge").isEmpty();
    }
}
