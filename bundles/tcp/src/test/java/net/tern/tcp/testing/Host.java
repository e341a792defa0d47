package net.tern.tcp.testing;

import java.util.Map;
import java.util.Random;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.SocketApi;
import net.tern.core.dev.DeviceRegistry;
import net.tern.core.dev.ReceiveDispatcher;
import net.tern.core.testing.VirtualTime;
import net.tern.inet.impl.Inet;
import net.tern.inet.impl.InetSettings;
import net.tern.inet6.impl.Inet6;
import net.tern.inet6.impl.Inet6Settings;
import net.tern.link.loopback.LoopbackDevice;
import net.tern.socket.SocketLayer;
import net.tern.spi.net.EtherType;
import net.tern.spi.net.Link;
import net.tern.spi.net.NetDevice;
import net.tern.spi.net.PacketAllocator;
import net.tern.spi.net.TimerService;
import net.tern.tcp.impl.Tcp;
import net.tern.tcp.impl.TcpExtMib;
import net.tern.tcp.impl.TcpIpv6;
import net.tern.tcp.impl.TcpMib;
import net.tern.tcp.impl.TcpSettings;

/**
 * One host of a test network, wired as the bundles wire it in OSGi but by hand: its own
 * device registry and receive dispatcher, IPv4 ({@link Inet}), TCP ({@link Tcp}) registered
 * as protosw and IP protocol 6, and the socket layer with AF_INET, on a {@link VirtualTime}
 * and packet allocator it may share with other hosts (so two hosts live in one time).
 */
public final class Host implements AutoCloseable {
    private final VirtualTime time;
    private final PacketAllocator allocator;
    private final ReceiveDispatcher dispatcher = new ReceiveDispatcher();
    private final DeviceRegistry registry;
    private final Inet inet;
    private final Tcp tcp;
    private final SocketLayer sockets;
    private Inet6 inet6;
    private TcpIpv6 tcpIpv6;

    public Host(VirtualTime time, PacketAllocator allocator, TcpSettings settings, long seed) {
        this(time, time, allocator, settings, seed);
    }

    /** With {@code tcpTimers} as TCP's timer service (a wrapper of {@code time} that watches what TCP schedules). */
    public Host(VirtualTime time, TimerService tcpTimers, PacketAllocator allocator, TcpSettings settings, long seed) {
        this.time = time;
        this.allocator = allocator;
        this.registry = new DeviceRegistry(time, time, time, allocator, dispatcher);
        this.inet = new Inet(time, time, allocator, InetSettings.defaults(), new Random(seed));
        dispatcher.addHandler(inet.input(), EtherType.IPV4, 0, 1);
        registry.addListener(inet.fib());
        this.tcp = new Tcp(time, tcpTimers, time, allocator, inet.output(), inet.fib(), inet.snmp(), inet.localPorts(), settings,
                new Random(seed + 1));
        inet.addProtocol(tcp, 6);
        inet.family().addProtoSw(tcp.protoSw(), 0, 1);
        this.sockets = new SocketLayer(time, time);
        sockets.bindFamily(inet.family(), Map.of("family", 2));
    }

    /**
     * Adds IPv6 ({@code inet6_init}: {@code ipv6_rcv}, addrconf, AF_INET6) and TCP over it
     * ({@link TcpIpv6}), wired as the inet6 bundle and {@code TcpV6Init} wire them; call before
     * registering devices, so they get their IPv6 addresses ({@code ::1} on {@code lo}).
     */
    public Host withIpv6(long seed) {
        inet6 = new Inet6(time, time, allocator, Inet6Settings.defaults(), new Random(seed));
        dispatcher.addHandler(inet6.input(), EtherType.IPV6, 0, 2);
        registry.addListener(inet6.addrconf());
        tcpIpv6 = new TcpIpv6(tcp, inet6.transport(), inet.fib());
        tcpIpv6.start();
        inet6.protocols().add(6, tcpIpv6);
        inet6.family().addProtoSw(tcpIpv6.protoSw(), 0, 1);
        sockets.bindFamily(inet6.family(), Map.of("family", 10));
        return this;
    }

    /** IPv6 leaves, as when the inet6 bundle stops: AF_INET6 goes, then TCP's IPv6 side, then {@code ipv6_rcv}. */
    public void stopIpv6() {
        sockets.unbindFamily(inet6.family(), Map.of("family", 10));
        inet6.family().removeProtoSw(tcpIpv6.protoSw(), 1);
        tcpIpv6.stop();
        inet6.protocols().remove(6, tcpIpv6);
        dispatcher.removeHandler(inet6.input());
    }

    /** IPv6, once {@link #withIpv6}. */
    public Inet6 inet6() {
        return inet6;
    }

    public Link register(NetDevice device) throws ErrnoException {
        return registry.register(device);
    }

    public void unregister(NetDevice device) {
        registry.unregister(device);
    }

    /** Registers {@code lo}. */
    public Link loopback() throws ErrnoException {
        return registry.register(new LoopbackDevice());
    }

    /** The registered link named {@code name} ({@code lo}). */
    public Link link(String name) {
        return registry.byName(name).orElseThrow();
    }

    public SocketApi api() {
        return sockets;
    }

    public SocketLayer socketLayer() {
        return sockets;
    }

    public Tcp tcp() {
        return tcp;
    }

    public Inet inet() {
        return inet;
    }

    public VirtualTime time() {
        return time;
    }

    /** A TCP counter's value (0 while {@link FrozenCounters frozen}). */
    public long counter(TcpMib counter) {
        return FrozenCounters.read(counter, tcp.counters().get(counter));
    }

    /** A TCP counter's value (0 while {@link FrozenCounters frozen}). */
    public long counter(TcpExtMib counter) {
        return FrozenCounters.read(counter, tcp.counters().get(counter));
    }

    /** Aborts what TCP holds, takes the devices down and drops reassembly state. */
    @Override
    public void close() {
        tcp.close();
        registry.close();
        time.runPending();
        inet.close();
        if (inet6 != null) {
            inet6.close();
        }
    }
}
