package net.tern.socket;

import static net.tern.api.socket.SocketConstants.EPOLLERR;
import static net.tern.api.socket.SocketConstants.EPOLLHUP;
import static net.tern.api.socket.SocketConstants.EPOLLOUT;

import java.nio.ByteBuffer;
import net.tern.api.socket.EpollEvent;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.spi.net.Clock;
import net.tern.spi.net.TimerService;

/**
 * The blocking model, written once for every protocol ({@code sk_wait_event},
 * {@code sock_rcvtimeo}, {@code inet_wait_for_connect}, {@code ep_poll}).
 *
 * <p>Protocol operations never block; each loop here is: read the wake-up sequence, try,
 * and if the call would block and may block, sleep on the wait queue until the sequence
 * moves or the deadline passes, then try again. Reading the sequence before the try means a
 * wake-up between the try and the sleep is never lost. Deadlines are timers on the stack's
 * {@link TimerService}, so they follow its {@link Clock} (virtual time in tests).
 */
final class BlockingCalls {
    private final Clock clock;
    private final TimerService timers;

    BlockingCalls(Clock clock, TimerService timers) {
        this.clock = clock;
        this.timers = timers;
    }

    /**
     * The blocking loop shared by receive, accept and datagram send ({@code sock_rcvtimeo},
     * {@code sk_wait_event}): try the operation; if it would block and the call may block,
     * sleep until the protocol wakes the socket or the timeout passes, and try again. The
     * wake-up sequence is read before each try, so a wake-up between the try and the sleep
     * is never lost.
     *
     * <p>Once told EAGAIN, a wake-up is first checked against the protocol's poll for
     * {@code events} ({@link SocketFile#stillWaiting}) and the operation is tried again only
     * when the socket shows them: a blocked call costs a poll per wake-up, not an exception.
     * With {@code receive}, the first try is skipped too when the socket is connected and
     * idle ({@link SocketFile#idleForReceive}), the common case of a blocking reader.
     */
    <T> T retry(SocketFile socket, Call call, int flags, int events, boolean receive, ProtoCall<T> op)
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
                    try {
                        return socket.invoke(call, op, mayBlock);
                    } catch (ErrnoException e) {
                        if (!mayBlock || e.errno() != Errno.EAGAIN) {
                            throw e;
                        }
                    }
                }
                if (deadline != null && deadline.expired()) {
                    throw timedOut(call, deadline, events == EPOLLOUT);
                }
                if (!waited) {
                    waited = true;
                    deadline = startDeadline(socket, events == EPOLLOUT);
                }
                socket.waitQueue.await(seen, deadline, call);
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

    private static ErrnoException timedOut(Call call, Deadline deadline, boolean sending) {
        return new ErrnoException(Errno.EAGAIN, call + ": timed out after " + deadline.millis() + " ms ("
                + (sending ? "SO_SNDTIMEO" : "SO_RCVTIMEO") + ")");
    }

    /**
     * A stream send, as {@code tcp_sendmsg}: a blocking socket keeps waiting for room until
     * every byte is taken; when the wait ends early (timeout, error, close) the bytes already
     * taken are reported rather than the error.
     */
    int sendStream(SocketFile socket, Call call, int flags, ByteBuffer data, ProtoCall<Integer> send)
            throws ErrnoException {
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
                        if (total > 0) {
                            return total;
                        }
                        throw timedOut(call, deadline, true);
                    }
                } else {
                    tried = true;
                    try {
                        int taken = socket.invoke(call, send, mayBlock);
                        total += taken;
                        if (!data.hasRemaining() || !mayBlock) {
                            return total;
                        }
                        if (taken > 0) {
                            continue;
                        }
                    } catch (ErrnoException e) {
                        boolean wouldBlock = e.errno() == Errno.EAGAIN;
                        if (!mayBlock || !wouldBlock || (deadline != null && deadline.expired())) {
                            if (total > 0) {
                                return total;
                            }
                            throw wouldBlock && deadline != null && deadline.expired() ? timedOut(call, deadline, true)
                                    : e;
                        }
                    }
                }
                if (!waited) {
                    waited = true;
                    deadline = startDeadline(socket, true);
                }
                socket.waitQueue.await(seen, deadline, call);
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
     * EINPROGRESS), then fail with the pending error if there is one.
     */
    void awaitConnected(SocketFile socket, Call call) throws ErrnoException {
        Deadline deadline = startDeadline(socket, true);
        try {
            while (true) {
                long seen = socket.waitQueue.sequence();
                int mask = socket.pollMask(call);
                if ((mask & (EPOLLOUT | EPOLLERR | EPOLLHUP)) != 0) {
                    break;
                }
                if (deadline != null && deadline.expired()) {
                    throw new ErrnoException(Errno.EINPROGRESS, call + ": not connected within SO_SNDTIMEO "
                            + deadline.millis() + " ms; the connection goes on");
                }
                socket.waitQueue.await(seen, deadline, call);
            }
        } finally {
            if (deadline != null) {
                deadline.cancel();
            }
        }
        socket.checkUsable(call);
        Errno error = socket.sock.takeError();
        if (error != null) {
            throw new ErrnoException(error, call + ": connection failed");
        }
        // No error pending: connected if the protocol has a peer; ended without a reason
        // otherwise, which Linux's inet_wait_for_connect reports as ECONNABORTED.
        try {
            socket.invoke(call, (ops, s) -> ops.getname(s, true));
        } catch (ErrnoException e) {
            if (e.errno() == Errno.ENOTCONN) {
                throw new ErrnoException(Errno.ECONNABORTED, call + ": connection ended without an error", e);
            }
            throw e;
        }
    }

    /**
     * {@code sk_stream_wait_close}: a blocking close with {@code SO_LINGER} on waits, after the
     * protocol's release, until the released socket has sent what it had and had it
     * acknowledged ({@link net.tern.spi.proto.ProtoOps#lingering}) or {@code seconds} pass.
     * Then close returns, without an error either way, as Linux's does; a connection still
     * going goes on orphaned. An interrupt ends the wait early, the interrupt status kept.
     */
    void lingerAfterClose(SocketFile socket, Call call, int seconds) {
        Deadline deadline = Deadline.after(clock, timers, socket.waitQueue, seconds * 1000L);
        try {
            while (true) {
                long seen = socket.waitQueue.sequence();
                if (!socket.lingering() || deadline.expired()) {
                    return;
                }
                socket.waitQueue.await(seen, deadline, call);
            }
        } catch (ErrnoException interrupted) {
            // EINTR: close has done its work; the connection goes on orphaned.
        } finally {
            deadline.cancel();
        }
    }

    /** {@code poll}'s wait on one socket: its mask within {@code interest}, 0 on timeout (negative: for ever). */
    int poll(SocketFile socket, Call call, int interest, int timeoutMillis) throws ErrnoException {
        Deadline deadline = null;
        boolean waited = false;
        try {
            while (true) {
                long seen = socket.waitQueue.sequence();
                int ready = socket.pollMask(call) & interest;
                if (ready != 0 || timeoutMillis == 0 || (deadline != null && deadline.expired())) {
                    return ready;
                }
                if (!waited) {
                    waited = true;
                    deadline = timeoutMillis > 0 ? Deadline.after(clock, timers, socket.waitQueue, timeoutMillis) : null;
                }
                socket.waitQueue.await(seen, deadline, call);
            }
        } finally {
            if (deadline != null) {
                deadline.cancel();
            }
        }
    }

    /**
     * {@code ep_poll}: collects ready events; if there are none and the timeout allows, sleeps
     * until a watched socket's wake-up puts one on the ready list. Negative timeout: for ever.
     */
    int epollWait(EpollFile epoll, Call call, EpollEvent[] events, int timeoutMillis) throws ErrnoException {
        Deadline deadline = null;
        boolean waited = false;
        try {
            while (true) {
                long seen = epoll.waitQueue.sequence();
                if (epoll.isClosed()) {
                    throw new ErrnoException(Errno.EBADF, call + ": the epoll set was closed");
                }
                int stored = epoll.collect(events);
                if (stored > 0 || timeoutMillis == 0 || (deadline != null && deadline.expired())) {
                    return stored;
                }
                if (!waited) {
                    waited = true;
                    deadline = timeoutMillis > 0 ? Deadline.after(clock, timers, epoll.waitQueue, timeoutMillis) : null;
                }
                epoll.waitQueue.await(seen, deadline, call);
            }
        } finally {
            if (deadline != null) {
                deadline.cancel();
            }
        }
    }
}
