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
 * RACK-TLP (RFC 8985) as Linux runs it by default ({@code tcp_recovery=1},
 * {@code tcp_early_retrans=3}), in virtual time against a scripted receiver that SACKs, with
 * a 10 ms RTT: tail loss probes (the probe timeout, new data or the last segment, the episode
 * and its end), RACK's time-based loss detection (at once when three segments are SACKed
 * above a hole before any reordering, else after the reordering window by the reorder
 * timer), reordering (its degree and count) and the window D-SACKs widen.
 */
class RackTlpTest extends ScriptedPeerTestBase {
    private static final int PEER_ISN = 70_000;
    private static final int MSS = 1000;

    RackTlpTest() {
        super(PEER_ISN);
    }

    /** A connection with SACK, MSS 1000, a 65535-byte window and a 10 ms RTT (SRTT 10 ms, RTO 210 ms). */
    private Conn open() throws ErrnoException {
        int fd = socket();
        Seg syn = connectToPeer(fd);
        peer.advance(10, TimeUnit.MILLISECONDS);
        peer.inject(synAckTo(syn).mss(MSS).window(65535).sackOk().build());
        peer.emitted();
        return established(fd, syn);
    }

    /** A connection that sent ten segments and, a round trip later, got an ACK of {@code acked} with those SACK blocks. */
    private Conn tenSentThenAcked(int acked, int... sackOffsets) throws ErrnoException {
        Conn c = open();
        assertThat(send(c, 10)).hasSize(10);
        peer.advance(10, TimeUnit.MILLISECONDS);
        peer.inject(ack(c, acked, sackOffsets));
        return c;
    }

    private List<Seg> send(Conn c, int segments) throws ErrnoException {
        api.send(c.fd(), ByteBuffer.wrap(new byte[segments * MSS]), 0);
        return peer.emitted();
    }

    /** An ACK of {@code acked} bytes with SACK blocks given as byte offsets {@code [start, end)} pairs. */
    private Seg ack(Conn c, int acked, int... sackOffsets) {
        Seg.Builder b = fromPeer(c).flags(ACK).seq(PEER_ISN + 1).ack(c.nxt(acked)).window(65535);
        for (int i = 0; i < sackOffsets.length; i += 2) {
            b.sack(c.nxt(sackOffsets[i]), c.nxt(sackOffsets[i + 1]));
        }
        return b.build();
    }

    private static List<Integer> offsets(Conn c, List<Seg> segs) {
        return segs.stream().map(s -> s.seq() - c.nxt(0)).toList();
    }

    private List<Integer> within(Conn c, long millis) {
        return offsets(c, peer.advanceCollecting(millis, TimeUnit.MILLISECONDS));
    }

    private long counter(TcpExtMib mib) {
        return peer.host().counter(mib);
    }

    private TcpInfo info(Conn c) throws ErrnoException {
        return api.getsockopt(c.fd(), SOL_TCP, TCP_INFO, TcpInfo.class);
    }

    @Test
    void aLostTailIsProbedAfterTwoRoundTripsAndRepairedWithoutATimeout() throws Exception {
        Conn c = tenSentThenAcked(8000); // 8000 and 9000 are lost
        // PTO = 2 * SRTT + 2 ms with more than one segment out: the last segment again.
        assertThat(within(c, 21)).isEmpty();
        assertThat(within(c, 2)).containsExactly(9000);
        assertThat(counter(TcpExtMib.TCPLossProbes)).isEqualTo(1);
        assertThat(peer.host().counter(TcpMib.RetransSegs)).isEqualTo(1);
        assertThat(info(c).retrans()).isZero(); // a probe presumes nothing lost
        assertThat(sock().rtx().rack().tlpOut()).isTrue();
        // The probe is SACKed 15 ms later: RACK finds 8000, sent before it, lost.
        peer.advance(15, TimeUnit.MILLISECONDS);
        peer.inject(ack(c, 8000, 9000, 10000));
        assertThat(offsets(c, peer.emitted())).containsExactly(8000);
        assertThat(sock().caState()).isEqualTo(CaState.RECOVERY);
        assertThat(counter(TcpExtMib.TCPSackRecovery)).isEqualTo(1);
        peer.advance(10, TimeUnit.MILLISECONDS);
        peer.inject(ack(c, 10000));
        assertThat(sock().caState()).isEqualTo(CaState.OPEN);
        assertThat(counter(TcpExtMib.TCPTimeouts)).isZero();
        assertThat(within(c, 1000)).isEmpty();
    }

    @Test
    void theProbeIsNewDataWhenThereAreSomeWhateverTheCongestionWindow() throws Exception {
        Conn c = open();
        api.send(c.fd(), ByteBuffer.wrap(new byte[20 * MSS]), 0);
        assertThat(peer.emitted().stream().mapToInt(Seg::length).sum()).isEqualTo(10 * MSS); // cwnd 10
        assertThat(within(c, 21)).isEmpty();
        assertThat(within(c, 2)).containsExactly(10000);
        assertThat(counter(TcpExtMib.TCPLossProbes)).isEqualTo(1);
        assertThat(peer.host().counter(TcpMib.RetransSegs)).isZero();
    }

    @Test
    void withOneSegmentOutTheProbeWaitsForADelayedAckButNotBeyondTheRto() throws Exception {
        Conn c = tenSentThenAcked(9000);
        // PTO = 2 * SRTT + the least RTO (220 ms), but no later than the RTO (210 ms): a probe, not a timeout.
        assertThat(within(c, 209)).isEmpty();
        assertThat(within(c, 2)).containsExactly(9000);
        assertThat(counter(TcpExtMib.TCPLossProbes)).isEqualTo(1);
        assertThat(counter(TcpExtMib.TCPTimeouts)).isZero();
        assertThat(sock().caState()).isEqualTo(CaState.OPEN);
    }

    @Test
    void aProbeRepairingALossReducesTheWindowOnce() throws Exception {
        Conn c = tenSentThenAcked(9000);
        assertThat(within(c, 211)).containsExactly(9000);
        int cwnd = sock().cwnd();
        assertThat(offsets(c, send(c, 1))).containsExactly(10000);
        // An ACK beyond the probe's snd_nxt: the probe repaired a loss (the original was lost).
        peer.advance(10, TimeUnit.MILLISECONDS);
        peer.inject(ack(c, 11000));
        assertThat(counter(TcpExtMib.TCPLossProbeRecovery)).isEqualTo(1);
        assertThat(sock().ssthresh()).isEqualTo(cwnd / 2);
        assertThat(sock().cwnd()).isEqualTo(sock().ssthresh());
        assertThat(sock().caState()).isEqualTo(CaState.OPEN);
        assertThat(sock().rtx().rack().tlpOut()).isFalse();
    }

    @Test
    void aDsackOfTheProbeEndsTheEpisodeWithoutAReduction() throws Exception {
        Conn c = tenSentThenAcked(9000);
        assertThat(within(c, 211)).containsExactly(9000);
        int cwnd = sock().cwnd();
        // The original arrived after all: the probe is reported received twice.
        peer.inject(ack(c, 10000, 9000, 10000));
        assertThat(sock().rtx().rack().tlpOut()).isFalse();
        assertThat(counter(TcpExtMib.TCPLossProbeRecovery)).isZero();
        assertThat(sock().cwnd()).isGreaterThanOrEqualTo(cwnd);
        assertThat(sock().ssthresh()).isEqualTo(Integer.MAX_VALUE);
    }

    @Test
    void oneSegmentSackedAboveAHoleIsLostOnlyWhenTheReorderTimerFires() throws Exception {
        Conn c = tenSentThenAcked(1000, 2000, 3000);
        assertThat(peer.emitted()).isEmpty();
        assertThat(sock().caState()).isEqualTo(CaState.DISORDER);
        assertThat(sock().timers().pending()).isEqualTo(SockTimers.Pending.REO_TIMEOUT);
        // The reordering window min_rtt / 4 = 2.5 ms, plus 2 ms.
        assertThat(within(c, 4)).isEmpty();
        assertThat(within(c, 1)).containsExactly(1000);
        assertThat(sock().caState()).isEqualTo(CaState.RECOVERY);
        assertThat(counter(TcpExtMib.TCPFastRetrans)).isEqualTo(1);
        assertThat(sock().timers().pending()).isEqualTo(SockTimers.Pending.RETRANS);
    }

    @Test
    void threeSegmentsSackedAboveAHoleMakeItLostAtOnceUntilReorderingIsSeen() throws Exception {
        Conn c = tenSentThenAcked(0, 1000, 4000);
        assertThat(offsets(c, peer.emitted())).containsExactly(0);
        assertThat(sock().caState()).isEqualTo(CaState.RECOVERY);
        assertThat(sock().rtx().lostOut()).isEqualTo(1);
    }

    @Test
    void aHoleFilledByItsOriginalIsReorderingOfTheDegreeItSpans() throws Exception {
        Conn c = tenSentThenAcked(1000, 5000, 6000);
        peer.advance(1, TimeUnit.MILLISECONDS);
        peer.inject(ack(c, 6000)); // 1000..5000 arrived after 5000..6000, sent after them
        TcpInfo info = info(c);
        assertThat(info.reordSeen()).isEqualTo(1);
        assertThat(info.reordering()).isEqualTo(5);
        assertThat(counter(TcpExtMib.TCPSACKReorder)).isEqualTo(1);
        assertThat(peer.emitted()).isEmpty();
        assertThat(sock().caState()).isEqualTo(CaState.OPEN);
    }

    @Test
    void afterReorderingADsackForAnEarlyRetransmissionWidensTheWindowByAStep() throws Exception {
        Conn c = open();
        send(c, 5);
        peer.advance(10, TimeUnit.MILLISECONDS);
        peer.inject(ack(c, 1000, 2000, 3000));
        peer.advance(1, TimeUnit.MILLISECONDS);
        peer.inject(ack(c, 3000));
        peer.inject(ack(c, 5000));
        assertThat(sock().rtx().rack().reordSeen()).isEqualTo(1);
        // Reordering seen: three SACKed above the hole wait for the window (2.5 ms + 2 ms).
        send(c, 5);
        peer.advance(10, TimeUnit.MILLISECONDS);
        peer.inject(ack(c, 6000, 7000, 10000));
        assertThat(peer.emitted()).isEmpty();
        assertThat(within(c, 5)).containsExactly(6000);
        // The original arrives, then the retransmission: D-SACK.
        peer.advance(1, TimeUnit.MILLISECONDS);
        peer.inject(ack(c, 10000));
        peer.inject(ack(c, 10000, 6000, 7000));
        assertThat(info(c).dsackDups()).isEqualTo(1);
        assertThat(sock().rtx().rack().reoWndSteps()).isEqualTo(1); // from the next ACK delivering data
        send(c, 5);
        peer.advance(10, TimeUnit.MILLISECONDS);
        peer.inject(ack(c, 11000, 12000, 15000));
        assertThat(sock().rtx().rack().reoWndSteps()).isEqualTo(2);
        // The window is min_rtt / 2 = 5 ms: the timer 7 ms after the SACK.
        assertThat(within(c, 6)).isEmpty();
        assertThat(within(c, 2)).containsExactly(11000);
    }

    @Test
    void withoutProbesALostTailWaitsForTheTimeout() throws Exception {
        peer.host().tcp().reconfigure(TcpSettings.defaults()
                .withLossDetection(new TcpSettings.LossDetection(true, false)));
        Conn c = tenSentThenAcked(8000);
        assertThat(within(c, 209)).isEmpty();
        assertThat(within(c, 2)).containsExactly(8000);
        assertThat(counter(TcpExtMib.TCPTimeouts)).isEqualTo(1);
        assertThat(counter(TcpExtMib.TCPLossProbes)).isZero();
    }
}
