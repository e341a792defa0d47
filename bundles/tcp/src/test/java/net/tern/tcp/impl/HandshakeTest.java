package net.tern.tcp.impl;

import static net.tern.api.socket.SocketConstants.AF_INET;
import static net.tern.api.socket.SocketConstants.EPOLLOUT;
import static net.tern.api.socket.SocketConstants.SHUT_WR;
import static net.tern.api.socket.SocketConstants.SOCK_NONBLOCK;
import static net.tern.api.socket.SocketConstants.SOCK_STREAM;
import static net.tern.api.socket.SocketConstants.SOL_SOCKET;
import static net.tern.api.socket.SocketConstants.SOL_TCP;
import static net.tern.api.socket.SocketConstants.SO_ERROR;
import static net.tern.api.socket.SocketConstants.TCP_INFO;
import static net.tern.wire.TcpPacket.ACK;
import static net.tern.wire.TcpPacket.RST;
import static net.tern.wire.TcpPacket.SYN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.tern.api.socket.Accepted;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.InetSockAddr;
import net.tern.api.socket.SocketApi;
import net.tern.api.socket.TcpInfo;
import net.tern.core.testing.PacketLeakCheck;
import net.tern.inet.sock.SkState;
import net.tern.tcp.testing.Seg;
import net.tern.tcp.testing.SegmentPeer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Opening handshakes at segment level (RFC 9293 3.5), against a scripted peer at 10.0.0.2. */
@ExtendWith(PacketLeakCheck.class)
class HandshakeTest {
    private SegmentPeer peer;
    private SocketApi api;

    @BeforeEach
    void setUp() throws ErrnoException {
        peer = new SegmentPeer();
        api = peer.api();
    }

    @AfterEach
    void tearDown() {
        peer.close();
    }

    private int listener(int port) throws ErrnoException {
        int fd = api.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        api.bind(fd, new InetSockAddr(0, port));
        api.listen(fd, 16);
        return fd;
    }

    /** Starts a non-blocking connect to 10.0.0.2:port and returns the fd and the SYN sent. */
    private Object[] connect(int port) throws ErrnoException {
        int fd = api.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        assertThatThrownBy(() -> api.connect(fd, InetSockAddr.parse(SegmentPeer.REMOTE + ":" + port)))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EINPROGRESS));
        return new Object[] {fd, peer.emittedOne()};
    }

    @Test
    void passiveOpenAnswersSynWithSynAckAndAcceptsAfterTheAck() throws Exception {
        int lfd = listener(80);
        peer.inject(SegmentPeer.from(40000).to(SegmentPeer.LOCAL, 80).flags(SYN).seq(1000).mss(1460).sackOk()
                .timestamp(100, 0).wscale(7).build());
        Seg synAck = peer.emittedOne();
        assertThat(synAck.flagString()).isEqualTo("S.");
        assertThat(synAck.ack()).isEqualTo(1001);
        assertThat(synAck.sport()).isEqualTo(80);
        assertThat(synAck.options().toString()).matches("<mss 1460,sackOK,TS val \\d+ ecr 100,wscale 8>");
        assertThat(synAck.window()).as("262144 bytes of buffer: a full 65535, as Linux").isEqualTo(65535);
        assertThatThrownBy(() -> api.accept(lfd)).isInstanceOfSatisfying(ErrnoException.class,
                e -> assertThat(e.errno()).isEqualTo(Errno.EAGAIN));

        peer.inject(SegmentPeer.from(40000).to(SegmentPeer.LOCAL, 80).flags(ACK).seq(1001).ack(synAck.seq() + 1)
                .timestamp(101, synAck.options().tsVal).window(1000).build());
        Accepted accepted = api.accept(lfd);
        assertThat(accepted.peer()).isEqualTo(InetSockAddr.parse("10.0.0.2:40000"));
        assertThat(api.getsockname(accepted.fd())).isEqualTo(InetSockAddr.parse("10.0.0.1:80"));
        assertThat(peer.emitted()).isEmpty();
        assertThat(peer.host().counter(TcpMib.PassiveOpens)).isEqualTo(1);
        assertThat(peer.host().counter(TcpMib.CurrEstab)).isEqualTo(1);
    }

    @Test
    void activeOpenSendsLinuxSynAndCompletesOnSynAck() throws Exception {
        Object[] started = connect(80);
        int fd = (int) started[0];
        Seg syn = (Seg) started[1];
        assertThat(syn.flagString()).isEqualTo("S");
        assertThat(syn.dport()).isEqualTo(80);
        assertThat(syn.sport()).isBetween(32768, 60999);
        assertThat(syn.options().toString()).matches("<mss 1460,sackOK,TS val \\d+ ecr 0,wscale 8>");
        assertThat(syn.window()).as("262144 bytes of buffer: a full 65535, as Linux").isEqualTo(65535);
        assertThat(api.poll(fd, EPOLLOUT, 0) & EPOLLOUT).isZero();

        peer.inject(SegmentPeer.from(80).to(SegmentPeer.LOCAL, syn.sport()).flags(SYN | ACK).seq(5000)
                .ack(syn.seq() + 1).mss(1400).sackOk().timestamp(700, syn.options().tsVal).wscale(2).build());
        Seg ack = peer.emittedOne();
        assertThat(ack.flagString()).isEqualTo(".");
        assertThat(ack.seq()).isEqualTo(syn.seq() + 1);
        assertThat(ack.ack()).isEqualTo(5001);
        assertThat(ack.options().tsEcr).isEqualTo(700);
        assertThat(api.poll(fd, EPOLLOUT, 0) & EPOLLOUT).isEqualTo(EPOLLOUT);
        assertThat(api.getsockopt(fd, SOL_SOCKET, SO_ERROR)).isZero();
        api.connect(fd, InetSockAddr.parse("10.0.0.2:80")); // completes: the connection is up
    }

    @Test
    void connectingAgainAfterSuccessIsEisconn() throws Exception {
        Object[] started = connect(80);
        int fd = (int) started[0];
        Seg syn = (Seg) started[1];
        peer.inject(SegmentPeer.from(80).to(SegmentPeer.LOCAL, syn.sport()).flags(SYN | ACK).seq(5000)
                .ack(syn.seq() + 1).mss(1460).build());
        peer.emitted();
        api.connect(fd, InetSockAddr.parse("10.0.0.2:80"));
        assertThatThrownBy(() -> api.connect(fd, InetSockAddr.parse("10.0.0.2:80")))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EISCONN));
    }

    @Test
    void mssFollowsTheRouteMtu() throws Exception {
        peer.close();
        peer = new SegmentPeer(TcpSettings.defaults(), 1400);
        api = peer.api();
        Seg syn = (Seg) connect(80)[1];
        assertThat(syn.options().mss).isEqualTo(1360);
    }

    @Test
    void synToAClosedPortIsAnsweredWithRstAck() {
        peer.inject(SegmentPeer.from(40000).to(SegmentPeer.LOCAL, 81).flags(SYN).seq(77).build());
        Seg rst = peer.emittedOne();
        assertThat(rst.flagString()).isEqualTo("R.");
        assertThat(rst.seq()).isZero();
        assertThat(rst.ack()).isEqualTo(78);
        assertThat(peer.host().counter(TcpMib.OutRsts)).isEqualTo(1);
    }

    @Test
    void ackToAClosedPortIsAnsweredWithRstAtItsAckNumber() {
        peer.inject(SegmentPeer.from(40000).to(SegmentPeer.LOCAL, 81).flags(ACK).seq(77).ack(12345).build());
        Seg rst = peer.emittedOne();
        assertThat(rst.flagString()).isEqualTo("R");
        assertThat(rst.seq()).isEqualTo(12345);
    }

    @Test
    void rstIsNeverAnsweredWithRst() {
        peer.inject(SegmentPeer.from(40000).to(SegmentPeer.LOCAL, 81).flags(RST).seq(77).build());
        assertThat(peer.emitted()).isEmpty();
    }

    @Test
    void badAckInSynSentIsAnsweredWithRstAndTheAttemptGoesOn() throws Exception {
        Object[] started = connect(80);
        Seg syn = (Seg) started[1];
        peer.inject(SegmentPeer.from(80).to(SegmentPeer.LOCAL, syn.sport()).flags(SYN | ACK).seq(5000)
                .ack(syn.seq() + 10).build());
        Seg rst = peer.emittedOne();
        assertThat(rst.flagString()).isEqualTo("R");
        assertThat(rst.seq()).isEqualTo(syn.seq() + 10);
        peer.inject(SegmentPeer.from(80).to(SegmentPeer.LOCAL, syn.sport()).flags(SYN | ACK).seq(5000)
                .ack(syn.seq() + 1).build());
        assertThat(peer.emittedOne().flagString()).isEqualTo(".");
    }

    @Test
    void rstToSynIsConnectionRefused() throws Exception {
        Object[] started = connect(80);
        int fd = (int) started[0];
        Seg syn = (Seg) started[1];
        peer.inject(SegmentPeer.from(80).to(SegmentPeer.LOCAL, syn.sport()).flags(RST | ACK).seq(0)
                .ack(syn.seq() + 1).build());
        assertThat(peer.emitted()).isEmpty();
        assertThat(api.getsockopt(fd, SOL_SOCKET, SO_ERROR)).isEqualTo(Errno.ECONNREFUSED.number());
        assertThat(peer.host().counter(TcpMib.AttemptFails)).isEqualTo(1);
    }

    @Test
    void rstWithoutAckInSynSentIsIgnored() throws Exception {
        Object[] started = connect(80);
        int fd = (int) started[0];
        Seg syn = (Seg) started[1];
        peer.inject(SegmentPeer.from(80).to(SegmentPeer.LOCAL, syn.sport()).flags(RST).seq(0).build());
        assertThat(api.getsockopt(fd, SOL_SOCKET, SO_ERROR)).isZero();
    }

    @Test
    void synIsRetransmittedWithBackoffSixTimesThenConnectFailsWithEtimedout() throws Exception {
        Object[] started = connect(80);
        int fd = (int) started[0];
        Seg syn = (Seg) started[1];
        List<Seg> retransmissions = peer.advanceCollecting(130, TimeUnit.SECONDS);
        assertThat(retransmissions).extracting(s -> s.atNanos() / 1_000_000_000L)
                .containsExactly(1L, 3L, 7L, 15L, 31L, 63L);
        assertThat(retransmissions).allSatisfy(s -> {
            assertThat(s.flagString()).isEqualTo("S");
            assertThat(s.seq()).isEqualTo(syn.seq());
        });
        assertThat(api.getsockopt(fd, SOL_SOCKET, SO_ERROR)).isEqualTo(Errno.ETIMEDOUT.number());
        assertThat(peer.host().counter(TcpMib.RetransSegs)).isEqualTo(6);
    }

    @Test
    void firstSynRetransmissionComesAfterTheInitialRtoOfOneSecond() throws Exception {
        connect(80);
        peer.advance(999, TimeUnit.MILLISECONDS);
        assertThat(peer.emitted()).isEmpty();
        peer.advance(1, TimeUnit.MILLISECONDS);
        assertThat(peer.emittedOne().flagString()).isEqualTo("S");
    }

    @Test
    void simultaneousOpenGoesThroughSynReceived() throws Exception {
        Object[] started = connect(80);
        int fd = (int) started[0];
        Seg syn = (Seg) started[1];
        peer.inject(SegmentPeer.from(80).to(SegmentPeer.LOCAL, syn.sport()).flags(SYN).seq(9000).mss(1460).build());
        Seg synAck = peer.emittedOne();
        assertThat(synAck.flagString()).isEqualTo("S.");
        assertThat(synAck.seq()).isEqualTo(syn.seq());
        assertThat(synAck.ack()).isEqualTo(9001);
        assertThat(api.poll(fd, EPOLLOUT, 0) & EPOLLOUT).isZero();
        peer.inject(SegmentPeer.from(80).to(SegmentPeer.LOCAL, syn.sport()).flags(ACK).seq(9001).ack(syn.seq() + 1)
                .build());
        assertThat(api.poll(fd, EPOLLOUT, 0) & EPOLLOUT).isEqualTo(EPOLLOUT);
        api.connect(fd, InetSockAddr.parse("10.0.0.2:80"));
    }

    /** A simultaneous open to 10.0.0.2:80 left in SYN-RECEIVED: returns the fd and our SYN. */
    private Object[] simultaneousOpenInSynReceived() throws Exception {
        Object[] started = connect(80);
        Seg syn = (Seg) started[1];
        peer.inject(SegmentPeer.from(80).to(SegmentPeer.LOCAL, syn.sport()).flags(SYN).seq(9000).mss(1460).build());
        assertThat(peer.emittedOne().flagString()).isEqualTo("S.");
        return started;
    }

    private TcpSock sock() {
        return peer.host().tcp().sockets().iterator().next();
    }

    @Test
    void closeInSynReceivedSendsTheFinOnceTheHandshakeCompletes() throws Exception {
        Object[] started = simultaneousOpenInSynReceived();
        Seg syn = (Seg) started[1];
        api.close((int) started[0]);
        assertThat(peer.emitted()).as("no RST, and no FIN before ESTABLISHED").isEmpty();
        TcpSock sk = sock();
        assertThat(sk.state()).isEqualTo(SkState.SYN_RECV);
        peer.inject(SegmentPeer.from(80).to(SegmentPeer.LOCAL, syn.sport()).flags(ACK).seq(9001).ack(syn.seq() + 1)
                .build());
        Seg fin = peer.emittedOne();
        assertThat(fin.flagString()).isEqualTo("F.");
        assertThat(fin.seq()).isEqualTo(syn.seq() + 1);
        assertThat(fin.ack()).isEqualTo(9001);
        assertThat(sk.state()).isEqualTo(SkState.FIN_WAIT1);
        peer.inject(SegmentPeer.from(80).to(SegmentPeer.LOCAL, syn.sport()).flags(ACK).seq(9001).ack(syn.seq() + 2)
                .build());
        assertThat(sk.state()).isEqualTo(SkState.FIN_WAIT2);
        assertThat(peer.host().counter(TcpMib.OutRsts)).isZero();
    }

    @Test
    void shutdownWriteInSynReceivedSendsTheFinAfterTheHandshakeAndStillReceives() throws Exception {
        Object[] started = simultaneousOpenInSynReceived();
        int fd = (int) started[0];
        Seg syn = (Seg) started[1];
        api.shutdown(fd, SHUT_WR);
        assertThat(peer.emitted()).isEmpty();
        peer.inject(SegmentPeer.from(80).to(SegmentPeer.LOCAL, syn.sport()).flags(ACK).seq(9001).ack(syn.seq() + 1)
                .build());
        assertThat(peer.emittedOne().flagString()).isEqualTo("F.");
        peer.inject(SegmentPeer.from(80).to(SegmentPeer.LOCAL, syn.sport()).flags(ACK).seq(9001).ack(syn.seq() + 2)
                .payload(new byte[] {1, 2, 3}).build());
        ByteBuffer in = ByteBuffer.allocate(10);
        assertThat(api.recv(fd, in, 0)).isEqualTo(3);
        assertThatThrownBy(() -> api.send(fd, ByteBuffer.wrap(new byte[1]), 0))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EPIPE));
    }

    @Test
    void retransmittedSynGetsTheSameSynAckAgain() throws Exception {
        listener(80);
        Seg syn = SegmentPeer.from(40000).to(SegmentPeer.LOCAL, 80).flags(SYN).seq(1000).mss(1460).build();
        peer.inject(syn);
        Seg first = peer.emittedOne();
        peer.inject(syn);
        Seg second = peer.emittedOne();
        assertThat(second.seq()).isEqualTo(first.seq());
        assertThat(second.flagString()).isEqualTo("S.");
    }

    @Test
    void synAckIsRetransmittedFiveTimesThenTheRequestIsDropped() throws Exception {
        listener(80);
        peer.inject(SegmentPeer.from(40000).to(SegmentPeer.LOCAL, 80).flags(SYN).seq(1000).mss(1460).build());
        Seg first = peer.emittedOne();
        List<Seg> again = peer.advanceCollecting(70, TimeUnit.SECONDS);
        assertThat(again).extracting(s -> s.atNanos() / 1_000_000_000L).containsExactly(1L, 3L, 7L, 15L, 31L);
        // The request is gone: the ACK now finds only the listener, which resets it.
        peer.inject(SegmentPeer.from(40000).to(SegmentPeer.LOCAL, 80).flags(ACK).seq(1001).ack(first.seq() + 1)
                .build());
        assertThat(peer.emittedOne().flagString()).isEqualTo("R");
    }

    @Test
    void ackWithAWrongNumberToARequestIsReset() throws Exception {
        listener(80);
        peer.inject(SegmentPeer.from(40000).to(SegmentPeer.LOCAL, 80).flags(SYN).seq(1000).build());
        Seg synAck = peer.emittedOne();
        peer.inject(SegmentPeer.from(40000).to(SegmentPeer.LOCAL, 80).flags(ACK).seq(1001).ack(synAck.seq() + 7)
                .build());
        Seg rst = peer.emittedOne();
        assertThat(rst.flagString()).isEqualTo("R");
        assertThat(rst.seq()).isEqualTo(synAck.seq() + 7);
    }

    @Test
    void synWithoutOptionsGetsMss536SemanticsAndNoScaling() throws Exception {
        listener(80);
        peer.inject(SegmentPeer.from(40000).to(SegmentPeer.LOCAL, 80).flags(SYN).seq(1000).build());
        Seg synAck = peer.emittedOne();
        assertThat(synAck.options().toString()).isEqualTo("<mss 1460>");
    }

    @Test
    void theSynAckRoundTripIsThePassiveSidesFirstRttSample() throws Exception {
        int fd = listener(80);
        peer.inject(SegmentPeer.from(40000).to(SegmentPeer.LOCAL, 80).flags(SYN).seq(1000).mss(1460).build());
        Seg synAck = peer.emittedOne();
        peer.advance(100, TimeUnit.MILLISECONDS);
        peer.inject(SegmentPeer.from(40000).to(SegmentPeer.LOCAL, 80).flags(ACK).seq(1001).ack(synAck.seq() + 1)
                .build());
        int child = api.accept(fd, SOCK_NONBLOCK).fd();
        TcpInfo info = api.getsockopt(child, SOL_TCP, TCP_INFO, TcpInfo.class);
        // tcp_synack_rtt_meas without timestamps: srtt 100 ms, RTO = 100 + max(4 * 50, 200) ms.
        assertThat(info.rtt()).isEqualTo(100_000L);
        assertThat(info.rto()).isEqualTo(300_000L);
    }

    @Test
    void aRetransmittedSynAckGivesNoRttSampleAndTheFallbackRto() throws Exception {
        int fd = listener(80);
        peer.inject(SegmentPeer.from(40000).to(SegmentPeer.LOCAL, 80).flags(SYN).seq(1000).mss(1460).build());
        Seg synAck = peer.emittedOne();
        assertThat(peer.advanceCollecting(1100, TimeUnit.MILLISECONDS)).hasSize(1);
        peer.inject(SegmentPeer.from(40000).to(SegmentPeer.LOCAL, 80).flags(ACK).seq(1001).ack(synAck.seq() + 1)
                .build());
        int child = api.accept(fd, SOCK_NONBLOCK).fd();
        TcpInfo info = api.getsockopt(child, SOL_TCP, TCP_INFO, TcpInfo.class);
        assertThat(info.rtt()).isZero(); // Karn: which SYN-ACK was acknowledged is unknown
        assertThat(info.rto()).isEqualTo(3_000_000L); // RFC 6298 5.7, tcp_init_metrics
    }
}
