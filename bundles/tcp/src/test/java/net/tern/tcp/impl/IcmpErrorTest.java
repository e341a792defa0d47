package net.tern.tcp.impl;

import static net.tern.api.socket.SocketConstants.AF_INET;
import static net.tern.api.socket.SocketConstants.IP_MTU_DISCOVER;
import static net.tern.api.socket.SocketConstants.SHUT_WR;
import static net.tern.api.socket.SocketConstants.SOCK_NONBLOCK;
import static net.tern.api.socket.SocketConstants.SOCK_STREAM;
import static net.tern.api.socket.SocketConstants.SOL_IP;
import static net.tern.api.socket.SocketConstants.SOL_SOCKET;
import static net.tern.api.socket.SocketConstants.SO_ERROR;
import static net.tern.wire.TcpPacket.ACK;
import static net.tern.wire.TcpPacket.FIN;
import static net.tern.wire.TcpPacket.SYN;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.InetSockAddr;
import net.tern.inet.sock.SkState;
import net.tern.tcp.testing.Seg;
import net.tern.tcp.testing.SegmentPeer;
import net.tern.wire.IcmpTypes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * ICMP errors about what TCP sent ({@code tcp_v4_err}), as Linux 6.18 takes them (each case
 * was run with packetdrill against that kernel in a namespace): an unreachable during the
 * handshake ends the attempt with its errno; a request in the SYN queue is dropped by network
 * or host unreachable quoting its SYN-ACK, kept on port unreachable; on a synchronized
 * connection the error is soft, reported only if the connection times out and forgotten when
 * an ACK gets through.
 */
class IcmpErrorTest extends ScriptedPeerTestBase {
    private static final int PEER_ISN = 150_000;

    IcmpErrorTest() {
        super(PEER_ISN);
    }

    private Conn open() throws ErrnoException {
        int fd = socket();
        Seg syn = connectToPeer(fd);
        peer.advance(100, TimeUnit.MILLISECONDS);
        peer.inject(synAckTo(syn).mss(1460).window(65535).build());
        peer.emitted();
        return established(fd, syn);
    }

    private static Errno recvError(SegmentPeer peer, int fd) {
        try {
            peer.api().recv(fd, ByteBuffer.allocate(10), 0);
        } catch (ErrnoException e) {
            return e.errno();
        }
        throw new AssertionError("recv succeeded");
    }

    @ParameterizedTest(name = "type {0} code {1}: {2}")
    @CsvSource({"3, 0, ENETUNREACH", "3, 1, EHOSTUNREACH", "3, 2, ENOPROTOOPT", "3, 3, ECONNREFUSED",
            "3, 7, EHOSTDOWN", "3, 8, ENONET", "3, 13, EHOSTUNREACH", "11, 0, EHOSTUNREACH", "12, 0, EPROTO"})
    void anErrorAboutTheSynEndsTheConnectWithItsErrno(int type, int code, Errno errno) throws Exception {
        int fd = socket();
        Seg syn = connectToPeer(fd);
        peer.advance(100, TimeUnit.MILLISECONDS);
        peer.injectIcmpError(type, code, 0, syn);
        assertThat(api.getsockopt(fd, SOL_SOCKET, SO_ERROR)).isEqualTo(errno.number());
        assertThat(peer.host().tcp().sockets()).extracting(TcpSock::state).containsExactly(SkState.CLOSE);
        assertThat(peer.advanceCollecting(10, TimeUnit.SECONDS)).as("no SYN again").isEmpty();
    }

    @Test
    void sourceQuenchAndUnknownUnreachableCodesLeaveTheHandshakeAlone() throws Exception {
        int fd = socket();
        Seg syn = connectToPeer(fd);
        peer.injectIcmpError(4, 0, 0, syn);
        peer.injectIcmpError(3, 16, 0, syn);
        assertThat(api.getsockopt(fd, SOL_SOCKET, SO_ERROR)).isZero();
        assertThat(sock().state()).isEqualTo(SkState.SYN_SENT);
        assertThat(peer.advanceCollecting(1, TimeUnit.SECONDS)).extracting(Seg::flagString).containsExactly("S");
    }

    @Test
    void anErrorQuotingASequenceNumberNotInFlightIsCountedAndIgnored() throws Exception {
        int fd = socket();
        Seg syn = connectToPeer(fd);
        Seg other = Seg.from(SegmentPeer.LOCAL, syn.sport()).to(SegmentPeer.REMOTE, 80).flags(SYN).seq(syn.seq() - 1000)
                .build();
        peer.injectIcmpError(3, 1, 0, other);
        assertThat(api.getsockopt(fd, SOL_SOCKET, SO_ERROR)).isZero();
        assertThat(peer.host().counter(TcpExtMib.OutOfWindowIcmps)).isEqualTo(1);
    }

    /** A listener on port 8080 and a SYN from the peer's port 45000: the SYN-ACK it drew. */
    private Seg requestInTheSynQueue() throws ErrnoException {
        int l = api.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        api.bind(l, new InetSockAddr(0, 8080));
        api.listen(l, 4);
        peer.inject(SegmentPeer.from(45_000).to(SegmentPeer.LOCAL, 8080).flags(SYN).seq(PEER_ISN).mss(1460)
                .window(65535).build());
        Seg synAck = peer.emittedOne();
        assertThat(synAck.flagString()).isEqualTo("S.");
        return synAck;
    }

    @Test
    void hostUnreachableQuotingTheSynAckDropsTheRequestAndItsAckIsReset() throws Exception {
        Seg synAck = requestInTheSynQueue();
        peer.advance(100, TimeUnit.MILLISECONDS);
        peer.injectIcmpError(3, 1, 0, synAck);
        assertThat(peer.host().counter(TcpExtMib.ListenDrops)).isEqualTo(1);
        peer.advance(100, TimeUnit.MILLISECONDS);
        peer.inject(SegmentPeer.from(45_000).to(SegmentPeer.LOCAL, 8080).flags(ACK).seq(PEER_ISN + 1)
                .ack(synAck.seq() + 1).window(65535).build());
        Seg rst = peer.emittedOne();
        assertThat(rst.flagString()).isEqualTo("R");
        assertThat(rst.seq()).isEqualTo(synAck.seq() + 1);
        assertThat(peer.advanceCollecting(10, TimeUnit.SECONDS)).as("no SYN-ACK again").isEmpty();
    }

    @Test
    void portUnreachableQuotingTheSynAckLeavesTheRequestToComplete() throws Exception {
        Seg synAck = requestInTheSynQueue();
        peer.advance(100, TimeUnit.MILLISECONDS);
        peer.injectIcmpError(3, 3, 0, synAck);
        peer.advance(100, TimeUnit.MILLISECONDS);
        peer.inject(SegmentPeer.from(45_000).to(SegmentPeer.LOCAL, 8080).flags(ACK).seq(PEER_ISN + 1)
                .ack(synAck.seq() + 1).window(65535).build());
        assertThat(peer.emitted()).isEmpty();
        assertThat(peer.host().counter(TcpExtMib.ListenDrops)).isZero();
        assertThat(peer.host().counter(TcpMib.PassiveOpens)).isEqualTo(1);
    }

    @Test
    void anErrorQuotingAnotherSequenceNumberThanTheSynAckIsCountedAndTheRequestStays() throws Exception {
        Seg synAck = requestInTheSynQueue();
        Seg other = Seg.from(SegmentPeer.LOCAL, 8080).to(SegmentPeer.REMOTE, 45_000).flags(SYN | ACK)
                .seq(synAck.seq() + 5).ack(PEER_ISN + 1).build();
        peer.injectIcmpError(3, 1, 0, other);
        assertThat(peer.host().counter(TcpExtMib.OutOfWindowIcmps)).isEqualTo(1);
        assertThat(peer.host().counter(TcpExtMib.ListenDrops)).isZero();
        assertThat(peer.advanceCollecting(1, TimeUnit.SECONDS)).extracting(Seg::flagString).containsExactly("S.");
    }

    @Test
    void onAnEstablishedConnectionHostUnreachableIsSoftAndTheErrorWhenRetransmissionsGiveUp() throws Exception {
        Conn c = open();
        api.send(c.fd(), ByteBuffer.wrap(new byte[1000]), 0);
        Seg data = peer.emittedOne();
        peer.advance(100, TimeUnit.MILLISECONDS);
        peer.injectIcmpError(3, 1, 0, data);
        // The connection goes on: no error yet, more data taken, the data sent again at the RTO.
        assertThat(recvError(peer, c.fd())).isEqualTo(Errno.EAGAIN);
        assertThat(api.send(c.fd(), ByteBuffer.wrap(new byte[10]), 0)).isEqualTo(10);
        assertThat(sock().state()).isEqualTo(SkState.ESTABLISHED);
        List<Seg> again = peer.advanceCollecting(1, TimeUnit.SECONDS);
        assertThat(again).isNotEmpty().allSatisfy(s -> assertThat(s.seq()).isEqualTo(c.nxt(0)));
        // tcp_retries2 (15 from a 200 ms base): 924.6 s from the first retransmission, so the
        // connection fails at 1044.6 s; then the soft error, not ETIMEDOUT.
        peer.advance(1100, TimeUnit.SECONDS);
        assertThat(peer.host().tcp().sockets()).extracting(TcpSock::state).containsExactly(SkState.CLOSE);
        assertThat(recvError(peer, c.fd())).isEqualTo(Errno.EHOSTUNREACH);
        assertThat(peer.host().counter(TcpExtMib.TCPAbortOnTimeout)).isEqualTo(1);
    }

    /**
     * Fragmentation needed lowers the MSS to what the path's MTU allows ({@code tcp_v4_mtu_reduced})
     * while path MTU discovery is on (IP_PMTUDISC_WANT, the default, with Don't Fragment set);
     * with IP_PMTUDISC_DONT it is ignored and packets go without Don't Fragment.
     */
    @ParameterizedTest(name = "IP_MTU_DISCOVER {0}: MSS {1}")
    @CsvSource({"1, 960, true", "2, 960, true", "0, 1460, false", "4, 1460, false"})
    void fragmentationNeededCountsAsIpMtuDiscoverSays(int pmtudisc, int mss, boolean df) throws Exception {
        Conn c = open();
        api.setsockopt(c.fd(), SOL_IP, IP_MTU_DISCOVER, pmtudisc);
        assertThat(api.getsockopt(c.fd(), SOL_IP, IP_MTU_DISCOVER)).isEqualTo(pmtudisc);
        assertThat(sock().dontFragment()).isEqualTo(df);
        api.send(c.fd(), ByteBuffer.wrap(new byte[1000]), 0);
        Seg data = peer.emittedOne();
        peer.injectIcmpError(IcmpTypes.DEST_UNREACH, IcmpTypes.FRAG_NEEDED, 1000, data);
        assertThat(sock().opts().mssCache()).isEqualTo(mss);
    }

    /** An established connection sends 100 bytes, and 100 ms later a destination unreachable with {@code code} quotes them. */
    private Conn unreachableAfterSending(int code) throws ErrnoException {
        Conn c = open();
        api.send(c.fd(), ByteBuffer.wrap(new byte[100]), 0);
        Seg data = peer.emittedOne();
        peer.advance(100, TimeUnit.MILLISECONDS);
        peer.injectIcmpError(IcmpTypes.DEST_UNREACH, code, 0, data);
        return c;
    }

    /**
     * {@code sk_getsockopt(SO_ERROR)}: with no hard error pending it reads and clears the soft
     * error ({@code xchg(&sk->sk_err_soft, 0)}). Linux 6.18 (interop/linux-so-error.py) gives
     * EHOSTUNREACH once, then 0, the connection ESTABLISHED; read, the error no longer decides
     * how a timeout ends ({@code tcp_write_err}: {@code sk_err_soft ?: ETIMEDOUT}).
     */
    @Test
    void soErrorReadsAndClearsTheSoftErrorWhileTheConnectionGoesOn() throws Exception {
        Conn c = unreachableAfterSending(IcmpTypes.HOST_UNREACH);
        assertThat(api.getsockopt(c.fd(), SOL_SOCKET, SO_ERROR)).isEqualTo(Errno.EHOSTUNREACH.number());
        assertThat(api.getsockopt(c.fd(), SOL_SOCKET, SO_ERROR)).as("read and cleared").isZero();
        assertThat(sock().state()).isEqualTo(SkState.ESTABLISHED);
        assertThat(recvError(peer, c.fd())).isEqualTo(Errno.EAGAIN);
        peer.advance(1000, TimeUnit.SECONDS);
        assertThat(recvError(peer, c.fd())).isEqualTo(Errno.ETIMEDOUT);
    }

    @Test
    void aHardErrorIsReadBeforeTheSoftOne() throws Exception {
        Conn c = unreachableAfterSending(IcmpTypes.NET_UNREACH);
        // The retransmissions give up: the soft error becomes the hard one (sk_err) and stays
        // the soft one too, as tcp_write_err leaves sk_err_soft: SO_ERROR names it twice.
        peer.advance(1000, TimeUnit.SECONDS);
        assertThat(api.getsockopt(c.fd(), SOL_SOCKET, SO_ERROR)).isEqualTo(Errno.ENETUNREACH.number());
        assertThat(api.getsockopt(c.fd(), SOL_SOCKET, SO_ERROR)).isEqualTo(Errno.ENETUNREACH.number());
        assertThat(api.getsockopt(c.fd(), SOL_SOCKET, SO_ERROR)).isZero();
    }

    @Test
    void anAckAfterTheErrorShowsThePathWorksAndATimeoutIsThenEtimedout() throws Exception {
        Conn c = open();
        api.send(c.fd(), ByteBuffer.wrap(new byte[1000]), 0);
        Seg data = peer.emittedOne();
        peer.advance(50, TimeUnit.MILLISECONDS);
        peer.injectIcmpError(3, 1, 0, data);
        peer.advance(50, TimeUnit.MILLISECONDS);
        peer.inject(fromPeer(c).flags(ACK).seq(PEER_ISN + 1).ack(c.nxt(1000)).window(65535).build());
        api.send(c.fd(), ByteBuffer.wrap(new byte[10]), 0);
        peer.advance(1000, TimeUnit.SECONDS);
        assertThat(recvError(peer, c.fd())).isEqualTo(Errno.ETIMEDOUT);
    }

    @Test
    void anErrorAboutATimeWaitEntryIsIgnored() throws Exception {
        Conn c = open();
        api.shutdown(c.fd(), SHUT_WR);
        Seg fin = peer.emittedOne();
        peer.inject(fromPeer(c).flags(FIN | ACK).seq(PEER_ISN + 1).ack(c.nxt(1))
                .window(65535).build());
        peer.emitted();
        peer.injectIcmpError(3, 1, 0, fin);
        assertThat(peer.host().tcp().tables().lookupEstablished(new ConnKey(InetSockAddr.parseAddress(SegmentPeer.LOCAL),
                c.port(), InetSockAddr.parseAddress(SegmentPeer.REMOTE), 80))).isInstanceOf(TimeWaitSock.class);
        assertThat(api.getsockopt(c.fd(), SOL_SOCKET, SO_ERROR)).isZero();
    }
}
