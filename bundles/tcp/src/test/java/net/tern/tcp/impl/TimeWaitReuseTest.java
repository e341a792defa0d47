package net.tern.tcp.impl;

import static net.tern.api.socket.SocketConstants.AF_INET;
import static net.tern.api.socket.SocketConstants.SOCK_NONBLOCK;
import static net.tern.api.socket.SocketConstants.SOCK_STREAM;
import static net.tern.api.socket.SocketConstants.SOL_SOCKET;
import static net.tern.api.socket.SocketConstants.SO_REUSEADDR;
import static net.tern.wire.TcpPacket.ACK;
import static net.tern.wire.TcpPacket.FIN;
import static net.tern.wire.TcpPacket.SYN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.InetSockAddr;
import net.tern.api.socket.SocketApi;
import net.tern.core.testing.PacketLeakCheck;
import net.tern.inet.impl.Inet;
import net.tern.inet.sock.LocalPortRange;
import net.tern.spi.diag.InetDiagMsg;
import net.tern.tcp.testing.Host;
import net.tern.tcp.testing.LoopbackHost;
import net.tern.tcp.testing.Seg;
import net.tern.tcp.testing.SegmentPeer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code tcp_tw_reuse}: connect() taking over a 4-tuple its stack left in TIME-WAIT, as Linux
 * 6.18 does it (checked in a namespace with one ephemeral port, {@code tcp_tw_reuse} 0, 1 and
 * 2, to 127.0.0.1 and to an address of lo outside 127/8): after {@code tcp_tw_reuse_delay},
 * only for connections that used timestamps, the ISN 65537 beyond the old connection's.
 * Every test has one ephemeral port, so a second connection to the same server needs the first
 * one's 4-tuple.
 */
@ExtendWith(PacketLeakCheck.class)
class TimeWaitReuseTest {
    private static final int PORT = 41000;

    private static void onePort(Host host) {
        Inet inet = host.inet();
        inet.reconfigure(inet.settings().withLocalPorts(new LocalPortRange.Range(PORT, PORT)));
    }

    private static long timeWaitEntries(Host host) {
        return host.tcp().diag().dump().stream().filter(m -> m.state() == InetDiagMsg.TIME_WAIT).count();
    }

    /** A loopback connection to port 80 that this end closes first, so its 4-tuple waits in TIME-WAIT here. */
    private static void leaveTimeWait(LoopbackHost lo, int listener) throws ErrnoException {
        int[] pair = lo.connectPair(listener, 80);
        assertThat(((InetSockAddr) lo.api().getsockname(pair[0])).port()).isEqualTo(PORT);
        lo.api().close(pair[0]);
        lo.runUntilIdle();
        lo.api().close(pair[1]);
        lo.runUntilIdle();
        assertThat(timeWaitEntries(lo.host())).isEqualTo(1);
    }

    private static void assertConnectFailsWithEaddrnotavail(LoopbackHost lo) throws ErrnoException {
        int fd = lo.api().socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        assertThatThrownBy(() -> lo.api().connect(fd, new InetSockAddr(InetSockAddr.INADDR_LOOPBACK, 80)))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EADDRNOTAVAIL));
        lo.api().close(fd);
    }

    @Test
    void onLoopbackConnectTakesOverTheTimeWaitEntryOnlyAfterTheReuseDelay() throws Exception {
        try (LoopbackHost lo = new LoopbackHost()) {
            onePort(lo.host());
            SocketApi api = lo.api();
            int listener = lo.listen(80, 4);
            leaveTimeWait(lo, listener);

            assertConnectFailsWithEaddrnotavail(lo);
            lo.advance(1000, TimeUnit.MILLISECONDS);
            assertConnectFailsWithEaddrnotavail(lo);
            assertThat(lo.host().counter(TcpExtMib.TWRecycled)).isZero();

            lo.advance(1, TimeUnit.MILLISECONDS);
            int[] pair = lo.connectPair(listener, 80);
            assertThat(((InetSockAddr) api.getsockname(pair[0])).port()).isEqualTo(PORT);
            assertThat(lo.host().counter(TcpExtMib.TWRecycled)).isEqualTo(1);
            assertThat(timeWaitEntries(lo.host())).isZero();
            api.send(pair[0], ByteBuffer.wrap("again".getBytes(StandardCharsets.US_ASCII)), 0);
            lo.runUntilIdle();
            assertThat(new String(lo.readAvailable(pair[1]), StandardCharsets.US_ASCII)).isEqualTo("again");
            for (int fd : new int[] {pair[0], pair[1], listener}) {
                api.close(fd);
            }
            lo.runUntilIdle();
        }
    }

    @Test
    void withTwReuseOffOrWithoutTimestampsTheTimeWaitEntryKeepsItsPort() throws Exception {
        TcpSettings off = TcpSettings.defaults().withTwReuse(new TcpSettings.TwReuse(0, 1000));
        TcpSettings noTimestamps = TcpSettings.defaults().withTimestamps(false);
        for (TcpSettings settings : new TcpSettings[] {off, noTimestamps}) {
            try (LoopbackHost lo = new LoopbackHost(settings)) {
                onePort(lo.host());
                int listener = lo.listen(80, 4);
                leaveTimeWait(lo, listener);
                lo.advance(2, TimeUnit.SECONDS);
                assertConnectFailsWithEaddrnotavail(lo);
                assertThat(lo.host().counter(TcpExtMib.TWRecycled)).isZero();
                assertThat(timeWaitEntries(lo.host())).isEqualTo(1);
                lo.api().close(listener);
            }
        }
    }

    @Test
    void aSocketBoundToTheTimeWaitPortTakesTheEntryOverAtOnceWhateverTwReuseSays() throws Exception {
        try (LoopbackHost lo = new LoopbackHost(TcpSettings.defaults().withTwReuse(new TcpSettings.TwReuse(0, 1000)))) {
            onePort(lo.host());
            SocketApi api = lo.api();
            int listener = lo.listen(80, 4);
            leaveTimeWait(lo, listener);

            int fd = api.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
            api.setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, 1);
            api.bind(fd, new InetSockAddr(InetSockAddr.INADDR_LOOPBACK, PORT));
            assertThatThrownBy(() -> api.connect(fd, new InetSockAddr(InetSockAddr.INADDR_LOOPBACK, 80)))
                    .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EINPROGRESS));
            lo.runUntilIdle();
            int accepted = api.accept(listener, SOCK_NONBLOCK).fd();
            assertThat(lo.host().counter(TcpExtMib.TWRecycled)).isEqualTo(1);
            assertThat(timeWaitEntries(lo.host())).isZero();
            for (int each : new int[] {fd, accepted, listener}) {
                api.close(each);
            }
            lo.runUntilIdle();
        }
    }

    /**
     * To the scripted peer at 10.0.0.2 (no loopback address on either end): Linux's default
     * (2) keeps the entry, 1 lets the new SYN take it, with an ISN 65535 + 2 beyond the old
     * connection's last sequence number and echoing the old connection's TS.Recent.
     */
    @Test
    void beyondLoopbackOnlyTwReuseOneTakesTheEntryOverAndTheSynStartsAWindowBeyondTheOldConnection() throws Exception {
        for (int mode : new int[] {2, 1}) {
            try (SegmentPeer peer = new SegmentPeer(TcpSettings.defaults().withTwReuse(new TcpSettings.TwReuse(mode, 1000)),
                    1500)) {
                onePort(peer.host());
                SocketApi api = peer.api();
                int fd = api.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
                Seg syn = connect(api, peer, fd);
                Seg.Builder in = SegmentPeer.from(80).to(SegmentPeer.LOCAL, PORT);
                peer.inject(in.flags(SYN | ACK).seq(7000).ack(syn.seq() + 1).mss(1460).timestamp(500, syn.options().tsVal)
                        .build());
                peer.emitted();
                api.close(fd);
                Seg fin = peer.emittedOne();
                assertThat(fin.flagString()).isEqualTo("F.");
                peer.inject(in.flags(FIN | ACK).seq(7001).ack(fin.seq() + 1).timestamp(510, fin.options().tsVal).build());
                peer.emitted();
                assertThat(timeWaitEntries(peer.host())).isEqualTo(1);

                peer.advance(1001, TimeUnit.MILLISECONDS);
                int again = api.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
                if (mode == 2) {
                    assertThatThrownBy(() -> api.connect(again, InetSockAddr.parse("10.0.0.2:80")))
                            .isInstanceOfSatisfying(ErrnoException.class,
                                    e -> assertThat(e.errno()).isEqualTo(Errno.EADDRNOTAVAIL));
                    assertThat(peer.host().counter(TcpExtMib.TWRecycled)).isZero();
                } else {
                    Seg next = connect(api, peer, again);
                    assertThat(next.sport()).isEqualTo(PORT);
                    assertThat(next.seq()).isEqualTo(fin.seq() + 1 + 65535 + 2);
                    assertThat(next.options().tsEcr).isEqualTo(510);
                    assertThat(peer.host().counter(TcpExtMib.TWRecycled)).isEqualTo(1);
                    assertThat(timeWaitEntries(peer.host())).isZero();
                }
                api.close(again);
                peer.emitted();
            }
        }
    }

    private static Seg connect(SocketApi api, SegmentPeer peer, int fd) {
        assertThatThrownBy(() -> api.connect(fd, InetSockAddr.parse("10.0.0.2:80")))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EINPROGRESS));
        return peer.emittedOne();
    }

    @Test
    void twReuseSettingsOutsideLinuxsRangesAreRefused() {
        assertThatThrownBy(() -> new TcpSettings.TwReuse(3, 1000)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TcpSettings.TwReuse(2, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TcpSettings.TwReuse(2, 600_001)).isInstanceOf(IllegalArgumentException.class);
    }
}
