package net.tern.nio;

import static net.tern.api.socket.SocketConstants.EPOLLERR;
import static net.tern.api.socket.SocketConstants.EPOLLHUP;
import static net.tern.api.socket.SocketConstants.EPOLLIN;
import static net.tern.api.socket.SocketConstants.EPOLLOUT;
import static net.tern.api.socket.SocketConstants.MSG_DONTWAIT;
import static net.tern.api.socket.SocketConstants.SOCK_DGRAM;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.AlreadyBoundException;
import java.nio.channels.AlreadyConnectedException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.IllegalBlockingModeException;
import java.nio.channels.MembershipKey;
import java.nio.channels.NotYetConnectedException;
import java.nio.channels.SelectionKey;
import java.nio.channels.spi.SelectorProvider;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.InetSockAddr;
import net.tern.api.socket.MsgHeader;
import net.tern.api.socket.SockAddr;
import net.tern.api.socket.SocketApi;

/**
 * A {@link DatagramChannel} on a Tern UDP socket, behaving as the JDK's
 * ({@code DatagramChannelImpl}): a receive binds an unbound channel first; a connected channel
 * takes datagrams from its peer only (those queued from others before the connect are
 * dropped), reports an ICMP port unreachable as {@link java.net.PortUnreachableException}, and
 * keeps its local port across a disconnect. A non-blocking receive with nothing queued
 * returns null without allocating. Tern has no multicast: {@code join} is unsupported.
 */
final class TernDatagramChannel extends DatagramChannel implements TernSelectable {
    private static final int EAGAIN = Errno.EAGAIN.negative();

    private final ChannelDescriptor fd;
    private final SocketApi api;
    private final int fdNumber;
    private final ReentrantLock readLock = new ReentrantLock();
    private final ReentrantLock writeLock = new ReentrantLock();
    /** The sender of the last datagram received; guarded by readLock. */
    private final MsgHeader msg = new MsgHeader();
    /** The last sender's java.net address, reused while datagrams come from it; guarded by readLock. */
    private SockAddr lastSender;
    private InetSocketAddress lastSenderAddress;
    // Guarded by fd.lock.
    private InetSocketAddress localAddress;
    private volatile InetSocketAddress remoteAddress;
    private DatagramSocket socket;

    TernDatagramChannel(SelectorProvider provider, SocketApi api) throws IOException {
        super(provider);
        this.api = api;
        this.fd = ChannelDescriptor.open(api, SOCK_DGRAM, this);
        this.fdNumber = fd.fd;
    }

    @Override
    public ChannelDescriptor descriptor() {
        return fd;
    }

    private void ensureOpen() throws ClosedChannelException {
        if (!isOpen()) {
            throw new ClosedChannelException();
        }
    }

    InetSocketAddress localAddress() {
        fd.lock.lock();
        try {
            return localAddress;
        } finally {
            fd.lock.unlock();
        }
    }

    InetSocketAddress remoteAddress() {
        return remoteAddress;
    }

    @Override
    public DatagramSocket socket() {
        fd.lock.lock();
        try {
            if (socket == null) {
                socket = DatagramSocketAdaptor.create(this);
            }
            return socket;
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
        ensureOpen();
        return remoteAddress;
    }

    @Override
    public <T> DatagramChannel setOption(SocketOption<T> name, T value) throws IOException {
        Options.checkSet(Options.DATAGRAM, name, value);
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
        Options.checkGet(Options.DATAGRAM, name);
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
        return Options.DATAGRAM;
    }

    // ---- bind, connect --------------------------------------------------------------------

    @Override
    public DatagramChannel bind(SocketAddress local) throws IOException {
        readLock.lock();
        try {
            writeLock.lock();
            try {
                fd.lock.lock();
                try {
                    ensureOpen();
                    if (localAddress != null) {
                        throw new AlreadyBoundException();
                    }
                    bindLocked(local == null ? new InetSocketAddress(0) : Addresses.check(local));
                } finally {
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

    /** Under fd.lock. */
    private void bindLocked(InetSocketAddress address) throws IOException {
        try {
            api.bind(fdNumber, Addresses.toTern(address));
        } catch (ErrnoException e) {
            throw IoErrors.setup(e);
        }
        localAddress = fd.localAddress();
    }

    @Override
    public boolean isConnected() {
        return remoteAddress != null;
    }

    @Override
    public DatagramChannel connect(SocketAddress remote) throws IOException {
        return connect(remote, true);
    }

    /** {@code check}: refuse when connected already (the adaptor's connect re-connects). */
    DatagramChannel connect(SocketAddress remote, boolean check) throws IOException {
        InetSocketAddress address = Addresses.check(remote);
        InetSockAddr target = Addresses.toTern(address);
        readLock.lock();
        try {
            writeLock.lock();
            try {
                fd.lock.lock();
                try {
                    ensureOpen();
                    if (check && remoteAddress != null) {
                        throw new AlreadyConnectedException();
                    }
                    if (localAddress == null) {
                        bindLocked(new InetSocketAddress(0));
                    }
                    try {
                        api.connect(fdNumber, target);
                    } catch (ErrnoException e) {
                        throw IoErrors.setup(e);
                    }
                    remoteAddress = address;
                    localAddress = fd.localAddress();
                    dropQueued();
                } finally {
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

    /** After a connect: what came before, perhaps from others, is dropped, as the JDK does. */
    private void dropQueued() {
        ByteBuffer scratch = ByteBuffer.allocate(1);
        while (api.sysRecv(fdNumber, scratch.clear(), MSG_DONTWAIT, null) >= 0) {
            // dropped
        }
    }

    @Override
    public DatagramChannel disconnect() throws IOException {
        readLock.lock();
        try {
            writeLock.lock();
            try {
                fd.lock.lock();
                try {
                    if (!isOpen() || remoteAddress == null) {
                        return this;
                    }
                    InetSocketAddress before = localAddress;
                    try {
                        api.connect(fdNumber, SockAddr.UNSPEC);
                    } catch (ErrnoException e) {
                        throw IoErrors.setup(e);
                    }
                    remoteAddress = null;
                    localAddress = fd.localAddress();
                    if (localAddress.getPort() == 0 && before != null && before.getPort() != 0) {
                        // Linux gives an autobound port back on disconnect; the channel keeps it, as the JDK's does.
                        bindLocked(new InetSocketAddress(before.getAddress(), before.getPort()));
                    }
                } finally {
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

    // ---- receive, read ------------------------------------------------------------------------

    /** Marks the start of a read; binds an unbound channel. Returns the peer when connected. */
    private InetSocketAddress beginRead(boolean blocking, boolean mustBeConnected) throws IOException {
        if (blocking) {
            begin();
        }
        InetSocketAddress remote;
        fd.lock.lock();
        try {
            ensureOpen();
            remote = remoteAddress;
            if (remote == null && mustBeConnected) {
                throw new NotYetConnectedException();
            }
            if (localAddress == null) {
                bindLocked(new InetSocketAddress(0));
            }
        } finally {
            fd.lock.unlock();
        }
        if (blocking) {
            fd.beginBlocking(true);
        }
        return remote;
    }

    private void endRead(boolean blocking, boolean completed) throws AsynchronousCloseException {
        if (blocking) {
            fd.endBlocking(true);
            end(completed);
        }
    }

    /**
     * A receive's result: the bytes (a datagram may be empty), -1 for would-block or a close
     * in progress ({@code end} reports the close); an ICMP error reported on a connected
     * channel is PortUnreachableException, any other error an IOException.
     */
    private long received(long n) throws IOException {
        if (n >= 0) {
            return n;
        }
        if (n == EAGAIN || !isOpen()) {
            return -1;
        }
        throw IoErrors.datagram((int) -n);
    }

    @Override
    public SocketAddress receive(ByteBuffer dst) throws IOException {
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("Read-only buffer");
        }
        readLock.lock();
        try {
            boolean blocking = isBlocking();
            SocketAddress sender = null;
            try {
                beginRead(blocking, false);
                long n = received(api.sysRecv(fdNumber, dst, 0, msg.reset()));
                if (n > 0 || (n == 0 && isOpen())) {
                    sender = sender();
                }
                return sender;
            } finally {
                endRead(blocking, sender != null);
            }
        } finally {
            readLock.unlock();
        }
    }

    /** The last datagram's sender, as the same object while the sender stays the same. */
    private InetSocketAddress sender() {
        SockAddr from = msg.from;
        if (from == null) {
            return remoteAddress;
        }
        if (!from.equals(lastSender)) {
            lastSender = from;
            lastSenderAddress = Addresses.toJava(from);
        }
        return lastSenderAddress;
    }

    /**
     * The socket adaptor's receive: blocking mode, waiting at most {@code timeoutMillis} (0:
     * for ever), then SocketTimeoutException("Receive timed out").
     */
    SocketAddress blockingReceive(ByteBuffer dst, int timeoutMillis) throws IOException {
        readLock.lock();
        try {
            ensureOpen();
            if (!isBlocking()) {
                throw new IllegalBlockingModeException();
            }
            SocketAddress sender = null;
            try {
                beginRead(true, false);
                long n;
                if (timeoutMillis <= 0) {
                    n = received(api.sysRecv(fdNumber, dst, 0, msg.reset()));
                } else {
                    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
                    long result = api.sysRecv(fdNumber, dst, MSG_DONTWAIT, msg.reset());
                    while (result == EAGAIN && isOpen()) {
                        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                        if (left <= 0) {
                            throw new SocketTimeoutException("Receive timed out");
                        }
                        try {
                            api.poll(fdNumber, EPOLLIN, (int) Math.min(left, Integer.MAX_VALUE));
                        } catch (ErrnoException e) {
                            // EBADF or EINTR: the channel is being closed
                        }
                        result = api.sysRecv(fdNumber, dst, MSG_DONTWAIT, msg.reset());
                    }
                    n = received(result);
                }
                if (n > 0 || (n == 0 && isOpen())) {
                    sender = sender();
                }
                return sender;
            } finally {
                endRead(true, sender != null);
            }
        } finally {
            readLock.unlock();
        }
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        Objects.requireNonNull(dst);
        readLock.lock();
        try {
            boolean blocking = isBlocking();
            long n = 0;
            try {
                beginRead(blocking, true);
                if (dst.isReadOnly()) {
                    throw new IllegalArgumentException("Read-only buffer");
                }
                n = received(api.sysRecv(fdNumber, dst, 0, null));
                return n < 0 ? 0 : (int) n;
            } finally {
                endRead(blocking, n > 0);
            }
        } finally {
            readLock.unlock();
        }
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, dsts.length);
        readLock.lock();
        try {
            boolean blocking = isBlocking();
            long n = 0;
            try {
                beginRead(blocking, true);
                for (int i = offset; i < offset + length; i++) {
                    if (dsts[i].isReadOnly()) {
                        throw new IllegalArgumentException("Read-only buffer");
                    }
                }
                n = received(api.sysRecv(fdNumber, dsts, offset, length, 0, null));
                return n < 0 ? 0 : n;
            } finally {
                endRead(blocking, n > 0);
            }
        } finally {
            readLock.unlock();
        }
    }

    // ---- send, write ------------------------------------------------------------------------

    private InetSocketAddress beginWrite(boolean blocking, boolean mustBeConnected) throws IOException {
        if (blocking) {
            begin();
        }
        InetSocketAddress remote;
        fd.lock.lock();
        try {
            ensureOpen();
            remote = remoteAddress;
            if (remote == null && mustBeConnected) {
                throw new NotYetConnectedException();
            }
            if (localAddress == null) {
                bindLocked(new InetSocketAddress(0));
            }
        } finally {
            fd.lock.unlock();
        }
        if (blocking) {
            fd.beginBlocking(false);
        }
        return remote;
    }

    private void endWrite(boolean blocking, boolean completed) throws AsynchronousCloseException {
        if (blocking) {
            fd.endBlocking(false);
            end(completed);
        }
    }

    /** A send's result: the bytes, 0 for would-block or a close in progress, else its error. */
    private long sent(long n) throws IOException {
        if (n >= 0) {
            return n;
        }
        if (n == EAGAIN || !isOpen()) {
            return 0;
        }
        throw IoErrors.datagram((int) -n);
    }

    @Override
    public int send(ByteBuffer src, SocketAddress target) throws IOException {
        Objects.requireNonNull(src);
        InetSocketAddress address = Addresses.check(target);
        writeLock.lock();
        try {
            boolean blocking = isBlocking();
            long n = 0;
            boolean completed = false;
            try {
                InetSocketAddress remote = beginWrite(blocking, false);
                SockAddr to;
                if (remote != null) {
                    if (!target.equals(remote)) {
                        throw new AlreadyConnectedException();
                    }
                    to = null;
                } else {
                    if (address.getPort() == 0) {
                        throw new SocketException("Can't send to port 0");
                    }
                    to = Addresses.toTern(address);
                }
                n = sent(api.sysSend(fdNumber, src, 0, to));
                completed = n >= 0;
            } finally {
                endWrite(blocking, completed);
            }
            return (int) n;
        } finally {
            writeLock.unlock();
        }
    }

    /** The socket adaptor's send: blocking mode only. */
    void blockingSend(ByteBuffer src, SocketAddress target) throws IOException {
        writeLock.lock();
        try {
            ensureOpen();
            if (!isBlocking()) {
                throw new IllegalBlockingModeException();
            }
            send(src, target);
        } finally {
            writeLock.unlock();
        }
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        Objects.requireNonNull(src);
        writeLock.lock();
        try {
            boolean blocking = isBlocking();
            long n = 0;
            try {
                beginWrite(blocking, true);
                n = sent(api.sysSend(fdNumber, src, 0, null));
            } finally {
                endWrite(blocking, n > 0);
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
            boolean blocking = isBlocking();
            long n = 0;
            try {
                beginWrite(blocking, true);
                n = sent(api.sysSend(fdNumber, srcs, offset, length, 0, null));
            } finally {
                endWrite(blocking, n > 0);
            }
            return n;
        } finally {
            writeLock.unlock();
        }
    }

    // ---- multicast: not in Tern --------------------------------------------------------------

    @Override
    public MembershipKey join(InetAddress group, NetworkInterface interf) {
        throw new UnsupportedOperationException("Tern has no multicast");
    }

    @Override
    public MembershipKey join(InetAddress group, NetworkInterface interf, InetAddress source) {
        throw new UnsupportedOperationException("Tern has no multicast");
    }

    // ---- blocking mode, close, selection --------------------------------------------------

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
        } else {
            readLock.lock();
            readLock.unlock();
            writeLock.lock();
            writeLock.unlock();
            fd.closeNonBlocking();
        }
    }

    @Override
    public int readyOps(int events, int interestOps) {
        if ((events & (EPOLLERR | EPOLLHUP)) != 0) {
            return interestOps;
        }
        int ready = 0;
        if ((events & EPOLLIN) != 0 && (interestOps & SelectionKey.OP_READ) != 0) {
            ready |= SelectionKey.OP_READ;
        }
        if ((events & EPOLLOUT) != 0 && (interestOps & SelectionKey.OP_WRITE) != 0) {
            ready |= SelectionKey.OP_WRITE;
        }
        return ready;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(getClass().getSuperclass().getName()).append('[');
        if (!isOpen()) {
            sb.append("closed");
        } else {
            InetSocketAddress local = localAddress();
            sb.append(local == null ? "unbound" : local.toString());
            InetSocketAddress remote = remoteAddress;
            if (remote != null) {
                sb.append(" connected ").append(remote);
            }
        }
        return sb.append(']').toString();
    }
}
