package net.tern.udp.impl;

import static net.tern.api.socket.SocketConstants.SOL_SOCKET;
import static net.tern.api.socket.SocketConstants.SO_BROADCAST;
import static net.tern.api.socket.SocketConstants.SO_REUSEADDR;
import static org.assertj.core.api.Assertions.assertThat;

import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.InetSockAddr;
import net.tern.api.socket.SockAddr;
import net.tern.core.testing.FakeDevice;
import net.tern.udp.testing.UdpTestBed;
import net.tern.udp.testing.UdpWire;
import org.junit.jupiter.api.Test;

/** {@code connect} on UDP sockets ({@code ip4_datagram_connect}, {@code __udp_disconnect}) and the peer filter. */
class UdpConnectTest extends UdpTestBase {

    @Test
    void aConnectedSocketReceivesOnlyFromItsPeer() throws Exception {
        int a = bound(lo(7000));
        int peer = bound(lo(7001));
        int stranger = bound(lo(7002));
        api.connect(a, lo(7001));

        sendTo(stranger, new byte[] {1}, lo(7000));
        bed.runUntilIdle();
        assertThat(errnoOf(() -> recv(a, 10))).as("a stranger's datagram is filtered").isEqualTo(Errno.EAGAIN);
        assertThat(bed.udp("NoPorts")).as("no socket took it").isEqualTo(1);

        sendTo(peer, new byte[] {2}, lo(7000));
        bed.runUntilIdle();
        Received r = recv(a, 10);
        assertThat(r.data()).containsExactly(2);
        assertThat(r.from()).isEqualTo(lo(7001));
    }

    @Test
    void connectAutobindsAndTakesTheSourceAddressFromTheRoute() throws Exception {
        bed.fake("eth0", 1500, "10.0.0.2/24");
        int toLoopback = bed.udpSocket();
        int toEth = bed.udpSocket();

        api.connect(toLoopback, lo(9));
        api.connect(toEth, at("10.0.0.1", 9));

        InetSockAddr local = (InetSockAddr) api.getsockname(toLoopback);
        assertThat(local.address()).isEqualTo(LOOPBACK);
        assertThat(local.port()).isBetween(32768, 60999);
        assertThat(((InetSockAddr) api.getsockname(toEth)).address()).isEqualTo(UdpWire.addr("10.0.0.2"));
        assertThat(api.getpeername(toLoopback)).isEqualTo(lo(9));
        assertThat(api.getpeername(toEth)).isEqualTo(at("10.0.0.1", 9));
    }

    @Test
    void connectingWithoutARouteIsEnetunreach() throws Exception {
        int fd = bed.udpSocket();
        assertThat(errnoOf(() -> api.connect(fd, at("192.0.2.1", 9)))).isEqualTo(Errno.ENETUNREACH);
        assertThat(errnoOf(() -> api.getpeername(fd))).isEqualTo(Errno.ENOTCONN);
    }

    @Test
    void connectingToABroadcastAddressNeedsSoBroadcast() throws Exception {
        bed.fake("eth0", 1500, "10.0.0.2/24");
        int fd = bed.udpSocket();
        assertThat(errnoOf(() -> api.connect(fd, at("10.0.0.255", 9)))).isEqualTo(Errno.EACCES);

        api.setsockopt(fd, SOL_SOCKET, SO_BROADCAST, 1);
        api.connect(fd, at("10.0.0.255", 9));
        assertThat(api.getpeername(fd)).isEqualTo(at("10.0.0.255", 9));
    }

    @Test
    void reconnectingReplacesThePeer() throws Exception {
        int a = bound(lo(7000));
        int first = bound(lo(7001));
        int second = bound(lo(7002));
        api.connect(a, lo(7001));
        api.connect(a, lo(7002));
        assertThat(api.getpeername(a)).isEqualTo(lo(7002));

        sendTo(first, new byte[] {1}, lo(7000));
        sendTo(second, new byte[] {2}, lo(7000));
        send(a, new byte[] {3});
        bed.runUntilIdle();

        assertThat(recv(a, 10).data()).containsExactly(2);
        assertThat(errnoOf(() -> recv(a, 10))).isEqualTo(Errno.EAGAIN);
        assertThat(recv(second, 10).data()).as("send without an address goes to the new peer").containsExactly(3);
        assertThat(errnoOf(() -> recv(first, 10))).isEqualTo(Errno.EAGAIN);
    }

    @Test
    void connectWithAfUnspecDissolvesTheAssociation() throws Exception {
        int a = bound(new InetSockAddr(0, 7000));
        int peer = bound(lo(7001));
        int other = bound(lo(7002));
        api.connect(a, lo(7001));
        assertThat(api.getsockname(a)).isEqualTo(lo(7000));

        api.connect(a, SockAddr.UNSPEC);

        assertThat(errnoOf(() -> api.getpeername(a))).isEqualTo(Errno.ENOTCONN);
        assertThat(api.getsockname(a)).as("the bound port stays, the route's address goes")
                .isEqualTo(new InetSockAddr(0, 7000));
        assertThat(errnoOf(() -> send(a, new byte[] {1}))).isEqualTo(Errno.EDESTADDRREQ);
        sendTo(other, new byte[] {9}, lo(7000));
        bed.runUntilIdle();
        assertThat(recv(a, 10).from()).as("anyone may send again").isEqualTo(lo(7002));
        assertThat(peer).isPositive();
    }

    @Test
    void dissolvingTheAssociationOfAnAutoboundSocketGivesItsPortBack() throws Exception {
        int fd = bed.udpSocket();
        api.connect(fd, lo(9));
        int port = localPort(fd);
        assertThat(bed.udp().table().isBound(port)).isTrue();

        api.connect(fd, SockAddr.UNSPEC);

        assertThat(api.getsockname(fd)).isEqualTo(new InetSockAddr(0, 0));
        assertThat(bed.udp().table().isBound(port)).isFalse();
        sendTo(fd, new byte[] {1}, lo(9));
        assertThat(localPort(fd)).as("autobound afresh").isBetween(32768, 60999);
        bed.runUntilIdle();
    }

    @Test
    void sendWithoutAnAddressOnAnUnconnectedSocketIsEdestaddrreq() throws Exception {
        int fd = bound(lo(7000));
        ErrnoException e = failure(() -> send(fd, new byte[] {1}));
        assertThat(e.errno()).isEqualTo(Errno.EDESTADDRREQ);
        assertThat(e.getMessage()).contains("send(fd " + fd).contains("not connected");
    }

    @Test
    void sendtoWithAnAddressOnAConnectedSocketGoesToThatAddress() throws Exception {
        int a = bound(lo(7000));
        int peer = bound(lo(7001));
        int other = bound(lo(7002));
        api.connect(a, lo(7001));

        sendTo(a, new byte[] {5}, lo(7002));
        bed.runUntilIdle();

        assertThat(recv(other, 10).data()).containsExactly(5);
        assertThat(errnoOf(() -> recv(peer, 10))).isEqualTo(Errno.EAGAIN);
    }

    @Test
    void anExactConnectedMatchBeatsAWildcardSocketOnThePort() throws Exception {
        int connected = bed.udpSocket();
        int wildcard = bed.udpSocket();
        api.setsockopt(connected, SOL_SOCKET, SO_REUSEADDR, 1);
        api.setsockopt(wildcard, SOL_SOCKET, SO_REUSEADDR, 1);
        api.bind(connected, new InetSockAddr(0, 7000));
        api.connect(connected, lo(7001));
        api.bind(wildcard, new InetSockAddr(0, 7000)); // newer: it would win a tie
        int peer = bound(lo(7001));
        int stranger = bound(lo(7002));

        sendTo(peer, new byte[] {1}, lo(7000));
        sendTo(stranger, new byte[] {2}, lo(7000));
        bed.runUntilIdle();

        assertThat(recv(connected, 10).data()).containsExactly(1);
        assertThat(errnoOf(() -> recv(connected, 10))).isEqualTo(Errno.EAGAIN);
        assertThat(recv(wildcard, 10).data()).containsExactly(2);
        assertThat(errnoOf(() -> recv(wildcard, 10))).isEqualTo(Errno.EAGAIN);
    }

    @Test
    void aSocketBoundToASpecificAddressBeatsTheWildcard() throws Exception {
        FakeDevice eth = bed.fake("eth0", 1500, "10.0.0.2/24");
        int wildcard = bed.udpSocket();
        int specific = bed.udpSocket();
        api.setsockopt(wildcard, SOL_SOCKET, SO_REUSEADDR, 1);
        api.setsockopt(specific, SOL_SOCKET, SO_REUSEADDR, 1);
        api.bind(specific, at("10.0.0.2", 53));
        api.bind(wildcard, new InetSockAddr(0, 53)); // newer

        bed.inject(eth, UdpWire.datagram("10.0.0.1", 4000, "10.0.0.2", 53, new byte[] {7}));
        sendTo(bed.udpSocket(), new byte[] {8}, lo(53));
        bed.runUntilIdle();

        assertThat(recv(specific, 10).data()).containsExactly(7);
        assertThat(recv(wildcard, 10).data()).as("loopback traffic is not for 10.0.0.2").containsExactly(8);
        UdpTestBed.drain(eth);
    }

    @Test
    void manyConnectedSocketsOnOnePortEachGetTheirOwnPeersDatagrams() throws Exception {
        int flows = 200;
        int[] connected = new int[flows];
        int[] peers = new int[flows];
        for (int i = 0; i < flows; i++) {
            connected[i] = bed.udpSocket();
            api.setsockopt(connected[i], SOL_SOCKET, SO_REUSEADDR, 1);
            api.bind(connected[i], lo(7000));
            api.connect(connected[i], lo(20000 + i));
            peers[i] = bound(lo(20000 + i));
        }
        int wildcard = bed.udpSocket();
        api.setsockopt(wildcard, SOL_SOCKET, SO_REUSEADDR, 1);
        api.bind(wildcard, new InetSockAddr(0, 7000));
        int stranger = bound(lo(30000));

        for (int i = flows - 1; i >= 0; i--) {
            sendTo(peers[i], new byte[] {(byte) i}, lo(7000));
        }
        sendTo(stranger, new byte[] {-1}, lo(7000));
        bed.runUntilIdle();

        for (int i = 0; i < flows; i++) {
            assertThat(recv(connected[i], 10).data()).as("flow %d", i).containsExactly((byte) i);
        }
        assertThat(recv(wildcard, 10).from()).isEqualTo(lo(30000));
    }
}
