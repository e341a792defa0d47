package net.tern.tcp.testing;

import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import net.tern.core.testing.VirtualTime;
import net.tern.spi.net.IfAddress;
import net.tern.spi.net.LinkFlags;
import net.tern.spi.net.NetDevice;
import net.tern.spi.net.NetDeviceContext;
import net.tern.spi.net.Packet;
import net.tern.spi.net.PacketAllocator;

/**
 * A point-to-point wire between two hosts in one virtual time: each end is a
 * {@link NetDevice}; what one end transmits arrives at the other after a latency, unless
 * the seeded schedule drops it, and it may be duplicated or delayed further (reordered).
 * Like TUN, there is no link-layer header.
 */
public final class WireLink {
    /** What the wire does to packets; probabilities in [0, 1]. */
    public record Impairment(double loss, double duplicate, double reorder, long latencyMicros, long reorderExtraMicros) {
        public static Impairment clean(long latencyMicros) {
            return new Impairment(0, 0, 0, latencyMicros, 0);
        }
    }

    private final VirtualTime time;
    private final PacketAllocator allocator;
    private final SplittableRandom random;
    private volatile Impairment impairment;
    private final End a;
    private final End b;
    private long delivered;
    private long dropped;
    /** The wire's rate in bits per second (0: none, packets take only the latency). */
    private volatile long bitsPerSecond;

    public WireLink(VirtualTime time, PacketAllocator allocator, long seed, Impairment impairment, String nameA,
            String addressA, String nameB, String addressB, int mtu) {
        this.time = time;
        this.allocator = allocator;
        this.random = new SplittableRandom(seed);
        this.impairment = impairment;
        this.a = new End(nameA, IfAddress.parse(addressA), mtu);
        this.b = new End(nameB, IfAddress.parse(addressB), mtu);
        a.peer = b;
        b.peer = a;
    }

    public NetDevice a() {
        return a;
    }

    public NetDevice b() {
        return b;
    }

    public void impairment(Impairment value) {
        this.impairment = value;
    }

    /**
     * A rate for each direction: a packet takes its length's time on the wire after those
     * before it, then the latency, so a window's segments arrive spread as over a bottleneck.
     */
    public WireLink rate(long bitsPerSecond) {
        this.bitsPerSecond = bitsPerSecond;
        return this;
    }

    public synchronized long delivered() {
        return delivered;
    }

    public synchronized long dropped() {
        return dropped;
    }

    private synchronized double draw() {
        return random.nextDouble();
    }

    private void carry(End to, Packet packet) {
        Impairment imp = impairment;
        if (draw() < imp.loss()) {
            synchronized (this) {
                dropped++;
            }
            packet.release();
            return;
        }
        if (draw() < imp.duplicate()) {
            schedule(to, copy(packet), imp.latencyMicros() + imp.reorderExtraMicros());
        }
        long delay = imp.latencyMicros() + (draw() < imp.reorder() ? imp.reorderExtraMicros() : 0);
        long rate = bitsPerSecond;
        if (rate > 0) {
            synchronized (this) {
                long now = time.nanoTime();
                long start = Math.max(now, to.busyUntilNanos);
                to.busyUntilNanos = start + packet.length() * 8L * 1_000_000_000L / rate;
                delay += (to.busyUntilNanos - now) / 1000;
            }
        }
        schedule(to, packet, delay);
    }

    private Packet copy(Packet packet) {
        Packet copy = allocator.allocate(128, packet.length());
        copy.buf().writeBytes(packet.buf(), packet.buf().readerIndex(), packet.length());
        return copy.protocol(packet.protocol());
    }

    private void schedule(End to, Packet packet, long delayMicros) {
        time.schedule(Math.max(1, delayMicros), TimeUnit.MICROSECONDS, () -> {
            NetDeviceContext ctx = to.context;
            if (ctx == null) {
                packet.release();
                return;
            }
            synchronized (this) {
                delivered++;
            }
            ctx.receive(packet);
        });
    }

    private final class End implements NetDevice {
        private final String name;
        private final IfAddress address;
        private final int mtu;
        private End peer;
        private volatile NetDeviceContext context;
        /** When the packets sent toward this end so far have left the wire ({@link #rate}). */
        private long busyUntilNanos;

        End(String name, IfAddress address, int mtu) {
            this.name = name;
            this.address = address;
            this.mtu = mtu;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public int type() {
            return LinkFlags.ARPHRD_NONE;
        }

        @Override
        public int flags() {
            return LinkFlags.IFF_POINTOPOINT | LinkFlags.IFF_NOARP;
        }

        @Override
        public int mtu() {
            return mtu;
        }

        @Override
        public int maxMtu() {
            return 65535;
        }

        @Override
        public List<IfAddress> addresses() {
            return List.of(address);
        }

        @Override
        public void open(NetDeviceContext ctx) {
            context = ctx;
        }

        @Override
        public void stop() {
            context = null;
        }

        @Override
        public void transmit(Packet packet) {
            if (context == null) {
                packet.release();
                return;
            }
            carry(peer, packet);
        }
    }
}
