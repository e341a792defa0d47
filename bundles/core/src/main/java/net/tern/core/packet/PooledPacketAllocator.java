package net.tern.core.packet;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;
import net.tern.spi.net.Packet;
import net.tern.spi.net.PacketAllocator;
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
 * {@link #outstanding()} is exact. A released packet object is kept by the thread that
 * released it (up to {@value #SPARES}) and made new around the next buffer that thread
 * allocates ({@link Packet#reuse}), as Netty's pool keeps the buffer objects: a thread that
 * receives and sends packets in steady state allocates no object for them. With {@code tern.leakCheck=strict} each live packet's
 * allocation stack is also recorded in the {@link PacketLedger}.
 */
@Component(service = PacketAllocator.class, immediate = true)
public final class PooledPacketAllocator implements PacketAllocator {
    private final ByteBufAllocator buffers;
    private final boolean recordSites;
    private final LongAdder outstanding = new LongAdder();
    private final LongAdder allocated = new LongAdder();
    private final Packet.ReleaseHook onRelease = this::released;
    /** Packets one thread keeps for reuse, at most. */
    static final int SPARES = 256;
    /** This allocator's released packets, per thread. */
    private final FastThreadLocal<Spares> spares = new FastThreadLocal<>() {
        @Override
        protected Spares initialValue() {
            return new Spares();
        }
    };

    /** A thread's released packets, a stack. */
    private static final class Spares {
        final Packet[] stack = new Packet[SPARES];
        int count;
    }

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

    /** A packet around {@code buf}: one this thread released, else a new one. */
    private Packet packet(ByteBuf buf) {
        Spares mine = spares.get();
        if (mine.count == 0) {
            return new Packet(buf, onRelease);
        }
        Packet packet = mine.stack[--mine.count];
        mine.stack[mine.count] = null;
        return packet.reuse(buf);
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
        Spares mine = spares.get();
        if (mine.count < SPARES) {
            mine.stack[mine.count++] = packet;
        }
    }
}
