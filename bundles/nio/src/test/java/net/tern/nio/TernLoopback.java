package net.tern.nio;

import java.security.SecureRandom;
import java.util.Map;
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
import net.tern.inet6.impl.Inet6;
import net.tern.inet6.impl.Inet6Settings;
import net.tern.tcp.impl.Tcp;
import net.tern.tcp.impl.TcpIpv6;
import net.tern.tcp.impl.TcpSettings;
import net.tern.udp.impl.Udp;
import net.tern.udp.impl.UdpIpv6;
import net.tern.udp.impl.UdpSettings;

/**
 * A Tern stack with only {@code lo}, in real time, wired by hand as the bundles wire it in
 * OSGi: the system clock, the network thread with its timer wheel, pooled packets, IPv4, IPv6
 * (unless {@link #ipv4Only()}), TCP and UDP over both, the socket layer; and the provider over it.
 */
public final class TernLoopback implements AutoCloseable {
    private final NetworkLoop loop;
    private final PooledPacketAllocator allocator = new PooledPacketAllocator();
    private final DeviceRegistry registry;
    private final Inet inet;
    private final SystemClock clock = new SystemClock();
    private final SecureRandom random = new SecureRandom();
    private Tcp tcp;
    private long tcpOrder = 1;
    private final Udp udp;
    private final SocketLayer sockets;
    private final TernSelectorProvider provider;
    /** IPv6, or null for a stack of IPv4 alone. */
    private final Inet6 inet6;
    private TcpIpv6 tcpIpv6;

    /** A stack with IPv4 and IPv6, as the bundles run by default. */
    public TernLoopback() throws ErrnoException {
        this(true);
    }

    /** A stack without the AF_INET6 family, as when the inet6 bundle is not installed. */
    public static TernLoopback ipv4Only() throws ErrnoException {
        return new TernLoopback(false);
    }

    private TernLoopback(boolean withIpv6) throws ErrnoException {
        ReceiveDispatcher dispatcher = new ReceiveDispatcher();
        // One network thread per core, as the bundle's default.
        loop = new NetworkLoop(clock, 1_000_000, HashedTimerWheel.DEFAULT_WHEEL_SIZE,
                Runtime.getRuntime().availableProcessors());
        loop.start();
        registry = new DeviceRegistry(loop, loop, clock, allocator, dispatcher);
        inet = new Inet(clock, loop, allocator, InetSettings.defaults(), random);
        dispatcher.addHandler(inet.input(), EtherType.IPV4, 0, 1);
        registry.addListener(inet.fib());
        startTcp();
        udp = new Udp(inet.fib(), inet.output(), inet.icmp(), inet.snmp(), allocator, inet.localPorts(), UdpSettings.defaults(),
                random);
        inet.addProtocol(udp.input(), SocketConstants.IPPROTO_UDP);
        inet.family().addProtoSw(udp.protoSw(), 0, 2);
        sockets = new SocketLayer(clock, loop);
        sockets.bindFamily(inet.family(), Map.of("family", SocketConstants.AF_INET));
        if (withIpv6) {
            // inet6_init, then tcpv6_init and udpv6_init, as the inet6, tcp and udp bundles do.
            inet6 = new Inet6(clock, loop, allocator, Inet6Settings.defaults(), random);
            dispatcher.addHandler(inet6.input(), EtherType.IPV6, 0, 2);
            registry.addListener(inet6.addrconf());
            startTcpIpv6();
            UdpIpv6 udpIpv6 = new UdpIpv6(udp, inet6.transport(), inet.fib(), allocator);
            udpIpv6.start();
            inet6.protocols().add(SocketConstants.IPPROTO_UDP, udpIpv6);
            inet6.family().addProtoSw(udpIpv6.protoSw(), 0, 1);
            sockets.bindFamily(inet6.family(), Map.of("family", SocketConstants.AF_INET6));
        } else {
            inet6 = null;
        }
        registry.register(new LoopbackDevice());
        provider = new TernSelectorProvider(sockets);
    }

    /** TCP joins the stack ({@code TcpInit}'s activation, and {@code TcpV6Init}'s with IPv6). */
    void startTcp() {
        tcp = new Tcp(clock, loop, loop, allocator, inet.output(), inet.fib(), inet.snmp(), inet.localPorts(),
                TcpSettings.defaults(), random);
        inet.addProtocol(tcp, SocketConstants.IPPROTO_TCP);
        inet.family().addProtoSw(tcp.protoSw(), 0, tcpOrder);
        if (inet6 != null) {
            startTcpIpv6();
        }
    }

    private void startTcpIpv6() {
        tcpIpv6 = new TcpIpv6(tcp, inet6.transport(), inet.fib());
        tcpIpv6.start();
        inet6.protocols().add(SocketConstants.IPPROTO_TCP, tcpIpv6);
        inet6.family().addProtoSw(tcpIpv6.protoSw(), 0, tcpOrder);
    }

    /**
     * TCP leaves the stack as its bundle does when stopped ({@code TcpInit}'s deactivation):
     * new sockets are refused, open connections get {@code drainMillis} to close, then the rest
     * are aborted (ECONNABORTED to their applications).
     */
    void stopTcp(long drainMillis) {
        tcp.prot().refuseNewSockets("TCP is stopping");
        if (inet6 != null) {
            inet6.family().removeProtoSw(tcpIpv6.protoSw(), tcpOrder);
            tcpIpv6.stop();
            inet6.protocols().remove(SocketConstants.IPPROTO_TCP, tcpIpv6);
        }
        inet.family().removeProtoSw(tcp.protoSw(), tcpOrder++);
        tcp.drain(drainMillis);
        tcp.close();
        inet.protocols().remove(tcp);
    }

    public TernSelectorProvider provider() {
        return provider;
    }

    public SocketApi api() {
        return sockets;
    }

    public SocketLayer socketLayer() {
        return sockets;
    }

    /** Packets allocated and not released. */
    public long outstandingPackets() {
        return allocator.outstanding();
    }

    @Override
    public void close() {
        sockets.deactivate();
        tcp.close();
        udp.shutdown();
        registry.close();
        loop.stop();
        inet.close();
        if (inet6 != null) {
            inet6.close();
        }
    }
}
