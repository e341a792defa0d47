package net.tern.socket;

import static net.tern.api.socket.SocketConstants.EPOLLERR;
import static net.tern.api.socket.SocketConstants.EPOLLHUP;
import static net.tern.api.socket.SocketConstants.EPOLLIN;
import static net.tern.api.socket.SocketConstants.EPOLLOUT;
import static net.tern.api.socket.SocketConstants.EPOLLRDHUP;
import static net.tern.api.socket.SocketConstants.MSG_DONTWAIT;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.ByteBuffer;
import java.util.function.Consumer;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.MsgHeader;
import net.tern.api.socket.SockAddr;
import net.tern.api.socket.SocketConstants;
import net.tern.spi.proto.ProtoSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An open socket descriptor: the socket layer's half of {@code struct socket} plus its
 * {@code struct file} (non-blocking flag, timeouts), its wait queue, the epoll sets watching
 * it, and its withdrawal state. It is the {@link ProtoSocket.Owner} of its protocol socket, so
 * a protocol's wake-up reaches exactly this socket's waiters.
 *
 * <p>Locking: each protocol operation counts itself in flight ({@code opsInFlight}) for its
 * duration; releasing the protocol socket waits until none is. So {@code ProtoOps.release}
 * never runs concurrently with another operation on the same socket (as the file reference
 * count guarantees in Linux), while operations on one socket from several threads still run in
 * parallel. No lock is held while a caller sleeps.
 */
final class SocketFile implements Watchable, ProtoSocket.Owner {
    private static final Logger LOG = LoggerFactory.getLogger(SocketFile.class);

    private static final VarHandle RELEASED;
    private static final VarHandle OPS_IN_FLIGHT;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            RELEASED = lookup.findVarHandle(SocketFile.class, "released", boolean.class);
            OPS_IN_FLIGHT = lookup.findVarHandle(SocketFile.class, "opsInFlight", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final int fd;
    final FamilyEntry family;
    final ProtoSocket sock;
    final WaitQueue waitQueue;
    /**
     * Protocol operations in flight on this socket (the role of the file's reference count,
     * {@code f_count}, held across a system call): release waits until it is 0. Changed only
     * through {@link #OPS_IN_FLIGHT}: an int rather than a read-write lock, which costs about
     * 120 bytes of lock objects per socket, and re-entrant for free (a wake-up inside an
     * operation may poll the same socket).
     */
    private volatile int opsInFlight;
    /** The thread waiting in {@link #releaseOnce} for the operations in flight to leave. */
    private volatile Thread releaser;
    /** Whether the socket was released; set once, through {@link #RELEASED} (a field, not an AtomicBoolean: one object less per socket). */
    private volatile boolean released;
    private final Watchers watchers = new Watchers();

    volatile boolean nonBlocking;
    /** {@code listen} succeeded on it: a non-blocking accept may answer EAGAIN from its poll. */
    volatile boolean listening;
    /** SO_RCVTIMEO in milliseconds; 0 waits for ever. */
    volatile int rcvTimeoutMillis;
    /** SO_SNDTIMEO in milliseconds; 0 waits for ever. */
    volatile int sndTimeoutMillis;
    private volatile boolean closed;
    private volatile Withdrawal withdrawal;

    SocketFile(int fd, FamilyEntry family, int type, AtomicInteger layerParked) {
        this.fd = fd;
        this.waitQueue = new WaitQueue(layerParked);
        this.family = family;
        this.sock = new ProtoSocket(family.family, type, this);
    }

    @Override
    public int fd() {
        return fd;
    }

    @Override
    public int sleepers() {
        return waitQueue.sleepers();
    }

    /** Whether a call with {@code flags} may sleep: a blocking socket, and no MSG_DONTWAIT. */
    boolean mayBlock(int flags) {
        return !nonBlocking && (flags & MSG_DONTWAIT) == 0;
    }

    /**
     * How long a close of this socket lingers, in seconds: {@code SO_LINGER} as the protocol
     * holds it, for a blocking socket only; -1 when off, unknown to the protocol, or non-blocking.
     * (Linux's {@code inet_release} lingers whatever O_NONBLOCK says, and BSD fails with
     * EWOULDBLOCK; here a non-blocking descriptor never sleeps, so its close returns at once.)
     */
    int lingerSecondsOnClose(Call call) {
        if (nonBlocking) {
            return -1;
        }
        try {
            Object value = invoke(call, (ops, s) -> ops.getsockopt(s, SocketConstants.SOL_SOCKET,
                    SocketConstants.SO_LINGER));
            return value instanceof Integer seconds ? seconds : -1;
        } catch (ErrnoException e) {
            return -1; // the protocol has no SO_LINGER
        }
    }

    /** {@code sk_stream_closing} after release: whether the protocol is still sending what it had. */
    boolean lingering() {
        if (withdrawal != null || sock.ops() == null) {
            return false;
        }
        try {
            return sock.ops().lingering(sock);
        } catch (RuntimeException e) {
            LOG.warn("{} failed to tell whether fd {} still lingers", family.label(), fd, e);
            return false;
        }
    }

    /**
     * 0 while the socket may be used; else the errno number a call fails with: EBADF once the
     * descriptor was closed under it, the withdrawal's errno once the socket was withdrawn.
     */
    int unusable() {
        if (closed) {
            return Errno.EBADF.number();
        }
        Withdrawal w = withdrawal;
        return w == null ? 0 : w.errno().number();
    }

    /** Fails the call if the descriptor was closed under it or the socket was withdrawn. */
    void checkUsable(Call call) throws ErrnoException {
        if (closed) {
            throw new ErrnoException(Errno.EBADF, call + ": descriptor was closed");
        }
        Withdrawal w = withdrawal;
        if (w != null) {
            throw new ErrnoException(w.errno(), call + ": " + w.reason());
        }
    }

    /**
     * An operation enters. Release sets {@code released} before it reads the count, and an
     * operation counts itself before it looks at {@code closed}/{@code withdrawal} (which are set
     * before release starts): so either release waits for it, or it sees the socket unusable
     * and leaves without touching the protocol socket.
     */
    private void enterOp() {
        OPS_IN_FLIGHT.getAndAdd(this, 1);
    }

    /** An operation leaves; the last one out wakes a release waiting for it. */
    private void leaveOp() {
        if ((int) OPS_IN_FLIGHT.getAndAdd(this, -1) == 1 && released) {
            Thread waiting = releaser;
            if (waiting != null) {
                LockSupport.unpark(waiting);
            }
        }
    }

    /**
     * Runs one protocol operation (non-blocking) with the operation counted in flight. Errors from the
     * protocol come back with the call and descriptor in their message.
     */
    <T> T invoke(Call call, ProtoCall<T> op) throws ErrnoException {
        enterOp();
        try {
            checkUsable(call);
            try {
                return op.call(sock.ops(), sock);
            } catch (ErrnoException e) {
                throw e.in(call.toString());
            }
        } finally {
            leaveOp();
        }
    }

    // ---- the data path, with errors as values: each one attempt with the operation counted in flight,
    // written out rather than as a ProtoCall so that a call that cannot proceed allocates nothing.
    // A protocol's thrown error (a call it refuses with a reason) passes through.

    /** One {@code ProtoOps.tryRecvmsg}: bytes, or a negative errno. */
    int tryRecv(ByteBuffer dst, int flags, MsgHeader msg) throws ErrnoException {
        enterOp();
        try {
            int unusable = unusable();
            return unusable != 0 ? -unusable : sock.ops().tryRecvmsg(sock, dst, flags, msg);
        } finally {
            leaveOp();
        }
    }

    /** One {@code ProtoOps.tryRecvBuffers}: bytes handed to {@code sink}, or a negative errno. */
    int tryRecvBuffers(ByteBufAllocator alloc, int maxBytes, int flags, Consumer<? super ByteBuf> sink)
            throws ErrnoException {
        enterOp();
        try {
            int unusable = unusable();
            return unusable != 0 ? -unusable : sock.ops().tryRecvBuffers(sock, alloc, maxBytes, flags, sink);
        } finally {
            leaveOp();
        }
    }

    /** One {@code ProtoOps.trySendmsg}: bytes taken, or a negative errno. */
    int trySend(ByteBuffer data, SockAddr to, int flags) throws ErrnoException {
        enterOp();
        try {
            int unusable = unusable();
            return unusable != 0 ? -unusable : sock.ops().trySendmsg(sock, data, to, flags);
        } finally {
            leaveOp();
        }
    }

    /** One {@code ProtoOps.tryAccept} onto {@code newSock}: 0, or a negative errno. */
    int tryAccept(ProtoSocket newSock, int flags) throws ErrnoException {
        enterOp();
        try {
            int unusable = unusable();
            return unusable != 0 ? -unusable : sock.ops().tryAccept(sock, newSock, flags);
        } finally {
            leaveOp();
        }
    }

    /** One {@code ProtoOps.tryConnect}: 0, or a negative errno (-EINPROGRESS, ...). */
    int tryConnect(SockAddr address, int flags) throws ErrnoException {
        enterOp();
        try {
            int unusable = unusable();
            return unusable != 0 ? -unusable : sock.ops().tryConnect(sock, address, flags);
        } finally {
            leaveOp();
        }
    }

    /**
     * The exception a throwing call raises for {@code errno}, which its value path returned:
     * the call, and what this layer knows of why (the descriptor was closed, the socket was
     * withdrawn and why, an interrupt, the SO_RCVTIMEO or SO_SNDTIMEO that ran out, or
     * {@code otherwise}, when not null).
     */
    ErrnoException failure(Call call, int errno, int flags, boolean sending, String otherwise) {
        Errno e = Errno.ofNumber(errno);
        String detail = otherwise;
        Withdrawal w = withdrawal;
        if (closed && e == Errno.EBADF) {
            detail = "descriptor was closed";
        } else if (w != null && e == w.errno()) {
            detail = w.reason();
        } else if (e == Errno.EINTR) {
            detail = "interrupted while waiting";
        } else if (e == Errno.EAGAIN && mayBlock(flags)) {
            int millis = sending ? sndTimeoutMillis : rcvTimeoutMillis;
            if (millis > 0) {
                detail = "timed out after " + millis + " ms (" + (sending ? "SO_SNDTIMEO" : "SO_RCVTIMEO") + ")";
            }
        }
        return new ErrnoException(e, detail == null ? call.toString() : call + ": " + detail);
    }

    /**
     * {@code sk_wait_event}'s condition for a call that has already been told EAGAIN: true
     * while the socket is open and its protocol's poll shows none of {@code events}, nor
     * EPOLLERR, EPOLLHUP or EPOLLRDHUP, so trying again could only fail the same way.
     */
    boolean stillWaiting(int events) {
        if (closed) {
            return false;
        }
        int mask = pollForEpoll();
        return !closed && (mask & (events | EPOLLERR | EPOLLHUP | EPOLLRDHUP)) == 0;
    }

    /**
     * Before a receive's first try: true when the protocol's poll says the socket is open,
     * writable (connected, or a datagram socket) and has nothing to read and no error or
     * hang-up, the one state in which a receive can only say EAGAIN.
     */
    boolean idleForReceive() {
        if (closed) {
            return false;
        }
        int mask = pollForEpoll();
        return !closed && (mask & EPOLLOUT) != 0 && (mask & (EPOLLIN | EPOLLERR | EPOLLHUP | EPOLLRDHUP)) == 0;
    }

    /**
     * {@code sock_poll}: the readiness mask for {@code poll} and {@code connect}'s wait, or
     * {@code -EBADF} once the descriptor was closed. A withdrawn socket is EPOLLERR|EPOLLHUP,
     * as a reset connection would be.
     */
    int pollMask() {
        if (closed) {
            return Errno.EBADF.negative();
        }
        int mask = pollForEpoll();
        return closed ? Errno.EBADF.negative() : mask;
    }

    /** The readiness mask as epoll sees it: 0 once closed, EPOLLERR|EPOLLHUP once withdrawn. */
    @Override
    public int pollForEpoll() {
        enterOp();
        try {
            if (closed) {
                return 0;
            }
            if (withdrawal != null || released) {
                return EPOLLERR | EPOLLHUP;
            }
            return sock.ops().poll(sock);
        } finally {
            leaveOp();
        }
    }

    // ---- ProtoSocket.Owner: called by the protocol, possibly under its own locks ----------

    /** {@code sk_data_ready} / {@code sk_write_space} / {@code sk_state_change}: wake waiters and epoll sets. */
    @Override
    public void wakeUp(ProtoSocket s, int mask) {
        waitQueue.wakeAll();
        watchers.wakeUp(mask);
    }

    /** The protocol gave the socket up and has released its state already. */
    @Override
    public void withdrawn(ProtoSocket s, Errno errno, String reason) {
        released = true;
        markWithdrawn(errno, reason);
    }

    // ---- withdrawal, close ---------------------------------------------------------------

    /**
     * Every later call but close fails with {@code errno} and {@code reason}; waiters and epoll
     * sets are woken with EPOLLERR|EPOLLHUP. The first withdrawal's reason stays.
     */
    void markWithdrawn(Errno errno, String reason) {
        synchronized (this) { // the file itself is the withdrawal's lock: no lock object per socket
            if (withdrawal != null) {
                return;
            }
            withdrawal = new Withdrawal(errno, reason);
        }
        wakeUp(sock, EPOLLERR | EPOLLHUP);
    }

    @Override
    public void closeFile() {
        closed = true;
        watchers.close();
        waitQueue.wakeAll();
        family.sockets.remove(this);
        releaseOnce();
    }

    /** {@code sock_release}: once, after operations in flight have left, with exceptions contained. */
    void releaseOnce() {
        if (!RELEASED.compareAndSet(this, false, true) || sock.ops() == null) {
            return;
        }
        releaser = Thread.currentThread();
        while (opsInFlight != 0) {
            LockSupport.park(this);
        }
        try {
            sock.ops().release(sock);
        } catch (RuntimeException e) {
            LOG.warn("{} failed to release socket fd {}", family.label(), fd, e);
        }
    }

    @Override
    public Watchers watchers() {
        return watchers;
    }

    @Override
    public String toString() {
        return "socket fd " + fd + " (" + family.label() + ", type " + sock.type() + ")";
    }
}
