package net.tern.socket;

import static net.tern.api.socket.SocketConstants.CLOCK_MONOTONIC;
import static net.tern.api.socket.SocketConstants.CLOCK_REALTIME;
import static net.tern.api.socket.SocketConstants.EFD_NONBLOCK;
import static net.tern.api.socket.SocketConstants.EPOLLERR;
import static net.tern.api.socket.SocketConstants.EPOLLHUP;
import static net.tern.api.socket.SocketConstants.EPOLLIN;
import static net.tern.api.socket.SocketConstants.EPOLLOUT;
import static net.tern.api.socket.SocketConstants.EPOLL_CTL_ADD;
import static net.tern.api.socket.SocketConstants.EPOLL_CTL_DEL;
import static net.tern.api.socket.SocketConstants.EPOLL_CTL_MOD;
import static net.tern.api.socket.SocketConstants.EPOLLRDHUP;
import static net.tern.api.socket.SocketConstants.MSG_DONTWAIT;
import static net.tern.api.socket.SocketConstants.MSG_OOB;
import static net.tern.api.socket.SocketConstants.MSG_TRUNC;
import static net.tern.api.socket.SocketConstants.SHUT_RD;
import static net.tern.api.socket.SocketConstants.SHUT_RDWR;
import static net.tern.api.socket.SocketConstants.SOCK_NONBLOCK;
import static net.tern.api.socket.SocketConstants.SOCK_STREAM;
import static net.tern.api.socket.SocketConstants.SOCK_TYPE_MASK;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import net.tern.api.socket.Accepted;
import net.tern.api.socket.EpollEvent;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.FamilyInfo;
import net.tern.api.socket.MsgHeader;
import net.tern.api.socket.RecvResult;
import net.tern.api.socket.SockAddr;
import net.tern.api.socket.SocketConstants;
import net.tern.api.socket.SocketApi;
import net.tern.spi.net.Clock;
import net.tern.spi.trace.Tracepoints;
import net.tern.spi.net.TimerService;
import net.tern.spi.proc.ProcFile;
import net.tern.spi.proto.ProtoOps;
import net.tern.spi.proto.ProtocolFamily;
import net.tern.spi.whiteboard.IntProperty;
import net.tern.spi.whiteboard.ServiceRank;
import net.tern.spi.whiteboard.SlotTable;
import net.tern.spi.whiteboard.SlotTable.Candidate;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The socket layer ({@code net/socket.c}): the {@link SocketApi} service over whatever
 * {@link ProtocolFamily} services are registered.
 *
 * <ul>
 * <li>Families are a whiteboard ({@code sock_register}): each service's {@code family}
 * property picks its slot of {@code net_families[]}; the highest service ranking (then the
 * older service) holds a contested slot, the other waits in reserve and takes over when the
 * holder leaves. {@code socket()} finds its family with a lock-free O(1) read.</li>
 * <li>{@code socket()} is {@code __sock_create}: check the family and type, let the family's
 * {@code create} attach its operations, install the descriptor.</li>
 * <li>Protocol operations never block. Blocking, {@code SO_RCVTIMEO}/{@code SO_SNDTIMEO},
 * MSG_DONTWAIT and non-blocking sockets are implemented here once, by waiting on the
 * socket's wait queue for the protocol's {@code wakeUp} and retrying; timeouts run on the
 * stack's {@link TimerService} and {@link Clock}.</li>
 * <li>{@code poll} and epoll follow {@code sock_poll} and {@code fs/eventpoll.c}.</li>
 * <li>When a family service leaves, its open sockets are released and withdrawn: every later
 * call but {@code close} fails with ECONNABORTED and says why.</li>
 * </ul>
 *
 * <p>Threading: any application thread may make any call. The data path takes no global
 * lock: descriptor lookup is lock-free and each socket has its own locks and wait queue.
 */
@Component(service = SocketApi.class, immediate = true)
@Designate(ocd = SocketLayer.Config.class)
public final class SocketLayer implements SocketApi {
    private static final Logger LOG = LoggerFactory.getLogger(SocketLayer.class);

    /** The default descriptor limit ({@code RLIMIT_NOFILE}): a million sockets. */
    public static final int DEFAULT_MAX_DESCRIPTORS = 1 << 20;

    /**
     * The lowest descriptor handed out. 0, 1 and 2 stay unused, as a process's standard
     * streams would hold them, so the first socket is fd 3 as in a fresh Linux process and
     * 0 never looks like a valid socket.
     */
    public static final int FIRST_DESCRIPTOR = 3;

    /** Configuration (PID {@code net.tern.socket.SocketLayer}). */
    @ObjectClassDefinition(name = "Tern socket layer")
    public @interface Config {
        @AttributeDefinition(description = "The most descriptors open at once (sockets and epoll sets); EMFILE beyond")
        int max_descriptors() default DEFAULT_MAX_DESCRIPTORS;
    }

    /** Family numbers are 0..255 (Linux's AF_MAX is far lower; room is left for private families). */
    private static final int FAMILY_SLOTS = 256;
    /** The service property that picks a family's slot: an Integer, or a numeric String. */
    private static final IntProperty FAMILY = new IntProperty(ProtocolFamily.FAMILY, 0, FAMILY_SLOTS - 1);

    private final Clock clock;
    private final BlockingCalls blocking;
    private final FdTable<OpenFile> files;
    /** {@code net_families[]}: the family service of each number, and those in reserve. */
    private final SlotTable<FamilyEntry> families = new SlotTable<>(FAMILY_SLOTS);
    /** Callers asleep in a blocking call with no wake-up sent to them since (see {@link #parkedCallers}). */
    private final AtomicInteger parked = new AtomicInteger();
    /** The {@code /proc} files the protocols serve ({@code proc_create}): each with its path and rank. */
    private final ProcFiles procFiles = new ProcFiles();

    @Activate
    public SocketLayer(@Reference(name = "clock") Clock clock, @Reference(name = "timers") TimerService timers,
            Config config) {
        this(clock, timers, config.max_descriptors());
    }

    public SocketLayer(Clock clock, TimerService timers) {
        this(clock, timers, DEFAULT_MAX_DESCRIPTORS);
    }

    public SocketLayer(Clock clock, TimerService timers, int maxDescriptors) {
        this.clock = clock;
        this.blocking = new BlockingCalls(clock, timers);
        this.files = new FdTable<>(maxDescriptors, FIRST_DESCRIPTOR);
    }

    // ==== the /proc whiteboard (proc_create / remove_proc_entry) ============================

    @Reference(name = "procFiles", service = ProcFile.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY,
            unbind = "unbindProcFile", updated = "updatedProcFile")
    public void bindProcFile(ProcFile file, Map<String, Object> properties) {
        procFiles.add(file, properties);
    }

    public void updatedProcFile(ProcFile file, Map<String, Object> properties) {
        procFiles.add(file, properties);
    }

    public void unbindProcFile(ProcFile file, Map<String, Object> properties) {
        procFiles.remove(file);
    }

    // ==== the family whiteboard (sock_register / sock_unregister) ===========================

    @Reference(name = "families", service = ProtocolFamily.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY,
            unbind = "unbindFamily", updated = "updatedFamily")
    public void bindFamily(ProtocolFamily family, Map<String, Object> properties) {
        int number = familyNumber(family, properties);
        if (number >= 0) {
            addFamily(family, number, properties);
        }
    }

    public void updatedFamily(ProtocolFamily family, Map<String, Object> properties) {
        FamilyEntry entry = entryOf(family);
        if (entry == null) {
            bindFamily(family, properties);
            return;
        }
        int number = familyNumber(family, properties);
        if (number != entry.family) {
            // A service that changes its family number leaves its old slot and joins the new one.
            unbindFamily(family, properties);
            if (number >= 0) {
                addFamily(family, number, properties);
            }
        } else {
            // The same registration again: re-ranked in place, so the slot is never empty meanwhile.
            families.add(number, entry, ServiceRank.of(properties));
        }
    }

    /**
     * {@code sock_unregister}: new sockets of the family fail with EAFNOSUPPORT (or go to a
     * service in reserve), and every open socket it created is released and withdrawn.
     */
    public void unbindFamily(ProtocolFamily family, Map<String, Object> properties) {
        List<FamilyEntry> left = families.removeIf(c -> c.service().service == family).stream()
                .map(Candidate::service).distinct().toList();
        if (left.isEmpty()) {
            return;
        }
        for (FamilyEntry entry : left) {
            withdraw(entry);
        }
        try {
            family.unregistered();
        } catch (RuntimeException e) {
            LOG.warn("{} failed in unregistered()", left.get(0).label(), e);
        }
    }

    private void addFamily(ProtocolFamily family, int number, Map<String, Object> properties) {
        FamilyEntry entry = new FamilyEntry(family, number);
        FamilyEntry active = families.add(number, entry, ServiceRank.of(properties)).after();
        if (active == entry) {
            LOG.info("Registered {}", entry.label());
        } else {
            LOG.info("Registered {} in reserve: {} ranks higher", entry.label(), active.label());
        }
    }

    /** Releases and withdraws every open socket {@code entry} created; later calls on them fail with ECONNABORTED. */
    private static void withdraw(FamilyEntry entry) {
        entry.gone = true;
        String reason = entry.label() + " left the stack";
        // Mark every socket first, then release: releasing one end of a connection wakes the
        // other, which must already fail with ECONNABORTED rather than read an end-of-stream.
        List<SocketFile> sockets = new ArrayList<>(entry.sockets);
        for (SocketFile socket : sockets) {
            socket.markWithdrawn(Errno.ECONNABORTED, reason);
        }
        for (SocketFile socket : sockets) {
            socket.releaseOnce();
        }
        LOG.info("Unregistered {}; withdrew {} open socket(s)", entry.label(), sockets.size());
    }

    private FamilyEntry entryOf(ProtocolFamily family) {
        for (Candidate<FamilyEntry> c : families.candidates()) {
            if (c.service().service == family) {
                return c.service();
            }
        }
        return null;
    }

    /**
     * The slot {@code family}'s properties name; a service without the property is filed under
     * its own {@code family()}. -1 (logged) if that is not a family number 0..255.
     */
    private static int familyNumber(ProtocolFamily family, Map<String, Object> properties) {
        Object value = properties == null ? null : properties.get(ProtocolFamily.FAMILY);
        if (value == null) {
            LOG.warn("Protocol family service {} has no '{}' property; using its family() {}",
                    family.name(), ProtocolFamily.FAMILY, family.family());
            value = family.family();
        }
        OptionalInt number = FAMILY.parse(value);
        if (number.isEmpty()) {
            LOG.warn("Ignoring protocol family service {} ({}): family {} is outside 0..{}",
                    family.name(), family, value, FAMILY_SLOTS - 1);
            return -1;
        }
        return number.getAsInt();
    }

    /** Stopping the layer closes every descriptor, releasing every socket. */
    @Deactivate
    public void deactivate() {
        int closed = 0;
        for (OpenFile file : files.entries()) {
            if (files.remove(file.fd()) == file) {
                file.closeFile();
                closed++;
            }
        }
        LOG.info("Socket layer stopped; closed {} descriptor(s)", closed);
    }

    // ==== descriptors ===========================================================================

    private SocketFile socketFile(int fd, Call call) throws ErrnoException {
        OpenFile file = files.get(fd);
        if (file instanceof SocketFile socket) {
            return socket;
        }
        if (file == null) {
            throw new ErrnoException(Errno.EBADF, call + ": fd " + fd + " is not open");
        }
        throw new ErrnoException(Errno.ENOTSOCK, call + ": fd " + fd + " is an epoll set, not a socket");
    }

    /** The socket at {@code fd}, or null: the lookup of the calls that return errors as values. */
    private SocketFile socketOrNull(int fd) {
        return files.get(fd) instanceof SocketFile socket ? socket : null;
    }

    /** Why {@code fd} is not a socket, as a negative errno: {@code -EBADF}, or {@code -ENOTSOCK} for an epoll set. */
    private int notASocket(int fd) {
        return files.get(fd) == null ? Errno.EBADF.negative() : Errno.ENOTSOCK.negative();
    }

    private EpollFile epollFile(int epfd, Call call) throws ErrnoException {
        OpenFile file = files.get(epfd);
        if (file instanceof EpollFile epoll) {
            return epoll;
        }
        if (file == null) {
            throw new ErrnoException(Errno.EBADF, call + ": fd " + epfd + " is not open");
        }
        // As epoll_wait(2) and epoll_ctl(2): a descriptor that is not an epoll set is EINVAL.
        throw new ErrnoException(Errno.EINVAL, call + ": fd " + epfd + " is a socket, not an epoll set");
    }

    private int reserveDescriptor(Call call) throws ErrnoException {
        int fd = files.reserve();
        if (fd < 0) {
            throw new ErrnoException(Errno.EMFILE, call + ": all " + files.limit() + " descriptors are in use");
        }
        return fd;
    }

    /**
     * Publishes a new socket under its reserved descriptor, unless its family left meanwhile.
     * The socket joins its family's set before the check, so a concurrent withdrawal either
     * sees it there or is seen here. {@code errnoIfGone}: EAFNOSUPPORT for socket(), as if the
     * family had never been there; ECONNABORTED for accept, as for a connection aborted while queued.
     */
    private boolean install(SocketFile socket) {
        socket.family.sockets.add(socket);
        files.install(socket.fd(), socket);
        if (socket.family.gone) {
            files.remove(socket.fd());
            socket.closeFile();
            return false;
        }
        return true;
    }

    /** Threads blocked in a call on {@code fd} now (0 if it is not open): for diagnostics and tests. */
    public int blockedCallers(int fd) {
        OpenFile file = files.get(fd);
        return file == null ? 0 : file.sleepers();
    }

    /**
     * Threads asleep in a blocking call of this layer (on any descriptor, a lingering close
     * included) with no wake-up sent to them since they went to sleep: each stays asleep until
     * a packet, a timer, or another call wakes it. A test that drives the stack's clock waits
     * until this equals the number of its threads inside blocking calls before it moves time,
     * so that what those threads do is over before the next event. For diagnostics and tests.
     */
    public int parkedCallers() {
        return parked.get();
    }

    /** Descriptors open now (sockets and epoll sets). */
    public int openDescriptors() {
        return files.count();
    }

    // ==== socket() (__sock_create) ================================================================

    @Override
    public int socket(int family, int type, int protocol) throws ErrnoException {
        Call call = Call.withoutFd("socket", "family " + family + ", type " + type + ", protocol " + protocol);
        FamilyEntry entry = families.get(family);
        if (entry == null) {
            throw new ErrnoException(Errno.EAFNOSUPPORT, call + ": no protocol family " + family + " is registered");
        }
        int flags = type & ~SOCK_TYPE_MASK;
        if ((flags & ~SOCK_NONBLOCK) != 0) {
            throw new ErrnoException(Errno.EINVAL, call + ": unknown type flags 0x"
                    + Integer.toHexString(flags & ~SOCK_NONBLOCK));
        }
        int fd = reserveDescriptor(call);
        SocketFile socket = new SocketFile(fd, entry, type & SOCK_TYPE_MASK, parked);
        try {
            entry.service.create(socket.sock, protocol);
        } catch (ErrnoException e) {
            files.unreserve(fd);
            throw e.in(call.toString());
        } catch (RuntimeException e) {
            files.unreserve(fd);
            throw e;
        }
        if (socket.sock.ops() == null) {
            files.unreserve(fd);
            throw new ErrnoException(Errno.EPROTONOSUPPORT, call + ": " + entry.label()
                    + " created no protocol socket");
        }
        socket.nonBlocking = (flags & SOCK_NONBLOCK) != 0;
        if (!install(socket)) {
            // As if the family had never been there.
            throw new ErrnoException(Errno.EAFNOSUPPORT, call + ": " + entry.label() + " left the stack");
        }
        Tracepoints.syscall(clock, "__sys_socket", fd, "type", type & SOCK_TYPE_MASK);
        return fd;
    }

    // ==== connection set-up ========================================================================

    @Override
    public void bind(int fd, SockAddr address) throws ErrnoException {
        Call call = Call.of("bind", fd, address);
        Tracepoints.syscall(clock, "__sys_bind", fd, address);
        SocketFile socket = socketFile(fd, call);
        if (address == null) {
            throw new ErrnoException(Errno.EFAULT, call + ": no address");
        }
        socket.invoke(call, (ops, s) -> {
            ops.bind(s, address);
            return null;
        });
    }

    @Override
    public void listen(int fd, int backlog) throws ErrnoException {
        Call call = Call.of("listen", fd, "backlog " + backlog);
        Tracepoints.syscall(clock, "__sys_listen", fd, "backlog", backlog);
        SocketFile socket = socketFile(fd, call);
        socket.invoke(call, (ops, s) -> {
            ops.listen(s, backlog);
            return null;
        });
        socket.listening = true;
    }

    /**
     * {@code accept4}: the descriptor is reserved first (as {@code __sys_accept4_file} does),
     * so a full table fails with EMFILE without losing a queued connection.
     */
    @Override
    public Accepted accept(int fd, int flags) throws ErrnoException {
        Call call = Call.of("accept", fd);
        SocketFile listener = socketFile(fd, call);
        if ((flags & ~SOCK_NONBLOCK) != 0) {
            throw new ErrnoException(Errno.EINVAL, call + ": unknown flags 0x" + Integer.toHexString(flags));
        }
        int newFd;
        try {
            newFd = accept(listener, flags);
        } catch (ErrnoException e) {
            throw e.in(call.toString());
        }
        if (newFd < 0) {
            String detail = newFd == Errno.EMFILE.negative() ? "all " + files.limit() + " descriptors are in use" : null;
            throw listener.failure(call, -newFd, 0, false, detail);
        }
        SockAddr peer;
        try {
            SocketFile accepted = (SocketFile) files.get(newFd);
            peer = accepted == null ? null : accepted.sock.ops().getname(accepted.sock, true);
        } catch (ErrnoException e) {
            // The peer went away before accept; the connection is still handed over, as Linux does.
            peer = null;
        }
        return new Accepted(newFd, peer);
    }

    @Override
    public int sysAccept(int fd, int flags) {
        SocketFile listener = socketOrNull(fd);
        if (listener == null) {
            return notASocket(fd);
        }
        if ((flags & ~SOCK_NONBLOCK) != 0) {
            return Errno.EINVAL.negative();
        }
        try {
            return accept(listener, flags);
        } catch (ErrnoException e) {
            return e.errno().negative();
        }
    }

    /**
     * {@code __sys_accept4_file}: the new descriptor, or a negative errno. A non-blocking
     * listener with nothing queued answers {@code -EAGAIN} from its poll, before a descriptor
     * and a socket are made for a connection that is not there.
     */
    private int accept(SocketFile listener, int flags) throws ErrnoException {
        Tracepoints.syscall(clock, "__sys_accept4", listener.fd());
        if (!listener.mayBlock(0) && listener.listening) {
            int unusable = listener.unusable();
            if (unusable != 0) {
                return -unusable;
            }
            if ((listener.pollForEpoll() & (EPOLLIN | EPOLLERR | EPOLLHUP)) == 0) {
                return Errno.EAGAIN.negative();
            }
        }
        int newFd = files.reserve();
        if (newFd < 0) {
            return Errno.EMFILE.negative();
        }
        SocketFile accepted = new SocketFile(newFd, listener.family, listener.sock.type(), parked);
        int result;
        try {
            result = blocking.retry(listener, 0, EPOLLIN, false, BlockingCalls.ACCEPT, accepted.sock, null);
        } catch (ErrnoException | RuntimeException e) {
            files.unreserve(newFd);
            throw e;
        }
        if (result < 0 || accepted.sock.ops() == null) {
            files.unreserve(newFd);
            // A protocol that reports success but attaches nothing lost the connection on the way.
            return result < 0 ? result : Errno.ECONNABORTED.negative();
        }
        accepted.nonBlocking = (flags & SOCK_NONBLOCK) != 0;
        if (!install(accepted)) {
            return Errno.ECONNABORTED.negative(); // the family left meanwhile, as a connection aborted while queued
        }
        return newFd;
    }

    /**
     * {@code connect}: the protocol starts the connection; a blocking socket whose connection
     * is in progress (EINPROGRESS, or EALREADY from an earlier non-blocking attempt) then waits
     * for it as {@code __inet_stream_connect} does ({@link BlockingCalls#awaitConnected}).
     */
    @Override
    public void connect(int fd, SockAddr address) throws ErrnoException {
        Call call = Call.of("connect", fd, address);
        SocketFile socket = socketFile(fd, call);
        if (address == null) {
            throw new ErrnoException(Errno.EFAULT, call + ": no address");
        }
        boolean mayBlock = socket.mayBlock(0);
        int result;
        try {
            result = connect(socket, address);
        } catch (ErrnoException e) {
            throw e.in(call.toString());
        }
        if (result < 0) {
            String detail;
            if (result == Errno.EINPROGRESS.negative()) {
                detail = mayBlock ? "not connected within SO_SNDTIMEO " + socket.sndTimeoutMillis
                        + " ms; the connection goes on" : "connection in progress";
            } else if (result == Errno.EALREADY.negative()) {
                detail = "connection in progress";
            } else if (result == Errno.EISCONN.negative()) {
                detail = "connected already";
            } else if (result == Errno.ECONNABORTED.negative()) {
                detail = "connection ended without an error";
            } else {
                detail = "connection failed";
            }
            throw socket.failure(call, -result, 0, true, detail);
        }
    }

    @Override
    public int sysConnect(int fd, SockAddr address) {
        SocketFile socket = socketOrNull(fd);
        if (socket == null) {
            return notASocket(fd);
        }
        if (address == null) {
            return Errno.EFAULT.negative();
        }
        try {
            return connect(socket, address);
        } catch (ErrnoException e) {
            return e.errno().negative();
        }
    }

    private int connect(SocketFile socket, SockAddr address) throws ErrnoException {
        Tracepoints.syscall(clock, "__sys_connect", socket.fd(), address);
        boolean mayBlock = socket.mayBlock(0);
        int fileFlags = socket.nonBlocking ? SOCK_NONBLOCK : 0;
        int result = socket.tryConnect(address, fileFlags);
        boolean inProgress = result == Errno.EINPROGRESS.negative() || result == Errno.EALREADY.negative();
        return mayBlock && inProgress ? blocking.awaitConnected(socket) : result;
    }

    // ==== data ======================================================================================

    @Override
    public int sendto(int fd, ByteBuffer data, int flags, SockAddr to) throws ErrnoException {
        // The call's description is made only for an error: a datagram sender calls this in a loop.
        SocketFile socket = socketOrNull(fd);
        if (socket == null) {
            socket = socketFile(fd, sendCall(fd, to)); // throws EBADF or ENOTSOCK
        }
        if (data == null) {
            throw new ErrnoException(Errno.EFAULT, sendCall(fd, to) + ": no data buffer");
        }
        int n;
        try {
            n = send(socket, data, flags, to);
        } catch (ErrnoException e) {
            throw e.in(sendCall(fd, to).toString());
        }
        if (n < 0) {
            throw socket.failure(sendCall(fd, to), -n, flags, true, null);
        }
        return n;
    }

    private static Call sendCall(int fd, SockAddr to) {
        return to == null ? Call.of("send", fd) : Call.of("sendto", fd, to);
    }

    @Override
    public long sysSend(int fd, ByteBuffer src, int flags, SockAddr to) {
        SocketFile socket = socketOrNull(fd);
        if (socket == null) {
            return notASocket(fd);
        }
        if (src == null) {
            return Errno.EFAULT.negative();
        }
        try {
            return send(socket, src, flags, to);
        } catch (ErrnoException e) {
            return e.errno().negative();
        }
    }

    @Override
    public long sysSend(int fd, ByteBuffer[] srcs, int offset, int length, int flags, SockAddr to) {
        SocketFile socket = socketOrNull(fd);
        if (socket == null) {
            return notASocket(fd);
        }
        if (!validVector(srcs, offset, length)) {
            return Errno.EFAULT.negative();
        }
        try {
            if (socket.sock.type() != SOCK_STREAM) {
                // One datagram from every buffer, as writev on a datagram socket.
                int n = send(socket, gather(srcs, offset, length), flags, to);
                if (n > 0) {
                    consume(srcs, offset, length, n);
                }
                return n;
            }
            return streamVector(socket, srcs, offset, length, flags, false, to, null);
        } catch (ErrnoException e) {
            return e.errno().negative();
        }
    }

    /**
     * A stream's {@code writev} or {@code readv}: each buffer in turn until one is not filled
     * (or emptied) whole. A vector send waits as a single send would, for every byte; a vector
     * receive, once some bytes are in, takes only what is there ({@code MSG_DONTWAIT}) and ends
     * at the end of the stream. An error after some bytes ends the call with those bytes.
     */
    private long streamVector(SocketFile socket, ByteBuffer[] buffers, int offset, int length, int flags,
            boolean receive, SockAddr to, MsgHeader msg) throws ErrnoException {
        long total = 0;
        int last = offset + length - 1;
        for (int i = offset; i <= last; i++) {
            ByteBuffer buffer = buffers[i];
            if (!buffer.hasRemaining() && (total > 0 || i < last)) {
                continue;
            }
            int n = receive ? receive(socket, buffer, total > 0 ? flags | MSG_DONTWAIT : flags, msg)
                    : send(socket, buffer, flags, to);
            if (n < 0) {
                return total > 0 ? total : n;
            }
            total += n;
            if (buffer.hasRemaining() || (receive && n == 0)) {
                break;
            }
        }
        return total;
    }

    /** A datagram's buffers gathered into one; their positions stay. */
    private static ByteBuffer gather(ByteBuffer[] srcs, int offset, int length) {
        long total = 0;
        for (int i = offset; i < offset + length; i++) {
            total += srcs[i].remaining();
        }
        ByteBuffer datagram = ByteBuffer.allocate((int) Math.min(total, Integer.MAX_VALUE));
        for (int i = offset; i < offset + length && datagram.hasRemaining(); i++) {
            ByteBuffer part = srcs[i].duplicate();
            part.limit(part.position() + Math.min(part.remaining(), datagram.remaining()));
            datagram.put(part);
        }
        datagram.flip();
        return datagram;
    }

    /** Advances the buffers' positions past {@code bytes} sent from them. */
    private static void consume(ByteBuffer[] srcs, int offset, int length, int bytes) {
        for (int i = offset; i < offset + length && bytes > 0; i++) {
            int taken = Math.min(bytes, srcs[i].remaining());
            srcs[i].position(srcs[i].position() + taken);
            bytes -= taken;
        }
    }

    private static boolean validVector(ByteBuffer[] buffers, int offset, int length) {
        if (buffers == null || offset < 0 || length < 0 || offset > buffers.length - length) {
            return false;
        }
        for (int i = offset; i < offset + length; i++) {
            if (buffers[i] == null) {
                return false;
            }
        }
        return true;
    }

    /** One send: a stream's as {@code tcp_sendmsg} (a blocking socket waits for all), a datagram all or nothing. */
    private int send(SocketFile socket, ByteBuffer data, int flags, SockAddr to) throws ErrnoException {
        if (socket.sock.type() != SOCK_STREAM) {
            return blocking.retry(socket, flags, EPOLLOUT, false, BlockingCalls.SEND_DATAGRAM, data, to);
        }
        return blocking.sendStream(socket, flags, data, to);
    }

    @Override
    public RecvResult recvfrom(int fd, ByteBuffer dst, int flags) throws ErrnoException {
        MsgHeader msg = new MsgHeader();
        int bytes = receive(Call.of("recvfrom", fd), fd, dst, flags, msg);
        return new RecvResult(bytes, msg.from, msg.flags);
    }

    @Override
    public int recv(int fd, ByteBuffer dst, int flags) throws ErrnoException {
        return receive(Call.of("recv", fd), fd, dst, flags, null);
    }

    private int receive(Call call, int fd, ByteBuffer dst, int flags, MsgHeader msg) throws ErrnoException {
        SocketFile socket = socketFile(fd, call);
        if (dst == null) {
            throw new ErrnoException(Errno.EFAULT, call + ": no receive buffer");
        }
        int n;
        try {
            n = receive(socket, dst, flags, msg);
        } catch (ErrnoException e) {
            throw e.in(call.toString());
        }
        if (n < 0) {
            throw socket.failure(call, -n, flags, false, null);
        }
        return n;
    }

    @Override
    public long sysRecv(int fd, ByteBuffer dst, int flags, MsgHeader msg) {
        SocketFile socket = socketOrNull(fd);
        if (socket == null) {
            return notASocket(fd);
        }
        if (dst == null) {
            return Errno.EFAULT.negative();
        }
        try {
            return receive(socket, dst, flags, msg);
        } catch (ErrnoException e) {
            return e.errno().negative();
        }
    }

    @Override
    public long sysRecv(int fd, ByteBuffer[] dsts, int offset, int length, int flags, MsgHeader msg) {
        SocketFile socket = socketOrNull(fd);
        if (socket == null) {
            return notASocket(fd);
        }
        if (!validVector(dsts, offset, length)) {
            return Errno.EFAULT.negative();
        }
        try {
            if (socket.sock.type() != SOCK_STREAM) {
                return receiveScattered(socket, dsts, offset, length, flags, msg);
            }
            return streamVector(socket, dsts, offset, length, flags, true, null, msg);
        } catch (ErrnoException e) {
            return e.errno().negative();
        }
    }

    @Override
    public long sysRecvBuffers(int fd, ByteBufAllocator alloc, int maxBytes, int flags, Consumer<? super ByteBuf> sink) {
        SocketFile socket = socketOrNull(fd);
        if (socket == null) {
            return notASocket(fd);
        }
        if (alloc == null || sink == null) {
            return Errno.EFAULT.negative();
        }
        if (maxBytes <= 0) {
            return Errno.EINVAL.negative();
        }
        try {
            if (!socket.mayBlock(flags)) {
                return socket.tryRecvBuffers(alloc, maxBytes, flags, sink); // no request object: allocates nothing
            }
            return blocking.retry(socket, flags, EPOLLIN, (flags & MSG_OOB) == 0, BlockingCalls.RECEIVE_BUFFERS,
                    new BlockingCalls.BufferReceive(alloc, maxBytes), sink);
        } catch (ErrnoException e) {
            return e.errno().negative();
        }
    }

    /**
     * One datagram scattered over the buffers: received whole into one buffer of their total
     * room, then spread. A socket that may not wait answers {@code -EAGAIN} from its poll first,
     * before that buffer is made.
     */
    private int receiveScattered(SocketFile socket, ByteBuffer[] dsts, int offset, int length, int flags,
            MsgHeader msg) throws ErrnoException {
        if (!socket.mayBlock(flags) && socket.unusable() == 0
                && (socket.pollForEpoll() & (EPOLLIN | EPOLLERR | EPOLLHUP | EPOLLRDHUP)) == 0) {
            return Errno.EAGAIN.negative();
        }
        long room = 0;
        for (int i = offset; i < offset + length; i++) {
            room += dsts[i].remaining();
        }
        ByteBuffer whole = ByteBuffer.allocate((int) Math.min(room, Integer.MAX_VALUE));
        int n = receive(socket, whole, flags & ~MSG_TRUNC, msg);
        if (n <= 0) {
            return n;
        }
        whole.flip();
        for (int i = offset; i < offset + length && whole.hasRemaining(); i++) {
            ByteBuffer part = whole.duplicate();
            part.limit(part.position() + Math.min(part.remaining(), dsts[i].remaining()));
            dsts[i].put(part);
            whole.position(part.position());
        }
        return n;
    }

    private int receive(SocketFile socket, ByteBuffer dst, int flags, MsgHeader msg) throws ErrnoException {
        // A zero-length or out-of-band receive is always tried: the protocol answers those at once.
        boolean idleSkips = dst.hasRemaining() && (flags & MSG_OOB) == 0;
        return blocking.retry(socket, flags, EPOLLIN, idleSkips, BlockingCalls.RECEIVE, dst, msg);
    }

    @Override
    public void shutdown(int fd, int how) throws ErrnoException {
        Call call = Call.of("shutdown", fd, "how " + how);
        Tracepoints.syscall(clock, "__sys_shutdown", fd, "how", how);
        SocketFile socket = socketFile(fd, call);
        if (how < SHUT_RD || how > SHUT_RDWR) {
            throw new ErrnoException(Errno.EINVAL, call + ": how must be SHUT_RD, SHUT_WR or SHUT_RDWR");
        }
        socket.invoke(call, (ops, s) -> {
            ops.shutdown(s, how);
            return null;
        });
    }

    /**
     * {@code close}: the descriptor leaves the table first (so a second close is EBADF and the
     * number may be reused at once), then threads blocked on it wake and fail with EBADF, then
     * the protocol socket is released. A blocking socket with {@code SO_LINGER} on for a
     * positive time then waits until the protocol has sent what it had, or the time passes
     * ({@link BlockingCalls#lingerAfterClose}).
     */
    @Override
    public void close(int fd) throws ErrnoException {
        Tracepoints.syscall(clock, "__sys_close", fd);
        OpenFile file = files.remove(fd);
        Call call = Call.of("close", fd);
        if (file == null) {
            throw new ErrnoException(Errno.EBADF, call + ": fd " + fd + " is not open");
        }
        int lingerSeconds = file instanceof SocketFile socket ? socket.lingerSecondsOnClose(call) : -1;
        file.closeFile();
        if (lingerSeconds > 0) {
            blocking.lingerAfterClose((SocketFile) file, lingerSeconds);
        }
    }

    // ==== options ====================================================================================

    /**
     * {@code sock_ioctl}: FIONBIO is the descriptor's own (as {@code fcntl(O_NONBLOCK)}); every
     * other request goes to the socket's protocol.
     */
    @Override
    public int ioctl(int fd, int request, int arg) throws ErrnoException {
        Call call = Call.of("ioctl", fd, SocketConstants.ioctlName(request));
        SocketFile socket = socketFile(fd, call);
        if (request == SocketConstants.FIONBIO) {
            socket.checkUsable(call);
            socket.nonBlocking = arg != 0;
            return 0;
        }
        return socket.invoke(call, (ops, s) -> ops.ioctl(s, request, arg));
    }

    @Override
    public void setsockopt(int fd, int level, int name, int value) throws ErrnoException {
        Call call = Call.of("setsockopt", fd, SocketOptions.name(level, name) + " = " + value);
        SocketFile socket = socketFile(fd, call);
        if (SocketOptions.ownedByLayer(level, name)) {
            SocketOptions.set(socket, call, name, value);
            return;
        }
        Integer boxed = value;
        socket.invoke(call, (ops, s) -> {
            ops.setsockopt(s, level, name, boxed);
            return null;
        });
    }

    @Override
    public void setsockopt(int fd, int level, int name, String value) throws ErrnoException {
        Call call = Call.of("setsockopt", fd, SocketOptions.name(level, name) + " = \"" + value + "\"");
        SocketFile socket = socketFile(fd, call);
        if (value == null) {
            throw new ErrnoException(Errno.EFAULT, call + ": no value");
        }
        if (SocketOptions.ownedByLayer(level, name)) {
            socket.checkUsable(call);
            throw new ErrnoException(Errno.EINVAL, call + ": the option takes an integer");
        }
        socket.invoke(call, (ops, s) -> {
            ops.setsockopt(s, level, name, value);
            return null;
        });
    }

    @Override
    public int getsockopt(int fd, int level, int name) throws ErrnoException {
        Call call = Call.of("getsockopt", fd, SocketOptions.name(level, name));
        SocketFile socket = socketFile(fd, call);
        if (SocketOptions.ownedByLayer(level, name)) {
            return SocketOptions.get(socket, call, name);
        }
        Object value = socket.invoke(call, (ops, s) -> ops.getsockopt(s, level, name));
        if (value instanceof Number n) {
            return n.intValue();
        }
        throw new ErrnoException(Errno.EINVAL, call + ": the option's value is not an integer: " + value);
    }

    @Override
    public String getsockoptString(int fd, int level, int name) throws ErrnoException {
        Call call = Call.of("getsockopt", fd, SocketOptions.name(level, name));
        SocketFile socket = socketFile(fd, call);
        if (SocketOptions.ownedByLayer(level, name)) {
            socket.checkUsable(call);
            throw new ErrnoException(Errno.EINVAL, call + ": the option is an integer");
        }
        Object value = socket.invoke(call, (ops, s) -> ops.getsockopt(s, level, name));
        if (value instanceof String text) {
            return text;
        }
        throw new ErrnoException(Errno.EINVAL, call + ": the option's value is not a string: " + value);
    }

    @Override
    public <T> T getsockopt(int fd, int level, int name, Class<T> type) throws ErrnoException {
        Call call = Call.of("getsockopt", fd, SocketOptions.name(level, name) + " as " + type.getSimpleName());
        SocketFile socket = socketFile(fd, call);
        if (SocketOptions.ownedByLayer(level, name)) {
            return ProtoOps.optionAs(SocketOptions.get(socket, call, name), type, level, name);
        }
        return socket.invoke(call, (ops, s) -> ops.getsockopt(s, level, name, type));
    }

    @Override
    public SockAddr getsockname(int fd) throws ErrnoException {
        Call call = Call.of("getsockname", fd);
        return socketFile(fd, call).invoke(call, (ops, s) -> ops.getname(s, false));
    }

    @Override
    public SockAddr getpeername(int fd) throws ErrnoException {
        Call call = Call.of("getpeername", fd);
        return socketFile(fd, call).invoke(call, (ops, s) -> ops.getname(s, true));
    }

    @Override
    public void setNonBlocking(int fd, boolean nonBlocking) throws ErrnoException {
        Call call = Call.of("setNonBlocking", fd, nonBlocking);
        SocketFile socket = socketFile(fd, call);
        socket.checkUsable(call);
        socket.nonBlocking = nonBlocking;
    }

    @Override
    public boolean isNonBlocking(int fd) throws ErrnoException {
        Call call = Call.of("isNonBlocking", fd);
        SocketFile socket = socketFile(fd, call);
        socket.checkUsable(call);
        return socket.nonBlocking;
    }

    // ==== readiness ==================================================================================

    /**
     * {@code poll} on one socket. A withdrawn socket reports EPOLLERR|EPOLLHUP rather than
     * failing, as poll reports a reset connection; a descriptor closed during the wait is EBADF.
     */
    @Override
    public int poll(int fd, int events, int timeoutMillis) throws ErrnoException {
        SocketFile socket = socketOrNull(fd);
        if (socket == null) {
            socketFile(fd, Call.of("poll", fd));
        }
        int ready = blocking.poll(socket, events | EPOLLERR | EPOLLHUP,
                timeoutMillis < 0 ? -1 : TimeUnit.MILLISECONDS.toNanos(timeoutMillis));
        if (ready < 0) {
            throw socket.failure(Call.of("poll", fd), -ready, 0, false, null);
        }
        return ready;
    }

    @Override
    public int sysPpoll(int fd, int events, long timeoutNanos) {
        SocketFile socket = socketOrNull(fd);
        if (socket == null) {
            return notASocket(fd);
        }
        return blocking.poll(socket, events | EPOLLERR | EPOLLHUP, timeoutNanos);
    }

    @Override
    public int epollCreate() throws ErrnoException {
        Call call = Call.withoutFd("epollCreate", "");
        int fd = reserveDescriptor(call);
        files.install(fd, new EpollFile(fd, parked));
        return fd;
    }

    @Override
    public void epollCtl(int epfd, int op, int fd, int events, long data) throws ErrnoException {
        int result = sysEpollCtl(epfd, op, fd, events, data);
        if (result < 0) {
            Call call = new Call("epollCtl", "epfd", epfd, SocketOptions.epollOp(op) + ", fd " + fd);
            String detail = switch (Errno.ofResult(result)) {
                case EBADF -> files.get(epfd) instanceof EpollFile ? "fd " + fd + " is not open"
                        : "fd " + epfd + " is not open";
                case EINVAL -> !(files.get(epfd) instanceof EpollFile) ? "fd " + epfd + " is not an epoll set"
                        : epfd == fd ? "an epoll set cannot watch itself" : "unknown operation " + op;
                case ENOTSOCK -> "fd " + fd + " is an epoll set; only sockets and eventfds can be watched";
                case EEXIST -> "fd " + fd + " is already in the set";
                case ENOENT -> "fd " + fd + " is not in the set";
                default -> null;
            };
            throw new ErrnoException(Errno.ofResult(result), detail == null ? call.toString() : call + ": " + detail);
        }
    }

    /**
     * {@code epoll_ctl}: the target must be a socket or an eventfd; an epoll set as the target
     * is EINVAL when it is the set itself and ENOTSOCK otherwise (Tern does not nest epoll sets).
     */
    @Override
    public int sysEpollCtl(int epfd, int op, int fd, int events, long data) {
        OpenFile file = files.get(epfd);
        if (!(file instanceof EpollFile epoll)) {
            return file == null ? Errno.EBADF.negative() : Errno.EINVAL.negative();
        }
        if (op != EPOLL_CTL_ADD && op != EPOLL_CTL_DEL && op != EPOLL_CTL_MOD) {
            return Errno.EINVAL.negative();
        }
        OpenFile target = files.get(fd);
        if (target == null) {
            return Errno.EBADF.negative();
        }
        if (target == epoll) {
            return Errno.EINVAL.negative();
        }
        if (!(target instanceof Watchable watchable)) {
            return Errno.ENOTSOCK.negative();
        }
        return epoll.control(op, watchable, events, data);
    }

    // ==== eventfd ====================================================================================

    @Override
    public int eventfd(long initial, int flags) throws ErrnoException {
        Call call = Call.withoutFd("eventfd", "initial " + initial + ", flags 0x" + Integer.toHexString(flags));
        if ((flags & ~EFD_NONBLOCK) != 0) {
            throw new ErrnoException(Errno.EINVAL, call + ": unknown flags 0x" + Integer.toHexString(flags & ~EFD_NONBLOCK));
        }
        if (initial < 0 || initial > Integer.MAX_VALUE) {
            // eventfd(2) takes an unsigned int.
            throw new ErrnoException(Errno.EINVAL, call + ": the initial value must be 0.." + Integer.MAX_VALUE);
        }
        int fd = reserveDescriptor(call);
        EventFile file = new EventFile(fd, initial, parked);
        file.nonBlocking = (flags & EFD_NONBLOCK) != 0;
        files.install(fd, file);
        return fd;
    }

    @Override
    public int sysEventfdWrite(int fd, long value) {
        OpenFile file = files.get(fd);
        if (!(file instanceof EventFile event)) {
            return file == null ? Errno.EBADF.negative() : Errno.EINVAL.negative();
        }
        if (value < 0) {
            return Errno.EINVAL.negative(); // the counter is at most Long.MAX_VALUE here
        }
        return (int) blocking.eventfd(event, true, value);
    }

    @Override
    public long sysEventfdRead(int fd) {
        OpenFile file = files.get(fd);
        if (!(file instanceof EventFile event)) {
            return file == null ? Errno.EBADF.negative() : Errno.EINVAL.negative();
        }
        return blocking.eventfd(event, false, 0);
    }

    /**
     * {@code epoll_wait} ({@code ep_poll}): collects ready events; if there are none and the
     * timeout allows, sleeps until a watched socket's wake-up puts one on the ready list.
     */
    @Override
    public int epollWait(int epfd, EpollEvent[] events, int timeoutMillis) throws ErrnoException {
        Call call = new Call("epollWait", "epfd", epfd, null);
        EpollFile epoll = epollFile(epfd, call);
        if (events == null || events.length == 0) {
            throw new ErrnoException(Errno.EINVAL, call + ": room for at least one event is needed");
        }
        int stored = blocking.epollWait(epoll, events, null, null, timeoutMillis);
        if (stored == Errno.EBADF.negative()) {
            throw new ErrnoException(Errno.EBADF, call + ": the epoll set was closed");
        }
        if (stored < 0) {
            throw new ErrnoException(Errno.ofResult(stored), call + ": interrupted while waiting");
        }
        return stored;
    }

    @Override
    public int sysEpollWait(int epfd, int[] events, long[] data, int timeoutMillis) {
        OpenFile file = files.get(epfd);
        if (!(file instanceof EpollFile epoll)) {
            return file == null ? Errno.EBADF.negative() : Errno.EINVAL.negative();
        }
        if (events == null || data == null || events.length == 0 || data.length == 0) {
            return Errno.EINVAL.negative();
        }
        return blocking.epollWait(epoll, null, events, data, timeoutMillis);
    }

    // ==== /proc/net/protocols ==========================================================================

    @Override
    public List<FamilyInfo> families() {
        Map<Integer, Integer> openByFamily = new LinkedHashMap<>();
        for (Candidate<FamilyEntry> c : families.candidates()) {
            openByFamily.merge(c.key(), c.service().sockets.size(), Integer::sum);
        }
        List<FamilyInfo> result = new ArrayList<>();
        for (Map.Entry<Integer, Integer> e : openByFamily.entrySet()) {
            FamilyEntry active = families.get(e.getKey());
            if (active != null) {
                result.add(new FamilyInfo(active.family, active.name, active.service.protocols(), e.getValue()));
            }
        }
        return result;
    }

    /** {@code clock_gettime}: the stack's clock for CLOCK_MONOTONIC, the wall clock for CLOCK_REALTIME. */
    @Override
    public long clockGettime(int clockId) throws ErrnoException {
        return switch (clockId) {
            case CLOCK_MONOTONIC -> clock.nanoTime();
            case CLOCK_REALTIME -> TimeUnit.MILLISECONDS.toNanos(clock.currentTimeMillis());
            default -> throw new ErrnoException(Errno.EINVAL, "clock_gettime(" + clockId
                    + "): not CLOCK_REALTIME (0) or CLOCK_MONOTONIC (1)");
        };
    }

    /** {@code proc_reg_read}: the text the serving protocol gives now, or ENOENT. */
    @Override
    public String procRead(String path) throws ErrnoException {
        ProcFile file = procFiles.get(path);
        if (file == null) {
            throw new ErrnoException(Errno.ENOENT, "procRead(" + path + "): no protocol serves /proc/" + path);
        }
        return file.read();
    }

    /** {@code proc_create} outside OSGi (tests, a stack wired by hand): serves {@code file} at {@code path}. */
    public void addProcFile(String path, ProcFile file) {
        procFiles.add(file, Map.of(ProcFile.PATH, path));
    }
}
