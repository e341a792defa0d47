package net.tern.tcp.impl;

import static net.tern.api.socket.SocketConstants.AF_INET;
import static net.tern.api.socket.SocketConstants.SOCK_NONBLOCK;
import static net.tern.api.socket.SocketConstants.SOCK_STREAM;
import static net.tern.wire.TcpPacket.ACK;
import static net.tern.wire.TcpPacket.RST;
import static net.tern.wire.TcpPacket.SYN;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import net.tern.api.socket.InetSockAddr;
import net.tern.api.socket.SocketApi;
import net.tern.core.testing.PacketLeakCheck;
import net.tern.inet.sock.SkState;
import net.tern.tcp.testing.Seg;
import net.tern.tcp.testing.SegmentPeer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Random segments from the wire, to a listener, a connection and closed ports: nothing may
 * throw (VirtualTime fails the test if a task did), every packet is released, the counters
 * move as Linux's {@code tcp_v4_rcv} and {@code tcp_rcv_established} move them (every segment
 * in {@code InSegs}, bad or not; {@code InErrs} for a data offset below 5 words, a bad checksum
 * and a SYN challenged on an established connection; a header cut short by its options in
 * {@code InSegs} alone), and once every connection has ended no timer is left and the idle
 * wheel still runs a new timer at its time (VirtualTime fails a test whose wheel names a due
 * timer that never runs).
 */
@ExtendWith(PacketLeakCheck.class)
class TcpInputFuzzTest {

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3})
    void randomSegmentsAreHandledWithoutFailure_seeded(long seed) throws Exception {
        SplittableRandom random = new SplittableRandom(seed);
        try (SegmentPeer peer = new SegmentPeer()) {
            SocketApi api = peer.api();
            int l = api.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
            api.bind(l, new InetSockAddr(0, 80));
            api.listen(l, 4);
            int fd = api.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
            try {
                api.connect(fd, InetSockAddr.parse("10.0.0.2:81"));
            } catch (Exception expected) {
                // EINPROGRESS
            }
            Seg syn = peer.emittedOne();
            peer.inject(SegmentPeer.from(81).to(SegmentPeer.LOCAL, syn.sport()).flags(SYN | ACK).seq(1000)
                    .ack(syn.seq() + 1).mss(1460).build());
            int[] ports = {80, syn.sport(), 9999};
            long received = 1; // the SYN-ACK
            long badOffsets = 0;
            long cutShort = 0;
            long badChecksums = 0;
            long synsOnEstablished = 0;
            for (int i = 0; i < 3000; i++) {
                int length = 20 + random.nextInt(60);
                byte[] tcp = new byte[length];
                random.nextBytes(tcp);
                int dport = ports[random.nextInt(ports.length)];
                tcp[0] = (byte) 0;
                tcp[1] = (byte) 81;
                tcp[2] = (byte) (dport >>> 8);
                tcp[3] = (byte) dport;
                if (random.nextInt(4) == 0) {
                    // Sequence and ack near the live connection, so checks deeper in are reached.
                    int seq = 1001 + random.nextInt(-3000, 3000);
                    int ack = syn.seq() + 1 + random.nextInt(-3000, 3000);
                    tcp[4] = (byte) (seq >>> 24);
                    tcp[5] = (byte) (seq >>> 16);
                    tcp[6] = (byte) (seq >>> 8);
                    tcp[7] = (byte) seq;
                    tcp[8] = (byte) (ack >>> 24);
                    tcp[9] = (byte) (ack >>> 16);
                    tcp[10] = (byte) (ack >>> 8);
                    tcp[11] = (byte) ack;
                }
                boolean breakChecksum = random.nextInt(20) == 0;
                int headerLength = ((tcp[12] & 0xff) >>> 4) * 4;
                received++;
                if (headerLength < 20) {
                    badOffsets++;
                } else if (headerLength > length) {
                    cutShort++;
                } else if (breakChecksum) {
                    badChecksums++;
                } else if ((tcp[13] & SYN) != 0 && (tcp[13] & RST) == 0
                        && stateOf(peer, dport) == SkState.ESTABLISHED) {
                    // tcp_rcv_established passes syn_inerr: tcp_validate_incoming challenges a
                    // SYN without RST whatever its sequence number, and counts it in InErrs.
                    synsOnEstablished++;
                }
                peer.injectRaw(tcp, breakChecksum);
                if (i % 100 == 0) {
                    peer.advance(random.nextInt(1, 3000), TimeUnit.MILLISECONDS);
                    try {
                        api.recv(fd, ByteBuffer.allocate(4096), 0);
                    } catch (Exception ignored) {
                        // EAGAIN, ECONNRESET: whatever the random input made of the connection
                    }
                }
                peer.emitted();
            }
            peer.advance(200, TimeUnit.SECONDS);
            peer.emitted();
            assertThat(badOffsets).isPositive();
            assertThat(cutShort).isPositive();
            assertThat(badChecksums).isPositive();
            assertThat(synsOnEstablished).isPositive();
            assertThat(peer.host().counter(TcpMib.InErrs)).isEqualTo(badOffsets + badChecksums + synsOnEstablished);
            assertThat(peer.host().counter(TcpMib.InCsumErrors)).isEqualTo(badChecksums);
            assertThat(peer.host().counter(TcpMib.InSegs)).isEqualTo(received);

            // Everything closed and timed out (orphans, FIN-WAIT-2, TIME-WAIT): TCP leaves no
            // timer behind, and the wheel, idle after its timers were cancelled or run, still
            // runs the next one at its time.
            api.close(fd);
            api.close(l);
            peer.advance(10, TimeUnit.MINUTES);
            peer.emitted();
            assertThat(peer.time().pendingTimers()).as("timers left once every connection ended").isZero();
            long[] ranAt = {-1};
            peer.time().schedule(5, TimeUnit.SECONDS, () -> ranAt[0] = peer.time().nanoTime());
            long scheduledAt = peer.time().nanoTime();
            peer.advance(10, TimeUnit.SECONDS);
            assertThat(ranAt[0] - scheduledAt).isEqualTo(TimeUnit.SECONDS.toNanos(5));
        }
    }

    /**
     * Headers as {@code tcp_v4_rcv} checks them (checked so on Linux 6.18 too, with segments
     * sent through a raw socket to a namespace's loopback): a data offset below 5 words is an
     * input error; fewer than 20 bytes, or options past the end, fail its {@code pskb_may_pull}
     * and are dropped with {@code InSegs} alone. None is answered.
     */
    @Test
    void badHeadersAreCountedAsTcpV4RcvCountsThem() throws Exception {
        try (SegmentPeer peer = new SegmentPeer()) {
            peer.injectRaw(new byte[12], false);
            byte[] cutShort = new byte[20];
            cutShort[12] = (byte) 0xf0; // data offset 60 bytes in a 20-byte segment
            peer.injectRaw(cutShort, false);
            assertThat(peer.host().counter(TcpMib.InSegs)).isEqualTo(2);
            assertThat(peer.host().counter(TcpMib.InErrs)).isZero();
            byte[] badOffset = new byte[20];
            badOffset[12] = (byte) 0x20; // data offset 8 bytes
            peer.injectRaw(badOffset, false);
            assertThat(peer.host().counter(TcpMib.InSegs)).isEqualTo(3);
            assertThat(peer.host().counter(TcpMib.InErrs)).isEqualTo(1);
            assertThat(peer.emitted()).isEmpty();
        }
    }

    /** The state of the connection from the peer's port 81 to {@code localPort}, null if there is none. */
    private static SkState stateOf(SegmentPeer peer, int localPort) {
        return peer.host().tcp().sockets().stream().filter(sk -> sk.num() == localPort && sk.dport() == 81)
                .map(TcpSock::state).findFirst().orElse(null);
    }
}
