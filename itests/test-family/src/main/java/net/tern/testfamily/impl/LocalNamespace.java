package net.tern.testfamily.impl;

import static net.tern.testfamily.TestLocal.BLACKHOLE_PORT;
import static net.tern.testfamily.TestLocal.EPHEMERAL_HIGH;
import static net.tern.testfamily.TestLocal.EPHEMERAL_LOW;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.SocketConstants;
import net.tern.spi.net.TimerService;

/**
 * Everything one {@code testlocal} family instance shares: its port tables (one per socket
 * type, as TCP and UDP have separate port spaces), its live sockets, its counters and its
 * timers.
 *
 * <p>Threading rule: every piece of family state is read and written under {@link #lock}
 * (taken by {@link #locked}), one lock per family instance. This is a test fixture, so
 * simplicity wins over scalability. The family calls {@code ProtoSocket.wakeUp} and
 * {@code setError} while holding the lock; the socket layer never calls into the family while
 * holding a lock that a wake-up takes, so this cannot deadlock.
 */
public final class LocalNamespace {
    private final ReentrantLock lock = new ReentrantLock();
    final TimerService timers;
    final long blackholeTimeoutMillis;

    private final Map<Integer, LocalSock> streamPorts = new HashMap<>();
    private final Map<Integer, LocalSock> dgramPorts = new HashMap<>();
    private final Set<LocalSock> live = new LinkedHashSet<>();
    private int nextEphemeral = EPHEMERAL_LOW;
    private boolean closed;
    private long datagramsDropped;

    public LocalNamespace(TimerService timers, long blackholeTimeoutMillis) {
        this.timers = timers;
        this.blackholeTimeoutMillis = blackholeTimeoutMillis;
    }

    /** Work done under the namespace lock that gives a result; {@code X} is what it may throw. */
    @FunctionalInterface
    public interface LockedCall<T, X extends Exception> {
        T call() throws X;
    }

    /** Work done under the namespace lock that gives no result; {@code X} is what it may throw. */
    @FunctionalInterface
    public interface LockedRun<X extends Exception> {
        void run() throws X;
    }

    /**
     * Runs {@code work} holding the lock and returns its result. {@code X} is inferred from
     * the work: {@code ErrnoException} for a socket step that can fail, nothing checked for
     * one that cannot (like poll).
     */
    public <T, X extends Exception> T locked(LockedCall<T, X> work) throws X {
        lock.lock();
        try {
            return work.call();
        } finally {
            lock.unlock();
        }
    }

    /** Runs {@code work} holding the lock. */
    public <X extends Exception> void locked(LockedRun<X> work) throws X {
        lock.lock();
        try {
            work.run();
        } finally {
            lock.unlock();
        }
    }

    /** Whether the family has stopped taking new sockets. Caller holds the lock. */
    public boolean isClosed() {
        return closed;
    }

    /** Datagrams dropped so far: receive queue full, no socket on the port, or sent to the black hole. */
    public long datagramsDropped() {
        return locked(() -> datagramsDropped);
    }

    void countDrop() {
        datagramsDropped++;
    }

    /** A socket the application holds (has a {@code ProtoSocket}); kept to abort it when the family stops. */
    void track(LocalSock s) {
        live.add(s);
    }

    void forget(LocalSock s) {
        live.remove(s);
    }

    /** Open sockets of this family. Caller holds the lock. */
    public int liveSockets() {
        return live.size();
    }

    private Map<Integer, LocalSock> ports(int type) {
        return type == SocketConstants.SOCK_STREAM ? streamPorts : dgramPorts;
    }

    /** The socket of {@code type} bound to {@code port}, or null. */
    LocalSock lookup(int type, int port) {
        return ports(type).get(port);
    }

    /**
     * {@code inet_csk_get_port} in miniature: binds {@code s} to {@code port}, or to a free
     * ephemeral port when {@code port} is 0. Returns the port bound.
     */
    int bindPort(LocalSock s, int port) throws ErrnoException {
        Map<Integer, LocalSock> table = ports(s.type());
        if (port == BLACKHOLE_PORT) {
            throw new ErrnoException(Errno.EADDRNOTAVAIL, "port " + port + " is reserved as the black hole");
        }
        if (port == 0) {
            port = ephemeral(table);
        } else if (table.containsKey(port)) {
            throw new ErrnoException(Errno.EADDRINUSE, "port " + port + " is in use by another "
                    + (s.type() == SocketConstants.SOCK_STREAM ? "stream" : "datagram") + " socket");
        }
        table.put(port, s);
        s.port = port;
        return port;
    }

    void unbindPort(LocalSock s) {
        if (s.port != 0 && s.ownsPort) {
            ports(s.type()).remove(s.port, s);
        }
        s.ownsPort = false;
        s.autobound = false;
    }

    private int ephemeral(Map<Integer, LocalSock> table) throws ErrnoException {
        int range = EPHEMERAL_HIGH - EPHEMERAL_LOW + 1;
        for (int i = 0; i < range; i++) {
            int candidate = nextEphemeral;
            nextEphemeral = candidate == EPHEMERAL_HIGH ? EPHEMERAL_LOW : candidate + 1;
            if (!table.containsKey(candidate)) {
                return candidate;
            }
        }
        throw new ErrnoException(Errno.EADDRINUSE, "no free ephemeral port in " + EPHEMERAL_LOW + ".." + EPHEMERAL_HIGH);
    }

    /**
     * The family is stopping: refuse new sockets and abort every open one. The socket layer is
     * told first, with {@code ProtoSocket.withdraw}, for every socket, and only then is each
     * socket's state released (peers see their connection end). All under the lock, so no
     * woken caller can see a peer's end before its own socket is marked withdrawn.
     */
    public int abortAll(Errno errno, String reason) {
        return locked(() -> {
            closed = true;
            List<LocalSock> victims = new ArrayList<>(live);
            for (LocalSock s : victims) {
                s.abortErrno = errno;
                s.abortReason = reason;
                s.sock.withdraw(errno, reason);
            }
            for (LocalSock s : victims) {
                s.releaseState();
            }
            return victims.size();
        });
    }
}
