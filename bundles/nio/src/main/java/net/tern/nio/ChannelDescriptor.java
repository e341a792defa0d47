package net.tern.nio;

import static net.tern.api.socket.SocketConstants.AF_INET;
import static net.tern.api.socket.SocketConstants.AF_INET6;
import static net.tern.api.socket.SocketConstants.SHUT_RDWR;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.SocketTimeoutException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.spi.AbstractSelectableChannel;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.SockAddr;
import net.tern.api.socket.SocketApi;

/**
 * A channel's socket descriptor and the JDK's rules for closing it, shared by every channel
 * kind. The descriptor number is the channel's for as long as any thread may still use it: a
 * thread in a blocking call on it ({@link #beginBlocking}/{@link #endBlocking}), or a selector
 * holding a key of the channel. Closing while either holds is deferred (the JDK's
 * {@code tryClose}): blocked threads are woken first by shutting the socket down (the JDK's
 * {@code preClose}), and the last to leave, or the selector that lets the last key go
 * ({@link #kill}), closes it. So a number freed by close and handed to a new socket is never
 * used by a thread that still means the old one.
 *
 * <p>The channel's locks are here too, taken in one order: {@link #readLock} (held by the
 * thread reading, receiving or accepting, and by one connecting), {@link #writeLock} (held by
 * the thread writing or sending, and by one connecting), then {@link #lock}, the channel's
 * state lock, which nothing blocks while holding. So one thread may read while another writes.
 */
final class ChannelDescriptor {
    final SocketApi api;
    final int fd;
    final ReentrantLock readLock = new ReentrantLock();
    final ReentrantLock writeLock = new ReentrantLock();
    final ReentrantLock lock = new ReentrantLock();
    private final AbstractSelectableChannel channel;
    // Guarded by lock.
    private Thread reader;
    private Thread writer;
    private boolean closing;
    private boolean closed;
    /**
     * The address the socket is bound to, as the channel reports it; null until bound.
     * Written under lock, read without it (a datagram receive or send checks it on every call).
     */
    private volatile InetSocketAddress localAddress;

    /**
     * Whether the socket is AF_INET6 (dual-stack unless {@code IPV6_V6ONLY}), whose addresses
     * are IPv6's, IPv4 ones given as IPv4-mapped; else AF_INET.
     */
    final boolean inet6;

    private ChannelDescriptor(SocketApi api, int fd, boolean inet6, AbstractSelectableChannel channel) {
        this.api = api;
        this.fd = fd;
        this.inet6 = inet6;
        this.channel = channel;
    }

    /**
     * A new socket of {@code type} for {@code channel}, blocking as a new channel is: AF_INET
     * for {@code ipv4Only}, else AF_INET6, as the JDK opens its channels where IPv6 is
     * available; AF_INET when the stack has no AF_INET6 family (EAFNOSUPPORT).
     */
    static ChannelDescriptor open(SocketApi api, int type, boolean ipv4Only, AbstractSelectableChannel channel)
            throws IOException {
        try {
            if (!ipv4Only) {
                try {
                    return new ChannelDescriptor(api, api.socket(AF_INET6, type, 0), true, channel);
                } catch (ErrnoException e) {
                    if (e.errno() != Errno.EAFNOSUPPORT) {
                        throw e;
                    }
                }
            }
            return new ChannelDescriptor(api, api.socket(AF_INET, type, 0), false, channel);
        } catch (ErrnoException e) {
            throw IoErrors.setup(e);
        }
    }

    /** An accepted connection's descriptor for {@code channel}, of its listener's family. */
    static ChannelDescriptor of(SocketApi api, int fd, boolean inet6, AbstractSelectableChannel channel) {
        return new ChannelDescriptor(api, fd, inet6, channel);
    }

    /** {@code address} as this socket's family takes it ({@link Addresses#toTern}). */
    SockAddr toTern(InetSocketAddress address) {
        return Addresses.toTern(address, inet6);
    }

    /** ClosedChannelException once the channel is closed. */
    void ensureOpen() throws ClosedChannelException {
        if (!channel.isOpen()) {
            throw new ClosedChannelException();
        }
    }

    /** Takes the read and the write lock, in order, for a call that no read or write may overlap (connect). */
    void lockIo() {
        readLock.lock();
        writeLock.lock();
    }

    void unlockIo() {
        writeLock.unlock();
        readLock.unlock();
    }

    /**
     * Takes every lock of the channel, in order, for a change of its state that no read or
     * write may overlap (bind, disconnect, a change of blocking mode).
     */
    void lockAll() {
        lockIo();
        lock.lock();
    }

    void unlockAll() {
        lock.unlock();
        unlockIo();
    }

    /** The channel's {@code implConfigureBlocking}: O_NONBLOCK set or cleared, with no read or write under way. */
    void implConfigureBlocking(boolean block) throws IOException {
        lockAll();
        try {
            ensureOpen();
            configureBlocking(block);
        } finally {
            unlockAll();
        }
    }

    // ---- options ----------------------------------------------------------------------------

    /** The channel's {@code setOption}: {@code name} checked against the channel kind's {@code supported} set. */
    <T> void setOption(Set<SocketOption<?>> supported, SocketOption<T> name, T value) throws IOException {
        Options.checkSet(supported, name, value);
        lock.lock();
        try {
            ensureOpen();
            Options.set(api, fd, inet6, name, value);
        } finally {
            lock.unlock();
        }
    }

    /** The channel's {@code getOption}. */
    @SuppressWarnings("unchecked")
    <T> T getOption(Set<SocketOption<?>> supported, SocketOption<T> name) throws IOException {
        Options.checkGet(supported, name);
        lock.lock();
        try {
            ensureOpen();
            return (T) Options.get(api, fd, inet6, name);
        } finally {
            lock.unlock();
        }
    }

    // ---- blocking calls ---------------------------------------------------------------------

    /**
     * A blocking call begins on this thread (reading, or writing): recorded so that a close
     * waits for it; ClosedChannelException when the channel is closed already.
     */
    void beginBlocking(boolean reading) throws ClosedChannelException {
        lock.lock();
        try {
            if (!channel.isOpen()) {
                throw new ClosedChannelException();
            }
            if (reading) {
                reader = Thread.currentThread();
            } else {
                writer = Thread.currentThread();
            }
        } finally {
            lock.unlock();
        }
    }

    /** The blocking call has returned; the last to leave a closing channel closes the descriptor. */
    void endBlocking(boolean reading) {
        lock.lock();
        try {
            if (reading) {
                reader = null;
            } else {
                writer = null;
            }
            if (closing) {
                tryClose();
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * A blocking call with a timeout: the deadline {@code timeoutMillis} from now, for
     * {@link #awaitReady}.
     */
    static long deadline(int timeoutMillis) {
        return System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    }

    /**
     * A call with a timeout would block: waits with {@code poll(2)} for {@code events} until
     * the deadline, then SocketTimeoutException({@code timeoutMessage}). A descriptor closed
     * meanwhile, or an interrupt, ends the wait quietly: the caller finds the channel closed.
     */
    void awaitReady(int events, long deadline, String timeoutMessage) throws SocketTimeoutException {
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left <= 0) {
            throw new SocketTimeoutException(timeoutMessage);
        }
        try {
            api.poll(fd, events, (int) Math.min(left, Integer.MAX_VALUE));
        } catch (ErrnoException e) {
            // EBADF or EINTR: the channel is being closed.
        }
    }

    // ---- close ------------------------------------------------------------------------------

    /**
     * The channel closes in blocking mode: the descriptor is closed now if nobody uses it;
     * else threads blocked in it are woken by shutting the socket down both ways, and the last
     * of them (or the selector) closes it.
     */
    void closeBlocking() {
        lock.lock();
        try {
            closing = true;
            if (!tryClose() && (reader != null || writer != null)) {
                wakeBlocked();
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * The channel closes in non-blocking mode: once a read or write in progress has finished,
     * the descriptor is closed now unless a selector holds a key. Returns whether it was closed.
     */
    boolean closeNonBlocking() {
        readLock.lock();
        readLock.unlock();
        writeLock.lock();
        writeLock.unlock();
        lock.lock();
        try {
            closing = true;
            return tryClose();
        } finally {
            lock.unlock();
        }
    }

    /** A selector let the channel's last key go: finish a deferred close. */
    void kill() {
        lock.lock();
        try {
            if (closing) {
                tryClose();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Under lock: closes the descriptor if no thread and no selector holds it. */
    private boolean tryClose() {
        if (closed) {
            return true;
        }
        if (reader != null || writer != null || channel.isRegistered()) {
            return false;
        }
        closed = true;
        try {
            api.close(fd);
        } catch (ErrnoException ignored) {
            // EBADF: the stack closed it already (the socket layer stopped).
        }
        return true;
    }

    /** Whether the descriptor itself is closed (not only the channel). */
    boolean isClosed() {
        lock.lock();
        try {
            return closed;
        } finally {
            lock.unlock();
        }
    }

    /** {@code shutdown(2)} for shutdownInput/Output: ENOTCONN is no error, as the JDK's {@code Net.shutdown}. */
    void shutdown(int how) throws IOException {
        try {
            api.shutdown(fd, how);
        } catch (ErrnoException e) {
            if (e.errno() != Errno.ENOTCONN) {
                throw IoErrors.setup(e);
            }
        }
    }

    /** The address the socket is bound to, null until bound. */
    InetSocketAddress localAddress() {
        return localAddress;
    }

    /** The channel's {@code getLocalAddress}: the bound address, null until bound; ClosedChannelException once closed. */
    InetSocketAddress getLocalAddress() throws ClosedChannelException {
        ensureOpen();
        return localAddress;
    }

    /**
     * The bound address read again from the socket ({@code getsockname(2)}) after a bind,
     * connect or disconnect changed it, or for an accepted connection; returns it.
     */
    InetSocketAddress updateLocalAddress() throws IOException {
        lock.lock();
        try {
            localAddress = Addresses.toJava(api.getsockname(fd));
            return localAddress;
        } catch (ErrnoException e) {
            throw IoErrors.setup(e);
        } finally {
            lock.unlock();
        }
    }

    /** {@code fcntl(O_NONBLOCK)} following the channel's mode. */
    void configureBlocking(boolean block) throws IOException {
        try {
            api.setNonBlocking(fd, !block);
        } catch (ErrnoException e) {
            throw new SocketException(e.getMessage());
        }
    }

    /**
     * Wakes threads blocked in the descriptor (the JDK's {@code preClose} and signal): shut
     * down both ways, a blocked read sees the end of the stream, a blocked write EPIPE, a
     * blocked accept or connect its socket disconnected; they then find the channel closed.
     */
    private void wakeBlocked() {
        try {
            api.shutdown(fd, SHUT_RDWR);
        } catch (ErrnoException ignored) {
            // ENOTCONN for an unconnected socket: the shutdown still woke its waiters.
        }
    }

    @Override
    public String toString() {
        return "fd " + fd;
    }
}
