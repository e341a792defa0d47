package net.tern.tcp.impl;

import static net.tern.api.socket.SocketConstants.IPPROTO_TCP;
import static net.tern.api.socket.SocketConstants.TCP_NODELAY;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.nio.ByteBuffer;
import net.tern.core.packet.PooledPacketAllocator;
import net.tern.core.testing.AllocationMeter;
import net.tern.core.testing.PacketLeakCheck;
import net.tern.api.socket.SocketApi;
import net.tern.tcp.testing.LoopbackHost;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * An established connection in steady state allocates nothing per segment: a write that sends
 * a segment ({@code tcp_sendmsg}, {@code tcp_write_xmit}, {@code ip_queue_xmit}, the loopback
 * device), its receipt ({@code ip_rcv}, {@code tcp_v4_rcv}'s decode and demux,
 * {@code tcp_rcv_established}, {@code tcp_ack}, {@code tcp_data_queue}, the reader's wake-up),
 * the ACK going back and its receipt by the sender, the timers re-armed on the way, and the
 * read that drains the data. All of it runs on the thread that drives virtual time, a Netty
 * {@code FastThreadLocalThread} as the network thread is (the pooled allocator recycles its
 * buffer objects only there); the thread's allocated bytes are read around many round trips
 * after a warm-up. Nothing is timed.
 */
@ExtendWith(PacketLeakCheck.class)
class SteadyStateAllocationTest {
    private static final int WARM_UP = 20_000;
    private static final int MEASURED = 10_000;
    private static final int CHUNK = 1000;
    /**
     * Bytes per segment allowed: far below a single object per segment (16 bytes at least),
     * while leaving room for what the counter itself and one-off JIT work may cost.
     */
    private static final double BYTES_PER_SEGMENT = 2.0;

    @Test
    void dataSegmentsAndTheirAcksAllocateNothing() throws Exception {
        AllocationMeter.onFastThread("tcp-steady-state", () -> {
            // Sites are not recorded: strict leak checking records a stack trace per packet.
            PooledPacketAllocator packets = new PooledPacketAllocator(PooledByteBufAllocator.DEFAULT, false);
            try (LoopbackHost lo = new LoopbackHost(TcpSettings.defaults(), packets)) {
                SocketApi api = lo.api();
                int[] pair = lo.connectPair(lo.listen(8080, 8), 8080);
                api.setsockopt(pair[0], IPPROTO_TCP, TCP_NODELAY, 1);
                api.setsockopt(pair[1], IPPROTO_TCP, TCP_NODELAY, 1);
                ByteBuffer buf = ByteBuffer.allocateDirect(CHUNK);
                exchange(lo, api, pair, buf, WARM_UP);
                long segmentsBefore = lo.host().counter(TcpMib.InSegs);
                // Netty's sampling leak detector records a stack for one buffer in 128 (a
                // debugging aid a deployment turns off); Tern's own ledger still counts packets.
                ResourceLeakDetector.Level level = ResourceLeakDetector.getLevel();
                ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
                long allocated;
                try {
                    long before = AllocationMeter.bytes();
                    exchange(lo, api, pair, buf, MEASURED);
                    allocated = AllocationMeter.bytes() - before;
                } finally {
                    ResourceLeakDetector.setLevel(level);
                }
                long segments = lo.host().counter(TcpMib.InSegs) - segmentsBefore;
                assertThat(segments).as("data segments and ACKs received").isGreaterThanOrEqualTo(MEASURED);
                assertThat((double) allocated / segments)
                        .as("bytes allocated per segment over %d segments (%d bytes in all)", segments, allocated)
                        .isLessThanOrEqualTo(BYTES_PER_SEGMENT);
            }
        });
    }

    /**
     * {@code rounds} round trips: {@value #CHUNK} bytes written by one end, read by the other
     * and written back, read by the first; each segment carries the ACK of the one before.
     */
    private static void exchange(LoopbackHost lo, SocketApi api, int[] pair, ByteBuffer buf, int rounds) {
        for (int i = 0; i < rounds; i++) {
            pass(lo, api, pair[0], pair[1], buf, i);
            pass(lo, api, pair[1], pair[0], buf, i);
        }
    }

    private static void pass(LoopbackHost lo, SocketApi api, int from, int to, ByteBuffer buf, int round) {
        buf.clear();
        long sent = api.sysSend(from, buf, 0, null);
        if (sent != CHUNK) {
            throw new AssertionError("round " + round + ": sent " + sent);
        }
        lo.runUntilIdle();
        buf.clear();
        long received = api.sysRecv(to, buf, 0, null);
        if (received != CHUNK) {
            throw new AssertionError("round " + round + ": received " + received);
        }
        lo.runUntilIdle();
    }
}
