package net.tern.core.packet;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;
import net.tern.spi.net.Packet;
import net.tern.spi.net.PacketAllocator;
import net.tern.spi.net.Spares;
import org.osgi.service.component.annotations.Component;

/**
 * {@code alloc_skb} / {@code kfree_skb}: packets over Netty's pooled buffers, counted while
 * outstanding.
 *
 * <p>Buffers are <em>direct</em>. Packets spend their lives between device I/O (a TUN file
 * descriptor, a datagram channel) and protocol code; NIO reads and writes direct memory
 * without the extra copy it makes for heap buffers, and pooling takes away the cost of
 * allocating direct memory. Protocol code touches bytes through {@link ByteBuf} accessors,
 * which are as fast on pooled direct memory as on arrays.
 *
 * <p>Each packet's {@link Packet.ReleaseHook} tells the allocator of its release, so
 * {@link #outstanding()} is exact. A released packet object is kept ({@link Spares}: by the
 * thread that released it, then in a queue all threads share) and made new around a later
 * buffer ({@link Packet#reuse}), as Netty's pool keeps the buffer objects: packets sent and
 * received in steady state make no object, whichever threads make and release them. With {@code tern.leakCheck=strict} each live packet's
 * allocation stack is also recorded in the {@link PacketLedger}.
 */
@Component(service = PacketAllocator.class, immediate = true)
public final class PooledPacketAllocator implements PacketAllocator {
    private final ByteBufAllocator buffers;
    private final boolean recordSites;
    private final LongAdder outstanding = new LongAdder();
    private final LongAdder allocated = new LongAdder();
    private final Packet.ReleaseHook onRelease = this::released;
    /** Released packets kept for reuse, per thread and then shared (a packet is mostly released on another thread than the one that made it). */
    private final Spares<Packet> spares = new Spares<>(4096);

    /** Pooled direct buffers; records allocation sites when {@code tern.leakCheck=strict}. */
    public PooledPacketAllocator() {
        this(PooledByteBufAllocator.DEFAULT, PacketLedger.strictFromSystemProperty());
    }

    public PooledPacketAllocator(ByteBufAllocator buffers, boolean recordSites) {
        this.buffers = Objects.requireNonNull(buffers, "buffers");
        this.recordSites = recordSites;
    }

    @Override
    public Packet allocate(int headroom, int capacity) {
        if (headroom < 0 || capacity < 0) {
            throw new IllegalArgumentException("allocate(headroom " + headroom + ", capacity " + capacity
                    + "): sizes must not be negative");
        }
        ByteBuf buf = buffers.directBuffer(headroom + capacity);
        buf.setIndex(headroom, headroom);
        return track(packet(buf));
    }

    @Override
    public Packet wrap(ByteBuf buf) {
        Objects.requireNonNull(buf, "buf");
        return track(packet(buf));
    }

    /** A packet around {@code buf}: one released before, else a new one. */
    private Packet packet(ByteBuf buf) {
        Packet packet = spares.take();
        return packet == null ? new Packet(buf, onRelease) : packet.reuse(buf);
    }

    @Override
    public long outstanding() {
        return outstanding.sum();
    }

    /** Packets handed out since this allocator was made. */
    public long allocated() {
        return allocated.sum();
    }

    /** Whether allocation sites are recorded (strict leak checking). */
    public boolean recordsSites() {
        return recordSites;
    }

    private Packet track(Packet packet) {
        allocated.increment();
        outstanding.increment();
        PacketLedger.allocated(packet, recordSites);
        return packet;
    }

    private void released(Packet packet) {
        outstanding.decrement();
        PacketLedger.released(packet);
        spares.give(packet);
    }
}
