package net.tern.tcp.impl;

import static net.tern.api.socket.SocketConstants.AF_INET;
import static net.tern.api.socket.SocketConstants.IPPROTO_TCP;
import static net.tern.api.socket.SocketConstants.SOCK_NONBLOCK;
import static net.tern.api.socket.SocketConstants.SOCK_STREAM;
import static net.tern.api.socket.SocketConstants.SOL_SOCKET;
import static net.tern.api.socket.SocketConstants.SO_RCVBUF;
import static net.tern.api.socket.SocketConstants.TCP_CONGESTION;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Random;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.InetSockAddr;
import net.tern.api.socket.SocketApi;
import net.tern.core.packet.PooledPacketAllocator;
import net.tern.core.testing.PacketLeakCheck;
import net.tern.inet.impl.Inet;
import net.tern.inet.impl.InetSettings;
import net.tern.inet.sock.LocalPortRange;
import net.tern.inet.sock.SkState;
import net.tern.inet.testing.ComponentConfig;
import net.tern.inet.testing.RecordingBundleContext;
import net.tern.tcp.testing.LoopbackHost;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** New TCP settings at run time (sysctl -w, a Config Admin update): open connections stay, new sockets get them. */
@ExtendWith(PacketLeakCheck.class)
class TcpReconfigureTest {
    private LoopbackHost lo;
    private SocketApi api;

    @BeforeEach
    void setUp() throws ErrnoException {
        lo = new LoopbackHost();
        api = lo.api();
    }

    @AfterEach
    void tearDown() {
        lo.close();
    }

    private TcpSock sockOf(int port, SkState state) {
        return lo.host().tcp().sockets().stream()
                .filter(s -> s.num() == port && s.state() == state).findFirst().orElseThrow();
    }

    private void exchange(int from, int to, String text) throws ErrnoException {
        lo.sendAll(from, text.getBytes(StandardCharsets.US_ASCII), 1000);
        lo.runUntilIdle();
        assertThat(new String(lo.readAvailable(to), StandardCharsets.US_ASCII)).isEqualTo(text);
    }

    @Test
    void newSettingsLeaveAnOpenConnectionAloneAndApplyToNewSockets() throws Exception {
        int listener = lo.listen(80, 64);
        int[] pair = lo.connectPair(listener, 80);
        exchange(pair[0], pair[1], "before");
        int rcvbufBefore = api.getsockopt(pair[1], SOL_SOCKET, SO_RCVBUF);

        lo.host().tcp().reconfigure(TcpSettings.defaults().withSomaxconn(3).withBuffers(8192, 8192).withMsl(500)
                .withCongestionControl("reno"));

        exchange(pair[0], pair[1], "after");
        exchange(pair[1], pair[0], "and back");
        assertThat(api.getsockopt(pair[1], SOL_SOCKET, SO_RCVBUF)).isEqualTo(rcvbufBefore);
        assertThat(sockOf(80, SkState.LISTEN).acceptQueue().maxBacklog()).isEqualTo(64);

        int fresh = api.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        assertThat(api.getsockopt(fresh, SOL_SOCKET, SO_RCVBUF)).isEqualTo(8192);
        assertThat(api.getsockoptString(fresh, IPPROTO_TCP, TCP_CONGESTION)).isEqualTo("reno");
        lo.listen(81, 100);
        assertThat(sockOf(81, SkState.LISTEN).acceptQueue().maxBacklog()).isEqualTo(3);
        assertThat(lo.host().tcp().settings().timeWaitMillis()).isEqualTo(1000);
        api.close(fresh);
    }

    /** {@code ip_local_port_range} is IPv4's: TCP reads it at each port it chooses, as UDP does. */
    @Test
    void aNewPortRangeOfIpv4AppliesToTheNextBindAndConnectAndOpenConnectionsKeepTheirPorts() throws Exception {
        int listener = lo.listen(80, 64);
        int[] pair = lo.connectPair(listener, 80);
        int portBefore = ((InetSockAddr) api.getsockname(pair[0])).port();

        Inet inet = lo.host().inet();
        inet.reconfigure(inet.settings().withLocalPorts(new LocalPortRange.Range(41000, 41002)));

        assertThat(((InetSockAddr) api.getsockname(pair[0])).port()).isEqualTo(portBefore);
        exchange(pair[0], pair[1], "still here");
        int bound = api.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        api.bind(bound, new InetSockAddr(0, 0));
        int connected = lo.connectPair(listener, 80)[0];
        assertThat(java.util.List.of(((InetSockAddr) api.getsockname(bound)).port(),
                ((InetSockAddr) api.getsockname(connected)).port())).allSatisfy(p -> assertThat(p).isBetween(41000, 41002));
        int last = api.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        api.bind(last, new InetSockAddr(0, 0));
        int full = api.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        assertThatThrownBy(() -> api.bind(full, new InetSockAddr(0, 0)))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EADDRINUSE))
                .hasMessageContaining("41000-41002");
        for (int fd : new int[] {bound, last, full}) {
            api.close(fd);
        }
    }

    static TcpInit.Config config(Map<String, Object> overrides) {
        return ComponentConfig.of(TcpInit.Config.class, overrides);
    }

    @Test
    void theComponentTakesAConfigurationUpdateWithoutWithdrawingTcp() throws Exception {
        // An IPv4 of its own: the host's already has a TCP's counters registered.
        PooledPacketAllocator allocator = new PooledPacketAllocator();
        Inet inet = new Inet(lo.time(), lo.time(), allocator, InetSettings.defaults(), new Random(3));
        RecordingBundleContext bundle = new RecordingBundleContext();
        TcpInit init = new TcpInit(bundle.context(), lo.time(), lo.time(), lo.time(), allocator, inet.output(),
                inet.fib(), inet.snmp(), inet.localPorts(), config(Map.of()));
        try {
            var registered = bundle.live();
            init.modified(config(Map.of("somaxconn", 7, "tcpMslMillis", 2000L, "tcpRmemDefault", 65536)));

            assertThat(init.tcp().settings().somaxconn()).isEqualTo(7);
            assertThat(init.tcp().settings().timeWaitMillis()).isEqualTo(4000);
            assertThat(init.tcp().settings().rmemDefault()).isEqualTo(65536);
            assertThat(bundle.unregisterCalls()).isEmpty();
            assertThat(bundle.live()).isEqualTo(registered).isNotEmpty();

            // A configuration TcpSettings refuses leaves the settings before in force.
            init.modified(config(Map.of("somaxconn", 0)));
            assertThat(init.tcp().settings().somaxconn()).isEqualTo(7);
        } finally {
            init.deactivate();
            lo.runUntilIdle();
            inet.close();
        }
    }
}
