package net.tern.nio;

import static net.tern.api.socket.SocketConstants.EPOLLERR;
import static net.tern.api.socket.SocketConstants.EPOLLHUP;
import static net.tern.api.socket.SocketConstants.EPOLLIN;
import static net.tern.api.socket.SocketConstants.EPOLLOUT;
import static net.tern.api.socket.SocketConstants.MSG_DONTWAIT;
import static net.tern.api.socket.SocketConstants.MSG_PEEK;
import static net.tern.api.socket.SocketConstants.SHUT_RD;
import static net.tern.api.socket.SocketConstants.SHUT_WR;
import static net.tern.api.socket.SocketConstants.SOCK_STREAM;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.AlreadyBoundException;
import java.nio.channels.AlreadyConnectedException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ConnectionPendingException;
import java.nio.channels.IllegalBlockingModeException;
import java.nio.channels.NoConnectionPendingException;
import java.nio.channels.NotYetConnectedException;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.InetSockAddr;
import net.tern.api.socket.SocketApi;

/**
 * A {@link SocketChannel} on a Tern TCP socket, behaving as the JDK's ({@code SocketChannelImpl}).
 *
 * <p>The Tern socket's O_NONBLOCK follows the channel's mode, so a blocking call waits in the
 * socket layer (parked on a {@code java.util.concurrent} condition, never in a monitor) and a
 * non-blocking one returns at once; both use the {@code sys*} calls, so a non-blocking read,
 * write or finishConnect that cannot proceed allocates nothing. A blocking call is bracketed by
 * {@code begin()}/{@code end()}: an interrupt closes the channel
 * ({@code ClosedByInterruptException}), a close from another thread wakes it
 * ({@code AsynchronousCloseException}). Reads and writes each have their lock, so one thread
 * may read while another writes.
 */
final class TernSocketChannel extends SocketChannel implements TernSelectable {
    private static final int EAGAIN = Errno.EAGAIN.negative();

    private static final int ST_UNCONNECTED = 0;
    private static final int ST_PENDING = 1;
    private static final int ST_CONNECTED = 2;

    private final ChannelDescriptor fd;
    private final SocketApi api;
    private final int fdNumber;
    /** Held by the reading (or connecting) thread. */
    private final ReentrantLock readLock = new ReentrantLock();
    /** Held by the writing (or connecting) thread. */
    private final ReentrantLock writeLock = new ReentrantLock();

    private volatile int state;
    private volatile boolean inputClosed;
    private volatile boolean outputClosed;
    /** A read saw the connection reset; later reads say so again. Guarded by readLock. */
    private boolean connectionReset;
    // Guarded by fd.lock.
    private InetSocketAddress localAddress;
    private InetSocketAddress remoteAddress;
    /** The peer as the socket layer takes it, for finishConnect's connect call. */
    private InetSockAddr remote;
    private Socket socket;

    TernSocketChannel(SelectorProvider provider, SocketApi api) throws IOException {
        super(provider);
        this.api = api;
        this.fd = ChannelDescriptor.open(api, SOCK_STREAM, this);
        this.fdNumber = fd.fd;
    }

    /** An accepted connection: connected, blocking. */
    TernSocketChannel(SelectorProvider provider, SocketApi api, int acceptedFd, InetSocketAddress peer) throws IOException {
        super(provider);
        this.api = api;
        this.fd = ChannelDescriptor.of(api, acceptedFd, this);
        this.fdNumber = acceptedFd;
        this.remoteAddress = peer;
        this.localAddress = fd.localAddress();
        this.state = ST_CONNECTED;
    }

    @Override
    public ChannelDescriptor descriptor() {
        return fd;
    }

    // ---- state checks ----------------------------------------------------------------------

    private void ensureOpen() throws ClosedChannelException {
        if (!isOpen()) {
            throw new ClosedChannelException();
        }
    }

    private void ensureOpenAndConnected() throws ClosedChannelException {
        if (!isOpen()) {
            throw new ClosedChannelException();
        }
        if (state != ST_CONNECTED) {
            throw new NotYetConnectedException();
        }
    }

    @Override
    public boolean isConnected() {
        return state == ST_CONNECTED;
    }

    @Override
    public boolean isConnectionPending() {
        return state == ST_PENDING;
    }

    boolean isInputOpen() {
        return !inputClosed;
    }

    boolean isOutputOpen() {
        return !outputClosed;
    }

    // ---- addresses ----------------------------------------------------------------------------

    InetSocketAddress localAddress() {
        fd.lock.lock();
        try {
            return localAddress;
        } finally {
            fd.lock.unlock();
        }
    }

    InetSocketAddress remoteAddress() {
        fd.lock.lock();
        try {
            return remoteAddress;
        } finally {
            fd.lock.unlock();
        }
    }

    @Override
    public SocketAddress getLocalAddress() throws IOException {
        fd.lock.lock();
        try {
            ensureOpen();
            return localAddress;
        } finally {
            fd.lock.unlock();
        }
    }

    @Override
    public SocketAddress getRemoteAddress() throws IOException {
        fd.lock.lock();
        try {
            ensureOpen();
            return remoteAddress;
        } finally {
            fd.lock.unlock();
        }
    }

    @Override
    public Socket socket() {
        fd.lock.lock();
        try {
            if (socket == null) {
                socket = SocketAdaptor.create(this);
            }
            return socket;
        } finally {
            fd.lock.unlock();
        }
    }

    // ---- options ------------------------------------------------------------------------------

    @Override
    public <T> SocketChannel setOption(SocketOption<T> name, T value) throws IOException {
        Options.checkSet(Options.STREAM, name, value);
        fd.lock.lock();
        try {
            ensureOpen();
            Options.set(api, fdNumber, name, value);
            return this;
        } finally {
            fd.lock.unlock();
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T getOption(SocketOption<T> name) throws IOException {
        Options.checkGet(Options.STREAM, name);
        fd.lock.lock();
        try {
            ensureOpen();
            return (T) Options.get(api, fdNumber, name);
        } finally {
            fd.lock.unlock();
        }
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return Options.STREAM;
    }

    // ---- bind, connect ----------------------------------------------------------------------

    @Override
    public SocketChannel bind(SocketAddress local) throws IOException {
        readLock.lock();
        try {
            writeLock.lock();
            try {
                fd.lock.lock();
                try {
                    ensureOpen();
                    if (state == ST_PENDING) {
                        throw new ConnectionPendingException();
                    }
                    if (localAddress != null) {
                        throw new AlreadyBoundException();
                    }
                    InetSocketAddress address = local == null ? new InetSocketAddress(0) : Addresses.check(local);
                    try {
                        api.bind(fdNumber, Addresses.toTern(address));
                    } catch (ErrnoException e) {
                        throw IoErrors.setup(e);
                    }
                    localAddress = fd.localAddress();
                }
                finally {
                    fd.lock.unlock();
                }
            } finally {
                writeLock.unlock();
            }
        } finally {
            readLock.unlock();
        }
        return this;
    }

    /** The JDK's {@code checkRemote}: a resolved IPv4 address; the wildcard means this host. */
    private static InetSocketAddress checkRemote(SocketAddress remote) {
        InetSocketAddress address = Addresses.check(remote);
        if (Addresses.isWildcard(address.getAddress())) {
            return new InetSocketAddress(Addresses.loopback(), address.getPort());
        }
        Addresses.ipv4(address.getAddress()); // UnsupportedAddressTypeException for IPv6
        return address;
    }

    private void beginConnect(boolean blocking, InetSocketAddress address) throws IOException {
        if (blocking) {
            begin();
        }
        fd.lock.lock();
        try {
            ensureOpen();
            if (state == ST_CONNECTED) {
                throw new AlreadyConnectedException();
            }
            if (state == ST_PENDING) {
                throw new ConnectionPendingException();
            }
            state = ST_PENDING;
            remoteAddress = address;
            remote = Addresses.toTern(address);
        } finally {
            fd.lock.unlock();
        }
        if (blocking) {
            fd.beginBlocking(true);
        }
    }

    private void endConnect(boolean blocking, boolean completed) throws IOException {
        if (blocking) {
            fd.endBlocking(true);
            end(completed);
        }
        if (completed) {
            fd.lock.lock();
            try {
                if (state == ST_PENDING) {
                    localAddress = fd.localAddress();
                    state = ST_CONNECTED;
                }
            } finally {
                fd.lock.unlock();
            }
        }
    }

    @Override
    public boolean connect(SocketAddress remoteAddress) throws IOException {
        InetSocketAddress address = checkRemote(remoteAddress);
        try {
            readLock.lock();
            try {
                writeLock.lock();
                try {
                    boolean blocking = isBlocking();
                    boolean connected = false;
                    try {
                        beginConnect(blocking, address);
                        connected = connected(api.sysConnect(fdNumber, remote));
                    } finally {
                        endConnect(blocking, connected);
                    }
                    return connected;
                } finally {
                    writeLock.unlock();
                }
            } finally {
                readLock.unlock();
            }
        } catch (IOException e) {
            close(); // a connection that failed closes the channel, as the JDK's does
            throw e;
        }
    }

    /**
     * A connect call's result: true when connected, false while the connection is under way
     * (or the channel is being closed, which {@code end} reports), else its error.
     */
    private boolean connected(int result) throws IOException {
        if (result == 0 || result == Errno.EISCONN.negative()) {
            return true;
        }
        if (result == Errno.EINPROGRESS.negative() || result == Errno.EALREADY.negative() || !isOpen()) {
            return false;
        }
        throw IoErrors.setup(-result);
    }

    @Override
    public boolean finishConnect() throws IOException {
        try {
            readLock.lock();
            try {
                writeLock.lock();
                try {
                    if (state == ST_CONNECTED) {
                        return true;
                    }
                    boolean blocking = isBlocking();
                    boolean connected = false;
                    try {
                        if (blocking) {
                            begin();
                        }
                        fd.lock.lock();
                        try {
                            ensureOpen();
                            if (state != ST_PENDING) {
                                throw new NoConnectionPendingException();
                            }
                        } finally {
                            fd.lock.unlock();
                        }
                        if (blocking) {
                            fd.beginBlocking(true);
                        }
                        // Connect again: -EALREADY while under way, 0 once up, or how it failed.
                        connected = connected(api.sysConnect(fdNumber, remote));
                    } finally {
                        endConnect(blocking, connected);
                    }
                    return connected;
                } finally {
                    writeLock.unlock();
                }
            } finally {
                readLock.unlock();
            }
        } catch (IOException e) {
            close();
            throw e;
        }
    }

    /**
     * The socket adaptor's connect: in blocking mode, waiting at most {@code timeoutMillis}
     * (0: for ever) with SocketTimeoutException("Connect timed out") after, which closes the channel.
     */
    void blockingConnect(SocketAddress remoteAddress, int timeoutMillis) throws IOException {
        InetSocketAddress address = checkRemote(remoteAddress);
        try {
            readLock.lock();
            try {
                writeLock.lock();
                try {
                    if (!isBlocking()) {
                        throw new IllegalBlockingModeException();
                    }
                    boolean connected = false;
                    try {
                        beginConnect(true, address);
                        if (timeoutMillis <= 0) {
                            connected = connected(api.sysConnect(fdNumber, remote));
                        } else {
                            connected = timedConnect(timeoutMillis);
                        }
                    } finally {
                        endConnect(true, connected);
                    }
                } finally {
                    writeLock.unlock();
                }
            } finally {
                readLock.unlock();
            }
        } catch (IOException e) {
            close();
            throw e;
        }
    }

    /** A connect with a timeout: started non-blocking, waited for with poll. */
    private boolean timedConnect(int timeoutMillis) throws IOException {
        fd.configureBlocking(false);
        try {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
            int result = api.sysConnect(fdNumber, remote);
            while (isOpen()) {
                if (connected(result)) {
                    return true;
                }
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    throw new SocketTimeoutException("Connect timed out");
                }
                poll(EPOLLOUT, (int) Math.min(left, Integer.MAX_VALUE));
                result = api.sysConnect(fdNumber, remote);
            }
            return false;
        } finally {
            if (isOpen()) {
                fd.configureBlocking(true);
            }
        }
    }

    /** {@code poll(2)} on the socket; a descriptor closed meanwhile, or an interrupt, ends it quietly. */
    private void poll(int events, int timeoutMillis) {
        try {
            api.poll(fdNumber, events, timeoutMillis);
        } catch (ErrnoException e) {
            // EBADF or EINTR: the caller finds the channel closed.
        }
    }

    // ---- read -------------------------------------------------------------------------------

    private void beginRead(boolean blocking) throws ClosedChannelException {
        if (blocking) {
            begin();
            fd.beginBlocking(true);
        }
    }

    private void endRead(boolean blocking, boolean completed) throws AsynchronousCloseException {
        if (blocking) {
            fd.endBlocking(true);
            end(completed);
        }
    }

    /**
     * A receive's result as {@code read} returns it: the bytes, -1 at the end of the stream (a
     * receive of 0 into room), 0 when it would block or the channel is being closed (which
     * {@code end} then reports); a reset is remembered and thrown as the JDK's
     * {@code SocketException("Connection reset")}.
     */
    private long readResult(long n, boolean room) throws IOException {
        if (n > 0) {
            return n;
        }
        if (n == 0) {
            return room ? -1 : 0;
        }
        if (n == EAGAIN || !isOpen()) {
            return 0;
        }
        int errno = (int) -n;
        if (errno == Errno.ECONNRESET.number() || errno == Errno.EPIPE.number()) {
            connectionReset = true;
        }
        throw IoErrors.read(errno);
    }

    /** The JDK's {@code IOUtil.read} check, made after the channel's state is checked. */
    private static void checkWritable(ByteBuffer dst) {
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("Read-only buffer");
        }
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        Objects.requireNonNull(dst);
        readLock.lock();
        try {
            ensureOpenAndConnected();
            boolean blocking = isBlocking();
            long n = 0;
            try {
                beginRead(blocking);
                if (connectionReset) {
                    throw new SocketException(IoErrors.CONNECTION_RESET);
                }
                if (inputClosed) {
                    return -1;
                }
                checkWritable(dst);
                boolean room = dst.hasRemaining();
                n = readResult(api.sysRecv(fdNumber, dst, 0, null), room);
            } finally {
                endRead(blocking, n > 0);
                if (n <= 0 && inputClosed) {
                    return -1;
                }
            }
            return (int) n;
        } finally {
            readLock.unlock();
        }
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, dsts.length);
        readLock.lock();
        try {
            ensureOpenAndConnected();
            boolean blocking = isBlocking();
            long n = 0;
            try {
                beginRead(blocking);
                if (connectionReset) {
                    throw new SocketException(IoErrors.CONNECTION_RESET);
                }
                if (inputClosed) {
                    return -1;
                }
                long room = 0;
                for (int i = offset; i < offset + length; i++) {
                    checkWritable(dsts[i]);
                    room += dsts[i].remaining();
                }
                n = readResult(api.sysRecv(fdNumber, dsts, offset, length, 0, null), room > 0);
            } finally {
                endRead(blocking, n > 0);
                if (n <= 0 && inputClosed) {
                    return -1;
                }
            }
            return n;
        } finally {
            readLock.unlock();
        }
    }

    /**
     * The socket adaptor's read: blocking mode only, waiting at most {@code timeoutMillis}
     * (0: for ever), then SocketTimeoutException("Read timed out").
     */
    int blockingRead(byte[] b, int off, int len, int timeoutMillis) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        readLock.lock();
        try {
            ensureOpenAndConnected();
            if (!isBlocking()) {
                throw new IllegalBlockingModeException();
            }
            ByteBuffer dst = ByteBuffer.wrap(b, off, len);
            long n = 0;
            try {
                beginRead(true);
                if (connectionReset) {
                    throw new SocketException(IoErrors.CONNECTION_RESET);
                }
                if (inputClosed) {
                    return -1;
                }
                if (timeoutMillis <= 0) {
                    n = readResult(api.sysRecv(fdNumber, dst, 0, null), true);
                } else {
                    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
                    long received = api.sysRecv(fdNumber, dst, MSG_DONTWAIT, null);
                    while (received == EAGAIN && isOpen()) {
                        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                        if (left <= 0) {
                            throw new SocketTimeoutException("Read timed out");
                        }
                        poll(EPOLLIN, (int) Math.min(left, Integer.MAX_VALUE));
                        received = api.sysRecv(fdNumber, dst, MSG_DONTWAIT, null);
                    }
                    n = readResult(received, true);
                }
            } finally {
                endRead(true, n > 0);
                if (n <= 0 && inputClosed) {
                    return -1;
                }
            }
            return (int) n;
        } finally {
            readLock.unlock();
        }
    }

    /**
     * The bytes that can be read now without waiting, for the adaptor's {@code available()}:
     * counted with a non-consuming peek of at most 64 KiB (Tern has no FIONREAD).
     */
    int available() throws IOException {
        fd.lock.lock();
        try {
            ensureOpenAndConnected();
            if (inputClosed) {
                return 0;
            }
        } finally {
            fd.lock.unlock();
        }
        long n = api.sysRecv(fdNumber, ByteBuffer.allocate(64 * 1024), MSG_PEEK | MSG_DONTWAIT, null);
        return n > 0 ? (int) n : 0;
    }

    // ---- write ------------------------------------------------------------------------------

    private void beginWrite(boolean blocking) throws ClosedChannelException {
        if (blocking) {
            begin();
            fd.beginBlocking(false);
        }
        if (outputClosed) {
            if (blocking) {
                fd.endBlocking(false);
            }
            throw new ClosedChannelException();
        }
    }

    private void endWrite(boolean blocking, boolean completed) throws AsynchronousCloseException {
        if (blocking) {
            fd.endBlocking(false);
            end(completed);
        }
    }

    /** A send's result as {@code write} returns it: the bytes, 0 when it would block or the channel is closing. */
    private long writeResult(long n) throws IOException {
        if (n >= 0) {
            return n;
        }
        if (n == EAGAIN || !isOpen() || (outputClosed && n == Errno.EPIPE.negative())) {
            return 0;
        }
        throw IoErrors.write((int) -n);
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        Objects.requireNonNull(src);
        writeLock.lock();
        try {
            ensureOpenAndConnected();
            boolean blocking = isBlocking();
            long n = 0;
            try {
                beginWrite(blocking);
                n = writeResult(api.sysSend(fdNumber, src, 0, null));
            } finally {
                endWrite(blocking, n > 0);
                if (n <= 0 && outputClosed) {
                    throw new AsynchronousCloseException();
                }
            }
            return (int) n;
        } finally {
            writeLock.unlock();
        }
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, srcs.length);
        writeLock.lock();
        try {
            ensureOpenAndConnected();
            boolean blocking = isBlocking();
            long n = 0;
            try {
                beginWrite(blocking);
                n = writeResult(api.sysSend(fdNumber, srcs, offset, length, 0, null));
            } finally {
                endWrite(blocking, n > 0);
                if (n <= 0 && outputClosed) {
                    throw new AsynchronousCloseException();
                }
            }
            return n;
        } finally {
            writeLock.unlock();
        }
    }

    /** The socket adaptor's write: blocking mode only, every byte. */
    void blockingWriteFully(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return;
        }
        writeLock.lock();
        try {
            ensureOpenAndConnected();
            if (!isBlocking()) {
                throw new IllegalBlockingModeException();
            }
            ByteBuffer src = ByteBuffer.wrap(b, off, len);
            try {
                beginWrite(true);
                while (src.hasRemaining() && isOpen()) {
                    writeResult(api.sysSend(fdNumber, src, 0, null));
                }
            } finally {
                endWrite(true, !src.hasRemaining());
            }
        } finally {
            writeLock.unlock();
        }
    }

    // ---- shutdown, blocking mode, close -----------------------------------------------------

    @Override
    public SocketChannel shutdownInput() throws IOException {
        fd.lock.lock();
        try {
            ensureOpen();
            if (state != ST_CONNECTED) {
                throw new NotYetConnectedException();
            }
            if (!inputClosed) {
                fd.shutdown(SHUT_RD); // wakes a blocked reader, which sees the end
                inputClosed = true;
            }
            return this;
        } finally {
            fd.lock.unlock();
        }
    }

    @Override
    public SocketChannel shutdownOutput() throws IOException {
        fd.lock.lock();
        try {
            ensureOpen();
            if (state != ST_CONNECTED) {
                throw new NotYetConnectedException();
            }
            if (!outputClosed) {
                fd.shutdown(SHUT_WR);
                outputClosed = true;
            }
            return this;
        } finally {
            fd.lock.unlock();
        }
    }

    @Override
    protected void implConfigureBlocking(boolean block) throws IOException {
        readLock.lock();
        try {
            writeLock.lock();
            try {
                fd.lock.lock();
                try {
                    ensureOpen();
                    fd.configureBlocking(block);
                } finally {
                    fd.lock.unlock();
                }
            } finally {
                writeLock.unlock();
            }
        } finally {
            readLock.unlock();
        }
    }

    @Override
    protected void implCloseSelectableChannel() throws IOException {
        if (isBlocking()) {
            fd.closeBlocking();
            return;
        }
        boolean connected = state == ST_CONNECTED;
        // Wait for a non-blocking read or write in progress to finish.
        readLock.lock();
        readLock.unlock();
        writeLock.lock();
        writeLock.unlock();
        if (!fd.closeNonBlocking() && connected && isRegistered()) {
            // Deferred until the selector lets the key go: the peer reads the end now.
            try {
                int linger = (Integer) Options.get(api, fdNumber, StandardSocketOptions.SO_LINGER);
                if (linger != 0) {
                    if (linger > 0) {
                        Options.set(api, fdNumber, StandardSocketOptions.SO_LINGER, -1);
                    }
                    fd.shutdown(SHUT_WR);
                }
            } catch (IOException ignored) {
                // The close goes on regardless.
            }
        }
    }

    // ---- selection -------------------------------------------------------------------------

    @Override
    public int readyOps(int events, int interestOps) {
        if ((events & (EPOLLERR | EPOLLHUP)) != 0) {
            return interestOps;
        }
        int ready = 0;
        if ((events & EPOLLIN) != 0 && (interestOps & SelectionKey.OP_READ) != 0 && state == ST_CONNECTED) {
            ready |= SelectionKey.OP_READ;
        }
        if ((events & EPOLLOUT) != 0) {
            if ((interestOps & SelectionKey.OP_CONNECT) != 0 && state == ST_PENDING) {
                ready |= SelectionKey.OP_CONNECT;
            }
            if ((interestOps & SelectionKey.OP_WRITE) != 0 && state == ST_CONNECTED) {
                ready |= SelectionKey.OP_WRITE;
            }
        }
        return ready;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(getClass().getSuperclass().getName()).append('[');
        if (!isOpen()) {
            sb.append("closed");
        } else {
            fd.lock.lock();
            try {
                switch (state) {
                    case ST_UNCONNECTED -> sb.append("unconnected");
                    case ST_PENDING -> sb.append("connection-pending");
                    default -> {
                        sb.append("connected");
                        if (inputClosed) {
                            sb.append(" ishut");
                        }
                        if (outputClosed) {
                            sb.append(" oshut");
                        }
                    }
                }
                if (localAddress != null) {
                    sb.append(" local=").append(localAddress);
                }
                if (remoteAddress != null) {
                    sb.append(" remote=").append(remoteAddress);
                }
            } finally {
                fd.lock.unlock();
            }
        }
        return sb.append(']').toString();
    }
}
