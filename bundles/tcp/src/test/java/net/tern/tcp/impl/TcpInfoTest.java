package net.tern.tcp.impl;

import static net.tern.api.socket.SocketConstants.SOL_SOCKET;
import static net.tern.api.socket.SocketConstants.SOL_TCP;
import static net.tern.api.socket.SocketConstants.SO_RCVTIMEO;
import static net.tern.api.socket.SocketConstants.TCP_CONGESTION;
import static net.tern.api.socket.SocketConstants.TCP_INFO;
import static net.tern.api.socket.SocketConstants.TCP_NODELAY;
import static net.tern.wire.TcpPacket.ACK;
import static net.tern.wire.TcpPacket.PSH;
import static net.tern.wire.TcpPacket.SYN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.InetSockAddr;
import net.tern.api.socket.TcpInfo;
import net.tern.tcp.testing.Seg;
import net.tern.tcp.testing.SegmentPeer;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/** {@code getsockopt(SOL_TCP, TCP_INFO)}: {@code tcp_get_info} over a connection's life, and its errors. */
class TcpInfoTest extends ScriptedPeerTestBase {
    private static final int PEER_ISN = 90_000;

    TcpInfoTest() {
        super(PEER_ISN);
    }

    /** No tail loss probes ({@code tcp_early_retrans=0}): the retransmissions counted here are the timeouts'. */
    @Override
    protected TcpSettings settings() {
        return TcpSettings.defaults().withLossDetection(new TcpSettings.LossDetection(true, false));
    }

    private TcpInfo info(int fd) throws ErrnoException {
        return api.getsockopt(fd, SOL_TCP, TCP_INFO, TcpInfo.class);
    }

    /** Connects to the peer, which answers after {@code rttMillis} with Linux's SYN-ACK options (wscale 7). */
    private Conn open(long rttMillis) throws ErrnoException {
        int fd = socket();
        Seg syn = connectToPeer(fd);
        peer.advance(rttMillis, TimeUnit.MILLISECONDS);
        peer.inject(synAckTo(syn).window(65535).mss(1460).sackOk().timestamp(1000, syn.options().tsVal).wscale(7)
                .build());
        peer.emitted();
        return established(fd, syn);
    }

    @Test
    void aConnectingSocketHasItsSynOutstandingAndTheInitialRtoOfOneSecond() throws Exception {
        int fd = socket();
        connectToPeer(fd);
        TcpInfo info = info(fd);
        assertThat(info.state()).isEqualTo(TcpInfo.TCP_SYN_SENT);
        assertThat(info.stateName()).isEqualTo("SYN_SENT");
        assertThat(info.rto()).isEqualTo(1_000_000L);
        assertThat(info.rtt()).isZero();
        assertThat(info.unacked()).isEqualTo(1);
        assertThat(info.options()).isZero();
        assertThat(info.congestion()).isEqualTo("reno");
    }

    @Test
    void afterTheHandshakeItReportsTheNegotiatedOptionsWindowAndRtt() throws Exception {
        Conn c = open(100);
        TcpInfo info = info(c.fd());
        assertThat(info.state()).isEqualTo(TcpInfo.TCP_ESTABLISHED);
        assertThat(info.caState()).isZero();
        assertThat(info.sndCwnd()).isEqualTo(10);
        assertThat(info.sndSsthresh()).isEqualTo(Integer.MAX_VALUE);
        // MSS 1460 from the route's MTU, 12 bytes of it taken by the timestamp option.
        assertThat(info.advmss()).isEqualTo(1460);
        assertThat(info.sndMss()).isEqualTo(1448);
        assertThat(info.pmtu()).isEqualTo(1500);
        assertThat(info.options()).isEqualTo(TcpInfo.TCPI_OPT_TIMESTAMPS | TcpInfo.TCPI_OPT_SACK
                | TcpInfo.TCPI_OPT_WSCALE);
        assertThat(info.hasOptions(TcpInfo.TCPI_OPT_SACK)).isTrue();
        assertThat(info.sndWscale()).isEqualTo(7);
        assertThat(info.rcvWscale()).isEqualTo(8);
        assertThat(info.sndWnd()).isEqualTo(65535); // the SYN-ACK's window is never scaled
        // The SYN-ACK's 100 ms is the first RTT sample (RFC 6298 2.2): RTO = 100 + max(4 * 50, 200) ms.
        assertThat(info.rtt()).isEqualTo(100_000L);
        assertThat(info.rttvar()).isEqualTo(50_000L);
        assertThat(info.minRtt()).isEqualTo(100_000L);
        assertThat(info.rto()).isEqualTo(300_000L);
        assertThat(info.unacked()).isZero();
        assertThat(info.retransmits()).isZero();
        assertThat(info.totalRetrans()).isZero();
        assertThat(info.reordering()).isEqualTo(3);
        assertThat(info.ato()).isZero();
    }

    @Test
    void dataAndRetransmissionsAreCounted() throws Exception {
        Conn c = open(100);
        api.send(c.fd(), ByteBuffer.wrap(new byte[100]), 0);
        peer.emittedOne();
        TcpInfo sent = info(c.fd());
        assertThat(sent.unacked()).isEqualTo(1);
        assertThat(sent.bytesSent()).isEqualTo(100);
        assertThat(sent.dataSegsOut()).isEqualTo(1);
        assertThat(sent.notsentBytes()).isZero();

        // Two timeouts: at 300 ms and 600 ms later (the RTO doubles).
        assertThat(peer.advanceCollecting(900, TimeUnit.MILLISECONDS)).hasSize(2);
        TcpInfo lost = info(c.fd());
        assertThat(lost.retransmits()).isEqualTo(2);
        assertThat(lost.backoff()).isEqualTo(2);
        assertThat(lost.caState()).isEqualTo(4); // TCP_CA_Loss
        assertThat(lost.sndCwnd()).isEqualTo(1);
        assertThat(lost.totalRetrans()).isEqualTo(2);
        assertThat(lost.retrans()).isEqualTo(1);
        assertThat(lost.bytesSent()).isEqualTo(300);
        assertThat(lost.bytesRetrans()).isEqualTo(200);
        assertThat(lost.dataSegsOut()).isEqualTo(3);
        assertThat(lost.lastDataSent()).isZero();
        assertThat(lost.lastAckRecv()).isEqualTo(900);

        peer.inject(fromPeer(c).flags(ACK | PSH).seq(PEER_ISN + 1).ack(c.nxt(100)).window(65535)
                .payload(new byte[50]).build());
        TcpInfo acked = info(c.fd());
        assertThat(acked.retransmits()).isZero();
        assertThat(acked.unacked()).isZero();
        assertThat(acked.retrans()).isZero();
        assertThat(acked.bytesAcked()).isEqualTo(1 + 100); // the SYN counts, as in Linux's tcpi_bytes_acked
        assertThat(acked.bytesReceived()).isEqualTo(50);
        assertThat(acked.dataSegsIn()).isEqualTo(1);
        assertThat(acked.segsIn()).isEqualTo(2); // the SYN-ACK and this segment
        assertThat(acked.totalRetrans()).isEqualTo(2);
        assertThat(acked.lastAckRecv()).isZero();
        assertThat(acked.lastDataRecv()).isZero();
        assertThat(acked.ato()).isEqualTo(40_000L);
        assertThat(acked.segsOut()).isEqualTo(peer.host().counter(TcpMib.OutSegs));
    }

    @Test
    void unsentBytesAreThoseTheWindowHoldsBack() throws Exception {
        int fd = socket();
        Seg syn = connectToPeer(fd);
        peer.inject(synAckTo(syn).window(1000).mss(1460).build());
        peer.emitted();
        api.send(fd, ByteBuffer.wrap(new byte[3000]), 0);
        // Segments of half the peer's largest window (tcp_bound_to_half_wnd), as Linux 6.18 sends them.
        assertThat(peer.emitted()).extracting(Seg::length).containsExactly(500, 500);
        TcpInfo info = info(fd);
        assertThat(info.sndWnd()).isEqualTo(1000);
        assertThat(info.options()).isZero();
        assertThat(info.notsentBytes()).isEqualTo(2000);
    }

    @Test
    void aListenerReportsItsAcceptQueueAndBacklog() throws Exception {
        int fd = socket();
        api.bind(fd, new InetSockAddr(0, 80));
        api.listen(fd, 5);
        TcpInfo idle = info(fd);
        assertThat(idle.state()).isEqualTo(TcpInfo.TCP_LISTEN);
        assertThat(idle.unacked()).isZero();
        assertThat(idle.sacked()).isEqualTo(5);

        peer.inject(SegmentPeer.from(40000).to(SegmentPeer.LOCAL, 80).flags(SYN).seq(1000).mss(1460).build());
        Seg synAck = peer.emittedOne();
        peer.inject(SegmentPeer.from(40000).to(SegmentPeer.LOCAL, 80).flags(ACK).seq(1001).ack(synAck.seq() + 1)
                .build());
        assertThat(info(fd).unacked()).isEqualTo(1);
        api.accept(fd);
        assertThat(info(fd).unacked()).isZero();
    }

    @Test
    void theCongestionAlgorithmIsTheSocketsOwn() throws Exception {
        Conn c = open(10);
        api.setsockopt(c.fd(), SOL_TCP, TCP_CONGESTION, "reno");
        assertThat(info(c.fd()).congestion()).isEqualTo(api.getsockoptString(c.fd(), SOL_TCP, TCP_CONGESTION));
    }

    @Test
    void readingTcpInfoAsAnotherTypeIsEinval() throws Exception {
        int fd = socket();
        assertErrno(Errno.EINVAL, () -> api.getsockopt(fd, SOL_TCP, TCP_INFO, Integer.class));
        assertErrno(Errno.EINVAL, () -> api.getsockopt(fd, SOL_TCP, TCP_INFO));
        assertErrno(Errno.EINVAL, () -> api.getsockopt(fd, SOL_TCP, TCP_NODELAY, TcpInfo.class));
        assertErrno(Errno.EINVAL, () -> api.getsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, TcpInfo.class));
    }

    @Test
    void unknownOptionsAreEnoprotooptAndOtherLevelsEopnotsupp() throws Exception {
        int fd = socket();
        assertErrno(Errno.ENOPROTOOPT, () -> api.getsockopt(fd, SOL_TCP, 99, TcpInfo.class));
        assertErrno(Errno.EOPNOTSUPP, () -> api.getsockopt(fd, 17, TCP_INFO, TcpInfo.class));
        assertErrno(Errno.EBADF, () -> api.getsockopt(99, SOL_TCP, TCP_INFO, TcpInfo.class));
    }

    @Test
    void integerOptionsCanBeReadThroughTheTypedCall() throws Exception {
        int fd = socket();
        api.setsockopt(fd, SOL_TCP, TCP_NODELAY, 1);
        assertThat(api.getsockopt(fd, SOL_TCP, TCP_NODELAY, Integer.class)).isEqualTo(1);
        assertThat(api.getsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, Integer.class)).isZero();
        assertThat(api.getsockopt(fd, SOL_TCP, TCP_CONGESTION, String.class)).isEqualTo("reno");
    }

    private static void assertErrno(Errno expected, ThrowingCallable call) {
        assertThatThrownBy(call).isInstanceOfSatisfying(ErrnoException.class,
                e -> assertThat(e.errno()).as(e.getMessage()).isEqualTo(expected));
    }
}
