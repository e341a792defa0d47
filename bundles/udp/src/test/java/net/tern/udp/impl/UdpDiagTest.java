package net.tern.udp.impl;

import static org.assertj.core.api.Assertions.assertThat;

import net.tern.api.socket.InetSockAddr;
import net.tern.spi.diag.InetDiagMsg;
import net.tern.spi.diag.SkMemInfo;
import org.junit.jupiter.api.Test;

/** {@code udp_diag}: what the dump says of bound, connected and unbound sockets. */
class UdpDiagTest extends UdpTestBase {

    @Test
    void aBoundSocketIsCloseWithItsQueuedMemoryAndItsFd() throws Exception {
        int server = bound(lo(7000));
        int client = bed.udpSocket();
        api.connect(client, lo(7000));
        send(client, new byte[] {1, 2, 3});
        bed.runUntilIdle();
        int clientPort = localPort(client);

        UdpSock serverSock = sockOf(7000);
        InetDiagMsg serverMsg = msgFor(7000);
        assertThat(basic(serverMsg)).isEqualTo(new InetDiagMsg(17, InetDiagMsg.CLOSE, serverSock.rmemAlloc(), 0, lo(7000),
                new InetSockAddr(0, 0), server));
        assertThat(serverMsg.recvQ()).as("one datagram charged its truesize").isGreaterThan(3);

        InetDiagMsg clientMsg = msgFor(clientPort);
        assertThat(basic(clientMsg)).isEqualTo(new InetDiagMsg(17, InetDiagMsg.ESTABLISHED, 0, 0, lo(clientPort),
                lo(7000), client));
    }

    @Test
    void eachSocketCarriesItsMemoryCookieAndShutdownAndNoTimer() throws Exception {
        bound(lo(7002));
        int client = bed.udpSocket();
        api.connect(client, lo(7002));
        send(client, new byte[100]);
        bed.runUntilIdle();
        UdpSock serverSock = sockOf(7002);
        InetDiagMsg m = msgFor(7002);

        SkMemInfo mem = m.mem();
        assertThat(mem.rmemAlloc()).isEqualTo(serverSock.rmemAlloc()).isEqualTo(m.recvQ()).isGreaterThan(100);
        assertThat(mem.rcvbuf()).isEqualTo(serverSock.rcvbuf());
        assertThat(mem.sndbuf()).isEqualTo(serverSock.sndbuf());
        assertThat(mem.fwdAlloc()).isEqualTo(serverSock.memory().forwardAlloc());
        assertThat(mem.wmemQueued()).isZero();
        assertThat(mem.drops()).isEqualTo(serverSock.drops()).isZero();
        assertThat(m.timer()).isEqualTo(InetDiagMsg.TIMER_NONE);
        assertThat(m.shutdown()).isZero();
        assertThat(m.cookie()).isPositive().isNotEqualTo(msgFor(localPort(client)).cookie());
        assertThat(msgFor(7002).cookie()).as("kept once given").isEqualTo(m.cookie());
    }

    /** The record without what {@link #eachSocketCarriesItsMemoryCookieAndShutdownAndNoTimer} checks. */
    private static InetDiagMsg basic(InetDiagMsg m) {
        return new InetDiagMsg(m.protocol(), m.state(), m.recvQ(), m.sendQ(), m.local(), m.peer(), m.fd());
    }

    @Test
    void unboundAndClosedSocketsAreNotListed() throws Exception {
        int unbound = bed.udpSocket();
        int closed = bound(lo(7001));
        api.close(closed);

        assertThat(bed.udp().diag().dump()).isEmpty();
        api.close(unbound);
    }

    private InetDiagMsg msgFor(int port) {
        return bed.udp().diag().dump().stream().filter(m -> m.local().port() == port).findFirst().orElseThrow();
    }

    private UdpSock sockOf(int port) {
        return bed.udp().prot().live().stream().filter(s -> s.num() == port).findFirst().orElseThrow();
    }
}
