package net.tern.bench;

import java.security.SecureRandom;
import java.util.Map;
import java.util.Random;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.SocketApi;
import net.tern.api.socket.SocketConstants;
import net.tern.core.dev.DeviceRegistry;
import net.tern.core.dev.ReceiveDispatcher;
import net.tern.core.packet.PooledPacketAllocator;
import net.tern.core.softirq.NetworkLoop;
import net.tern.core.time.HashedTimerWheel;
import net.tern.core.time.SystemClock;
import net.tern.inet.impl.Inet;
import net.tern.inet.impl.InetSettings;
import net.tern.link.loopback.LoopbackDevice;
import net.tern.socket.SocketLayer;
import net.tern.spi.net.EtherType;
import net.tern.spi.net.Link;
import net.tern.spi.net.NetDevice;
import net.tern.tcp.impl.Tcp;
import net.tern.tcp.impl.TcpSettings;
import net.tern.udp.impl.Udp;
import net.tern.udp.impl.UdpSettings;

/**
 * A whole Tern stack in real time, wired by hand as the bundles wire it in OSGi (and as the
 * TCP tests' {@code Host} does in virtual time): {@link SystemClock}, the {@link NetworkLoop}
 * thread with its timer wheel, pooled packets, the device registry and receive dispatch,
 * IPv4, TCP and UDP registered as protosw and IP protocols, and the socket layer with
 * AF_INET. {@code lo} is registered at once; other devices (a TUN) with {@link #register}.
 */
final class TernStack implements AutoCloseable {
    /** The timer wheel's tick, as NetworkLoop's DS default (1 ms). */
    private static final long TICK_NANOS = 1_000_000;

    private final SystemClock clock = new SystemClock();
    private final NetworkLoop loop;
    private final PooledPacketAllocator allocator = new PooledPacketAllocator();
    private final ReceiveDispatcher dispatcher = new ReceiveDispatcher();
    private final DeviceRegistry registry;
    private final Inet inet;
    private final Tcp tcp;
    private final Udp udp;
    private final SocketLayer sockets;

    /** A stack whose socket layer allows {@code maxDescriptors} open descriptors. */
    TernStack(int maxDescriptors) throws ErrnoException {
        Random random = new SecureRandom();
        // One network thread per core, as the bundle's default: timers and TUN input by flow.
        loop = new NetworkLoop(clock, TICK_NANOS, HashedTimerWheel.DEFAULT_WHEEL_SIZE,
                Runtime.getRuntime().availableProcessors());
        loop.start();
        registry = new DeviceRegistry(loop, loop, clock, allocator, dispatcher);
        inet = new Inet(clock, loop, allocator, InetSettings.defaults(), random);
        dispatcher.addHandler(inet.input(), EtherType.IPV4, 0, 1);
        registry.addListener(inet.fib());
        tcp = new Tcp(clock, loop, loop, allocator, inet.output(), inet.fib(), inet.snmp(), inet.localPorts(), TcpSettings.defaults(),
                random);
        inet.addProtocol(tcp, SocketConstants.IPPROTO_TCP);
        inet.family().addProtoSw(tcp.protoSw(), 0, 1);
        udp = new Udp(inet.fib(), inet.output(), inet.icmp(), inet.snmp(), allocator, inet.localPorts(), UdpSettings.defaults(),
                random);
        inet.addProtocol(udp.input(), SocketConstants.IPPROTO_UDP);
        inet.family().addProtoSw(udp.protoSw(), 0, 2);
        sockets = new SocketLayer(clock, loop, maxDescriptors);
        sockets.bindFamily(inet.family(), Map.of("family", SocketConstants.AF_INET));
        registry.register(new LoopbackDevice());
    }

    SocketApi api() {
        return sockets;
    }

    /** How many network threads the stack runs. */
    int networkThreads() {
        return loop.count();
    }

    Link register(NetDevice device) throws ErrnoException {
        return registry.register(device);
    }

    void unregister(NetDevice device) {
        registry.unregister(device);
    }

    /** Packets allocated and not yet released: a leak shows here after a benchmark. */
    long outstandingPackets() {
        return allocator.outstanding();
    }

    /** Packets dropped because a link's receive backlog was full. */
    long backlogDrops() {
        return dispatcher.backlogDrops();
    }

    long tcpCounter(String name) {
        return counter("Tcp", name);
    }

    /** A counter of the stack's SNMP group (Tcp, TcpExt, ...), -1 when there is none. */
    long counter(String group, String name) {
        return inet.snmp().group(group).map(g -> g.get(name)).orElse(-1L);
    }

    @Override
    public void close() {
        tcp.close();
        udp.shutdown();
        registry.close();
        loop.stop();
        inet.close();
    }
}
