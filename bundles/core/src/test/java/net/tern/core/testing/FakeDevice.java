package net.tern.core.testing;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import net.tern.api.socket.ErrnoException;
import net.tern.spi.net.IfAddress;
import net.tern.spi.net.LinkFlags;
import net.tern.spi.net.NetDevice;
import net.tern.spi.net.NetDeviceContext;
import net.tern.spi.net.Packet;

/**
 * A point-to-point device for tests: it keeps what the stack transmits (so a test can look at
 * the bytes, then {@link #releaseTransmitted() release} them) and {@link #inject injects}
 * packets as if they came off the wire. Like a TUN device it has no link-layer header.
 */
public final class FakeDevice implements NetDevice {
    private final String name;
    private final int mtu;
    private final int maxMtu;
    private final List<IfAddress> addresses;
    private final Deque<Packet> transmitted = new ArrayDeque<>();
    private volatile int features;
    private volatile NetDeviceContext context;
    private volatile ErrnoException openFailure;
    private int opens;
    private int stops;

    /** {@code name}, MTU 1500 (maximum 65535), no addresses. */
    public FakeDevice(String name) {
        this(name, 1500, 65535, List.of());
    }

    public FakeDevice(String name, int mtu, int maxMtu, List<IfAddress> addresses) {
        this.name = name;
        this.mtu = mtu;
        this.maxMtu = maxMtu;
        this.addresses = List.copyOf(addresses);
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
    public int features() {
        return features;
    }

    /** Sets the offloads the device claims ({@link net.tern.spi.net.NetdevFeatures}); none by default. */
    public FakeDevice features(int value) {
        this.features = value;
        return this;
    }

    @Override
    public int mtu() {
        return mtu;
    }

    @Override
    public int maxMtu() {
        return maxMtu;
    }

    @Override
    public List<IfAddress> addresses() {
        return addresses;
    }

    /** Makes the next {@link #open} fail with {@code failure} (null: open succeeds). */
    public void failOpenWith(ErrnoException failure) {
        this.openFailure = failure;
    }

    @Override
    public synchronized void open(NetDeviceContext ctx) throws ErrnoException {
        ErrnoException failure = openFailure;
        if (failure != null) {
            throw failure;
        }
        opens++;
        context = ctx;
    }

    @Override
    public synchronized void stop() {
        stops++;
        context = null;
    }

    /** Whether the device is open (between {@link #open} and {@link #stop}). */
    public boolean isOpen() {
        return context != null;
    }

    public synchronized int opens() {
        return opens;
    }

    public synchronized int stops() {
        return stops;
    }

    @Override
    public synchronized void transmit(Packet packet) {
        if (context == null) {
            // Not open: the packet goes nowhere.
            packet.release();
            return;
        }
        transmitted.add(packet);
    }

    /** The packets transmitted and not yet taken, oldest first; the device still owns them. */
    public synchronized List<Packet> transmitted() {
        return new ArrayList<>(transmitted);
    }

    /** Takes the oldest transmitted packet (the caller owns it), or null. */
    public synchronized Packet takeTransmitted() {
        return transmitted.poll();
    }

    /** Releases every transmitted packet not taken. */
    public synchronized void releaseTransmitted() {
        Packet p;
        while ((p = transmitted.poll()) != null) {
            p.release();
        }
    }

    /** Hands {@code packet} to the stack as received by this device ({@code netif_rx}). */
    public void inject(Packet packet) {
        NetDeviceContext ctx = context;
        if (ctx == null) {
            throw new IllegalStateException(name + " is not open");
        }
        ctx.receive(packet);
    }

    /** The context the stack gave at open, or null when stopped. */
    public NetDeviceContext context() {
        return context;
    }
}
