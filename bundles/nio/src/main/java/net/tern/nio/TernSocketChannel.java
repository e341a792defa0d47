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
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.SockAddr;
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

    private volatile int state;
    private volatile boolean inputClosed;
    private volatile boolean outputClosed;
    /** A read saw the connection reset; later reads say so again. Guarded by fd.readLock. */
    private boolean connectionReset;
    // Guarded by fd.lock.
    private InetSocketAddress remoteAddress;
    /** The peer as the socket layer takes it, for finishConnect's connect call. */
    private SockAddr remote;
    private Socket socket;

    /** A new channel, AF_INET for {@code ipv4Only} ({@code openSocketChannel(INET)}), else AF_INET6 where the stack has it. */
    TernSocketChannel(SelectorProvider provider, SocketApi api, boolean ipv4Only) throws IOException {
        super(provider);
        this.api = api;
        this.fd = ChannelDescriptor.open(api, SOCK_STREAM, ipv4Only, this);
        this.fdNumber = fd.fd;
    }

    /** An accepted connection: connected, blocking. */
    TernSocketChannel(SelectorProvider provider, SocketApi api, int acceptedFd, boolean inet6, InetSocketAddress peer)
            throws IOException {
        super(provider);
        this.api = api;
        this.fd = ChannelDescriptor.of(api, acceptedFd, inet6, this);
        this.fdNumber = acceptedFd;
        this.remoteAddress = peer;
        fd.updateLocalAddress();
        this.state = ST_CONNECTED;
    }

    @Override
    public ChannelDescriptor descriptor() {
        return fd;
    }

    // ---- state checks ----------------------------------------------------------------------

    private void ensureOpenAndConnected() throws ClosedChannelException {
        fd.ensureOpen();
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
        return fd.localAddress();
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
        return fd.getLocalAddress();
    }

    @Override
    public SocketAddress getRemoteAddress() throws IOException {
        fd.lock.lock();
        try {
            fd.ensureOpen();
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
        fd.setOption(Options.STREAM, name, value);
        return this;
    }

    @Override
    public <T> T getOption(SocketOption<T> name) throws IOException {
        return fd.getOption(Options.STREAM, name);
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return Options.STREAM;
    }

    // ---- bind, connect ----------------------------------------------------------------------

    @Override
    public SocketChannel bind(SocketAddress local) throws IOException {
        fd.lockAll();
        try {
            fd.ensureOpen();
            if (state == ST_PENDING) {
                throw new ConnectionPendingException();
            }
            if (fd.localAddress() != null) {
                throw new AlreadyBoundException();
            }
            InetSocketAddress address = local == null ? new InetSocketAddress(0) : Addresses.check(local);
            try {
                api.bind(fdNumber, fd.toTern(address));
            } catch (ErrnoException e) {
                throw IoErrors.setup(e);
            }
            fd.updateLocalAddress();
        } finally {
            fd.unlockAll();
        }
        return this;
    }

    /** The JDK's {@code checkRemote}: a resolved address of the channel's family; the wildcard means this host. */
    private InetSocketAddress checkRemote(SocketAddress remote) {
        return Addresses.remote(Addresses.check(remote), fd.inet6);
    }

    private void beginConnect(boolean blocking, InetSocketAddress address) throws IOException {
        if (blocking) {
            begin();
        }
        fd.lock.lock();
        try {
            fd.ensureOpen();
            if (state == ST_CONNECTED) {
                throw new AlreadyConnectedException();
            }
            if (state == ST_PENDING) {
                throw new ConnectionPendingException();
            }
            state = ST_PENDING;
            remoteAddress = address;
            remote = fd.toTern(address);
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
                    fd.updateLocalAddress();
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
            fd.lockIo();
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
                fd.unlockIo();
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
            fd.lockIo();
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
                        fd.ensureOpen();
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
                fd.unlockIo();
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
            fd.lockIo();
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
                fd.unlockIo();
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
            long deadline = ChannelDescriptor.deadline(timeoutMillis);
            int result = api.sysConnect(fdNumber, remote);
            while (isOpen()) {
                if (connected(result)) {
                    return true;
                }
                fd.awaitReady(EPOLLOUT, deadline, "Connect timed out");
                result = api.sysConnect(fdNumber, remote);
            }
            return false;
        } finally {
            if (isOpen()) {
                fd.configureBlocking(true);
            }
        }
    }

    // ---- read -------------------------------------------------------------------------------

    /**
     * Marks the start of a read (for a blocking one, the channel's {@code begin} and the
     * descriptor's bookkeeping). Throws when a read saw the connection reset; returns false
     * once input is shut down (the read returns -1).
     */
    private boolean beginRead(boolean blocking) throws IOException {
        if (blocking) {
            begin();
            fd.beginBlocking(true);
        }
        if (connectionReset) {
            throw new SocketException(IoErrors.CONNECTION_RESET);
        }
        return !inputClosed;
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
        return (int) read(dst, null, 0, 0);
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, dsts.length);
        return read(null, dsts, offset, length);
    }

    /** A read into {@code dst}, or (when it is null) scattered into {@code dsts}. */
    private long read(ByteBuffer dst, ByteBuffer[] dsts, int offset, int length) throws IOException {
        fd.readLock.lock();
        try {
            ensureOpenAndConnected();
            boolean blocking = isBlocking();
            long n = 0;
            try {
                if (beginRead(blocking)) {
                    n = dst != null ? receive(dst) : receive(dsts, offset, length);
                }
            } finally {
                endRead(blocking, n > 0);
                if (n <= 0 && inputClosed) {
                    return -1;
                }
            }
            return n;
        } finally {
            fd.readLock.unlock();
        }
    }

    private long receive(ByteBuffer dst) throws IOException {
        checkWritable(dst);
        boolean room = dst.hasRemaining();
        return readResult(api.sysRecv(fdNumber, dst, 0, null), room);
    }

    private long receive(ByteBuffer[] dsts, int offset, int length) throws IOException {
        long room = 0;
        for (int i = offset; i < offset + length; i++) {
            checkWritable(dsts[i]);
            room += dsts[i].remaining();
        }
        return readResult(api.sysRecv(fdNumber, dsts, offset, length, 0, null), room > 0);
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
        fd.readLock.lock();
        try {
            ensureOpenAndConnected();
            if (!isBlocking()) {
                throw new IllegalBlockingModeException();
            }
            ByteBuffer dst = ByteBuffer.wrap(b, off, len);
            long n = 0;
            try {
                if (!beginRead(true)) {
                    return -1;
                }
                if (timeoutMillis <= 0) {
                    n = readResult(api.sysRecv(fdNumber, dst, 0, null), true);
                } else {
                    long deadline = ChannelDescriptor.deadline(timeoutMillis);
                    long received = api.sysRecv(fdNumber, dst, MSG_DONTWAIT, null);
                    while (received == EAGAIN && isOpen()) {
                        fd.awaitReady(EPOLLIN, deadline, "Read timed out");
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
            fd.readLock.unlock();
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
        return (int) write(src, null, 0, 0);
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, srcs.length);
        return write(null, srcs, offset, length);
    }

    /** A write of {@code src}, or (when it is null) gathered from {@code srcs}. */
    private long write(ByteBuffer src, ByteBuffer[] srcs, int offset, int length) throws IOException {
        fd.writeLock.lock();
        try {
            ensureOpenAndConnected();
            boolean blocking = isBlocking();
            long n = 0;
            try {
                beginWrite(blocking);
                n = writeResult(src != null ? api.sysSend(fdNumber, src, 0, null)
                        : api.sysSend(fdNumber, srcs, offset, length, 0, null));
            } finally {
                endWrite(blocking, n > 0);
                if (n <= 0 && outputClosed) {
                    throw new AsynchronousCloseException();
                }
            }
            return n;
        } finally {
            fd.writeLock.unlock();
        }
    }

    /** The socket adaptor's write: blocking mode only, every byte. */
    void blockingWriteFully(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return;
        }
        fd.writeLock.lock();
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
            fd.writeLock.unlock();
        }
    }

    // ---- shutdown, blocking mode, close -----------------------------------------------------

    @Override
    public SocketChannel shutdownInput() throws IOException {
        fd.lock.lock();
        try {
            fd.ensureOpen();
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
            fd.ensureOpen();
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
        fd.implConfigureBlocking(block);
    }

    @Override
    protected void implCloseSelectableChannel() throws IOException {
        if (isBlocking()) {
            fd.closeBlocking();
            return;
        }
        boolean connected = state == ST_CONNECTED;
        if (!fd.closeNonBlocking() && connected && isRegistered()) {
            // Deferred until the selector lets the key go: the peer reads the end now.
            try {
                int linger = (Integer) Options.get(api, fdNumber, fd.inet6, StandardSocketOptions.SO_LINGER);
                if (linger != 0) {
                    if (linger > 0) {
                        Options.set(api, fdNumber, fd.inet6, StandardSocketOptions.SO_LINGER, -1);
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
                InetSocketAddress local = fd.localAddress();
                if (local != null) {
                    sb.append(" local=").append(local);
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
