package net.tern.netty;

import static net.tern.api.socket.SocketConstants.EPOLLIN;
import static net.tern.api.socket.SocketConstants.EPOLLOUT;
import static net.tern.api.socket.SocketConstants.EPOLLRDHUP;

import io.netty.channel.AbstractChannel;
import io.netty.channel.Channel;
import io.netty.channel.ChannelException;
import io.netty.channel.ChannelMetadata;
import io.netty.channel.ChannelPromise;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.util.concurrent.Future;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ConnectionPendingException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.SocketApi;
import net.tern.api.socket.SocketConstants;

/**
 * What Tern's channels share: a descriptor of the socket layer, its place in the event loop's
 * epoll set ({@link TernIoHandler}), socket options, and a non-blocking connect.
 *
 * <p>A channel made by reflection ({@code bootstrap.channel(TernSocketChannel.class)}) does not
 * know its stack yet: it opens its socket when it joins an event loop, on that loop's
 * {@link SocketApi}, and keeps the options set before then to apply them to the new socket.
 * A channel made with a {@link SocketApi} (or accepted by a server channel) has its socket at once.
 */
abstract class AbstractTernChannel extends AbstractChannel {
    private static final ChannelMetadata METADATA = new ChannelMetadata(false);

    private final int type;
    SocketApi api;
    /** The socket's descriptor; -1 before it is opened and after it is closed. */
    volatile int fd = -1;
    /**
     * Whether the socket is AF_INET6 (dual-stack: IPv4 peers as IPv4-mapped addresses), as
     * Netty's epoll transport opens its sockets where IPv6 is available; AF_INET when the
     * stack has no AF_INET6 family.
     */
    volatile boolean inet6;
    private volatile boolean open = true;
    volatile boolean active;
    private IoRegistration registration;
    /** The readiness wanted: {@code EPOLLIN} while a read is pending, {@code EPOLLOUT} while output waits. */
    private int interest;
    boolean readPending;
    boolean inputShutdown;
    private final Map<Long, Integer> pendingOptions = new LinkedHashMap<>();
    private volatile InetSocketAddress local;
    private volatile InetSocketAddress remote;

    private ChannelPromise connectPromise;
    private Future<?> connectTimeout;
    private SocketAddress requestedRemote;

    /** A channel that opens its socket when it joins an event loop (or now, when {@code api} is given). */
    AbstractTernChannel(Channel parent, SocketApi api, int type) {
        super(parent);
        this.type = type;
        if (api != null) {
            openSocket(api);
        }
    }

    /** A channel over a socket already open and connected (an accepted connection), of its listener's family. */
    AbstractTernChannel(Channel parent, SocketApi api, int type, int fd, boolean inet6, InetSocketAddress remote) {
        super(parent);
        this.type = type;
        this.api = api;
        this.fd = fd;
        this.inet6 = inet6;
        this.active = true;
        this.remote = remote;
        this.local = localFromSocket();
    }

    private void openSocket(SocketApi api) {
        try {
            int s;
            try {
                s = api.socket(SocketConstants.AF_INET6, type | SocketConstants.SOCK_NONBLOCK, 0);
                inet6 = true;
            } catch (ErrnoException noIpv6) {
                if (noIpv6.errno() != Errno.EAFNOSUPPORT) {
                    throw noIpv6;
                }
                s = api.socket(SocketConstants.AF_INET, type | SocketConstants.SOCK_NONBLOCK, 0);
            }
            this.api = api;
            this.fd = s;
            for (Map.Entry<Long, Integer> option : pendingOptions.entrySet()) {
                long key = option.getKey();
                int level = (int) (key >>> 32);
                int name = (int) key;
                if (inet6 && level == SocketConstants.SOL_IP && name == SocketConstants.IP_TOS) {
                    api.setsockopt(s, SocketConstants.SOL_IPV6, SocketConstants.IPV6_TCLASS, option.getValue());
                }
                api.setsockopt(s, level, name, option.getValue());
            }
            pendingOptions.clear();
        } catch (ErrnoException e) {
            throw new ChannelException(TernErrors.setup("socket", e));
        }
    }

    // ---- options --------------------------------------------------------------------------------

    /** {@code setsockopt}, or kept for the socket to come. */
    final void setIntOption(int level, int name, int value) {
        int s = fd;
        if (s < 0 && api == null) {
            pendingOptions.put((long) level << 32 | (name & 0xffffffffL), value);
            return;
        }
        try {
            api.setsockopt(s, level, name, value);
        } catch (ErrnoException e) {
            throw new ChannelException(TernErrors.setup("setsockopt", e));
        }
    }

    /**
     * {@code IP_TOS}, and on an AF_INET6 socket {@code IPV6_TCLASS} too, as the JDK sets a
     * traffic class on Linux (Netty's NIO transport goes through it).
     */
    final void setTrafficClass(int tos) {
        if (fd >= 0 && inet6) {
            setIntOption(SocketConstants.SOL_IPV6, SocketConstants.IPV6_TCLASS, tos);
        }
        setIntOption(SocketConstants.SOL_IP, SocketConstants.IP_TOS, tos);
    }

    /** The traffic class: {@code IPV6_TCLASS} of an AF_INET6 socket, else {@code IP_TOS}. */
    final int trafficClass() {
        return fd >= 0 && inet6 ? intOption(SocketConstants.SOL_IPV6, SocketConstants.IPV6_TCLASS, 0)
                : intOption(SocketConstants.SOL_IP, SocketConstants.IP_TOS, 0);
    }

    /**
     * {@code getsockopt}; before the channel has a socket, the value set for it, or
     * {@code unset} when none was.
     */
    final int intOption(int level, int name, int unset) {
        int s = fd;
        if (s < 0 && api == null) {
            return pendingOptions.getOrDefault((long) level << 32 | (name & 0xffffffffL), unset);
        }
        try {
            return api.getsockopt(s, level, name);
        } catch (ErrnoException e) {
            throw new ChannelException(TernErrors.setup("getsockopt", e));
        }
    }

    // ---- state ------------------------------------------------------------------------------------

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public boolean isActive() {
        return active;
    }

    @Override
    public ChannelMetadata metadata() {
        return METADATA;
    }

    @Override
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) super.localAddress();
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return (InetSocketAddress) super.remoteAddress();
    }

    @Override
    protected SocketAddress localAddress0() {
        return local;
    }

    @Override
    protected SocketAddress remoteAddress0() {
        return remote;
    }

    final InetSocketAddress localFromSocket() {
        try {
            return TernAddresses.toJava(api.getsockname(fd));
        } catch (ErrnoException e) {
            return null;
        }
    }

    final void cacheAddresses(InetSocketAddress remoteAddress) {
        local = localFromSocket();
        if (remoteAddress != null) {
            remote = remoteAddress;
        } else {
            try {
                remote = TernAddresses.toJava(api.getpeername(fd));
            } catch (ErrnoException e) {
                remote = null;
            }
        }
    }

    final void forgetRemote() {
        remote = null;
    }

    final SocketApi requireSocket() throws ClosedChannelException {
        if (fd < 0) {
            throw new ClosedChannelException();
        }
        return api;
    }

    // ---- the event loop ---------------------------------------------------------------------------

    @Override
    protected boolean isCompatible(EventLoop loop) {
        return loop instanceof IoEventLoop io && io.isCompatible(TernUnsafe.class);
    }

    @Override
    protected void doRegister(ChannelPromise promise) {
        ((IoEventLoop) eventLoop()).register((TernUnsafe) unsafe()).addListener(f -> {
            if (!f.isSuccess()) {
                promise.setFailure(f.cause());
                return;
            }
            IoRegistration r = (IoRegistration) f.getNow();
            SocketApi loopApi = r.attachment();
            try {
                if (api == null) {
                    openSocket(loopApi);
                } else if (api != loopApi) {
                    throw new ChannelException("the channel's socket is on another Tern stack than the event loop");
                }
            } catch (ChannelException e) {
                r.cancel();
                promise.setFailure(e);
                return;
            }
            registration = r;
            r.submit(new TernIoOps(interest));
            promise.setSuccess();
        });
    }

    @Override
    protected void doDeregister() {
        IoRegistration r = registration;
        if (r != null) {
            registration = null;
            r.cancel();
        }
    }

    final void addInterest(int events) {
        if ((interest & events) != events) {
            interest |= events;
            submitInterest();
        }
    }

    final void removeInterest(int events) {
        if ((interest & events) != 0) {
            interest &= ~events;
            submitInterest();
        }
    }

    final boolean wants(int events) {
        return (interest & events) != 0;
    }

    private void submitInterest() {
        IoRegistration r = registration;
        if (r != null && r.isValid()) {
            r.submit(new TernIoOps(interest));
        }
    }

    @Override
    protected void doBeginRead() {
        readPending = true;
        if (!inputFinished()) {
            addInterest(EPOLLIN | EPOLLRDHUP);
        }
    }

    /**
     * Whether no read will be tried again: the input is shut down. A connection that allows
     * half-closure overrides it, to read once more after its end.
     */
    boolean inputFinished() {
        return inputShutdown;
    }

    /** After a read: stop asking for input unless Netty wants more. */
    final void readDone() {
        if (!readPending && !config().isAutoRead() || inputFinished()) {
            removeInterest(EPOLLIN | EPOLLRDHUP);
        }
    }

    /** Auto-read was turned off: stop asking for input until a read is requested. */
    final void autoReadCleared() {
        if (!isRegistered()) {
            readPending = false;
            interest &= ~(EPOLLIN | EPOLLRDHUP);
            return;
        }
        EventLoop loop = eventLoop();
        if (loop.inEventLoop()) {
            clearRead();
        } else {
            loop.execute(() -> {
                if (!readPending && !config().isAutoRead()) {
                    clearRead();
                }
            });
        }
    }

    private void clearRead() {
        readPending = false;
        removeInterest(EPOLLIN | EPOLLRDHUP);
    }

    // ---- close --------------------------------------------------------------------------------------

    @Override
    protected void doClose() throws Exception {
        active = false;
        open = false;
        ChannelPromise promise = connectPromise;
        if (promise != null) {
            promise.tryFailure(new ClosedChannelException());
            connectPromise = null;
        }
        Future<?> timeout = connectTimeout;
        if (timeout != null) {
            timeout.cancel(false);
            connectTimeout = null;
        }
        if (isRegistered()) {
            EventLoop loop = eventLoop();
            if (loop.inEventLoop()) {
                doDeregister();
            } else {
                loop.execute(this::doDeregister);
            }
        }
        int s = fd;
        fd = -1;
        if (s >= 0) {
            api.close(s);
        }
    }

    @Override
    protected void doDisconnect() throws Exception {
        doClose();
    }

    // ---- connect --------------------------------------------------------------------------------------

    /**
     * Starts a connect: true when it completed at once, false when it is under way (the socket
     * reports writable when it ends). Binds {@code localAddress} first when given.
     */
    final boolean startConnect(SocketAddress remoteAddress, SocketAddress localAddress) throws Exception {
        SocketApi a = requireSocket();
        if (localAddress != null) {
            doBind(localAddress);
        }
        int r = a.sysConnect(fd, TernAddresses.toTern(remoteAddress, inet6));
        if (r == 0) {
            cacheAddresses((InetSocketAddress) remoteAddress);
            return true;
        }
        if (r == Errno.EINPROGRESS.negative() || r == Errno.EALREADY.negative()) {
            addInterest(EPOLLOUT);
            return false;
        }
        throw TernErrors.connect(r);
    }

    @Override
    protected void doBind(SocketAddress localAddress) throws Exception {
        try {
            requireSocket().bind(fd, TernAddresses.toTern(localAddress, inet6));
        } catch (ErrnoException e) {
            throw TernErrors.setup("bind", e);
        }
        cacheAddresses(null);
    }

    /** What a channel does when its socket turns readable (or shows an error or hang-up while a read is wanted). */
    abstract void inputReady();

    abstract class TernUnsafe extends AbstractUnsafe implements TernIoHandle {
        @Override
        public int fd() {
            return fd;
        }

        @Override
        public void handle(IoRegistration registration, IoEvent event) {
            int ready = ((TernIoEvent) event).events();
            int errorOrHangUp = SocketConstants.EPOLLERR | SocketConstants.EPOLLHUP;
            if ((ready & (EPOLLOUT | errorOrHangUp)) != 0 && wants(EPOLLOUT)) {
                if (connectPromise != null) {
                    finishConnect();
                } else {
                    forceFlush();
                }
            }
            if ((ready & (EPOLLIN | EPOLLRDHUP | errorOrHangUp)) != 0 && wants(EPOLLIN) && isOpen()) {
                inputReady();
            }
        }

        @Override
        public void close() {
            close(voidPromise());
        }

        @Override
        protected final void flush0() {
            // While the socket is full, EPOLLOUT is asked for and will flush: writing now would
            // only be refused again.
            if (!wants(EPOLLOUT)) {
                super.flush0();
            }
        }

        final void forceFlush() {
            removeInterest(EPOLLOUT);
            super.flush0();
        }

        @Override
        public void connect(SocketAddress remoteAddress, SocketAddress localAddress, ChannelPromise promise) {
            if (!promise.setUncancellable() || !ensureOpen(promise)) {
                return;
            }
            try {
                if (connectPromise != null) {
                    throw new ConnectionPendingException();
                }
                boolean wasActive = isActive();
                if (startConnect(remoteAddress, localAddress)) {
                    fulfillConnect(promise, wasActive);
                    return;
                }
                connectPromise = promise;
                requestedRemote = remoteAddress;
                int timeoutMillis = config().getConnectTimeoutMillis();
                if (timeoutMillis > 0) {
                    connectTimeout = eventLoop().schedule(() -> {
                        ChannelPromise pending = connectPromise;
                        if (pending != null && !pending.isDone() && pending.tryFailure(new ConnectTimeoutException(
                                "connection timed out after " + timeoutMillis + " ms: " + remoteAddress))) {
                            close(voidPromise());
                        }
                    }, timeoutMillis, TimeUnit.MILLISECONDS);
                }
                promise.addListener(f -> {
                    if (f.isCancelled()) {
                        if (connectTimeout != null) {
                            connectTimeout.cancel(false);
                        }
                        connectPromise = null;
                        close(voidPromise());
                    }
                });
            } catch (Throwable t) {
                closeIfClosed();
                promise.tryFailure(annotateConnectException(t, remoteAddress));
            }
        }

        private void finishConnect() {
            ChannelPromise promise = connectPromise;
            boolean wasActive = isActive();
            int r = api.sysConnect(fd, TernAddresses.toTern(requestedRemote, inet6));
            if (r == Errno.EALREADY.negative() || r == Errno.EINPROGRESS.negative()) {
                return; // still under way
            }
            try {
                if (r != 0 && r != Errno.EISCONN.negative()) {
                    throw TernErrors.connect(r);
                }
                removeInterest(EPOLLOUT);
                cacheAddresses((InetSocketAddress) requestedRemote);
                fulfillConnect(promise, wasActive);
            } catch (Throwable t) {
                promise.tryFailure(annotateConnectException(t, requestedRemote));
                closeIfClosed();
                close(voidPromise());
            } finally {
                if (connectTimeout != null) {
                    connectTimeout.cancel(false);
                }
                if (promise == null || promise.isDone()) {
                    connectPromise = null;
                }
            }
        }

        private void fulfillConnect(ChannelPromise promise, boolean wasActive) {
            if (promise == null) {
                return;
            }
            active = true;
            boolean promiseSet = promise.trySuccess();
            if (!wasActive && isActive()) {
                pipeline().fireChannelActive();
            }
            if (!promiseSet) {
                close(voidPromise()); // cancelled meanwhile
            }
        }
    }

    @Override
    protected abstract TernUnsafe newUnsafe();
}
