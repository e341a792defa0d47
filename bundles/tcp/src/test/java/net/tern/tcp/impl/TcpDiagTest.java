package net.tern.tcp.impl;

import static net.tern.api.socket.SocketConstants.AF_INET;
import static net.tern.api.socket.SocketConstants.SOCK_NONBLOCK;
import static net.tern.api.socket.SocketConstants.SOCK_STREAM;
import static net.tern.wire.TcpPacket.SYN;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.tern.api.socket.InetSockAddr;
import net.tern.api.socket.SocketApi;
import net.tern.api.socket.SocketConstants;
import net.tern.api.socket.TcpInfo;
import net.tern.core.testing.PacketLeakCheck;
import net.tern.spi.diag.InetDiagMsg;
import net.tern.tcp.testing.LoopbackHost;
import net.tern.tcp.testing.SegmentPeer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code tcp_diag}: listeners with their queues, connections, requests and TIME-WAIT entries. */
@ExtendWith(PacketLeakCheck.class)
class TcpDiagTest {
    private static final InetSockAddr ANY = new InetSockAddr(0, 0);

    private static InetSockAddr lo(int port) {
        return new InetSockAddr(InetSockAddr.INADDR_LOOPBACK, port);
    }

    /** The dump without the TCP_INFO part, which {@link #connectionsCarryTheirTcpInfo} checks. */
    private static List<InetDiagMsg> dump(Tcp tcp) {
        return tcp.diag().dump().stream().map(m -> new InetDiagMsg(m.protocol(), m.state(), m.recvQ(), m.sendQ(),
                m.local(), m.peer(), m.fd())).toList();
    }

    @Test
    void connectionsCarryTheirTcpInfoAndRequestsAndTimeWaitNone() throws Exception {
        try (LoopbackHost host = new LoopbackHost()) {
            SocketApi api = host.api();
            int listener = host.listen(8080, 5);
            int[] pair = host.connectPair(listener, 8080);
            api.send(pair[0], ByteBuffer.wrap(new byte[1000]), 0);
            host.runUntilIdle();
            int clientPort = ((InetSockAddr) api.getsockname(pair[0])).port();

            InetDiagMsg client = host.host().tcp().diag().dump().stream()
                    .filter(m -> m.local().port() == clientPort).findFirst().orElseThrow();
            TcpInfo info = client.tcpInfo();
            assertThat(info.state()).isEqualTo(TcpInfo.TCP_ESTABLISHED);
            assertThat(info.congestion()).isEqualTo("reno");
            assertThat(info.sndCwnd()).isEqualTo(10);
            assertThat(info.bytesAcked()).isEqualTo(1 + 1000); // the SYN counts, as in Linux's tcpi_bytes_acked
            assertThat(info).isEqualTo(host.api().getsockopt(pair[0], SocketConstants.SOL_TCP, SocketConstants.TCP_INFO,
                    TcpInfo.class));
            assertThat(host.host().tcp().diag().dump()).filteredOn(m -> m.state() == InetDiagMsg.LISTEN)
                    .singleElement().satisfies(m -> assertThat(m.tcpInfo()).isNotNull());
            assertThat(host.readAvailable(pair[1])).hasSize(1000);
            api.close(pair[0]);
            host.runUntilIdle();
            api.close(pair[1]);
            host.runUntilIdle();
            assertThat(host.host().tcp().diag().dump()).filteredOn(m -> m.state() == InetDiagMsg.TIME_WAIT)
                    .singleElement().satisfies(m -> assertThat(m.tcpInfo()).isNull());
            api.close(listener);
        }
    }

    @Test
    void aListenerShowsItsAcceptQueueAndBacklogAndConnectionsTheirQueuesAndFds() throws Exception {
        try (LoopbackHost host = new LoopbackHost()) {
            SocketApi api = host.api();
            int listener = host.listen(8080, 5);
            int client = host.startConnect(8080);
            host.runUntilIdle();
            int clientPort = ((InetSockAddr) api.getsockname(client)).port();

            List<InetDiagMsg> waiting = dump(host.host().tcp());
            assertThat(waiting).contains(new InetDiagMsg(6, InetDiagMsg.LISTEN, 1, 5, lo(8080), ANY, listener),
                    new InetDiagMsg(6, InetDiagMsg.ESTABLISHED, 0, 0, lo(clientPort), lo(8080), client),
                    new InetDiagMsg(6, InetDiagMsg.ESTABLISHED, 0, 0, lo(8080), lo(clientPort), -1));

            int server = api.accept(listener, SOCK_NONBLOCK).fd();
            api.send(client, ByteBuffer.wrap(new byte[100]), 0);
            host.runUntilIdle();

            List<InetDiagMsg> accepted = dump(host.host().tcp());
            assertThat(accepted).containsExactlyInAnyOrder(
                    new InetDiagMsg(6, InetDiagMsg.LISTEN, 0, 5, lo(8080), ANY, listener),
                    new InetDiagMsg(6, InetDiagMsg.ESTABLISHED, 0, 0, lo(clientPort), lo(8080), client),
                    new InetDiagMsg(6, InetDiagMsg.ESTABLISHED, 100, 0, lo(8080), lo(clientPort), server));
            api.close(server);
            api.close(client);
            api.close(listener);
        }
    }

    @Test
    void theActiveCloserLeavesATimeWaitEntryUntilTwiceTheMsl() throws Exception {
        try (LoopbackHost host = new LoopbackHost()) {
            SocketApi api = host.api();
            int listener = host.listen(8080, 5);
            int[] pair = host.connectPair(listener, 8080);
            int clientPort = ((InetSockAddr) api.getsockname(pair[0])).port();
            api.close(pair[0]);
            host.runUntilIdle();
            api.close(pair[1]);
            host.runUntilIdle();

            assertThat(dump(host.host().tcp())).containsExactlyInAnyOrder(
                    new InetDiagMsg(6, InetDiagMsg.LISTEN, 0, 5, lo(8080), ANY, listener),
                    new InetDiagMsg(6, InetDiagMsg.TIME_WAIT, 0, 0, lo(clientPort), lo(8080), -1));

            host.advance(60, TimeUnit.SECONDS);
            assertThat(dump(host.host().tcp())).extracting(InetDiagMsg::state)
                    .containsExactly(InetDiagMsg.LISTEN);
            api.close(listener);
        }
    }

    @Test
    void aRequestInTheSynQueueIsSynRecvWithoutAnOwner() throws Exception {
        try (SegmentPeer peer = new SegmentPeer(TcpSettings.defaults(), 1500)) {
            SocketApi api = peer.api();
            int fd = api.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
            api.bind(fd, new InetSockAddr(0, 80));
            api.listen(fd, 8);
            peer.inject(SegmentPeer.from(1001).to(SegmentPeer.LOCAL, 80).flags(SYN).seq(1000).mss(1460).build());

            assertThat(dump(peer.host().tcp())).containsExactlyInAnyOrder(
                    new InetDiagMsg(6, InetDiagMsg.LISTEN, 0, 8, new InetSockAddr(0, 80), ANY, fd),
                    new InetDiagMsg(6, 3, 0, 0, InetSockAddr.parse("10.0.0.1:80"),
                            InetSockAddr.parse("10.0.0.2:1001"), -1));
            api.close(fd);
        }
    }
}
