package net.tern.tcp.testing;

import static net.tern.api.socket.SocketConstants.AF_INET;
import static net.tern.api.socket.SocketConstants.SOCK_NONBLOCK;
import static net.tern.api.socket.SocketConstants.SOCK_STREAM;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import net.tern.api.socket.Accepted;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.InetSockAddr;
import net.tern.api.socket.SocketApi;
import net.tern.core.packet.PooledPacketAllocator;
import net.tern.core.testing.VirtualTime;
import net.tern.spi.net.PacketAllocator;
import net.tern.tcp.impl.TcpSettings;

/**
 * One {@link Host} with only {@code lo}, driven through the real {@link SocketApi} with
 * non-blocking sockets in virtual time: the fixture for connections to self.
 */
public final class LoopbackHost implements AutoCloseable {
    private final VirtualTime time = new VirtualTime();
    private final Host host;

    public LoopbackHost() throws ErrnoException {
        this(TcpSettings.defaults());
    }

    public LoopbackHost(TcpSettings settings) throws ErrnoException {
        this(settings, new PooledPacketAllocator());
    }

    /** With {@code allocator} for its packets (one that records no allocation sites, to measure what a path allocates). */
    public LoopbackHost(TcpSettings settings, PacketAllocator allocator) throws ErrnoException {
        this(settings, allocator, false);
    }

    private LoopbackHost(TcpSettings settings, PacketAllocator allocator, boolean ipv6) throws ErrnoException {
        host = new Host(time, allocator, settings, 11);
        if (ipv6) {
            host.withIpv6(13);
        }
        host.loopback();
        time.runPending();
    }

    /** A host with IPv4 and IPv6 on {@code lo} (127.0.0.1 and ::1), TCP over both. */
    public static LoopbackHost dualStack() throws ErrnoException {
        return new LoopbackHost(TcpSettings.defaults(), new PooledPacketAllocator(), true);
    }

    public Host host() {
        return host;
    }

    public SocketApi api() {
        return host.api();
    }

    public VirtualTime time() {
        return time;
    }

    public void runUntilIdle() {
        time.advance(0, TimeUnit.NANOSECONDS);
    }

    public void advance(long amount, TimeUnit unit) {
        time.advance(amount, unit);
    }

    /** A non-blocking listener on 127.0.0.1:{@code port}. */
    public int listen(int port, int backlog) throws ErrnoException {
        int fd = api().socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        api().bind(fd, new InetSockAddr(InetSockAddr.INADDR_LOOPBACK, port));
        api().listen(fd, backlog);
        return fd;
    }

    /** A non-blocking socket connecting to 127.0.0.1:{@code port}; the handshake has not run yet. */
    public int startConnect(int port) throws ErrnoException {
        int fd = api().socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        try {
            api().connect(fd, new InetSockAddr(InetSockAddr.INADDR_LOOPBACK, port));
        } catch (ErrnoException e) {
            if (e.errno() != Errno.EINPROGRESS) {
                throw e;
            }
        }
        return fd;
    }

    /** Connects to the listener {@code listenFd} on {@code port}; returns {client fd, accepted fd}. */
    public int[] connectPair(int listenFd, int port) throws ErrnoException {
        int client = startConnect(port);
        runUntilIdle();
        Accepted accepted = api().accept(listenFd, SOCK_NONBLOCK);
        return new int[] {client, accepted.fd()};
    }

    /** Sends all of {@code data} from {@code fd}, letting time run while the send buffer is full. */
    public void sendAll(int fd, byte[] data, long maxMillis) throws ErrnoException {
        ByteBuffer buf = ByteBuffer.wrap(data);
        long deadline = time.nanoTime() + TimeUnit.MILLISECONDS.toNanos(maxMillis);
        while (buf.hasRemaining()) {
            try {
                api().send(fd, buf, 0);
            } catch (ErrnoException e) {
                if (e.errno() != Errno.EAGAIN) {
                    throw e;
                }
                if (time.nanoTime() > deadline) {
                    throw new AssertionError("send did not finish in " + maxMillis + " ms of virtual time");
                }
                time.advance(1, TimeUnit.MILLISECONDS);
            }
        }
    }

    /**
     * Sends {@code up} from {@code pair[0]} and {@code down} from {@code pair[1]} at once, in
     * rounds of 1 ms of virtual time (at most {@code maxRounds}), and returns what each end
     * read: {what pair[1] read, what pair[0] read}.
     */
    public byte[][] transferBothWays(int[] pair, byte[] up, byte[] down, int maxRounds) throws ErrnoException {
        ByteBuffer upBuf = ByteBuffer.wrap(up);
        ByteBuffer downBuf = ByteBuffer.wrap(down);
        java.io.ByteArrayOutputStream gotUp = new java.io.ByteArrayOutputStream();
        java.io.ByteArrayOutputStream gotDown = new java.io.ByteArrayOutputStream();
        int rounds = 0;
        while (gotUp.size() < up.length || gotDown.size() < down.length) {
            if (rounds++ >= maxRounds) {
                throw new AssertionError("not done in " + maxRounds + " ms of virtual time");
            }
            trySend(pair[0], upBuf);
            trySend(pair[1], downBuf);
            runUntilIdle();
            gotUp.writeBytes(readAvailable(pair[1]));
            gotDown.writeBytes(readAvailable(pair[0]));
            advance(1, TimeUnit.MILLISECONDS);
        }
        return new byte[][] {gotUp.toByteArray(), gotDown.toByteArray()};
    }

    /** Sends what the send buffer takes of {@code data} now (EAGAIN: nothing). */
    private void trySend(int fd, ByteBuffer data) throws ErrnoException {
        if (!data.hasRemaining()) {
            return;
        }
        try {
            api().send(fd, data, 0);
        } catch (ErrnoException e) {
            if (e.errno() != Errno.EAGAIN) {
                throw e;
            }
        }
    }

    /** Reads what {@code fd} has now, or null at end of stream; empty when nothing is there. */
    public byte[] readAvailable(int fd) throws ErrnoException {
        ByteBuffer buf = ByteBuffer.allocate(1 << 16);
        try {
            int n = api().recv(fd, buf, 0);
            if (n == 0) {
                return null;
            }
        } catch (ErrnoException e) {
            if (e.errno() != Errno.EAGAIN) {
                throw e;
            }
        }
        byte[] out = new byte[buf.position()];
        buf.flip().get(out);
        return out;
    }

    @Override
    public void close() {
        host.close();
        time.runPending();
    }
}
