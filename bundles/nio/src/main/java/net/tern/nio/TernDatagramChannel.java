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
import java.nio.ByteBuffer;
import java.nio.channels.AlreadyBoundException;
import java.nio.channels.AlreadyConnectedException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.IllegalBlockingModeException;
import java.nio.channels.MembershipKey;
import java.nio.channels.NotYetConnectedException;
import java.nio.channels.SelectionKey;
import java.nio.channels.spi.SelectorProvider;
import java.util.Objects;
import java.util.Set;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
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
    /** The sender of the last datagram received; guarded by fd.readLock. */
    private final MsgHeader msg = new MsgHeader();
    /** The last sender's java.net address, reused while datagrams come from it; guarded by fd.readLock. */
    private SockAddr lastSender;
    private InetSocketAddress lastSenderAddress;
    // Guarded by fd.lock.
    private volatile InetSocketAddress remoteAddress;
    private DatagramSocket socket;

    /** A new channel, AF_INET for {@code ipv4Only}, else AF_INET6 where the stack has it. */
    TernDatagramChannel(SelectorProvider provider, SocketApi api, boolean ipv4Only) throws IOException {
        super(provider);
        this.api = api;
        this.fd = ChannelDescriptor.open(api, SOCK_DGRAM, ipv4Only, this);
        this.fdNumber = fd.fd;
    }

    @Override
    public ChannelDescriptor descriptor() {
        return fd;
    }

    InetSocketAddress localAddress() {
        return fd.localAddress();
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
        return fd.getLocalAddress();
    }

    @Override
    public SocketAddress getRemoteAddress() throws IOException {
        fd.ensureOpen();
        return remoteAddress;
    }

    @Override
    public <T> DatagramChannel setOption(SocketOption<T> name, T value) throws IOException {
        fd.setOption(Options.DATAGRAM, name, value);
        return this;
    }

    @Override
    public <T> T getOption(SocketOption<T> name) throws IOException {
        return fd.getOption(Options.DATAGRAM, name);
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return Options.DATAGRAM;
    }

    // ---- bind, connect --------------------------------------------------------------------

    @Override
    public DatagramChannel bind(SocketAddress local) throws IOException {
        fd.lockAll();
        try {
            fd.ensureOpen();
            if (fd.localAddress() != null) {
                throw new AlreadyBoundException();
            }
            bindLocked(local == null ? new InetSocketAddress(0) : Addresses.check(local));
        } finally {
            fd.unlockAll();
        }
        return this;
    }

    /** Under fd.lock. */
    private void bindLocked(InetSocketAddress address) throws IOException {
        try {
            api.bind(fdNumber, fd.toTern(address));
        } catch (ErrnoException e) {
            throw IoErrors.setup(e);
        }
        fd.updateLocalAddress();
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
        SockAddr target = fd.toTern(address);
        fd.lockAll();
        try {
            fd.ensureOpen();
            if (check && remoteAddress != null) {
                throw new AlreadyConnectedException();
            }
            if (fd.localAddress() == null) {
                bindLocked(new InetSocketAddress(0));
            }
            try {
                api.connect(fdNumber, target);
            } catch (ErrnoException e) {
                throw IoErrors.setup(e);
            }
            remoteAddress = address;
            fd.updateLocalAddress();
            dropQueued();
        } finally {
            fd.unlockAll();
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
        fd.lockAll();
        try {
            if (!isOpen() || remoteAddress == null) {
                return this;
            }
            InetSocketAddress before = fd.localAddress();
            try {
                api.connect(fdNumber, SockAddr.UNSPEC);
            } catch (ErrnoException e) {
                throw IoErrors.setup(e);
            }
            remoteAddress = null;
            InetSocketAddress after = fd.updateLocalAddress();
            if (after.getPort() == 0 && before != null && before.getPort() != 0) {
                // Linux gives an autobound port back on disconnect; the channel keeps it, as the JDK's does.
                bindLocked(new InetSocketAddress(before.getAddress(), before.getPort()));
            }
        } finally {
            fd.unlockAll();
        }
        return this;
    }

    // ---- receive, read, send, write ---------------------------------------------------------

    /**
     * Marks the start of a read ({@code reading}) or a write; binds an unbound channel.
     * Returns the peer when connected.
     */
    private InetSocketAddress beginIo(boolean blocking, boolean reading, boolean mustBeConnected) throws IOException {
        if (blocking) {
            begin();
        }
        InetSocketAddress remote;
        fd.lock.lock();
        try {
            fd.ensureOpen();
            remote = remoteAddress;
            if (remote == null && mustBeConnected) {
                throw new NotYetConnectedException();
            }
            if (fd.localAddress() == null) {
                bindLocked(new InetSocketAddress(0));
            }
        } finally {
            fd.lock.unlock();
        }
        if (blocking) {
            fd.beginBlocking(reading);
        }
        return remote;
    }

    private void endIo(boolean blocking, boolean reading, boolean completed) throws AsynchronousCloseException {
        if (blocking) {
            fd.endBlocking(reading);
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
        fd.readLock.lock();
        try {
            boolean blocking = isBlocking();
            SocketAddress sender = null;
            try {
                beginIo(blocking, true, false);
                sender = sender(received(api.sysRecv(fdNumber, dst, 0, msg.reset())));
                return sender;
            } finally {
                endIo(blocking, true, sender != null);
            }
        } finally {
            fd.readLock.unlock();
        }
    }

    /**
     * The sender of the datagram a receive of {@code n} bytes took, as the same object while
     * the sender stays the same; null when none was taken.
     */
    private InetSocketAddress sender(long n) {
        if (n < 0 || (n == 0 && !isOpen())) {
            return null;
        }
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
        fd.readLock.lock();
        try {
            fd.ensureOpen();
            if (!isBlocking()) {
                throw new IllegalBlockingModeException();
            }
            SocketAddress sender = null;
            try {
                beginIo(true, true, false);
                long n;
                if (timeoutMillis <= 0) {
                    n = received(api.sysRecv(fdNumber, dst, 0, msg.reset()));
                } else {
                    long deadline = ChannelDescriptor.deadline(timeoutMillis);
                    long result = api.sysRecv(fdNumber, dst, MSG_DONTWAIT, msg.reset());
                    while (result == EAGAIN && isOpen()) {
                        fd.awaitReady(EPOLLIN, deadline, "Receive timed out");
                        result = api.sysRecv(fdNumber, dst, MSG_DONTWAIT, msg.reset());
                    }
                    n = received(result);
                }
                sender = sender(n);
                return sender;
            } finally {
                endIo(true, true, sender != null);
            }
        } finally {
            fd.readLock.unlock();
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
            boolean blocking = isBlocking();
            long n = 0;
            try {
                beginIo(blocking, true, true);
                if (dst != null) {
                    checkWritable(dst);
                    n = received(api.sysRecv(fdNumber, dst, 0, null));
                } else {
                    for (int i = offset; i < offset + length; i++) {
                        checkWritable(dsts[i]);
                    }
                    n = received(api.sysRecv(fdNumber, dsts, offset, length, 0, null));
                }
                return n < 0 ? 0 : n;
            } finally {
                endIo(blocking, true, n > 0);
            }
        } finally {
            fd.readLock.unlock();
        }
    }

    private static void checkWritable(ByteBuffer dst) {
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("Read-only buffer");
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
        fd.writeLock.lock();
        try {
            boolean blocking = isBlocking();
            long n = 0;
            boolean completed = false;
            try {
                InetSocketAddress remote = beginIo(blocking, false, false);
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
                    to = fd.toTern(address);
                }
                n = sent(api.sysSend(fdNumber, src, 0, to));
                completed = n >= 0;
            } finally {
                endIo(blocking, false, completed);
            }
            return (int) n;
        } finally {
            fd.writeLock.unlock();
        }
    }

    /** The socket adaptor's send: blocking mode only. */
    void blockingSend(ByteBuffer src, SocketAddress target) throws IOException {
        fd.writeLock.lock();
        try {
            fd.ensureOpen();
            if (!isBlocking()) {
                throw new IllegalBlockingModeException();
            }
            send(src, target);
        } finally {
            fd.writeLock.unlock();
        }
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
            boolean blocking = isBlocking();
            long n = 0;
            try {
                beginIo(blocking, false, true);
                n = sent(src != null ? api.sysSend(fdNumber, src, 0, null)
                        : api.sysSend(fdNumber, srcs, offset, length, 0, null));
            } finally {
                endIo(blocking, false, n > 0);
            }
            return n;
        } finally {
            fd.writeLock.unlock();
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
        fd.implConfigureBlocking(block);
    }

    @Override
    protected void implCloseSelectableChannel() throws IOException {
        if (isBlocking()) {
            fd.closeBlocking();
        } else {
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
