package net.tern.nio;

import static net.tern.api.socket.SocketConstants.AF_INET;
import static net.tern.api.socket.SocketConstants.SHUT_RDWR;

import java.io.IOException;
import java.net.SocketException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.spi.AbstractSelectableChannel;
import java.util.concurrent.locks.ReentrantLock;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
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
 * <p>{@link #lock} is the channel's state lock; nothing blocks while holding it.
 */
final class ChannelDescriptor {
    final SocketApi api;
    final int fd;
    final ReentrantLock lock = new ReentrantLock();
    private final AbstractSelectableChannel channel;
    // Guarded by lock.
    private Thread reader;
    private Thread writer;
    private boolean closing;
    private boolean closed;

    private ChannelDescriptor(SocketApi api, int fd, AbstractSelectableChannel channel) {
        this.api = api;
        this.fd = fd;
        this.channel = channel;
    }

    /** A new AF_INET socket of {@code type} for {@code channel}; blocking, as a new channel is. */
    static ChannelDescriptor open(SocketApi api, int type, AbstractSelectableChannel channel) throws IOException {
        try {
            return new ChannelDescriptor(api, api.socket(AF_INET, type, 0), channel);
        } catch (ErrnoException e) {
            throw IoErrors.setup(e);
        }
    }

    /** An accepted connection's descriptor for {@code channel}. */
    static ChannelDescriptor of(SocketApi api, int fd, AbstractSelectableChannel channel) {
        return new ChannelDescriptor(api, fd, channel);
    }

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
     * The channel closes in non-blocking mode, no operation in progress: the descriptor is
     * closed now unless a selector holds a key. Returns whether it was closed.
     */
    boolean closeNonBlocking() {
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

    /** {@code getsockname(2)} as a java.net address. */
    java.net.InetSocketAddress localAddress() throws IOException {
        try {
            return Addresses.toJava(api.getsockname(fd));
        } catch (ErrnoException e) {
            throw IoErrors.setup(e);
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
