package net.tern.core.packet;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.internal.PlatformDependent;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;
import net.tern.spi.net.Packet;
import net.tern.spi.net.PacketAllocator;
import net.tern.spi.net.Spares;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;

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
 *
 * <p>A small packet (at most {@value #KEEP_MAX} bytes in all, a datagram or an ACK) also keeps
 * its buffer when released, as a slab object keeps its memory: the allocator holds a
 * reference of its own to the buffer, and a packet later asked for with the same size gets the
 * buffer back. Netty recycles its buffer objects only on its own
 * threads ({@code FastThreadLocalThread}), so without this every datagram an application's
 * thread sends would make a buffer object and its reference count. A buffer someone else still
 * holds a reference to (a retained slice) is not kept. Kept buffers wait in a bounded queue per
 * size that all threads and allocators share (a buffer beyond the bound is released), never in
 * a thread's own stack, where a thread that ends would lose it unreleased; only buffers of the
 * process-wide {@link PooledByteBufAllocator#DEFAULT} pool are kept.
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

    /** The largest packet, headroom included, that keeps its buffer when released. */
    static final int KEEP_MAX = 2048;
    /** Buffers kept for each size. */
    private static final int KEPT_PER_SIZE = 256;
    /**
     * Small buffers of {@link PooledByteBufAllocator#DEFAULT} released with their packets and
     * kept, by capacity in steps of 16 bytes, made on first use. Process-wide, as that pool is:
     * a buffer kept here is never left to the collector with a discarded allocator, nor in the
     * stack of a thread that ends; {@link #deactivate} gives them all back.
     */
    private static final AtomicReferenceArray<Queue<ByteBuf>> KEPT = new AtomicReferenceArray<>((KEEP_MAX >> 4) + 1);
    private final boolean keeps;
    private final Packet.ReleaseHook onReleaseKept = this::releasedKept;
    /** This allocator's released small packets, for a kept buffer or a new one. */
    private final Spares<Packet> keptPackets = new Spares<>(KEPT_PER_SIZE);

    /** Pooled direct buffers; records allocation sites when {@code tern.leakCheck=strict}. */
    public PooledPacketAllocator() {
        this(PooledByteBufAllocator.DEFAULT, PacketLedger.strictFromSystemProperty());
    }

    public PooledPacketAllocator(ByteBufAllocator buffers, boolean recordSites) {
        this.buffers = Objects.requireNonNull(buffers, "buffers");
        this.recordSites = recordSites;
        this.keeps = buffers == PooledByteBufAllocator.DEFAULT;
    }

    @Override
    public Packet allocate(int headroom, int capacity) {
        if (headroom < 0 || capacity < 0) {
            throw new IllegalArgumentException("allocate(headroom " + headroom + ", capacity " + capacity
                    + "): sizes must not be negative");
        }
        int size = headroom + capacity;
        if (size > KEEP_MAX || !keeps) {
            ByteBuf buf = buffers.directBuffer(size);
            buf.setIndex(headroom, headroom);
            return track(packet(buf));
        }
        return track(keptPacket(size, headroom));
    }

    /**
     * A packet of {@code size} bytes whose buffer the allocator keeps a reference to: a buffer
     * of that capacity kept before, else a new one.
     */
    private Packet keptPacket(int size, int headroom) {
        Queue<ByteBuf> sizeKept = keptBuffers(size);
        ByteBuf buf = sizeKept.poll();
        while (buf != null && buf.capacity() != size) {
            buf.release(); // another size in the same 16 bytes: it goes
            buf = sizeKept.poll();
        }
        if (buf == null) {
            buf = buffers.directBuffer(size);
        }
        buf.retain(); // the packet's reference, dropped by its release; the allocator's stays
        buf.setIndex(headroom, headroom);
        Packet packet = keptPackets.take();
        return packet == null ? new Packet(buf, onReleaseKept) : packet.reuse(buf);
    }

    private static Queue<ByteBuf> keptBuffers(int capacity) {
        int index = (capacity + 15) >> 4;
        Queue<ByteBuf> q = KEPT.get(index);
        if (q == null) {
            KEPT.compareAndSet(index, null, PlatformDependent.newFixedMpmcQueue(KEPT_PER_SIZE));
            q = KEPT.get(index);
        }
        return q;
    }

    /** The component stops: every kept buffer goes back to the pool (another allocator keeps anew). */
    @Deactivate
    void deactivate() {
        for (int i = 0; i < KEPT.length(); i++) {
            Queue<ByteBuf> q = KEPT.get(i);
            ByteBuf buf;
            while (q != null && (buf = q.poll()) != null) {
                buf.release();
            }
        }
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

    /** A packet whose buffer the allocator holds a reference to: the buffer is kept unless someone else still holds it. */
    private void releasedKept(Packet packet) {
        outstanding.decrement();
        PacketLedger.released(packet);
        ByteBuf buf = packet.buf();
        if (buf.refCnt() != 1 || buf.capacity() > KEEP_MAX || !keptBuffers(buf.capacity()).offer(buf)) {
            buf.release(); // a slice of it lives on, it grew, or enough of its size are kept
        }
        keptPackets.give(packet);
    }
}
