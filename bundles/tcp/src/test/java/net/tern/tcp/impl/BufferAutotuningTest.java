package net.tern.tcp.impl;

import static net.tern.api.socket.SocketConstants.AF_INET;
import static net.tern.api.socket.SocketConstants.SOCK_NONBLOCK;
import static net.tern.api.socket.SocketConstants.SOCK_STREAM;
import static net.tern.api.socket.SocketConstants.SOL_SOCKET;
import static net.tern.api.socket.SocketConstants.SOL_TCP;
import static net.tern.api.socket.SocketConstants.SO_RCVBUF;
import static net.tern.api.socket.SocketConstants.SO_SNDBUF;
import static net.tern.api.socket.SocketConstants.TCP_INFO;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.tern.api.socket.Accepted;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.InetSockAddr;
import net.tern.api.socket.SocketApi;
import net.tern.api.socket.TcpInfo;
import net.tern.core.packet.PooledPacketAllocator;
import net.tern.core.testing.PacketLeakCheck;
import net.tern.core.testing.VirtualTime;
import net.tern.tcp.testing.Host;
import net.tern.tcp.testing.LoopbackHost;
import net.tern.tcp.testing.WireLink;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Buffer autotuning as Linux 6.18 does it ({@link TcpBufferTuning}), in virtual time over a
 * clean 400 Mbit/s wire of 10 ms each way (RTT 20 ms): the receiver's
 * buffer grows round trip by round trip to what its reader takes, up to {@code tcp_rmem[2]},
 * and its window with it; the sender's buffer grows with its congestion window, up to
 * {@code tcp_wmem[2]}; neither when the application set the buffer.
 */
@ExtendWith(PacketLeakCheck.class)
class BufferAutotuningTest {
    private static final long ONE_WAY_MICROS = 10_000;
    /**
     * The wire's rate, 400 Mbit/s (1 MB in flight over the RTT): segments arrive spread over the
     * round trip, as over a bottleneck, and a reader that keeps up takes each millisecond's as they
     * come (Linux counts a read at its first skb, less what is still queued: a window arriving
     * at once would never count as read).
     */
    private static final long RATE = 400_000_000L;
    /** {@code tcp_rmem[2]} for these tests: small enough to reach in a few round trips. */
    private static final int RMEM_MAX = 4 << 20;
    private static final int WMEM_MAX = 2 << 20;

    /** One transfer's hosts and sockets, and what was seen each round trip. */
    private static final class Pair implements AutoCloseable {
        final VirtualTime time = new VirtualTime();
        final Host a;
        final Host b;
        final int client;
        final int server;
        final List<Integer> rcvbufs = new ArrayList<>();
        final List<Integer> windows = new ArrayList<>();
        final List<Integer> sndbufs = new ArrayList<>();
        final List<Integer> cwnds = new ArrayList<>();

        Pair(TcpSettings settings, int serverRcvbuf, int clientSndbuf) throws Exception {
            PooledPacketAllocator allocator = new PooledPacketAllocator();
            a = new Host(time, allocator, settings, 1);
            b = new Host(time, allocator, settings, 2);
            WireLink wire = new WireLink(time, allocator, 3, WireLink.Impairment.clean(ONE_WAY_MICROS), "wa",
                    "10.0.0.1/24", "wb", "10.0.0.2/24", 1500).rate(RATE);
            a.register(wire.a());
            b.register(wire.b());
            time.runPending();
            int listener = b.api().socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
            if (serverRcvbuf > 0) {
                b.api().setsockopt(listener, SOL_SOCKET, SO_RCVBUF, serverRcvbuf); // the child takes it, locked
            }
            b.api().bind(listener, InetSockAddr.parse("10.0.0.2:5001"));
            b.api().listen(listener, 4);
            client = a.api().socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
            if (clientSndbuf > 0) {
                a.api().setsockopt(client, SOL_SOCKET, SO_SNDBUF, clientSndbuf);
            }
            try {
                a.api().connect(client, InetSockAddr.parse("10.0.0.2:5001"));
            } catch (ErrnoException e) {
                assertThat(e.errno()).isEqualTo(Errno.EINPROGRESS);
            }
            time.advance(50, TimeUnit.MILLISECONDS);
            Accepted accepted = b.api().accept(listener, SOCK_NONBLOCK);
            server = accepted.fd();
        }

        TcpSock sock(Host host, boolean listenPort) {
            return host.tcp().sockets().stream().filter(sk -> (sk.num() == 5001) == listenPort
                    && sk.state() != net.tern.inet.sock.SkState.LISTEN).findFirst().orElseThrow();
        }

        TcpSock receiver() {
            return sock(b, true);
        }

        TcpSock sender() {
            return sock(a, false);
        }

        /** Sends {@code total} bytes as fast as the windows let, reading at once; samples each 20 ms. */
        void transfer(long total) throws ErrnoException {
            ByteBuffer out = ByteBuffer.allocate(1 << 16);
            ByteBuffer in = ByteBuffer.allocate(1 << 20);
            long sent = 0;
            long read = 0;
            for (int ms = 0; read < total; ms++) {
                assertThat(ms).as("virtual milliseconds").isLessThan(600_000);
                while (sent < total) {
                    out.clear().limit((int) Math.min(out.capacity(), total - sent));
                    int n = send(a.api(), out);
                    if (n <= 0) {
                        break;
                    }
                    sent += n;
                }
                int n;
                while ((n = recv(b.api(), in)) > 0) {
                    read += n;
                }
                if (ms % 20 == 0) {
                    rcvbufs.add(receiver().rcvbuf());
                    windows.add(receiver().rcv().rcvWnd());
                    sndbufs.add(sender().sndbuf());
                    cwnds.add(sender().ca().cwnd());
                }
                time.advance(1, TimeUnit.MILLISECONDS);
            }
        }

        private int send(SocketApi api, ByteBuffer out) throws ErrnoException {
            try {
                return api.send(client, out, 0);
            } catch (ErrnoException e) {
                if (e.errno() == Errno.EAGAIN) {
                    return 0;
                }
                throw e;
            }
        }

        private int recv(SocketApi api, ByteBuffer in) throws ErrnoException {
            in.clear();
            try {
                return api.recv(server, in, 0);
            } catch (ErrnoException e) {
                if (e.errno() == Errno.EAGAIN) {
                    return 0;
                }
                throw e;
            }
        }

        TcpInfo serverInfo() throws ErrnoException {
            return b.api().getsockopt(server, SOL_TCP, TCP_INFO, TcpInfo.class);
        }

        @Override
        public void close() throws ErrnoException {
            a.api().close(client);
            b.api().close(server);
            time.advance(200, TimeUnit.SECONDS);
            a.close();
            b.close();
            time.advance(1, TimeUnit.SECONDS);
        }
    }

    private static TcpSettings settings() {
        TcpSettings d = TcpSettings.defaults();
        return new TcpSettings(d.synRetries(), d.synackRetries(), d.retries2(), d.rtoInitialMillis(), d.rtoMinMillis(),
                d.rtoMaxMillis(), d.msl(), d.finTimeoutMillis(), d.somaxconn(), d.syncookies(), d.timestamps(),
                d.windowScaling(), d.sack(), RMEM_MAX, d.rmemDefault(), d.wmemDefault(), d.initialCwnd(),
                d.keepaliveTimeMillis(), d.keepaliveIntvlMillis(), d.keepaliveProbes(), d.delackMinMillis(),
                d.congestionControl(), d.memory().withAutotuning(true, WMEM_MAX), d.ackLimits(), d.lossDetection(),
                d.sending(), d.twReuse());
    }

    /**
     * A bulk transfer with a reader that keeps up: the receive buffer grows over the round
     * trips (each growth for a reader that took more in the last one) up to {@code tcp_rmem[2]}
     * and never past it, and the window advertised grows with it beyond the 128 KiB a 256 KiB
     * buffer offers. TCP_INFO shows the receiver's RTT (the 20 ms and the wire's queue, measured
     * from the echoed timestamps), the space measured and the window's growth ({@code rcv_ssthresh}).
     */
    @Test
    void aBulkTransfersReceiveBufferAndWindowGrowOverRoundTripsUpToTcpRmemMax() throws Exception {
        try (Pair p = new Pair(settings(), 0, 0)) {
            int initialWindow = p.receiver().rcv().rcvWnd();
            assertThat(p.receiver().rcvbuf()).isEqualTo(262_144);
            assertThat(p.serverInfo().rcvRtt()).as("no sample before data").isZero();
            p.transfer(64L << 20);
            System.out.printf("receive buffer per RTT: %s%nwindow per RTT: %s%n", p.rcvbufs, p.windows);
            System.out.printf("retransmitted %d, pruned %d, receive queue drops %d, ofo drops %d, backlog drops %d, timeouts %d%n",
                    p.a.counter(TcpMib.RetransSegs), p.b.counter(TcpExtMib.PruneCalled), p.b.counter(TcpExtMib.TCPRcvQDrop),
                    p.b.counter(TcpExtMib.TCPOFODrop), p.b.counter(TcpExtMib.TCPBacklogDrop), p.a.counter(TcpExtMib.TCPTimeouts));
            assertThat(p.rcvbufs).as("the buffer never shrinks").isSorted();
            assertThat(p.rcvbufs.get(p.rcvbufs.size() - 1)).as("tcp_rmem[2] reached").isEqualTo(RMEM_MAX);
            assertThat(p.rcvbufs).allMatch(b -> b <= RMEM_MAX);
            long steps = p.rcvbufs.stream().distinct().count();
            assertThat(steps).as("grown in several round trips, not at once").isGreaterThan(3);
            assertThat(p.windows.stream().mapToInt(Integer::intValue).max().orElseThrow())
                    .as("the window grew with the buffer").isGreaterThan(4 * initialWindow);
            TcpInfo info = p.serverInfo();
            assertThat(info.rcvRtt()).as("the receiver's RTT estimate, µs: 20 ms and the wire's queue").isBetween(20_000L, 30_000L);
            assertThat(info.rcvSpace()).as("what the reader took in a round trip").isGreaterThan(initialWindow);
            assertThat(info.rcvSsthresh()).as("the window's growth").isGreaterThan(initialWindow);
        }
    }

    /** SO_RCVBUF set (SOCK_RCVBUF_LOCK): the buffer stays what the application asked, and the window its share. */
    @Test
    void aReceiveBufferTheApplicationSetIsNotAutotuned() throws Exception {
        try (Pair p = new Pair(settings(), 100_000, 0)) {
            p.transfer(16L << 20);
            assertThat(p.rcvbufs).containsOnly(200_000);
            assertThat(p.windows).allMatch(w -> w <= 100_000);
            assertThat(p.serverInfo().rcvRtt()).as("still measured").isPositive();
        }
    }

    /** {@code tcp_moderate_rcvbuf} 0: the receive buffer stays {@code tcp_rmem[1]}. */
    @Test
    void withoutModerateRcvbufTheReceiveBufferStays() throws Exception {
        TcpSettings s = settings();
        try (Pair p = new Pair(s.withMemory(s.memory().withAutotuning(false, WMEM_MAX)), 0, 0)) {
            p.transfer(16L << 20);
            assertThat(p.rcvbufs).containsOnly(262_144);
        }
    }

    /**
     * The send buffer grows with the congestion window (2 × cwnd × 2304 bytes, the memory Linux
     * gives a 1460-byte segment) once ACKs free room for a writer that found it full, up to
     * {@code tcp_wmem[2]}; never smaller than it was.
     */
    @Test
    void theSendBufferGrowsWithTheCongestionWindowUpToTcpWmemMax() throws Exception {
        try (Pair p = new Pair(settings(), 0, 0)) {
            assertThat(p.sender().sndbuf()).as("2 x 10 x 2304 = 46080 is below tcp_wmem[1]").isEqualTo(131_072);
            p.transfer(64L << 20);
            System.out.printf("send buffer per RTT: %s%ncwnd per RTT: %s%n", p.sndbufs, p.cwnds);
            assertThat(p.sndbufs).isSorted();
            assertThat(p.sndbufs.get(p.sndbufs.size() - 1)).isEqualTo(WMEM_MAX);
            int largestCwnd = 0;
            for (int i = 0; i < p.sndbufs.size(); i++) {
                largestCwnd = Math.max(largestCwnd, p.cwnds.get(i));
                long expanded = Math.min(WMEM_MAX, 2L * largestCwnd * 2304);
                assertThat((long) p.sndbufs.get(i)).as("sample %d: at most twice the largest window so far", i)
                        .isLessThanOrEqualTo(Math.max(131_072, expanded));
            }
            assertThat(p.sndbufs.stream().distinct().count()).as("grown in steps with the window").isGreaterThan(2);
        }
    }

    /** SO_SNDBUF set (SOCK_SNDBUF_LOCK): the send buffer stays what the application asked. */
    @Test
    void aSendBufferTheApplicationSetIsNotAutotuned() throws Exception {
        try (Pair p = new Pair(settings(), 0, 64_000)) {
            p.transfer(8L << 20);
            assertThat(p.sndbufs).containsOnly(128_000);
        }
    }

    /**
     * On loopback (MSS 65483, the peer's MSS 65495) the send buffer at establishment is
     * {@code tcp_sndbuf_expand}'s: 2 × 10 segments × (131072 + 256) bytes, the power of two
     * holding the peer's whole MSS with its headers, not the MSS bounded to half the window.
     */
    @Test
    void onLoopbackTheSendBufferAtEstablishmentHoldsTwiceTheInitialWindowOfFullSegments() throws Exception {
        try (LoopbackHost lo = new LoopbackHost()) {
            int[] pair = lo.connectPair(lo.listen(80, 8), 80);
            lo.runUntilIdle();
            for (TcpSock sk : lo.host().tcp().sockets()) {
                if (sk.state() == net.tern.inet.sock.SkState.ESTABLISHED) {
                    assertThat(sk.sndbuf()).isEqualTo(2 * 10 * (131_072 + 256));
                }
            }
            assertThat(pair).hasSize(2);
        }
    }
}
