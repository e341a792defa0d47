package net.tern.udp.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.SocketApi;
import net.tern.api.socket.SocketConstants;
import net.tern.core.testing.FakeDevice;
import net.tern.core.testing.TestStack;
import net.tern.inet.impl.Inet;
import net.tern.inet.impl.InetSettings;
import net.tern.link.loopback.LoopbackDevice;
import net.tern.socket.SocketLayer;
import net.tern.spi.net.EtherType;
import net.tern.spi.net.IfAddress;
import net.tern.spi.net.Packet;
import net.tern.spi.net.PacketAllocator;
import net.tern.udp.impl.Udp;
import net.tern.udp.impl.UdpInit;
import net.tern.udp.impl.UdpSettings;

/**
 * A whole UDP/IPv4 stack without OSGi, wired as the bundles wire it: the core's
 * {@link TestStack} in virtual time (which is also the network thread), IPv4 ({@link Inet},
 * with {@code ip_rcv} as the IPv4 packet handler and the FIB as a link listener), the
 * loopback link {@code lo}, the socket layer with AF_INET registered, and UDP started by its
 * real component ({@link UdpInit}) against a {@link ServiceWiring} that feeds its services
 * into IPv4's whiteboards. Applications use {@link #api()}, the real {@link SocketApi}.
 *
 * <p>Packets move only when the test lets time run: {@link #runUntilIdle()} after a send
 * delivers it (through loopback, or to a {@link FakeDevice}).
 *
 * <pre>{@code
 * try (UdpTestBed bed = new UdpTestBed()) {
 *     SocketApi api = bed.api();
 *     int a = bed.udpSocket();
 *     api.bind(a, new InetSockAddr(InetSockAddr.INADDR_LOOPBACK, 5000));
 *     ...
 *     bed.runUntilIdle();
 * }
 * }</pre>
 */
public final class UdpTestBed implements AutoCloseable {
    private final TestStack stack = new TestStack();
    private final Inet inet;
    private final SocketLayer api;
    private final ServiceWiring wiring;
    private final UdpSettings settings;
    private final SplittableRandom seeds;
    private final List<FakeDevice> fakes = new ArrayList<>();
    private PacketAllocator udpAllocator;
    private UdpInit udpInit;

    /** Linux's default settings, a fixed seed. */
    public UdpTestBed() throws ErrnoException {
        this(UdpSettings.defaults(), 42);
    }

    /** {@code settings} for UDP; {@code seed} drives IP identifications and ephemeral port choices. */
    public UdpTestBed(UdpSettings settings, long seed) throws ErrnoException {
        this.settings = settings;
        this.seeds = new SplittableRandom(seed);
        this.inet = new Inet(stack.clock(), stack.timers(), stack.allocator(), InetSettings.defaults(),
                new Random(seeds.nextLong()));
        stack.addPacketHandler(EtherType.IPV4, inet.input());
        stack.addLinkListener(inet.fib());
        stack.register(new LoopbackDevice());
        this.api = new SocketLayer(stack.clock(), stack.timers());
        api.bindFamily(inet.family(), Map.of("family", SocketConstants.AF_INET));
        this.wiring = new ServiceWiring(inet);
        this.udpAllocator = stack.allocator();
        startUdp();
    }

    public SocketApi api() {
        return api;
    }

    /** The socket layer itself, for its diagnostics. */
    public SocketLayer socketLayer() {
        return api;
    }

    public TestStack stack() {
        return stack;
    }

    public Inet inet() {
        return inet;
    }

    public ServiceWiring wiring() {
        return wiring;
    }

    /** The running UDP; {@link IllegalStateException} while it is stopped. */
    public Udp udp() {
        if (udpInit == null) {
            throw new IllegalStateException("UDP is stopped");
        }
        return udpInit.udp();
    }

    /** Makes UDP allocate its packets from {@code allocator} from its next start on (e.g. one that runs dry). */
    public void useAllocatorForUdp(PacketAllocator allocator) {
        this.udpAllocator = allocator;
    }

    /** Starts UDP as its bundle starting would: the component activates and registers its services. */
    public void startUdp() {
        if (udpInit != null) {
            throw new IllegalStateException("UDP is running already");
        }
        udpInit = new UdpInit(wiring.context(), inet.fib(), inet.output(), inet.icmp(), inet.snmp(), udpAllocator,
                settings, new SplittableRandom(seeds.nextLong()));
    }

    /** Stops UDP as its bundle stopping would: the component deactivates. */
    public void stopUdp() {
        if (udpInit == null) {
            throw new IllegalStateException("UDP is stopped already");
        }
        udpInit.deactivate();
        udpInit = null;
        stack.runUntilIdle();
    }

    public boolean udpRunning() {
        return udpInit != null;
    }

    /** A non-blocking AF_INET datagram socket. */
    public int udpSocket() throws ErrnoException {
        return api.socket(SocketConstants.AF_INET, SocketConstants.SOCK_DGRAM | SocketConstants.SOCK_NONBLOCK, 0);
    }

    /** Registers a point-to-point fake link with {@code mtu} and {@code addresses} ("a.b.c.d/n"). */
    public FakeDevice fake(String name, int mtu, String... addresses) throws ErrnoException {
        List<IfAddress> list = new ArrayList<>();
        for (String a : addresses) {
            list.add(IfAddress.parse(a));
        }
        FakeDevice device = new FakeDevice(name, mtu, 65535, list);
        fakes.add(device);
        stack.register(device);
        return device;
    }

    /** Injects {@code ipv4} as a packet received by {@code device}, and runs until idle. */
    public void inject(FakeDevice device, byte[] ipv4) {
        device.inject(stack.packet(EtherType.IPV4, ipv4));
        stack.runUntilIdle();
    }

    /** Takes what {@code device} transmitted, as byte arrays (from the IPv4 header), releasing the packets. */
    public static List<byte[]> drain(FakeDevice device) {
        List<byte[]> out = new ArrayList<>();
        Packet p;
        while ((p = device.takeTransmitted()) != null) {
            byte[] bytes = new byte[p.length()];
            p.buf().getBytes(p.buf().readerIndex(), bytes);
            p.release();
            out.add(bytes);
        }
        return out;
    }

    /** Runs queued packets and due timers until nothing is left; time stays. */
    public void runUntilIdle() {
        stack.runUntilIdle();
    }

    public void advance(long amount, TimeUnit unit) {
        stack.advance(amount, unit);
    }

    /** {@code Udp<name>}. */
    public long udp(String counter) {
        return inet.counter("Udp", counter);
    }

    public long ip(String counter) {
        return inet.counter("Ip", counter);
    }

    public long icmp(String counter) {
        return inet.counter("Icmp", counter);
    }

    /**
     * Closes every descriptor, stops UDP, unregisters the links and releases what fakes and
     * reassembly still hold, so a leak check sees only the test's own leaks.
     */
    @Override
    public void close() {
        api.deactivate();
        stack.runUntilIdle();
        if (udpInit != null) {
            stopUdp();
        }
        stack.close();
        for (FakeDevice f : fakes) {
            f.releaseTransmitted();
        }
        inet.close();
        stack.runUntilIdle();
    }
}
