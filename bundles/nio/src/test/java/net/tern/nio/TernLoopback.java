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
import net.tern.tcp.impl.Tcp;
import net.tern.tcp.impl.TcpSettings;
import net.tern.udp.impl.Udp;
import net.tern.udp.impl.UdpSettings;

/**
 * A Tern stack with only {@code lo}, in real time, wired by hand as the bundles wire it in
 * OSGi: the system clock, the network thread with its timer wheel, pooled packets, IPv4, TCP
 * and UDP, the socket layer; and the provider over it.
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

    public TernLoopback() throws ErrnoException {
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
        registry.register(new LoopbackDevice());
        provider = new TernSelectorProvider(sockets);
    }

    /** TCP joins the stack ({@code TcpInit}'s activation). */
    void startTcp() {
        tcp = new Tcp(clock, loop, loop, allocator, inet.output(), inet.fib(), inet.snmp(), inet.localPorts(),
                TcpSettings.defaults(), random);
        inet.addProtocol(tcp, SocketConstants.IPPROTO_TCP);
        inet.family().addProtoSw(tcp.protoSw(), 0, tcpOrder);
    }

    /**
     * TCP leaves the stack as its bundle does when stopped ({@code TcpInit}'s deactivation):
     * new sockets are refused, open connections get {@code drainMillis} to close, then the rest
     * are aborted (ECONNABORTED to their applications).
     */
    void stopTcp(long drainMillis) {
        tcp.prot().refuseNewSockets("TCP is stopping");
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
    }
}
