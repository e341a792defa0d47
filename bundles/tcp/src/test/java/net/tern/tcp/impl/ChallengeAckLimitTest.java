package net.tern.tcp.impl;

import static net.tern.api.socket.SocketConstants.AF_INET;
import static net.tern.api.socket.SocketConstants.SOCK_NONBLOCK;
import static net.tern.api.socket.SocketConstants.SOCK_STREAM;
import static net.tern.wire.TcpPacket.ACK;
import static net.tern.wire.TcpPacket.FIN;
import static net.tern.wire.TcpPacket.RST;
import static net.tern.wire.TcpPacket.SYN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.InetSockAddr;
import net.tern.api.socket.SocketApi;
import net.tern.core.testing.PacketLeakCheck;
import net.tern.inet.sock.SkState;
import net.tern.tcp.testing.Seg;
import net.tern.tcp.testing.SegmentPeer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * RFC 5961 7 (ACK throttling) as current Linux has it, in virtual time. Each connection
 * answers invalid segments (an in-window RST not at {@code rcv_nxt}, a SYN, an ACK older
 * than {@code snd_una - max_window} or of data never sent, and out-of-window or PAWS-failing
 * segments) with at most one ACK per {@code tcp_invalid_ratelimit} (500 ms), one timer for
 * all of them ({@code __tcp_oow_rate_limited}); the stack may also cap challenge ACKs per
 * second ({@code tcp_challenge_ack_limit}), which since Linux 6.0 is per network namespace
 * and off by default. Each skipped ACK is counted under its cause
 * ({@code TCPACKSkipped*}). The figures these tests expect were measured on a Linux 6.18
 * kernel with {@code itests/src/test/python/kernel_challenge_acks.py}: 1,000 in-window RSTs,
 * 1,000 SYNs and 1,000 old ACKs on one connection within 0.1 s draw 1 challenge ACK
 * ({@code TCPChallengeACK} 1, {@code TCPACKSkippedChallenge} 2999, {@code TCPSYNChallenge}
 * 1000, {@code InErrs} 1000); the three batches 0.6 s apart draw 3; with
 * {@code tcp_invalid_ratelimit=0}, 3,000; with that and {@code tcp_challenge_ack_limit=1000},
 * between 500 and 1,499 in the second.
 */
@ExtendWith(PacketLeakCheck.class)
class ChallengeAckLimitTest {
    private static final int PORT = 80;
    private static final int PEER_ISN = 1_000_000;
    private static final int BATCH = 1000;

    private SegmentPeer peer;
    private SocketApi api;
    private int listenFd;

    @AfterEach
    void tearDown() {
        if (peer != null) {
            peer.close();
        }
    }

    private void stack(TcpSettings settings) throws ErrnoException {
        peer = new SegmentPeer(settings, 1500);
        api = peer.api();
        listenFd = api.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        api.bind(listenFd, new InetSockAddr(0, PORT));
        api.listen(listenFd, 16);
    }

    /** One established connection from the peer's {@code port}, as the peer sees it. */
    private final class Conn {
        final int port;
        final int fd;
        final int sndUna;
        final int rcvNxt = PEER_ISN + 1;
        final int tsEcr;
        int tsVal = 100;

        Conn(int port) throws ErrnoException {
            this.port = port;
            peer.inject(from().flags(SYN).seq(PEER_ISN).mss(1460).sackOk().timestamp(tsVal, 0).wscale(7).build());
            Seg synAck = peer.emittedOne();
            sndUna = synAck.seq() + 1;
            tsEcr = synAck.options().tsVal;
            peer.inject(segment(ACK, rcvNxt, sndUna));
            fd = api.accept(listenFd, SOCK_NONBLOCK).fd();
            assertThat(peer.emitted()).isEmpty();
        }

        Seg.Builder from() {
            return SegmentPeer.from(port).to(SegmentPeer.LOCAL, PORT);
        }

        Seg segment(int flags, int seq, int ack) {
            tsVal++;
            return from().flags(flags).seq(seq).ack(ack).window(1000).timestamp(tsVal, tsEcr).build();
        }

        /** An in-window RST that is not at rcv_nxt (RFC 5961 3.2). */
        Seg inexactRst(int i) {
            return from().flags(RST).seq(rcvNxt + 1 + i).build();
        }

        /** A SYN on the synchronized connection (RFC 5961 4.2). */
        Seg syn() {
            tsVal++;
            return from().flags(SYN).seq(rcvNxt).mss(1460).sackOk().timestamp(tsVal, 0).wscale(7).build();
        }

        /** An ACK below snd_una - max_window (RFC 5961 5.2). */
        Seg oldAck() {
            return segment(ACK, rcvNxt, sndUna - 100_000);
        }

        /** An ACK of data never sent (RFC 5961 5.2). */
        Seg unsentAck() {
            return segment(ACK, rcvNxt, sndUna + 100_000);
        }

        /** The pure ACKs the stack sent to this connection's peer among {@code sent}. */
        long acks(List<Seg> sent) {
            return sent.stream().filter(s -> s.dport() == port && s.flags() == ACK && s.length() == 0).count();
        }

        SkState state() {
            return peer.host().tcp().sockets().stream().filter(s -> s.dport() == port).findFirst().orElseThrow()
                    .state();
        }
    }

    /**
     * {@code BATCH} in-window RSTs, SYNs and old ACKs, one after the other, spread evenly over
     * {@code spanMicros}, and {@code gapMillis} between the batches; returns what the stack sent.
     */
    private List<Seg> threeBatches(Conn c, long spanMicros, long gapMillis) {
        List<Seg> sent = new java.util.ArrayList<>();
        long step = spanMicros * 1000 / (3L * BATCH);
        for (int kind = 0; kind < 3; kind++) {
            for (int i = 0; i < BATCH; i++) {
                peer.inject(switch (kind) {
                    case 0 -> c.inexactRst(i);
                    case 1 -> c.syn();
                    default -> c.oldAck();
                });
                sent.addAll(peer.emitted());
                peer.advance(step, TimeUnit.NANOSECONDS);
            }
            if (gapMillis > 0) {
                sent.addAll(peer.advanceCollecting(gapMillis, TimeUnit.MILLISECONDS));
            }
        }
        return sent;
    }

    @Test
    void a3000SegmentBurstWithinATenthOfASecondDrawsOneChallengeAck() throws Exception {
        stack(TcpSettings.defaults());
        Conn c = new Conn(4001);
        long inErrs = peer.host().counter(TcpMib.InErrs);
        List<Seg> sent = threeBatches(c, 100_000, 0);
        assertThat(c.acks(sent)).isEqualTo(1);
        assertThat(peer.host().counter(TcpExtMib.TCPChallengeACK)).isEqualTo(1);
        assertThat(peer.host().counter(TcpExtMib.TCPACKSkippedChallenge)).isEqualTo(3 * BATCH - 1);
        assertThat(peer.host().counter(TcpExtMib.TCPSYNChallenge)).isEqualTo(BATCH);
        assertThat(peer.host().counter(TcpMib.InErrs) - inErrs).isEqualTo(BATCH); // the SYNs, as tcp_rcv_established counts them
        assertThat(c.state()).isEqualTo(SkState.ESTABLISHED);
    }

    @Test
    void batchesFurtherApartThanTheRateLimitDrawOneEach() throws Exception {
        stack(TcpSettings.defaults());
        Conn c = new Conn(4002);
        List<Seg> sent = threeBatches(c, 30_000, 600);
        assertThat(c.acks(sent)).isEqualTo(3);
        assertThat(peer.host().counter(TcpExtMib.TCPChallengeACK)).isEqualTo(3);
        assertThat(peer.host().counter(TcpExtMib.TCPACKSkippedChallenge)).isEqualTo(3 * BATCH - 3);
    }

    @Test
    void withoutTheConnectionsRateLimitEveryInvalidSegmentIsChallenged() throws Exception {
        stack(TcpSettings.defaults().withAckLimits(new TcpSettings.AckLimits(Integer.MAX_VALUE, 0)));
        Conn c = new Conn(4003);
        List<Seg> sent = threeBatches(c, 100_000, 0);
        assertThat(c.acks(sent)).isEqualTo(3 * BATCH);
        assertThat(peer.host().counter(TcpExtMib.TCPChallengeACK)).isEqualTo(3 * BATCH);
        assertThat(peer.host().counter(TcpExtMib.TCPACKSkippedChallenge)).isZero();
    }

    /**
     * {@code tcp_challenge_ack_limit=1000}: each second the stack draws a budget between 500
     * and 1,499 challenge ACKs, shared by all its connections; the next second has a new one.
     */
    @Test
    void theStackWideLimitIsABudgetPerSecondSharedByTheConnections() throws Exception {
        stack(TcpSettings.defaults().withAckLimits(new TcpSettings.AckLimits(1000, 0)));
        Conn a = new Conn(4004);
        Conn b = new Conn(4005);
        peer.advance(1_000_000_000L - peer.time().nanoTime() % 1_000_000_000L, TimeUnit.NANOSECONDS);
        List<Seg> first = threeBatches(a, 100_000, 0);
        first.addAll(threeBatches(b, 100_000, 0));
        long firstSecond = a.acks(first) + b.acks(first);
        assertThat(firstSecond).isBetween(500L, 1499L);
        assertThat(a.acks(first)).as("the first connection spent the budget").isEqualTo(firstSecond);
        assertThat(peer.host().counter(TcpExtMib.TCPChallengeACK)).isEqualTo(firstSecond);
        assertThat(peer.host().counter(TcpExtMib.TCPACKSkippedChallenge)).as("the stack-wide limit is not counted")
                .isZero();

        peer.advance(1, TimeUnit.SECONDS);
        List<Seg> second = threeBatches(b, 100_000, 0);
        assertThat(b.acks(second)).isBetween(500L, 1499L);
        assertThat(peer.host().counter(TcpExtMib.TCPChallengeACK)).isEqualTo(firstSecond + b.acks(second));
    }

    /** Linux 6.18 answers an ACK of data never sent with a challenge ACK, on the same per-connection timer. */
    @Test
    void anAckOfDataNeverSentIsChallengedUnderTheSameLimit() throws Exception {
        stack(TcpSettings.defaults());
        Conn c = new Conn(4006);
        peer.inject(c.unsentAck());
        assertThat(c.acks(peer.emitted())).isEqualTo(1);
        assertThat(peer.host().counter(TcpExtMib.TCPChallengeACK)).isEqualTo(1);
        peer.advance(600, TimeUnit.MILLISECONDS);
        peer.inject(c.oldAck());
        peer.inject(c.unsentAck());
        assertThat(c.acks(peer.emitted())).isEqualTo(1);
        assertThat(peer.host().counter(TcpExtMib.TCPChallengeACK)).isEqualTo(2);
        assertThat(peer.host().counter(TcpExtMib.TCPACKSkippedChallenge)).isEqualTo(1);
    }

    /**
     * Out-of-window segments and ones failing PAWS are answered with a duplicate ACK at most
     * once per 500 ms ({@code TCPACKSkippedSeq}, {@code TCPACKSkippedPAWS}), unless they carry
     * data, which takes no part in an ACK loop and is always answered.
     */
    @Test
    void outOfWindowAndPawsFailingSegmentsShareTheLimitUnlessTheyCarryData() throws Exception {
        stack(TcpSettings.defaults());
        Conn c = new Conn(4007);
        for (int i = 0; i < 10; i++) {
            peer.inject(c.segment(ACK, c.rcvNxt + 200_000, c.sndUna)); // beyond the window
        }
        assertThat(c.acks(peer.emitted())).isEqualTo(1);
        assertThat(peer.host().counter(TcpExtMib.TCPACKSkippedSeq)).isEqualTo(9);

        peer.advance(600, TimeUnit.MILLISECONDS);
        for (int i = 0; i < 10; i++) {
            // Too far behind TS.Recent to pass as a duplicate ACK that came late (the replay window).
            peer.inject(c.from().flags(ACK).seq(c.rcvNxt).ack(c.sndUna).window(1000)
                    .timestamp(c.tsVal - 100_000, c.tsEcr).build());
        }
        assertThat(c.acks(peer.emitted())).isEqualTo(1);
        assertThat(peer.host().counter(TcpExtMib.PAWSEstab)).isEqualTo(10);
        assertThat(peer.host().counter(TcpExtMib.TCPACKSkippedPAWS)).isEqualTo(9);

        for (int i = 0; i < 10; i++) {
            peer.inject(c.from().flags(ACK).seq(c.rcvNxt - 100).ack(c.sndUna).window(1000).timestamp(c.tsVal, c.tsEcr)
                    .payload(new byte[10]).build()); // old data
        }
        assertThat(c.acks(peer.emitted())).isEqualTo(10);
        assertThat(peer.host().counter(TcpExtMib.TCPACKSkippedSeq)).isEqualTo(9);
    }

    /**
     * Closes {@code c} from this side, the peer answering the FIN with {@code peerFlags}; then
     * five segments beyond the window draw one ACK, four held back under {@code skipped}.
     */
    private void closedThenOutOfWindow(Conn c, int peerFlags, SkState state, TcpExtMib skipped) throws ErrnoException {
        api.close(c.fd);
        Seg fin = peer.emittedOne();
        assertThat(fin.has(FIN)).isTrue();
        peer.inject(c.segment(peerFlags, c.rcvNxt, fin.seq() + 1));
        peer.emitted(); // the ACK of a FIN
        if (state != null) {
            assertThat(c.state()).isEqualTo(state);
        }
        for (int i = 0; i < 5; i++) {
            peer.inject(c.segment(ACK, c.rcvNxt + 200_000, fin.seq() + 1));
        }
        assertThat(c.acks(peer.emitted())).isEqualTo(1);
        assertThat(peer.host().counter(skipped)).isEqualTo(4);
    }

    /** An orphaned FIN-WAIT-2 connection (Linux keeps it as a TIME-WAIT entry in FIN-WAIT-2) counts TCPACKSkippedFinWait2. */
    @Test
    void anOrphanedFinWait2ConnectionCountsItsOwnSkippedAcks() throws Exception {
        stack(TcpSettings.defaults());
        closedThenOutOfWindow(new Conn(4008), ACK, SkState.FIN_WAIT2, TcpExtMib.TCPACKSkippedFinWait2);
        assertThat(peer.host().counter(TcpExtMib.TCPACKSkippedSeq)).isZero();
    }

    @Test
    void aTimeWaitEntryCountsItsOwnSkippedAcks() throws Exception {
        stack(TcpSettings.defaults());
        closedThenOutOfWindow(new Conn(4009), ACK | FIN, null, TcpExtMib.TCPACKSkippedTimeWait);
        assertThat(peer.host().counter(TcpExtMib.TW)).isEqualTo(1); // counted once, as the entry began
    }

    /** A request answers its SYN sent again with the SYN-ACK at most once per 500 ms (TCPACKSkippedSynRecv). */
    @Test
    void aRequestResendsItsSynAckToRepeatedSynsAtMostOncePerRateLimit() throws Exception {
        stack(TcpSettings.defaults());
        Seg syn = SegmentPeer.from(4010).to(SegmentPeer.LOCAL, PORT).flags(SYN).seq(PEER_ISN).mss(1460).build();
        peer.inject(syn);
        assertThat(peer.emittedOne().flagString()).isEqualTo("S.");
        for (int i = 0; i < 5; i++) {
            peer.inject(syn);
        }
        assertThat(peer.emitted()).hasSize(1);
        assertThat(peer.host().counter(TcpExtMib.TCPACKSkippedSynRecv)).isEqualTo(4);
        peer.advance(500, TimeUnit.MILLISECONDS);
        peer.inject(syn);
        assertThat(peer.emittedOne().flagString()).isEqualTo("S.");
    }

    @Test
    void theLimitsComeFromTheConfiguration() {
        TcpSettings s = TcpInit.settings(TcpReconfigureTest.config(
                Map.of("tcpChallengeAckLimit", 1000, "tcpInvalidRatelimitMillis", 0L)));
        assertThat(s.ackLimits()).isEqualTo(new TcpSettings.AckLimits(1000, 0));
        TcpSettings d = TcpInit.settings(TcpReconfigureTest.config(Map.of()));
        assertThat(d.ackLimits()).isEqualTo(new TcpSettings.AckLimits(Integer.MAX_VALUE, 500));
        assertThatThrownBy(() -> new TcpSettings.AckLimits(0, 500))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
