package net.tern.link.tun;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.jna.LastErrorException;
import com.sun.jna.NativeLong;
import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.tern.api.socket.Errno;
import net.tern.core.packet.PooledPacketAllocator;
import net.tern.core.testing.AllocationMeter;
import net.tern.core.testing.PacketLeakCheck;
import net.tern.core.testing.TestStack;
import net.tern.spi.net.EtherType;
import net.tern.spi.net.Link;
import net.tern.spi.net.Packet;
import net.tern.spi.net.PacketHandler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The receive loop's memory. It allocates nothing per packet but the packet's own header
 * object: each packet is read in place into a pooled direct buffer, and the calls into libc
 * ({@code poll}, {@code read}) make no garbage; measured as the bytes the reader thread
 * allocates ({@code com.sun.management.ThreadMXBean#getThreadAllocatedBytes}) over many
 * packets, after a warm-up that fills the pools. Nothing here is timed. And when packet
 * memory runs out, packets are dropped and counted while the reader runs on.
 */
@ExtendWith(PacketLeakCheck.class)
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TunReceiveMemoryTest {
    private static final int PACKET_SIZE = 1400;
    private static final int WARM_UP = 20_000;
    private static final int MEASURED = 50_000;
    /**
     * The packet's header object ({@code Packet}, the {@code sk_buff} head: 48 bytes with
     * compressed references) and a share of the chunks of the queues it passes through
     * (56 to 61 bytes in all, measured). JNA's interface-mapped calls cost about 450 bytes
     * more per packet, and a reader on a plain thread, for which Netty recycles no buffer
     * object, about 100 bytes more.
     */
    private static final long BYTES_PER_PACKET = 96;

    /** Packet memory that runs out on demand, as direct memory at its maximum. */
    private final ExhaustibleBuffers buffers = new ExhaustibleBuffers();
    // Sites are not recorded: strict leak checking records a stack trace per packet.
    private final TestStack stack = new TestStack(new PooledPacketAllocator(buffers, false));
    private final byte[] packet = new byte[PACKET_SIZE];
    private final PacketHandler releaser = Packet::release;
    private SocketPair pair;
    private Link link;

    @BeforeEach
    void open() throws Exception {
        packet[0] = 0x45;
        stack.addPacketHandler(EtherType.IPV4, releaser);
        pair = new SocketPair();
        link = stack.register(new TunDevice(TunSettings.of("tun0").withMtu(1500), s -> new TunFile(s.name(),
                pair.deviceFd)));
    }

    @AfterEach
    void close() {
        stack.close();
        pair.close();
    }

    @Test
    void theReaderAllocatesNothingPerPacketButItsHeader() {
        assertThat(DirectLibC.AVAILABLE).as("libc's read and poll bound by direct mapping on this platform").isTrue();
        Thread reader = readerThread();

        deliver(WARM_UP);
        long before = AllocationMeter.bytes(reader);
        deliver(MEASURED);
        long after = AllocationMeter.bytes(reader);

        long perPacket = (after - before) / MEASURED;
        System.out.printf("TUN reader: %d bytes allocated over %d packets, %d per packet%n", after - before, MEASURED,
                perPacket);
        assertThat(link.stats().rxErrors.sum()).isZero();
        assertThat(perPacket).as("bytes the reader allocated per packet over %d packets (%d in all)", MEASURED,
                after - before).isLessThanOrEqualTo(BYTES_PER_PACKET);
    }

    /**
     * With no memory for packets (Netty's OutOfDirectMemoryError), each packet is taken off the
     * file and dropped, counted in rx_dropped, as tun_get_user drops what it cannot allocate an
     * skb for; the reader runs on, and once memory is back packets arrive again.
     */
    @Test
    void withoutPacketMemoryPacketsAreDroppedAndCountedAndTheReaderRunsOn() {
        List<Packet> arrived = new ArrayList<>();
        stack.removePacketHandler(releaser);
        stack.addPacketHandler(EtherType.IPV4, p -> {
            arrived.add(p);
        });
        buffers.exhausted = true;
        deliver(3);
        assertThat(link.stats().rxDropped.sum()).isEqualTo(3);
        assertThat(link.stats().rxPackets.sum()).isZero();
        assertThat(arrived).isEmpty();

        buffers.exhausted = false;
        deliver(2);
        // The reader counts a packet before it joins the link's backlog, so the last one may
        // still be on its way to the network thread (here, this thread) when deliver returns.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (arrived.size() < 2 && System.nanoTime() < deadline) {
            stack.runUntilIdle();
            Thread.onSpinWait();
        }
        assertThat(link.isUp()).isTrue();
        assertThat(readerThread().isAlive()).isTrue();
        assertThat(link.stats().rxPackets.sum()).isEqualTo(2);
        assertThat(link.stats().rxDropped.sum()).isEqualTo(3);
        assertThat(arrived).hasSize(2).allSatisfy(p -> assertThat(p.length()).isEqualTo(PACKET_SIZE));
        arrived.forEach(Packet::release);
    }

    /** Netty's pooled direct buffers, or, while {@link #exhausted}, the error Netty throws at its maximum. */
    private static final class ExhaustibleBuffers extends AbstractByteBufAllocator {
        volatile boolean exhausted;

        ExhaustibleBuffers() {
            super(true);
        }

        @Override
        protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
            if (exhausted) {
                throw new OutOfMemoryError("failed to allocate " + initialCapacity + " byte(s) of direct memory");
            }
            return PooledByteBufAllocator.DEFAULT.directBuffer(initialCapacity, maxCapacity);
        }

        @Override
        protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
            return PooledByteBufAllocator.DEFAULT.heapBuffer(initialCapacity, maxCapacity);
        }

        @Override
        public boolean isDirectBufferPooled() {
            return true;
        }
    }

    private Thread readerThread() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("tern-tun-tun0"))
                .findFirst().orElseThrow(() -> new AssertionError("no reader thread tern-tun-tun0"));
    }

    /**
     * The kernel's side writes {@code count} packets as fast as the socket pair takes them,
     * while this thread (the network thread in virtual time) drains what the reader hands in;
     * returns once the link has counted them all (received, or dropped), failing if it has not
     * within 30 s.
     */
    private void deliver(int count) {
        long target = received() + count;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        int written = 0;
        while (written < count && System.nanoTime() < deadline) {
            try {
                LibC.get().write(pair.peerFd, packet, new NativeLong(packet.length));
                written++;
            } catch (LastErrorException e) {
                if (e.getErrorCode() != Errno.EAGAIN.number()) {
                    throw e;
                }
                stack.runUntilIdle();
                Thread.onSpinWait();
            }
        }
        while (received() < target && System.nanoTime() < deadline) {
            stack.runUntilIdle();
            Thread.onSpinWait();
        }
        stack.runUntilIdle();
        assertThat(received()).as("packets the link counted (received or dropped) of %d written", count)
                .isEqualTo(target);
    }

    /**
     * Packets the reader took off the file: counted in rx_packets as they are handed in (a full
     * backlog drops some after that, counting rx_dropped too), or only in rx_dropped when no
     * buffer could be allocated for them.
     */
    private long received() {
        return link.stats().rxPackets.sum() + link.stats().rxDropped.sum() - stack.dispatcher().backlogDrops();
    }
}
