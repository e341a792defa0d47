package net.tern.nio;

import static net.tern.api.socket.SocketConstants.EPOLLERR;
import static net.tern.api.socket.SocketConstants.EPOLLHUP;
import static net.tern.api.socket.SocketConstants.EPOLLIN;
import static net.tern.api.socket.SocketConstants.SOCK_STREAM;
import static net.tern.api.socket.SocketConstants.SOL_SOCKET;
import static net.tern.api.socket.SocketConstants.SO_REUSEADDR;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.nio.channels.AlreadyBoundException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.IllegalBlockingModeException;
import java.nio.channels.NotYetBoundException;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.util.Set;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.SocketApi;

/**
 * A {@link ServerSocketChannel} on a Tern TCP listener, behaving as the JDK's
 * ({@code ServerSocketChannelImpl}): SO_REUSEADDR is on from the start (as the JDK sets it on
 * Linux), a backlog below 1 is 50, and an accepted channel starts blocking. A non-blocking
 * accept with nothing queued returns null without allocating.
 */
final class TernServerSocketChannel extends ServerSocketChannel implements TernSelectable {
    private final ChannelDescriptor fd;
    private final SocketApi api;
    private final int fdNumber;
    private ServerSocket socket;

    /** A new channel, AF_INET for {@code ipv4Only}, else AF_INET6 where the stack has it. */
    TernServerSocketChannel(SelectorProvider provider, SocketApi api, boolean ipv4Only) throws IOException {
        super(provider);
        this.api = api;
        this.fd = ChannelDescriptor.open(api, SOCK_STREAM, ipv4Only, this);
        this.fdNumber = fd.fd;
        try {
            api.setsockopt(fdNumber, SOL_SOCKET, SO_REUSEADDR, 1);
        } catch (ErrnoException e) {
            fd.closeNonBlocking();
            throw IoErrors.setup(e);
        }
    }

    @Override
    public ChannelDescriptor descriptor() {
        return fd;
    }

    InetSocketAddress localAddress() {
        return fd.localAddress();
    }

    boolean isBound() {
        return localAddress() != null;
    }

    @Override
    public ServerSocket socket() {
        fd.lock.lock();
        try {
            if (socket == null) {
                socket = ServerSocketAdaptor.create(this);
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
    public <T> ServerSocketChannel setOption(SocketOption<T> name, T value) throws IOException {
        fd.setOption(Options.LISTENER, name, value);
        return this;
    }

    @Override
    public <T> T getOption(SocketOption<T> name) throws IOException {
        return fd.getOption(Options.LISTENER, name);
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return Options.LISTENER;
    }

    @Override
    public ServerSocketChannel bind(SocketAddress local, int backlog) throws IOException {
        fd.lock.lock();
        try {
            fd.ensureOpen();
            if (fd.localAddress() != null) {
                throw new AlreadyBoundException();
            }
            InetSocketAddress address = local == null ? new InetSocketAddress(0) : Addresses.check(local);
            try {
                api.bind(fdNumber, fd.toTern(address));
                api.listen(fdNumber, backlog < 1 ? 50 : backlog);
            } catch (ErrnoException e) {
                throw IoErrors.setup(e);
            }
            fd.updateLocalAddress();
        } finally {
            fd.lock.unlock();
        }
        return this;
    }

    @Override
    public SocketChannel accept() throws IOException {
        fd.readLock.lock();
        try {
            boolean blocking = isBlocking();
            int newFd = -1;
            try {
                begin(blocking);
                newFd = api.sysAccept(fdNumber, 0);
            } finally {
                end(blocking, newFd >= 0);
            }
            return accepted(newFd);
        } finally {
            fd.readLock.unlock();
        }
    }

    private void begin(boolean blocking) throws ClosedChannelException {
        if (blocking) {
            begin();
        }
        fd.lock.lock();
        try {
            fd.ensureOpen();
            if (fd.localAddress() == null) {
                throw new NotYetBoundException();
            }
        } finally {
            fd.lock.unlock();
        }
        if (blocking) {
            fd.beginBlocking(true);
        }
    }

    private void end(boolean blocking, boolean completed) throws IOException {
        if (blocking) {
            fd.endBlocking(true);
            end(completed);
        }
    }

    /** The channel of an accepted descriptor; null for would-block (or a close, which {@code end} reported). */
    private SocketChannel accepted(int newFd) throws IOException {
        if (newFd < 0) {
            if (newFd == Errno.EAGAIN.negative() || !isOpen()) {
                return null;
            }
            throw IoErrors.write(-newFd);
        }
        InetSocketAddress peer;
        try {
            peer = Addresses.toJava(api.getpeername(newFd));
        } catch (ErrnoException e) {
            peer = null; // the peer left before accept; the connection is handed over all the same
        }
        try {
            return new TernSocketChannel(provider(), api, newFd, fd.inet6, peer);
        } catch (IOException | RuntimeException e) {
            try {
                api.close(newFd);
            } catch (ErrnoException ignored) {
                // closed already
            }
            throw e;
        }
    }

    /**
     * The socket adaptor's accept: blocking mode, waiting at most {@code timeoutMillis}, then
     * SocketTimeoutException("Accept timed out").
     */
    SocketChannel blockingAccept(int timeoutMillis) throws IOException {
        fd.readLock.lock();
        try {
            if (!isBlocking()) {
                throw new IllegalBlockingModeException();
            }
            int newFd = -1;
            try {
                begin(true);
                fd.configureBlocking(false);
                try {
                    long deadline = ChannelDescriptor.deadline(timeoutMillis);
                    newFd = api.sysAccept(fdNumber, 0);
                    while (newFd == Errno.EAGAIN.negative() && isOpen()) {
                        fd.awaitReady(EPOLLIN, deadline, "Accept timed out");
                        newFd = api.sysAccept(fdNumber, 0);
                    }
                } finally {
                    if (isOpen()) {
                        fd.configureBlocking(true);
                    }
                }
            } finally {
                end(true, newFd >= 0);
            }
            return accepted(newFd);
        } finally {
            fd.readLock.unlock();
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
        } else {
            fd.closeNonBlocking();
        }
    }

    @Override
    public int readyOps(int events, int interestOps) {
        if ((events & (EPOLLERR | EPOLLHUP)) != 0) {
            return interestOps;
        }
        return (events & EPOLLIN) != 0 && (interestOps & SelectionKey.OP_ACCEPT) != 0 ? SelectionKey.OP_ACCEPT : 0;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(getClass().getSuperclass().getName()).append('[');
        if (!isOpen()) {
            sb.append("closed");
        } else {
            InetSocketAddress local = localAddress();
            sb.append(local == null ? "unbound" : local.toString());
        }
        return sb.append(']').toString();
    }
}
