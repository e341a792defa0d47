package net.tern.udp.impl;

import static net.tern.api.socket.SocketConstants.SOL_SOCKET;
import static net.tern.api.socket.SocketConstants.SO_REUSEADDR;
import static net.tern.api.socket.SocketConstants.SO_REUSEPORT;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.InetSockAddr;
import net.tern.inet.sock.LocalPortRange;
import net.tern.udp.testing.UdpTestBed;
import org.junit.jupiter.api.Test;

/** {@code bind} and {@code udp_v4_get_port}: ephemeral ports, conflicts, SO_REUSEADDR, addresses. */
class UdpBindTest extends UdpTestBase {

    @Test
    void ephemeralPortsComeFromTheLocalPortRangeAndAreUnique() throws Exception {
        Set<Integer> ports = new HashSet<>();
        for (int i = 0; i < 3000; i++) {
            int fd = bound(new InetSockAddr(0, 0));
            int port = localPort(fd);
            assertThat(port).isBetween(32768, 60999);
            assertThat(ports.add(port)).as("port %d handed out twice", port).isTrue();
        }
        assertThat(bed.udp().table().boundPorts()).isEqualTo(3000);
    }

    @Test
    void sendingFromAnUnboundSocketBindsAnEphemeralPort() throws Exception {
        int fd = bed.udpSocket();
        assertThat(api.getsockname(fd)).isEqualTo(new InetSockAddr(0, 0));

        sendTo(fd, new byte[] {1}, lo(9));

        assertThat(localPort(fd)).isBetween(32768, 60999);
        bed.runUntilIdle();
    }

    @Test
    void theEphemeralSearchStartsAtARandomPort() throws Exception {
        Set<Integer> firstPorts = new HashSet<>();
        for (long seed = 1; seed <= 8; seed++) {
            try (UdpTestBed other = new UdpTestBed(UdpSettings.defaults(), seed)) {
                int fd = other.udpSocket();
                other.api().bind(fd, new InetSockAddr(0, 0));
                firstPorts.add(((InetSockAddr) other.api().getsockname(fd)).port());
            }
        }
        assertThat(firstPorts).as("first ephemeral port of 8 differently seeded stacks").hasSizeGreaterThan(4);
    }

    @Test
    void anExhaustedRangeRefusesBindWithEaddrinuseAndAutobindWithEagain() throws Exception {
        bed.close();
        bed = new UdpTestBed(UdpSettings.defaults(), 7);
        bed.inet().localPorts().set(new LocalPortRange.Range(40000, 40003));
        api = bed.api();
        Set<Integer> ports = new HashSet<>();
        int first = -1;
        for (int i = 0; i < 4; i++) {
            int fd = bound(new InetSockAddr(0, 0));
            first = first < 0 ? fd : first;
            ports.add(localPort(fd));
        }
        assertThat(ports).containsExactlyInAnyOrder(40000, 40001, 40002, 40003);

        int fifth = bed.udpSocket();
        ErrnoException bind = failure(() -> api.bind(fifth, new InetSockAddr(0, 0)));
        assertThat(bind.errno()).isEqualTo(Errno.EADDRINUSE);
        assertThat(bind.getMessage()).contains("ip_local_port_range");
        assertThat(errnoOf(() -> sendTo(fifth, new byte[] {1}, lo(9)))).isEqualTo(Errno.EAGAIN);

        int freed = localPort(first);
        api.close(first);
        api.bind(fifth, new InetSockAddr(0, 0));
        assertThat(localPort(fifth)).isEqualTo(freed);
    }

    @Test
    void anExplicitlyBoundPortInTheRangeIsNotHandedOutAgain() throws Exception {
        bed.close();
        bed = new UdpTestBed(UdpSettings.defaults(), 3);
        bed.inet().localPorts().set(new LocalPortRange.Range(40000, 40001));
        api = bed.api();
        bound(lo(40001));

        int a = bound(new InetSockAddr(0, 0));
        assertThat(localPort(a)).isEqualTo(40000);
        assertThat(errnoOf(() -> bound(new InetSockAddr(0, 0)))).isEqualTo(Errno.EADDRINUSE);
    }

    @Test
    void bindingATakenPortIsEaddrinuseNamingThePort() throws Exception {
        bound(new InetSockAddr(0, 5000));
        int second = bed.udpSocket();

        ErrnoException e = failure(() -> api.bind(second, new InetSockAddr(0, 5000)));

        assertThat(e.errno()).isEqualTo(Errno.EADDRINUSE);
        assertThat(e.getMessage()).contains("bind(fd " + second).contains("port 5000").contains("SO_REUSEADDR");
        assertThat(api.getsockname(second)).as("the failed bind left the socket unbound")
                .isEqualTo(new InetSockAddr(0, 0));
    }

    @Test
    void aSpecificAddressAndTheWildcardOverlapInEitherOrder() throws Exception {
        bound(lo(5000));
        assertThat(errnoOf(() -> bound(new InetSockAddr(0, 5000)))).isEqualTo(Errno.EADDRINUSE);

        bound(new InetSockAddr(0, 5001));
        assertThat(errnoOf(() -> bound(lo(5001)))).isEqualTo(Errno.EADDRINUSE);
    }

    @Test
    void differentSpecificAddressesShareAPort() throws Exception {
        bed.fake("eth0", 1500, "10.0.0.2/24");
        int a = bound(lo(5000));
        int b = bound(at("10.0.0.2", 5000));

        assertThat(api.getsockname(a)).isEqualTo(lo(5000));
        assertThat(api.getsockname(b)).isEqualTo(at("10.0.0.2", 5000));
    }

    @Test
    void soReuseaddrOnBothSocketsLetsThemShareAPort() throws Exception {
        int a = bed.udpSocket();
        int b = bed.udpSocket();
        api.setsockopt(a, SOL_SOCKET, SO_REUSEADDR, 1);
        api.setsockopt(b, SOL_SOCKET, SO_REUSEADDR, 1);
        api.bind(a, new InetSockAddr(0, 5000));
        api.bind(b, new InetSockAddr(0, 5000));

        assertThat(localPort(a)).isEqualTo(5000);
        assertThat(localPort(b)).isEqualTo(5000);
    }

    @Test
    void soReuseaddrOnOnlyOneSocketIsNotEnough() throws Exception {
        int first = bed.udpSocket();
        api.setsockopt(first, SOL_SOCKET, SO_REUSEADDR, 1);
        api.bind(first, new InetSockAddr(0, 5000));
        assertThat(errnoOf(() -> bound(new InetSockAddr(0, 5000)))).isEqualTo(Errno.EADDRINUSE);

        bound(new InetSockAddr(0, 5001));
        int late = bed.udpSocket();
        api.setsockopt(late, SOL_SOCKET, SO_REUSEADDR, 1);
        assertThat(errnoOf(() -> api.bind(late, new InetSockAddr(0, 5001)))).isEqualTo(Errno.EADDRINUSE);
    }

    @Test
    void amongSoReuseaddrSocketsTheNewestReceivesUnicast() throws Exception {
        int older = bed.udpSocket();
        int newer = bed.udpSocket();
        for (int fd : new int[] {older, newer}) {
            api.setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, 1);
            api.bind(fd, new InetSockAddr(0, 5000));
        }
        sendTo(bed.udpSocket(), new byte[] {42}, lo(5000));
        bed.runUntilIdle();

        assertThat(recv(newer, 10).data()).containsExactly(42);
        assertThat(errnoOf(() -> recv(older, 10))).isEqualTo(Errno.EAGAIN);
    }

    @Test
    void soReuseportGroupSpreadsFlowsAndKeepsEachFlowOnOneSocket() throws Exception {
        int[] group = {bed.udpSocket(), bed.udpSocket()};
        for (int fd : group) {
            api.setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, 1);
            api.bind(fd, lo(5000));
        }
        Map<Integer, Integer> socketOfFlow = new HashMap<>();
        int[] clients = new int[24];
        for (int round = 0; round < 2; round++) {
            for (int i = 0; i < clients.length; i++) {
                if (round == 0) {
                    clients[i] = bed.udpSocket();
                }
                sendTo(clients[i], new byte[] {(byte) i}, lo(5000));
                bed.runUntilIdle();
                int receiver = -1;
                for (int fd : group) {
                    try {
                        Received r = recv(fd, 10);
                        assertThat(r.data()).containsExactly((byte) i);
                        receiver = fd;
                    } catch (ErrnoException e) {
                        assertThat(e.errno()).isEqualTo(Errno.EAGAIN);
                    }
                }
                assertThat(receiver).as("flow %d was received once", i).isNotNegative();
                Integer earlier = socketOfFlow.putIfAbsent(i, receiver);
                if (earlier != null) {
                    assertThat(receiver).as("flow %d stays on its socket", i).isEqualTo(earlier);
                }
            }
        }
        assertThat(new HashSet<>(socketOfFlow.values())).as("both sockets of the group get flows").hasSize(2);
    }

    @Test
    void bindingAnAddressThisHostDoesNotHaveIsEaddrnotavail() throws Exception {
        int fd = bed.udpSocket();
        ErrnoException e = failure(() -> api.bind(fd, at("192.0.2.1", 5000)));
        assertThat(e.errno()).isEqualTo(Errno.EADDRNOTAVAIL);
        assertThat(e.getMessage()).contains("192.0.2.1");
    }

    @Test
    void bindingABoundSocketAgainIsEinval() throws Exception {
        int fd = bound(lo(5000));
        assertThat(errnoOf(() -> api.bind(fd, lo(5001)))).isEqualTo(Errno.EINVAL);
        assertThat(errnoOf(() -> api.bind(fd, lo(5000)))).isEqualTo(Errno.EINVAL);
    }

    @Test
    void closingASocketFreesItsPort() throws Exception {
        int fd = bound(lo(5000));
        api.close(fd);

        int again = bound(lo(5000));
        assertThat(localPort(again)).isEqualTo(5000);
        assertThat(bed.udp().prot().socketsInUse()).isEqualTo(1);
    }
}
