package net.tern.inet.sock;

import static net.tern.api.socket.SocketConstants.SOCK_DGRAM;
import static net.tern.api.socket.SocketConstants.SOCK_STREAM;
import static net.tern.api.socket.SocketConstants.SOL_IP;
import static net.tern.api.socket.SocketConstants.SOL_SOCKET;
import static net.tern.inet.testing.InetTestBed.addr;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.InetSockAddr;
import net.tern.api.socket.SockAddr;
import net.tern.api.socket.SocketConstants;
import net.tern.inet.ip.InetConstants;
import net.tern.inet.testing.InetTestBed;
import net.tern.inet.testing.RecordingOwner;
import net.tern.inet.testing.ToyProto;
import net.tern.spi.proto.MsgHeader;
import net.tern.spi.proto.ProtoSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class InetOpsTest {
    private final InetTestBed bed = new InetTestBed();
    private final ToyProto udp = new ToyProto("UDP", 17, false);
    private final ToyProto tcp = new ToyProto("TCP", 6, true);
    private InetProtoSw<InetSock> udpSw;
    private InetProtoSw<InetSock> tcpSw;
    private final RecordingOwner owner = new RecordingOwner();

    @BeforeEach
    void setUp() throws Exception {
        bed.loopback();
        bed.fake("eth0", 1500, "10.0.0.2/24");
        udpSw = new InetProtoSw<>(SOCK_DGRAM, 17, udp, new InetDgramOps(bed.inet().fib()));
        tcpSw = new InetProtoSw<>(SOCK_STREAM, 6, tcp, new InetStreamOps(bed.inet().fib(), bed.stack().clock()));
    }

    @AfterEach
    void tearDown() {
        bed.close();
    }

    private ProtoSocket socket(InetProtoSw<InetSock> sw, int type) throws ErrnoException {
        ProtoSocket sock = new ProtoSocket(SocketConstants.AF_INET, type, owner);
        sw.init(sock);
        return sock;
    }

    private ProtoSocket dgram() throws ErrnoException {
        return socket(udpSw, SOCK_DGRAM);
    }

    private ProtoSocket stream() throws ErrnoException {
        return socket(tcpSw, SOCK_STREAM);
    }

    private static InetSock sk(ProtoSocket sock) {
        return sock.sk(InetSock.class);
    }

    private interface Call {
        void run() throws ErrnoException;
    }

    private static Errno errnoOf(Call call) {
        try {
            call.run();
        } catch (ErrnoException e) {
            return e.errno();
        }
        throw new AssertionError("expected an ErrnoException");
    }

    private static final SockAddr UNIX_ADDRESS = () -> SocketConstants.AF_UNIX;

    // ---- bind

    @Test
    void bindToALocalAddressSetsTheNameAndClaimsThePort() throws Exception {
        ProtoSocket s = dgram();
        s.ops().bind(s, InetSockAddr.parse("10.0.0.2:5000"));
        assertThat(s.ops().getname(s, false)).isEqualTo(InetSockAddr.parse("10.0.0.2:5000"));
        assertThat(sk(s).num()).isEqualTo(5000);
    }

    @Test
    void bindToAnAddressOfNoLinkIsEaddrnotavail() throws Exception {
        ProtoSocket s = dgram();
        assertThat(errnoOf(() -> s.ops().bind(s, InetSockAddr.parse("10.0.0.9:5000")))).isEqualTo(Errno.EADDRNOTAVAIL);
    }

    @Test
    void bindWithAnotherFamilysAddressIsEafnosupportButAfUnspecMeansAny() throws Exception {
        ProtoSocket s = dgram();
        assertThat(errnoOf(() -> s.ops().bind(s, UNIX_ADDRESS))).isEqualTo(Errno.EAFNOSUPPORT);
        s.ops().bind(s, SockAddr.UNSPEC);
        assertThat(s.ops().getname(s, false)).isEqualTo(new InetSockAddr(0, 32768));
    }

    @Test
    void bindingTwiceIsEinvalAndATakenPortIsEaddrinuse() throws Exception {
        ProtoSocket a = dgram();
        ProtoSocket b = dgram();
        a.ops().bind(a, InetSockAddr.parse("0.0.0.0:7000"));
        assertThat(errnoOf(() -> a.ops().bind(a, InetSockAddr.parse("0.0.0.0:7001")))).isEqualTo(Errno.EINVAL);
        assertThat(errnoOf(() -> b.ops().bind(b, InetSockAddr.parse("10.0.0.2:7000")))).isEqualTo(Errno.EADDRINUSE);
        assertThat(sk(b).rcvSaddr()).as("a failed bind leaves no address").isZero();
    }

    @Test
    void bindToABroadcastAddressKeepsNoSourceAddress() throws Exception {
        ProtoSocket s = dgram();
        s.ops().bind(s, InetSockAddr.parse("10.0.0.255:68"));
        assertThat(sk(s).rcvSaddr()).isEqualTo(addr("10.0.0.255"));
        assertThat(sk(s).saddr()).isZero();
    }

    // ---- datagram connect, names

    @Test
    void datagramConnectAutobindsAndSetsThePeerAndAfUnspecDissolvesIt() throws Exception {
        ProtoSocket s = dgram();
        assertThat(errnoOf(() -> s.ops().getname(s, true))).isEqualTo(Errno.ENOTCONN);

        s.ops().connect(s, InetSockAddr.parse("10.0.0.1:53"), 0);

        assertThat(sk(s).num()).isEqualTo(32768);
        assertThat(s.ops().getname(s, true)).isEqualTo(InetSockAddr.parse("10.0.0.1:53"));

        s.ops().connect(s, SockAddr.UNSPEC, 0);

        assertThat(errnoOf(() -> s.ops().getname(s, true))).isEqualTo(Errno.ENOTCONN);
        assertThat(udp.calls).contains("disconnect");
    }

    @Test
    void datagramConnectToAnotherFamilyIsEafnosupport() throws Exception {
        ProtoSocket s = dgram();
        assertThat(errnoOf(() -> s.ops().connect(s, UNIX_ADDRESS, 0))).isEqualTo(Errno.EAFNOSUPPORT);
    }

    @Test
    void listenAndAcceptAreNotDatagramOperations() throws Exception {
        ProtoSocket s = dgram();
        assertThat(errnoOf(() -> s.ops().listen(s, 5))).isEqualTo(Errno.EOPNOTSUPP);
        assertThat(errnoOf(() -> s.ops().accept(s, dgram(), 0))).isEqualTo(Errno.EOPNOTSUPP);
    }

    // ---- send and receive

    @Test
    void sendAutobindsAndPassesTheDestination() throws Exception {
        ProtoSocket s = dgram();
        int n = s.ops().sendmsg(s, ByteBuffer.wrap(new byte[] {1, 2, 3}), InetSockAddr.parse("10.0.0.1:9"), 0);
        assertThat(n).isEqualTo(3);
        assertThat(sk(s).num()).isNotZero();
        assertThat(udp.calls).contains("sendmsg 10.0.0.1:9");
        assertThat(errnoOf(() -> s.ops().sendmsg(s, ByteBuffer.allocate(1), UNIX_ADDRESS, 0)))
                .isEqualTo(Errno.EAFNOSUPPORT);
    }

    @Test
    void receiveIsTheTransports() throws Exception {
        ProtoSocket s = dgram();
        assertThat(errnoOf(() -> s.ops().recvmsg(s, ByteBuffer.allocate(10), 0, new MsgHeader())))
                .isEqualTo(Errno.EAGAIN);
    }

    // ---- options

    @Test
    void bufferSizesAreDoubledAndClampedAsLinuxDoes() throws Exception {
        ProtoSocket s = dgram();
        s.ops().setsockopt(s, SOL_SOCKET, SocketConstants.SO_RCVBUF, 10_000);
        assertThat(s.ops().getsockopt(s, SOL_SOCKET, SocketConstants.SO_RCVBUF)).isEqualTo(20_000);
        s.ops().setsockopt(s, SOL_SOCKET, SocketConstants.SO_RCVBUF, 10_000_000);
        assertThat(s.ops().getsockopt(s, SOL_SOCKET, SocketConstants.SO_RCVBUF)).isEqualTo(2 * InetSock.MAX_BUFFER);
        s.ops().setsockopt(s, SOL_SOCKET, SocketConstants.SO_SNDBUF, 1);
        assertThat(s.ops().getsockopt(s, SOL_SOCKET, SocketConstants.SO_SNDBUF)).isEqualTo(InetSock.MIN_SNDBUF);
        assertThat(owner.wakeUps).contains(SocketConstants.EPOLLOUT);
        assertThat(udp.calls).contains("option 1/" + SocketConstants.SO_RCVBUF);
    }

    @Test
    void booleanSocketOptionsRoundTrip() throws Exception {
        ProtoSocket s = dgram();
        for (int option : new int[] {SocketConstants.SO_REUSEADDR, SocketConstants.SO_REUSEPORT,
                SocketConstants.SO_BROADCAST, SocketConstants.SO_KEEPALIVE}) {
            assertThat(s.ops().getsockopt(s, SOL_SOCKET, option)).isEqualTo(0);
            s.ops().setsockopt(s, SOL_SOCKET, option, 1);
            assertThat(s.ops().getsockopt(s, SOL_SOCKET, option)).isEqualTo(1);
        }
        assertThat(sk(s).broadcast()).isTrue();
    }

    @Test
    void ipTtlAndTosAreCheckedAndKept() throws Exception {
        ProtoSocket s = dgram();
        assertThat(s.ops().getsockopt(s, SOL_IP, InetConstants.IP_TTL)).isEqualTo(64);
        s.ops().setsockopt(s, SOL_IP, InetConstants.IP_TTL, 255);
        assertThat(s.ops().getsockopt(s, SOL_IP, InetConstants.IP_TTL)).isEqualTo(255);
        s.ops().setsockopt(s, SOL_IP, InetConstants.IP_TTL, -1);
        assertThat(s.ops().getsockopt(s, SOL_IP, InetConstants.IP_TTL)).isEqualTo(64);
        assertThat(errnoOf(() -> s.ops().setsockopt(s, SOL_IP, InetConstants.IP_TTL, 0))).isEqualTo(Errno.EINVAL);
        assertThat(errnoOf(() -> s.ops().setsockopt(s, SOL_IP, InetConstants.IP_TTL, 256))).isEqualTo(Errno.EINVAL);
        s.ops().setsockopt(s, SOL_IP, InetConstants.IP_TOS, 0x10);
        assertThat(sk(s).tos()).isEqualTo(0x10);
    }

    @Test
    void unknownOptionsAreEnoprotooptAndNonIntegersEinval() throws Exception {
        ProtoSocket s = dgram();
        assertThat(errnoOf(() -> s.ops().setsockopt(s, SOL_SOCKET, 999, 1))).isEqualTo(Errno.ENOPROTOOPT);
        assertThat(errnoOf(() -> s.ops().setsockopt(s, SOL_IP, 999, 1))).isEqualTo(Errno.ENOPROTOOPT);
        assertThat(errnoOf(() -> s.ops().setsockopt(s, SocketConstants.SOL_UDP, 1, 1))).isEqualTo(Errno.ENOPROTOOPT);
        assertThat(errnoOf(() -> s.ops().getsockopt(s, SOL_SOCKET, 999))).isEqualTo(Errno.ENOPROTOOPT);
        assertThat(errnoOf(() -> s.ops().setsockopt(s, SOL_SOCKET, SocketConstants.SO_RCVBUF, "big")))
                .isEqualTo(Errno.EINVAL);
    }

    // ---- shutdown

    @Test
    void shutdownChecksHowAndAnUnconnectedSocketGetsEnotconnButIsWoken() throws Exception {
        ProtoSocket s = dgram();
        assertThat(errnoOf(() -> s.ops().shutdown(s, 3))).isEqualTo(Errno.EINVAL);
        assertThat(errnoOf(() -> s.ops().shutdown(s, SocketConstants.SHUT_WR))).isEqualTo(Errno.ENOTCONN);
        assertThat(sk(s).shutdown()).isEqualTo(InetSock.SEND_SHUTDOWN);
        assertThat(owner.wakeUps).isNotEmpty();
    }

    @Test
    void shutdownOfAConnectedSocketSetsTheBitsAndTellsTheTransport() throws Exception {
        ProtoSocket s = dgram();
        s.ops().connect(s, InetSockAddr.parse("10.0.0.1:53"), 0);
        s.ops().shutdown(s, SocketConstants.SHUT_RDWR);
        assertThat(sk(s).shutdown()).isEqualTo(InetSock.SHUTDOWN_MASK);
        assertThat(udp.calls).contains("shutdown 3");
    }

    // ---- stream connect, listen, accept

    @Test
    void streamConnectIsInProgressThenAlreadyThenConnectedThenIsconn() throws Exception {
        ProtoSocket s = stream();
        InetSockAddr peer = InetSockAddr.parse("10.0.0.1:80");

        assertThat(errnoOf(() -> s.ops().connect(s, peer, 0))).isEqualTo(Errno.EINPROGRESS);
        assertThat(errnoOf(() -> s.ops().getname(s, true))).as("not yet").isEqualTo(Errno.ENOTCONN);
        assertThat(errnoOf(() -> s.ops().connect(s, peer, 0))).isEqualTo(Errno.EALREADY);

        tcp.complete(sk(s));

        assertThat(s.ops().getname(s, true)).isEqualTo(peer);
        s.ops().connect(s, peer, 0); // reports success once
        assertThat(sk(s).socketState()).isEqualTo(SocketState.CONNECTED);
        assertThat(errnoOf(() -> s.ops().connect(s, peer, 0))).isEqualTo(Errno.EISCONN);
    }

    @Test
    void aFailedStreamConnectReportsItsError() throws Exception {
        ProtoSocket s = stream();
        InetSockAddr peer = InetSockAddr.parse("10.0.0.1:81");
        assertThat(errnoOf(() -> s.ops().connect(s, peer, 0))).isEqualTo(Errno.EINPROGRESS);

        tcp.fail(sk(s), Errno.ECONNREFUSED);

        assertThat(errnoOf(() -> s.ops().connect(s, peer, 0))).isEqualTo(Errno.ECONNREFUSED);
        assertThat(sk(s).socketState()).isEqualTo(SocketState.UNCONNECTED);
    }

    @Test
    void listenThenAcceptGraftsTheConnectionOntoTheNewSocket() throws Exception {
        ProtoSocket listener = stream();
        listener.ops().listen(listener, 16);
        assertThat(listener.ops().getsockopt(listener, SOL_SOCKET, SocketConstants.SO_ACCEPTCONN)).isEqualTo(1);
        ProtoSocket newSock = new ProtoSocket(SocketConstants.AF_INET, SOCK_STREAM, owner);
        assertThat(errnoOf(() -> listener.ops().accept(listener, newSock, 0))).isEqualTo(Errno.EAGAIN);

        InetSock child = tcp.create();
        child.num(sk(listener).num());
        child.daddr(addr("10.0.0.1"));
        child.dport(40000);
        child.state(SkState.ESTABLISHED);
        tcp.acceptQueue.add(child);
        listener.ops().accept(listener, newSock, 0);

        assertThat(newSock.sk()).isSameAs(child);
        assertThat(newSock.ops()).isSameAs(listener.ops());
        assertThat(newSock.protocol()).isEqualTo(6);
        assertThat(child.socket()).isSameAs(newSock);
        assertThat(newSock.ops().getname(newSock, true)).isEqualTo(InetSockAddr.parse("10.0.0.1:40000"));
    }

    @Test
    void listenOnAConnectingSocketIsEinval() throws Exception {
        ProtoSocket s = stream();
        errnoOf(() -> s.ops().connect(s, InetSockAddr.parse("10.0.0.1:80"), 0));
        assertThat(errnoOf(() -> s.ops().listen(s, 5))).isEqualTo(Errno.EINVAL);
    }

    @Test
    void releaseClosesTheTransportsState() throws Exception {
        ProtoSocket s = dgram();
        s.ops().bind(s, InetSockAddr.parse("0.0.0.0:6000"));
        s.ops().release(s);
        assertThat(udp.calls).contains("close");
        ProtoSocket again = dgram();
        again.ops().bind(again, InetSockAddr.parse("0.0.0.0:6000"));
        assertThat(sk(again).num()).isEqualTo(6000);
    }
}
