package net.tern.udp.testing;

import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.SocketApi;
import net.tern.api.socket.SocketConstants;
import net.tern.core.testing.FakeDevice;
import net.tern.inet.impl.InetSettings;
import net.tern.inet.testing.InetTestBed;
import net.tern.socket.SocketLayer;
import net.tern.spi.net.Packet;
import net.tern.spi.net.PacketAllocator;
import net.tern.udp.impl.Udp;
import net.tern.udp.impl.UdpInit;
import net.tern.udp.impl.UdpSettings;

/**
 * A whole UDP/IPv4 stack without OSGi, wired as the bundles wire it: IPv4 on the core's
 * {@code TestStack} in virtual time (an {@link InetTestBed}, whose links, fake devices,
 * injection and counters it offers), the loopback link {@code lo}, the socket layer with
 * AF_INET registered, and UDP started by its real component ({@link UdpInit}) against a
 * {@link ServiceWiring} that feeds its services into IPv4's whiteboards. Applications use
 * {@link #api()}, the real {@link SocketApi}.
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
public final class UdpTestBed extends InetTestBed {
    private final SocketLayer api;
    private final ServiceWiring wiring;
    private final UdpSettings settings;
    private final SplittableRandom seeds;
    private PacketAllocator udpAllocator;
    private UdpInit udpInit;

    /** Linux's default settings, a fixed seed. */
    public UdpTestBed() throws ErrnoException {
        this(UdpSettings.defaults(), 42);
    }

    /** {@code settings} for UDP; {@code seed} drives IP identifications and ephemeral port choices. */
    public UdpTestBed(UdpSettings settings, long seed) throws ErrnoException {
        this(settings, new SplittableRandom(seed));
    }

    private UdpTestBed(UdpSettings settings, SplittableRandom seeds) throws ErrnoException {
        super(InetSettings.defaults(), new Random(seeds.nextLong()));
        this.settings = settings;
        this.seeds = seeds;
        loopback();
        this.api = new SocketLayer(stack().clock(), stack().timers());
        api.bindFamily(inet().family(), Map.of("family", SocketConstants.AF_INET));
        inet().procFiles().forEach(file -> api.addProcFile(file.path(), file));
        this.wiring = new ServiceWiring(inet());
        this.udpAllocator = stack().allocator();
        startUdp();
    }

    public SocketApi api() {
        return api;
    }

    /** The socket layer itself, for its diagnostics. */
    public SocketLayer socketLayer() {
        return api;
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

    /** The running UDP component, as DS holds it (for configuration updates). */
    public UdpInit component() {
        if (udpInit == null) {
            throw new IllegalStateException("UDP is stopped");
        }
        return udpInit;
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
        udpInit = new UdpInit(wiring.context(), inet().fib(), inet().output(), inet().icmp(), inet().snmp(),
                udpAllocator, inet().localPorts(), settings, new SplittableRandom(seeds.nextLong()));
    }

    /** Stops UDP as its bundle stopping would: the component deactivates. */
    public void stopUdp() {
        if (udpInit == null) {
            throw new IllegalStateException("UDP is stopped already");
        }
        udpInit.deactivate();
        udpInit = null;
        runUntilIdle();
    }

    public boolean udpRunning() {
        return udpInit != null;
    }

    /** A non-blocking AF_INET datagram socket. */
    public int udpSocket() throws ErrnoException {
        return api.socket(SocketConstants.AF_INET, SocketConstants.SOCK_DGRAM | SocketConstants.SOCK_NONBLOCK, 0);
    }

    /**
     * The true size of a packet with room for {@code capacity} bytes from this stack's pool:
     * what a datagram in it is charged ({@code Packet.truesize}: the pool's size class for
     * that capacity plus the packet's overhead), measured on a packet allocated and released.
     */
    public int truesize(int capacity) {
        Packet probe = stack().allocator().allocate(0, capacity);
        try {
            return probe.truesize();
        } finally {
            probe.release();
        }
    }

    /** {@code Udp<name>}. */
    public long udp(String counter) {
        return inet().counter("Udp", counter);
    }

    /**
     * Closes every descriptor and stops UDP, then closes IPv4's bed: unregisters the links and
     * releases what fakes and reassembly still hold, so a leak check sees only the test's own
     * leaks.
     */
    @Override
    public void close() {
        api.deactivate();
        runUntilIdle();
        if (udpInit != null) {
            stopUdp();
        }
        super.close();
    }
}
