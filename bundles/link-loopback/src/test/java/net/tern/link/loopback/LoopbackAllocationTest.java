package net.tern.link.loopback;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.PooledByteBufAllocator;
import net.tern.core.packet.PooledPacketAllocator;
import net.tern.core.testing.AllocationMeter;
import net.tern.core.testing.PacketLeakCheck;
import net.tern.core.testing.TestStack;
import net.tern.spi.net.EtherType;
import net.tern.spi.net.Link;
import net.tern.spi.net.Packet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A packet looped back allocates nothing on its way: {@code loopback_xmit} hands the packet
 * itself to {@code netif_rx}, the backlog queues it and the network thread dispatches it, all
 * without a copy or a wrapper. Measured as the bytes the thread that plays the network thread
 * (in virtual time) allocates per packet over many batches, with the packets allocated before
 * each batch is measured. Nothing here is timed.
 */
@ExtendWith(PacketLeakCheck.class)
class LoopbackAllocationTest {
    private static final int BATCH = 500;
    private static final int WARM_UP_BATCHES = 40;
    private static final int MEASURED_BATCHES = 100;
    /** A share of the backlog queue's chunks; no object per packet. */
    private static final long BYTES_PER_PACKET = 16;

    // Sites are not recorded: strict leak checking records a stack trace per packet.
    private final TestStack stack = new TestStack(new PooledPacketAllocator(PooledByteBufAllocator.DEFAULT, false));
    private final Packet[] batch = new Packet[BATCH];
    private Link lo;
    private long delivered;

    @BeforeEach
    void register() throws Exception {
        stack.addPacketHandler(EtherType.IPV4, packet -> {
            delivered++;
            packet.release();
        });
        lo = stack.register(new LoopbackDevice());
    }

    @AfterEach
    void close() {
        stack.close();
    }

    /** On a thread like the network thread (a FastThreadLocalThread, for which Netty recycles buffer objects). */
    @Test
    void aLoopedBackPacketAllocatesNothingOnItsWay() throws Exception {
        AllocationMeter.onFastThread("loopback-allocation", this::loopAndMeasure);
    }

    private void loopAndMeasure() {
        for (int i = 0; i < WARM_UP_BATCHES; i++) {
            loop(fill());
        }
        long allocated = 0;
        for (int i = 0; i < MEASURED_BATCHES; i++) {
            Packet[] packets = fill();
            long before = AllocationMeter.bytes();
            loop(packets);
            allocated += AllocationMeter.bytes() - before;
        }
        long packets = (long) BATCH * MEASURED_BATCHES;
        assertThat(delivered).isEqualTo((long) BATCH * (WARM_UP_BATCHES + MEASURED_BATCHES));
        assertThat(lo.stats().rxDropped.sum()).isZero();
        assertThat(allocated / packets).as("bytes allocated per packet looped back over %d packets (%d in all)",
                packets, allocated).isLessThanOrEqualTo(BYTES_PER_PACKET);
    }

    private Packet[] fill() {
        for (int i = 0; i < BATCH; i++) {
            Packet p = stack.allocator().allocate(TestStack.DEFAULT_HEADROOM, 1400);
            p.buf().writeZero(1400);
            batch[i] = p.protocol(EtherType.IPV4);
        }
        return batch;
    }

    private void loop(Packet[] packets) {
        for (Packet p : packets) {
            lo.transmit(p);
        }
        stack.runUntilIdle();
    }
}
