package net.tern.tcp.impl;

import static net.tern.api.socket.SocketConstants.AF_INET;
import static net.tern.api.socket.SocketConstants.AF_INET6;
import static net.tern.api.socket.SocketConstants.IPV6_V6ONLY;
import static net.tern.api.socket.SocketConstants.SOCK_NONBLOCK;
import static net.tern.api.socket.SocketConstants.SOCK_STREAM;
import static net.tern.api.socket.SocketConstants.SOL_IPV6;
import static net.tern.api.socket.SocketConstants.SOL_TCP;
import static net.tern.api.socket.SocketConstants.TCP_INFO;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.SplittableRandom;
import net.tern.api.socket.Accepted;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.Inet6SockAddr;
import net.tern.api.socket.InetSockAddr;
import net.tern.api.socket.SockAddr;
import net.tern.api.socket.SocketApi;
import net.tern.api.socket.TcpInfo;
import net.tern.core.testing.PacketLeakCheck;
import net.tern.inet.sock.SkState;
import net.tern.spi.diag.InetDiagMsg;
import net.tern.tcp.testing.LoopbackHost;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * TCP over IPv6 to self over {@code lo} ({@code ::1}), beside IPv4 on the same TCP: the
 * handshake, data both ways, names, the MSS (MTU - 60), resets, bind conflicts across the
 * families, and IPv6 leaving while IPv4 connections run. Virtual time.
 */
@ExtendWith(PacketLeakCheck.class)
class TcpIpv6LoopbackTest {
    private static final Inet6SockAddr V6_LOOPBACK = new Inet6SockAddr(0, 1, 0);

    private LoopbackHost lo;
    private SocketApi api;

    @BeforeEach
    void setUp() throws ErrnoException {
        lo = LoopbackHost.dualStack();
        api = lo.api();
    }

    @AfterEach
    void tearDown() {
        lo.close();
    }

    private static Inet6SockAddr v6(String text) {
        return Inet6SockAddr.parse(text);
    }

    private int listen6(SockAddr address) throws ErrnoException {
        int fd = api.socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK, 0);
        api.bind(fd, address);
        api.listen(fd, 8);
        return fd;
    }

    private int connect(int family, SockAddr to) throws ErrnoException {
        int fd = api.socket(family, SOCK_STREAM | SOCK_NONBLOCK, 0);
        try {
            api.connect(fd, to);
        } catch (ErrnoException e) {
            if (e.errno() != Errno.EINPROGRESS) {
                throw e;
            }
        }
        return fd;
    }

    private int[] pair6(int listener, int port) throws ErrnoException {
        int client = connect(AF_INET6, v6("[::1]:" + port));
        lo.runUntilIdle();
        Accepted accepted = api.accept(listener, SOCK_NONBLOCK);
        return new int[] {client, accepted.fd()};
    }

    @Test
    void aConnectionOverIpv6CarriesDataBothWaysAndNamesItsEndsInIpv6() throws Exception {
        int l = listen6(v6("[::]:8080"));
        int[] pair = pair6(l, 8080);
        lo.sendAll(pair[0], "hello".getBytes(), 100);
        lo.runUntilIdle();
        assertThat(lo.readAvailable(pair[1])).isEqualTo("hello".getBytes());
        lo.sendAll(pair[1], "world!".getBytes(), 100);
        lo.runUntilIdle();
        assertThat(lo.readAvailable(pair[0])).isEqualTo("world!".getBytes());

        Inet6SockAddr client = (Inet6SockAddr) api.getsockname(pair[0]);
        assertThat(client.high()).isZero();
        assertThat(client.low()).isEqualTo(1);
        assertThat(api.getpeername(pair[0])).isEqualTo(v6("[::1]:8080"));
        assertThat(api.getpeername(pair[1])).isEqualTo(client);
        assertThat(api.getsockname(pair[1])).isEqualTo(v6("[::1]:8080"));
        assertThat(api.getsockname(l)).isEqualTo(v6("[::]:8080"));
        assertThat(lo.host().inet6().counter("Ip6InReceives")).isPositive();
        assertThat(lo.host().tcp().diag().dump()).as("tcp_diag names AF_INET6 sockets by their IPv6 addresses")
                .filteredOn(m -> m.local().port() == 8080 || m.peer().port() == 8080)
                .extracting(m -> m.family() + " " + InetDiagMsg.ssStateName(m.state()) + " " + m.localName() + " "
                        + m.peerName() + " v6only " + m.v6only())
                .containsExactlyInAnyOrder("10 LISTEN [::]:8080 [::]:0 v6only false",
                        "10 ESTAB [::1]:8080 " + client + " v6only false",
                        "10 ESTAB " + client + " [::1]:8080 v6only false");
    }

    /**
     * inet_diag's view of a dual-stack listener's IPv4 connection: the accepted socket is
     * AF_INET6 with IPv4-mapped addresses, its IPv4 client AF_INET; an IPV6_V6ONLY listener
     * says so; closed first by the server, the dual-stack connection leaves an AF_INET6
     * TIME-WAIT entry with IPv4-mapped addresses (tw_family), as an IPv6 connection does.
     */
    @Test
    void diagListsDualStackConnectionsByIpv4MappedAddressesAndV6OnlyListenersAsSuch() throws Exception {
        int dual = listen6(v6("[::]:8080"));
        int client = connect(AF_INET, new InetSockAddr(InetSockAddr.INADDR_LOOPBACK, 8080));
        lo.runUntilIdle();
        int server = api.accept(dual, SOCK_NONBLOCK).fd();
        int only = api.socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK, 0);
        api.setsockopt(only, SOL_IPV6, IPV6_V6ONLY, 1);
        api.bind(only, v6("[::]:8081"));
        api.listen(only, 8);
        int clientPort = ((InetSockAddr) api.getsockname(client)).port();
        assertThat(lo.host().tcp().diag().dump())
                .filteredOn(m -> m.state() != InetDiagMsg.TIME_WAIT)
                .extracting(m -> m.family() + " " + InetDiagMsg.ssStateName(m.state()) + " " + m.localName() + " "
                        + m.peerName() + " " + m.local() + " fd " + m.fd() + " v6only " + m.v6only())
                .containsExactlyInAnyOrder("10 LISTEN [::]:8080 [::]:0 0.0.0.0:8080 fd " + dual + " v6only false",
                        "10 LISTEN [::]:8081 [::]:0 0.0.0.0:8081 fd " + only + " v6only true",
                        "10 ESTAB [::ffff:127.0.0.1]:8080 [::ffff:127.0.0.1]:" + clientPort + " 127.0.0.1:8080 fd "
                                + server + " v6only false",
                        "2 ESTAB 127.0.0.1:" + clientPort + " 127.0.0.1:8080 127.0.0.1:" + clientPort + " fd " + client
                                + " v6only false");

        api.close(server);
        lo.runUntilIdle();
        api.close(client);
        lo.runUntilIdle();
        int[] six = pair6(only, 8081);
        Inet6SockAddr sixClient = (Inet6SockAddr) api.getsockname(six[0]);
        api.close(six[0]);
        lo.runUntilIdle();
        api.close(six[1]);
        lo.runUntilIdle();
        assertThat(lo.host().tcp().diag().dump()).filteredOn(m -> m.state() == InetDiagMsg.TIME_WAIT)
                .extracting(m -> m.family() + " " + m.localName() + " " + m.peerName())
                .containsExactlyInAnyOrder("10 [::ffff:127.0.0.1]:8080 [::ffff:127.0.0.1]:" + clientPort,
                        "10 " + sixClient + " [::1]:8081");
    }

    /** RFC 8200 8.1 and Linux's tcp_v6_connect: the MSS leaves out 40 bytes of IPv6 header, 20 more than IPv4's. */
    @Test
    void theMssOverIpv6IsTheMtuLessSixty() throws Exception {
        int l6 = listen6(v6("[::1]:8080"));
        int[] six = pair6(l6, 8080);
        int l4 = lo.listen(8081, 8);
        int[] four = lo.connectPair(l4, 8081);
        TcpInfo info6 = api.getsockopt(six[0], SOL_TCP, TCP_INFO, TcpInfo.class);
        TcpInfo info4 = api.getsockopt(four[0], SOL_TCP, TCP_INFO, TcpInfo.class);
        int mtu = lo.host().link("lo").mtu();
        assertThat(info6.pmtu()).isEqualTo(mtu);
        assertThat(info6.advmss()).isEqualTo(Math.min(mtu, 65535) - 60);
        assertThat(info4.advmss()).isEqualTo(Math.min(mtu, 65535) - 40);
        // Sent with: at most half the largest window offered (tcp_bound_to_half_wnd), the SYN-ACK's 65535.
        assertThat(info6.sndMss()).isEqualTo(Math.min(info6.advmss(), 65535 / 2));
        assertThat(info4.sndMss()).isEqualTo(Math.min(info4.advmss(), 65535 / 2));
    }

    @Test
    void megabytesEachWayOverIpv6ArriveIntact() throws Exception {
        int l = listen6(v6("[::1]:8080"));
        int[] pair = pair6(l, 8080);
        byte[] up = new byte[2 << 20];
        byte[] down = new byte[1 << 20];
        new SplittableRandom(6).nextBytes(up);
        new SplittableRandom(7).nextBytes(down);
        byte[][] got = lo.transferBothWays(pair, up, down, 20_000);
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        assertThat(sha.digest(got[0])).isEqualTo(sha.digest(up));
        assertThat(sha.digest(got[1])).isEqualTo(sha.digest(down));
    }

    /** A SYN to a port nobody listens on draws a RST over IPv6 (tcp_v6_send_reset): connect fails with ECONNREFUSED. */
    @Test
    void aConnectionToAClosedPortIsRefused() throws Exception {
        int fd = connect(AF_INET6, v6("[::1]:9"));
        lo.runUntilIdle();
        assertThatThrownBy(() -> api.connect(fd, v6("[::1]:9")))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ECONNREFUSED));
        assertThat(lo.host().counter(TcpMib.OutRsts)).isEqualTo(1);
    }

    @Test
    void anIpv6SocketTakesIpv6AddressesOnly() throws Exception {
        int fd = api.socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK, 0);
        assertThatThrownBy(() -> api.bind(fd, new InetSockAddr(InetSockAddr.INADDR_LOOPBACK, 80)))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EAFNOSUPPORT));
        assertThatThrownBy(() -> api.bind(fd, v6("[fd00::9]:80")))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EADDRNOTAVAIL));
        assertThatThrownBy(() -> api.connect(fd, v6("[fd00::9]:80")))
                .as("no route to a global address from a host with only lo")
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENETUNREACH));
    }

    /**
     * inet_csk_bind_conflict across families, as Linux (bindv6only 0) judges it: [::] takes
     * IPv4's addresses too, so it clashes with 0.0.0.0 and 127.0.0.1 on the same port; ::1 does
     * not clash with IPv4 (a socket bound to an IPv6 address is IPv6-only, {@code __inet6_bind}),
     * neither with 127.0.0.1 nor with 0.0.0.0. Each case checked on Linux 6.18 here.
     */
    @Test
    void bindConflictsAcrossTheFamilies() throws Exception {
        int any6 = api.socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK, 0);
        api.bind(any6, v6("[::]:7000"));
        int any4 = api.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        assertThatThrownBy(() -> api.bind(any4, new InetSockAddr(0, 7000)))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EADDRINUSE));
        int lo4 = api.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        assertThatThrownBy(() -> api.bind(lo4, new InetSockAddr(InetSockAddr.INADDR_LOOPBACK, 7000)))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EADDRINUSE));

        int loop6 = api.socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK, 0);
        api.bind(loop6, v6("[::1]:7001"));
        int sameV4 = api.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        api.bind(sameV4, new InetSockAddr(InetSockAddr.INADDR_LOOPBACK, 7001));
        int loop6Again = api.socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK, 0);
        api.bind(loop6Again, v6("[::1]:7002"));
        int anyV4 = api.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        api.bind(anyV4, new InetSockAddr(0, 7002));
        int twice = api.socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK, 0);
        assertThatThrownBy(() -> api.bind(twice, v6("[::1]:7001")))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EADDRINUSE));
    }

    /**
     * IPV6_V6ONLY, as Linux 6.18 here answers it (real sockets): [::] with it set shares its port
     * with 0.0.0.0 in either order; it is 0 on a new socket (bindv6only 0) and can no longer
     * change once the socket has a port (EINVAL).
     */
    @Test
    void v6onlyLetsTheIpv6WildcardShareItsPortWithIpv4() throws Exception {
        int any6 = api.socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK, 0);
        assertThat(api.getsockopt(any6, SOL_IPV6, IPV6_V6ONLY)).isZero();
        api.setsockopt(any6, SOL_IPV6, IPV6_V6ONLY, 1);
        assertThat(api.getsockopt(any6, SOL_IPV6, IPV6_V6ONLY)).isEqualTo(1);
        api.bind(any6, v6("[::]:7100"));
        int any4 = api.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        api.bind(any4, new InetSockAddr(0, 7100));
        assertThatThrownBy(() -> api.setsockopt(any6, SOL_IPV6, IPV6_V6ONLY, 0))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EINVAL));

        int first4 = api.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        api.bind(first4, new InetSockAddr(0, 7101));
        int then6 = api.socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK, 0);
        api.setsockopt(then6, SOL_IPV6, IPV6_V6ONLY, 1);
        api.bind(then6, v6("[::]:7101"));
        int plain6 = api.socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK, 0);
        assertThatThrownBy(() -> api.bind(plain6, v6("[::]:7101")))
                .as("two IPv6 wildcards on one port").isInstanceOfSatisfying(ErrnoException.class,
                        e -> assertThat(e.errno()).isEqualTo(Errno.EADDRINUSE));
    }

    /**
     * Dual-stack, as Linux has it: an AF_INET6 listener on [::] accepts an IPv4 client, whose
     * connection runs over IPv4 and names both ends ::ffff:a.b.c.d; with IPV6_V6ONLY the IPv4
     * client is refused; an AF_INET6 socket connects to an IPv4 listener through its mapped
     * address, and a socket bound to ::ffff:127.0.0.1 listens for IPv4.
     */
    @Test
    void anIpv6WildcardListenerAcceptsIpv4ClientsAsMappedAddresses() throws Exception {
        int l6 = listen6(v6("[::]:8200"));
        int client4 = connect(AF_INET, new InetSockAddr(InetSockAddr.INADDR_LOOPBACK, 8200));
        lo.runUntilIdle();
        int server = api.accept(l6, SOCK_NONBLOCK).fd();
        int clientPort = ((InetSockAddr) api.getsockname(client4)).port();
        assertThat(api.getpeername(server)).isEqualTo(v6("[::ffff:127.0.0.1]:" + clientPort));
        assertThat(api.getsockname(server)).isEqualTo(v6("[::ffff:127.0.0.1]:8200"));
        lo.sendAll(client4, "dual".getBytes(), 100);
        lo.runUntilIdle();
        assertThat(lo.readAvailable(server)).isEqualTo("dual".getBytes());

        int only6 = api.socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK, 0);
        api.setsockopt(only6, SOL_IPV6, IPV6_V6ONLY, 1);
        api.bind(only6, v6("[::]:8201"));
        api.listen(only6, 8);
        int refused = connect(AF_INET, new InetSockAddr(InetSockAddr.INADDR_LOOPBACK, 8201));
        lo.runUntilIdle();
        assertThatThrownBy(() -> api.connect(refused, new InetSockAddr(InetSockAddr.INADDR_LOOPBACK, 8201)))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ECONNREFUSED));

        int l4 = lo.listen(8202, 8);
        int client6 = connect(AF_INET6, v6("[::ffff:127.0.0.1]:8202"));
        lo.runUntilIdle();
        int server4 = api.accept(l4, SOCK_NONBLOCK).fd();
        assertThat(api.getpeername(client6)).isEqualTo(v6("[::ffff:127.0.0.1]:8202"));
        assertThat(((InetSockAddr) api.getpeername(server4)).port())
                .isEqualTo(((Inet6SockAddr) api.getsockname(client6)).port());

        int mapped = listen6(v6("[::ffff:127.0.0.1]:8203"));
        int viaV4 = connect(AF_INET, new InetSockAddr(InetSockAddr.INADDR_LOOPBACK, 8203));
        lo.runUntilIdle();
        assertThat(api.getsockname(api.accept(mapped, SOCK_NONBLOCK).fd())).isEqualTo(v6("[::ffff:127.0.0.1]:8203"));
        assertThat(viaV4).isPositive();
    }

    /** An IPv4 listener and an IPv6-only one share a port, each serving its own family. */
    @Test
    void theListenersOfEachFamilyServeTheirOwn() throws Exception {
        int l6 = listen6(v6("[::1]:8090"));
        int l4 = lo.listen(8090, 8);
        int[] six = pair6(l6, 8090);
        int[] four = lo.connectPair(l4, 8090);
        assertThat(api.getsockname(six[1])).isInstanceOf(Inet6SockAddr.class);
        assertThat(api.getsockname(four[1])).isInstanceOf(InetSockAddr.class);
    }

    /**
     * IPv6 leaving (the inet6 bundle stopping): AF_INET6 sockets fail with EAFNOSUPPORT, the
     * IPv6 connection is aborted (ECONNABORTED), the IPv4 one carries on.
     */
    @Test
    void ipv6LeavingAbortsItsConnectionsAndLeavesIpv4s() throws Exception {
        int l6 = listen6(v6("[::1]:8080"));
        int[] six = pair6(l6, 8080);
        int l4 = lo.listen(8081, 8);
        int[] four = lo.connectPair(l4, 8081);

        lo.host().stopIpv6();
        lo.runUntilIdle();
        assertThatThrownBy(() -> api.socket(AF_INET6, SOCK_STREAM, 0))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EAFNOSUPPORT));
        assertThatThrownBy(() -> api.send(six[0], ByteBuffer.wrap("x".getBytes()), 0))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ECONNABORTED));
        assertThat(lo.host().tcp().sockets()).filteredOn(sk -> sk.family() == AF_INET6)
                .allMatch(sk -> sk.state() == SkState.CLOSE);

        lo.sendAll(four[0], "still".getBytes(), 100);
        lo.runUntilIdle();
        assertThat(lo.readAvailable(four[1])).isEqualTo("still".getBytes());
    }
}
