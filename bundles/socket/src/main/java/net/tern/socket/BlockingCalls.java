package net.tern.socket;

import static net.tern.api.socket.SocketConstants.EPOLLERR;
import static net.tern.api.socket.SocketConstants.EPOLLHUP;
import static net.tern.api.socket.SocketConstants.EPOLLOUT;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.ByteBuffer;
import java.util.function.Consumer;
import net.tern.api.socket.EpollEvent;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.MsgHeader;
import net.tern.api.socket.SockAddr;
import net.tern.spi.net.Clock;
import net.tern.spi.net.TimerService;
import net.tern.spi.proto.ProtoSocket;

/**
 * The blocking model, written once for every protocol ({@code sk_wait_event},
 * {@code sock_rcvtimeo}, {@code inet_wait_for_connect}, {@code ep_poll}).
 *
 * <p>Protocol operations never block; each loop here is: read the wake-up sequence, try,
 * and if the call would block and may block, sleep on the wait queue until the sequence
 * moves or the deadline passes, then try again. Reading the sequence before the try means a
 * wake-up between the try and the sleep is never lost. Deadlines are timers on the stack's
 * {@link TimerService}, so they follow its {@link Clock} (virtual time in tests).
 *
 * <p>Outcomes are values: each loop returns its result or a negative errno ({@code -EAGAIN}
 * when a call that may not wait cannot proceed, or its timeout ran out; {@code -EINTR} on an
 * interrupt; {@code -EBADF} once the descriptor is closed), so a call that cannot proceed
 * allocates nothing. Only a protocol's own thrown error (a call it refuses with a reason)
 * passes through as an exception.
 */
final class BlockingCalls {
    private static final int EAGAIN = Errno.EAGAIN.negative();
    private static final int EINPROGRESS = Errno.EINPROGRESS.negative();

    /** One non-blocking attempt of an operation, with its arguments, as {@link #retry} repeats it. */
    @FunctionalInterface
    interface Attempt {
        int attempt(SocketFile socket, Object first, Object second, int flags) throws ErrnoException;
    }

    /** A receive: {@code first} the buffer, {@code second} the header (or null). */
    static final Attempt RECEIVE = (socket, dst, msg, flags) -> socket.tryRecv((ByteBuffer) dst, flags, (MsgHeader) msg);
    /** A receive into handed-over buffers: {@code first} a {@link BufferReceive}, {@code second} the sink. */
    @SuppressWarnings("unchecked")
    static final Attempt RECEIVE_BUFFERS = (socket, request, sink, flags) -> {
        BufferReceive r = (BufferReceive) request;
        return socket.tryRecvBuffers(r.alloc(), r.maxBytes(), flags, (Consumer<? super ByteBuf>) sink);
    };

    /** What a blocking {@link #RECEIVE_BUFFERS} asks for, kept across its tries. */
    record BufferReceive(ByteBufAllocator alloc, int maxBytes) {
    }

    /** An accept: {@code first} the new socket's protocol half. */
    static final Attempt ACCEPT = (socket, newSock, unused, flags) -> socket.tryAccept((ProtoSocket) newSock, flags);
    /** A datagram send, all or nothing: {@code first} the data, {@code second} the destination (or null). */
    static final Attempt SEND_DATAGRAM = (socket, data, to, flags) -> socket.trySend((ByteBuffer) data, (SockAddr) to,
            flags);

    private final Clock clock;
    private final TimerService timers;

    BlockingCalls(Clock clock, TimerService timers) {
        this.clock = clock;
        this.timers = timers;
    }

    /**
     * The blocking loop shared by receive, accept and datagram send ({@code sock_rcvtimeo},
     * {@code sk_wait_event}): try the operation; if it would block and the call may block,
     * sleep until the protocol wakes the socket or the timeout passes, and try again.
     *
     * <p>Once told EAGAIN, a wake-up is first checked against the protocol's poll for
     * {@code events} ({@link SocketFile#stillWaiting}) and the operation is tried again only
     * when the socket shows them: a blocked call costs a poll per wake-up. With
     * {@code receive}, the first try is skipped too when the socket is connected and idle
     * ({@link SocketFile#idleForReceive}), the common case of a blocking reader.
     */
    int retry(SocketFile socket, int flags, int events, boolean receive, Attempt op, Object first, Object second)
            throws ErrnoException {
        boolean mayBlock = socket.mayBlock(flags);
        Deadline deadline = null;
        boolean waited = false;
        boolean tried = false;
        try {
            while (true) {
                long seen = socket.waitQueue.sequence();
                boolean skip = mayBlock
                        && (tried ? socket.stillWaiting(events) : receive && socket.idleForReceive());
                if (!skip) {
                    tried = true;
                    int result = op.attempt(socket, first, second, flags);
                    if (result != EAGAIN || !mayBlock) {
                        return result;
                    }
                }
                if (deadline != null && deadline.expired()) {
                    return EAGAIN; // SO_RCVTIMEO or SO_SNDTIMEO ran out
                }
                if (!waited) {
                    waited = true;
                    deadline = startDeadline(socket, events == EPOLLOUT);
                }
                int interrupted = socket.waitQueue.await(seen, deadline);
                if (interrupted != 0) {
                    return -interrupted;
                }
            }
        } finally {
            if (deadline != null) {
                deadline.cancel();
            }
        }
    }

    /** The deadline from SO_SNDTIMEO or SO_RCVTIMEO, or null when it is 0 (wait for ever). */
    private Deadline startDeadline(SocketFile socket, boolean sending) {
        int millis = sending ? socket.sndTimeoutMillis : socket.rcvTimeoutMillis;
        return millis > 0 ? Deadline.after(clock, timers, socket.waitQueue, millis) : null;
    }

    /**
     * A stream send, as {@code tcp_sendmsg}: a blocking socket keeps waiting for room until
     * every byte is taken; when the wait ends early (timeout, error, interrupt, close) the
     * bytes already taken are reported rather than the error.
     */
    int sendStream(SocketFile socket, int flags, ByteBuffer data, SockAddr to) throws ErrnoException {
        boolean mayBlock = socket.mayBlock(flags);
        Deadline deadline = null;
        boolean waited = false;
        boolean tried = false;
        int total = 0;
        try {
            while (true) {
                long seen = socket.waitQueue.sequence();
                // After a partial take or EAGAIN, wait for the protocol to report room
                // (sk_stream_wait_memory) rather than taking a few bytes per wake-up.
                if (mayBlock && tried && socket.stillWaiting(EPOLLOUT)) {
                    if (deadline != null && deadline.expired()) {
                        return total > 0 ? total : EAGAIN;
                    }
                } else {
                    tried = true;
                    int taken = socket.trySend(data, to, flags);
                    if (taken >= 0) {
                        total += taken;
                        if (!data.hasRemaining() || !mayBlock) {
                            return total;
                        }
                        if (taken > 0) {
                            continue;
                        }
                    } else if (!mayBlock || taken != EAGAIN || (deadline != null && deadline.expired())) {
                        return total > 0 ? total : taken;
                    }
                }
                if (!waited) {
                    waited = true;
                    deadline = startDeadline(socket, true);
                }
                int interrupted = socket.waitQueue.await(seen, deadline);
                if (interrupted != 0) {
                    return total > 0 ? total : -interrupted;
                }
            }
        } finally {
            if (deadline != null) {
                deadline.cancel();
            }
        }
    }

    /**
     * The waiting half of {@code __inet_stream_connect}, for every family: wait until the
     * protocol reports the socket writable or failed, for at most SO_SNDTIMEO (then
     * {@code -EINPROGRESS}), then return the pending error if there is one, 0 when connected,
     * or {@code -ECONNABORTED} when the connection ended without an error and without a peer,
     * as Linux's {@code inet_wait_for_connect} reports it.
     */
    int awaitConnected(SocketFile socket) throws ErrnoException {
        Deadline deadline = startDeadline(socket, true);
        try {
            while (true) {
                long seen = socket.waitQueue.sequence();
                int mask = socket.pollMask();
                if (mask < 0) {
                    return mask;
                }
                if ((mask & (EPOLLOUT | EPOLLERR | EPOLLHUP)) != 0) {
                    break;
                }
                if (deadline != null && deadline.expired()) {
                    return EINPROGRESS; // the connection goes on
                }
                int interrupted = socket.waitQueue.await(seen, deadline);
                if (interrupted != 0) {
                    return -interrupted;
                }
            }
        } finally {
            if (deadline != null) {
                deadline.cancel();
            }
        }
        int unusable = socket.unusable();
        if (unusable != 0) {
            return -unusable;
        }
        Errno error = socket.sock.takeError();
        if (error != null) {
            return error.negative();
        }
        try {
            socket.invoke(Call.of("getpeername", socket.fd()), (ops, s) -> ops.getname(s, true));
            return 0;
        } catch (ErrnoException e) {
            if (e.errno() == Errno.ENOTCONN) {
                return Errno.ECONNABORTED.negative();
            }
            return e.errno().negative();
        }
    }

    /**
     * {@code sk_stream_wait_close}: a blocking close with {@code SO_LINGER} on waits, after the
     * protocol's release, until the released socket has sent what it had and had it
     * acknowledged ({@link net.tern.spi.proto.ProtoOps#lingering}) or {@code seconds} pass.
     * Then close returns, without an error either way, as Linux's does; a connection still
     * going goes on orphaned. An interrupt ends the wait early, the interrupt status kept.
     */
    void lingerAfterClose(SocketFile socket, int seconds) {
        Deadline deadline = Deadline.after(clock, timers, socket.waitQueue, seconds * 1000L);
        try {
            while (true) {
                long seen = socket.waitQueue.sequence();
                if (!socket.lingering() || deadline.expired()) {
                    return;
                }
                if (socket.waitQueue.await(seen, deadline) != 0) {
                    return; // EINTR: close has done its work; the connection goes on orphaned
                }
            }
        } finally {
            deadline.cancel();
        }
    }

    /**
     * {@code poll}'s (and {@code ppoll}'s) wait on one socket: its mask within {@code interest},
     * 0 on timeout (a timeout in nanoseconds; negative: for ever), or a negative errno ({@code -EBADF} once closed, {@code -EINTR}).
     */
    int poll(SocketFile socket, int interest, long timeoutNanos) {
        Deadline deadline = null;
        boolean waited = false;
        try {
            while (true) {
                long seen = socket.waitQueue.sequence();
                int mask = socket.pollMask();
                if (mask < 0) {
                    return mask;
                }
                int ready = mask & interest;
                if (ready != 0 || timeoutNanos == 0 || (deadline != null && deadline.expired())) {
                    return ready;
                }
                if (!waited) {
                    waited = true;
                    deadline = timeoutNanos > 0 ? Deadline.afterNanos(clock, timers, socket.waitQueue, timeoutNanos) : null;
                }
                int interrupted = socket.waitQueue.await(seen, deadline);
                if (interrupted != 0) {
                    return -interrupted;
                }
            }
        } finally {
            if (deadline != null) {
                deadline.cancel();
            }
        }
    }

    /**
     * {@code ep_poll}: collects ready events into {@code out}, or into {@code events} and
     * {@code data} when {@code out} is null; if there are none and the timeout allows, sleeps
     * until a watched socket's wake-up puts one on the ready list. Negative timeout: for ever.
     * Returns how many were stored, or a negative errno ({@code -EBADF} once the set is
     * closed, {@code -EINTR}).
     */
    int epollWait(EpollFile epoll, EpollEvent[] out, int[] events, long[] data, int timeoutMillis) {
        Deadline deadline = null;
        boolean waited = false;
        try {
            while (true) {
                long seen = epoll.waitQueue.sequence();
                if (epoll.isClosed()) {
                    return Errno.EBADF.negative();
                }
                int stored = epoll.collect(out, events, data);
                if (stored > 0 || timeoutMillis == 0 || (deadline != null && deadline.expired())) {
                    return stored;
                }
                if (!waited) {
                    waited = true;
                    deadline = timeoutMillis > 0 ? Deadline.after(clock, timers, epoll.waitQueue, timeoutMillis) : null;
                }
                int interrupted = epoll.waitQueue.await(seen, deadline);
                if (interrupted != 0) {
                    return -interrupted;
                }
            }
        } finally {
            if (deadline != null) {
                deadline.cancel();
            }
        }
    }

    /**
     * {@code eventfd_read}/{@code eventfd_write}: one attempt ({@code write}: add {@code value};
     * else take the counter), and on a blocking eventfd a wait until it succeeds. The counter
     * read, or 0 for a write; or a negative errno ({@code -EAGAIN}, {@code -EBADF} once
     * closed, {@code -EINTR}).
     */
    long eventfd(EventFile file, boolean write, long value) {
        while (true) {
            long seen = file.waitQueue.sequence();
            if (file.isClosed()) {
                return Errno.EBADF.negative();
            }
            long result = write ? file.tryWrite(value) : file.tryRead();
            if (result != EAGAIN || file.nonBlocking) {
                return result;
            }
            int interrupted = file.waitQueue.await(seen, null);
            if (interrupted != 0) {
                return -interrupted;
            }
        }
    }
}
