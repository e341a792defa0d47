package net.tern.services;

import static net.tern.api.socket.SocketConstants.AF_INET;
import static net.tern.api.socket.SocketConstants.EPOLLIN;
import static net.tern.api.socket.SocketConstants.EPOLLOUT;
import static net.tern.api.socket.SocketConstants.SOCK_NONBLOCK;
import static net.tern.api.socket.SocketConstants.SOCK_STREAM;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.Inet6SockAddr;
import net.tern.api.socket.InetSockAddr;
import net.tern.api.socket.SocketConstants;
import net.tern.api.socket.SocketApi;
import net.tern.netlink.impl.NetlinkStack;
import net.tern.netlink.testing.Inet6Wiring;
import net.tern.netlink.testing.NetlinkWiring;
import net.tern.spi.diag.InetDiagMsg;
import net.tern.tcp.impl.Tcp;
import net.tern.tcp.impl.TcpIpv6;
import net.tern.tcp.impl.TcpSettings;
import net.tern.udp.impl.UdpIpv6;
import net.tern.udp.testing.UdpTestBed;

/**
 * The services on a whole TCP+UDP/IPv4 stack in virtual time: UDP's test bed (IPv4,
 * loopback, the socket layer, UDP) with TCP added as its bundle adds it, and a
 * {@link ServiceLoop} running the given services, driven from the test thread:
 * {@link #pump()} alternates the loop's zero-timeout waits with the stack's time until
 * nothing moves. Clients use the same {@link SocketApi} with non-blocking sockets.
 */
final class ServicesTestBed implements AutoCloseable {
    static final int LOOPBACK = InetSockAddr.INADDR_LOOPBACK;
    private final UdpTestBed bed;
    private final NetlinkStack netlink;
    private Tcp tcp;
    private Inet6Wiring ipv6;
    private TcpIpv6 tcp6;
    private UdpIpv6 udp6;
    private final ServiceLoop loop;
    private final ServiceSet services;

    ServicesTestBed(Service... services) throws ErrnoException {
        this(ServiceSettings.MAX_CONNECTIONS, services);
    }

    ServicesTestBed(int maxConnections, Service... services) throws ErrnoException {
        this(new ServiceSettings(List.of(services), InetSockAddr.INADDR_ANY, 0, maxConnections, ServiceSettings.BACKLOG));
    }

    ServicesTestBed(ServiceSettings settings) throws ErrnoException {
        this(settings, api -> api);
    }

    /** The services see the socket API through {@code wrap} (to fail a call on demand, say); the clients see it as it is. */
    ServicesTestBed(ServiceSettings settings, UnaryOperator<SocketApi> wrap) throws ErrnoException {
        this(settings, wrap, true);
    }

    /**
     * With {@code tcpFirst} false, the services open before TCP is registered, as when they
     * are configured from {@code etc/} and start before TCP's bundle; {@link #startTcp()} then
     * registers it.
     */
    ServicesTestBed(ServiceSettings settings, UnaryOperator<SocketApi> wrap, boolean tcpFirst) throws ErrnoException {
        this(settings, wrap, tcpFirst, StatusPage.MAX_ROWS, new ResponseBudget(ResponseBudget.DEFAULT_BYTES));
    }

    /** With a status page of tables of {@code maxRows} rows at most, and HTTP's response budget {@code responses}. */
    ServicesTestBed(ServiceSettings settings, UnaryOperator<SocketApi> wrap, boolean tcpFirst, int maxRows,
            ResponseBudget responses) throws ErrnoException {
        bed = new UdpTestBed();
        netlink = NetlinkWiring.attach(bed.socketLayer(), bed.stack(), bed.inet().fib());
        netlink.registerDiag(17, bed.udp().diag());
        if (tcpFirst) {
            startTcp();
        }
        loop = new ServiceLoop(wrap.apply(bed.api()));
        StatusPage page = new StatusPage(bed.api(), loop::sockets, maxRows);
        services = new ServiceSet(loop, settings, page, responses);
        services.openAll();
    }

    /** Registers a new TCP, as its bundle does when it starts ({@code inet_add_protocol}, {@code inet_register_protosw}). */
    void startTcp() {
        tcp = new Tcp(bed.stack().clock(), bed.stack().timers(), bed.stack().networkThread(), bed.stack().allocator(),
                bed.inet().output(), bed.inet().fib(), bed.inet().snmp(), bed.inet().localPorts(), TcpSettings.defaults(), new Random(7));
        bed.inet().addProtocol(tcp, 6);
        bed.inet().family().addProtoSw(tcp.protoSw(), 0, 1);
        netlink.registerDiag(6, tcp.diag());
    }

    /** Unregisters TCP and withdraws its sockets, as its bundle does when it stops (without the drain). */
    void stopTcp() {
        bed.inet().family().removeProtoSw(tcp.protoSw(), 1);
        netlink.unregisterDiag(tcp.diag());
        tcp.close();
        bed.inet().protocols().remove(tcp);
        bed.runUntilIdle();
        tcp = null;
    }

    /**
     * IPv6 arrives, as when the inet6 bundle starts with TCP and UDP running: AF_INET6 with
     * TCP's and UDP's IPv6 sides, and {@code ::1} on {@code lo}.
     */
    void startIpv6() {
        ipv6 = Inet6Wiring.attach(bed, netlink, 5);
        tcp6 = new TcpIpv6(tcp, ipv6.inet6().transport(), bed.inet().fib());
        tcp6.start();
        ipv6.inet6().protocols().add(6, tcp6);
        ipv6.inet6().family().addProtoSw(tcp6.protoSw(), 0, 1);
        udp6 = new UdpIpv6(bed.udp(), ipv6.inet6().transport(), bed.inet().fib(), bed.stack().allocator());
        udp6.start();
        ipv6.inet6().protocols().add(17, udp6);
        ipv6.inet6().family().addProtoSw(udp6.protoSw(), 0, 2);
        bed.runUntilIdle();
    }

    /** IPv6 leaves, as when the inet6 bundle stops: AF_INET6 goes, then TCP's and UDP's IPv6 sockets. */
    void stopIpv6() {
        bed.socketLayer().unbindFamily(ipv6.inet6().family(), Map.of("family", SocketConstants.AF_INET6));
        ipv6.inet6().family().removeProtoSw(tcp6.protoSw(), 1);
        ipv6.inet6().family().removeProtoSw(udp6.protoSw(), 2);
        tcp6.stop();
        udp6.stop();
        ipv6.inet6().protocols().remove(6, tcp6);
        ipv6.inet6().protocols().remove(17, udp6);
        ipv6.close();
        bed.runUntilIdle();
        ipv6 = null;
    }

    /** A non-blocking TCP socket connected to [::1]:{@code port}. */
    int connect6(int port) throws ErrnoException {
        int fd = api().socket(SocketConstants.AF_INET6, SOCK_STREAM | SOCK_NONBLOCK, 0);
        try {
            api().connect(fd, new Inet6SockAddr(0, 1, port));
        } catch (ErrnoException e) {
            if (e.errno() != Errno.EINPROGRESS) {
                throw e;
            }
        }
        pump();
        return fd;
    }

    ServiceSet services() {
        return services;
    }

    SocketApi api() {
        return bed.api();
    }

    UdpTestBed bed() {
        return bed;
    }

    ServiceLoop loop() {
        return loop;
    }

    /** Lets the stack and the services run until neither has anything to do (bounded). */
    void pump() throws ErrnoException {
        int idle = 0;
        for (int i = 0; i < 100_000 && idle < 50; i++) {
            bed.runUntilIdle();
            int handled = loop.runOnce(0);
            if (handled == 0) {
                idle++;
                bed.advance(1, TimeUnit.MILLISECONDS); // delayed ACKs and other timers
            } else {
                idle = 0;
            }
        }
    }

    /** Pumps while {@code millis} of virtual time pass (timers such as zero-window probes fire). */
    void pumpFor(long millis) throws ErrnoException {
        for (long i = 0; i < millis / 10; i++) {
            bed.advance(10, TimeUnit.MILLISECONDS);
            bed.runUntilIdle();
            loop.runOnce(0);
        }
        pump();
    }

    /** A non-blocking TCP socket connected to 127.0.0.1:{@code port}. */
    int connect(int port) throws ErrnoException {
        int fd = api().socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        try {
            api().connect(fd, new InetSockAddr(LOOPBACK, port));
        } catch (ErrnoException e) {
            if (e.errno() != Errno.EINPROGRESS) {
                throw e;
            }
        }
        pump();
        return fd;
    }

    /**
     * Opens {@code count} non-blocking TCP connections to 127.0.0.1:{@code port}, a batch at
     * a time with the stack and the services pumped in between, and returns their descriptors.
     * Each handshake is complete on the client's side (connected, writable) on return.
     */
    int[] connectMany(int port, int count) throws ErrnoException {
        int[] fds = new int[count];
        for (int i = 0; i < count; i++) {
            fds[i] = api().socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
            try {
                api().connect(fds[i], new InetSockAddr(LOOPBACK, port));
            } catch (ErrnoException e) {
                if (e.errno() != Errno.EINPROGRESS) {
                    throw e;
                }
            }
            if (i % 100 == 99) {
                pump();
            }
        }
        pump();
        for (int fd : fds) {
            if (api().poll(fd, EPOLLOUT, 0) != EPOLLOUT) {
                throw new AssertionError("fd " + fd + " is not connected: poll " + api().poll(fd, EPOLLOUT | EPOLLIN, 0));
            }
        }
        return fds;
    }

    /** Sends all of {@code data}, pumping while the send buffer is full, and reads what comes back meanwhile into {@code sink}. */
    void sendAll(int fd, byte[] data, ByteArrayOutputStream sink) throws ErrnoException {
        ByteBuffer buf = ByteBuffer.wrap(data);
        for (int i = 0; i < 100_000 && buf.hasRemaining(); i++) {
            try {
                api().send(fd, buf, 0);
            } catch (ErrnoException e) {
                if (e.errno() != Errno.EAGAIN) {
                    throw e;
                }
            }
            pump();
            if (sink != null) {
                readAvailable(fd, sink);
            }
        }
        if (buf.hasRemaining()) {
            throw new AssertionError("could not send " + buf.remaining() + " bytes");
        }
    }

    /** Reads what is there now into {@code sink}; true once the peer's FIN has been read. */
    boolean readAvailable(int fd, ByteArrayOutputStream sink) throws ErrnoException {
        ByteBuffer buf = ByteBuffer.allocate(1 << 16);
        while (true) {
            buf.clear();
            try {
                int n = api().recv(fd, buf, 0);
                if (n == 0) {
                    return true;
                }
                sink.write(buf.array(), 0, n);
            } catch (ErrnoException e) {
                if (e.errno() == Errno.EAGAIN) {
                    return false;
                }
                throw e;
            }
        }
    }

    /** Reads until the peer's FIN (bounded), pumping in between. */
    byte[] readToEnd(int fd) throws ErrnoException {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        for (int i = 0; i < 10_000; i++) {
            if (readAvailable(fd, sink)) {
                return sink.toByteArray();
            }
            pump();
        }
        throw new AssertionError("no FIN after " + sink.size() + " bytes");
    }

    /** Reads until at least {@code count} bytes have come (bounded). */
    byte[] readAtLeast(int fd, int count) throws ErrnoException {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        for (int i = 0; i < 10_000 && sink.size() < count; i++) {
            if (readAvailable(fd, sink)) {
                break;
            }
            pump();
        }
        return sink.toByteArray();
    }

    /** The connections waiting in the accept queue of the stack's TCP listener on {@code port} ({@code ss}'s Recv-Q). */
    int acceptQueue(int port) {
        return tcp.diag().dump().stream()
                .filter(m -> m.state() == InetDiagMsg.LISTEN && m.local().port() == port)
                .mapToInt(InetDiagMsg::recvQ).findFirst()
                .orElseThrow(() -> new AssertionError("no TCP listener on port " + port));
    }

    /** The stack's TCP and UDP sockets, as the status page's socket table would list them all. */
    int stackSockets() {
        return tcp.diag().dump().size() + bed.udp().diag().dump().size();
    }

    /** A counter of the stack, as {@code nstat} names it by group and name ({@code TcpExt}, {@code ListenOverflows}). */
    long counter(String group, String name) {
        Long value = bed.inet().snmp().snapshot().get(group).get(name);
        return value == null ? 0 : value;
    }

    List<SocketRow> sockets() {
        return loop.sockets();
    }

    @Override
    public void close() {
        loop.close();
        if (ipv6 != null) {
            stopIpv6();
        }
        if (tcp != null) {
            tcp.close();
        }
        bed.close();
    }
}
