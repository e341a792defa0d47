package net.tern.core.testing;

import java.util.concurrent.TimeUnit;
import net.tern.api.socket.ErrnoException;
import net.tern.core.dev.DeviceRegistry;
import net.tern.core.dev.ReceiveDispatcher;
import net.tern.core.packet.PooledPacketAllocator;
import net.tern.spi.net.Clock;
import net.tern.spi.net.Link;
import net.tern.spi.net.LinkListener;
import net.tern.spi.net.LinkRegistry;
import net.tern.spi.net.NetDevice;
import net.tern.spi.net.NetworkThread;
import net.tern.spi.net.Packet;
import net.tern.spi.net.PacketAllocator;
import net.tern.spi.net.PacketHandler;
import net.tern.spi.net.TimerService;

/**
 * The core of the stack assembled without OSGi, for tests of the bundles built on it: the
 * real {@link DeviceRegistry}, {@link ReceiveDispatcher} and {@link PooledPacketAllocator},
 * on {@link VirtualTime}, which is also the network thread. Register devices, packet
 * handlers and link listeners as their services would be, then {@link #runUntilIdle()} or
 * {@link #advance} to let packets and timers move.
 *
 * <pre>{@code
 * TestStack stack = new TestStack();
 * stack.addPacketHandler(EtherType.IPV4, packet -> { ...; packet.release(); });
 * Link lo = stack.register(device);
 * lo.transmit(stack.packet(EtherType.IPV4, bytes));
 * stack.runUntilIdle();
 * }</pre>
 */
public final class TestStack implements AutoCloseable {
    /** Headroom of {@link #packet} packets: room for the headers of every layer below. */
    public static final int DEFAULT_HEADROOM = 128;

    private final VirtualTime time = new VirtualTime();
    private final PooledPacketAllocator allocator;
    private final ReceiveDispatcher dispatcher = new ReceiveDispatcher();
    private final DeviceRegistry registry;
    /** Stands in for service ids: earlier registrations win ties in ranking, as in OSGi. */
    private long nextHandlerOrder = 1;

    /** With the allocator the stack itself uses (allocation sites recorded in strict leak checking). */
    public TestStack() {
        this(new PooledPacketAllocator());
    }

    /** With {@code allocator}: one that records no allocation sites, for tests that measure allocation. */
    public TestStack(PooledPacketAllocator allocator) {
        this.allocator = allocator;
        this.registry = new DeviceRegistry(time, time, time, allocator, dispatcher);
    }

    public VirtualTime time() {
        return time;
    }

    public Clock clock() {
        return time;
    }

    public TimerService timers() {
        return time;
    }

    public NetworkThread networkThread() {
        return time;
    }

    public PacketAllocator allocator() {
        return allocator;
    }

    public LinkRegistry links() {
        return registry;
    }

    public DeviceRegistry registry() {
        return registry;
    }

    public ReceiveDispatcher dispatcher() {
        return dispatcher;
    }

    /** As a {@link NetDevice} service arriving: index, initial addresses, brought up. */
    public Link register(NetDevice device) throws ErrnoException {
        return registry.register(device);
    }

    /** As the device's service leaving: down, then unregistered. */
    public void unregister(NetDevice device) {
        registry.unregister(device);
    }

    /** As a {@link PacketHandler} service with {@code ethertype} and no ranking. */
    public void addPacketHandler(int ethertype, PacketHandler handler) {
        addPacketHandler(ethertype, 0, handler);
    }

    /** As a {@link PacketHandler} service with {@code ethertype} and {@code service.ranking}. */
    public synchronized void addPacketHandler(int ethertype, int ranking, PacketHandler handler) {
        dispatcher.addHandler(handler, ethertype, ranking, nextHandlerOrder++);
    }

    public void removePacketHandler(PacketHandler handler) {
        dispatcher.removeHandler(handler);
    }

    /** As a {@link LinkListener} service: first hears REGISTER and UP for the links there. */
    public void addLinkListener(LinkListener listener) {
        registry.addListener(listener);
    }

    public void removeLinkListener(LinkListener listener) {
        registry.removeListener(listener);
    }

    /** Runs queued tasks and the timers due now until nothing is left to do; time stays. */
    public void runUntilIdle() {
        time.advance(0, TimeUnit.NANOSECONDS);
    }

    /** Moves virtual time forward, running timers and tasks on the way. */
    public void advance(long amount, TimeUnit unit) {
        time.advance(amount, unit);
    }

    /**
     * A packet of type {@code ethertype} holding {@code data}, with {@link #DEFAULT_HEADROOM}
     * bytes free in front for headers.
     */
    public Packet packet(int ethertype, byte... data) {
        Packet packet = allocator.allocate(DEFAULT_HEADROOM, data.length);
        packet.buf().writeBytes(data);
        return packet.protocol(ethertype);
    }

    /** Packets nobody handled (the stack-wide "unknown packet type" count). */
    public long unknownTypeDrops() {
        return dispatcher.unknownTypeDrops();
    }

    /** Unregisters every device and runs until idle, so packets in flight are released. */
    @Override
    public void close() {
        registry.close();
        runUntilIdle();
    }
}
