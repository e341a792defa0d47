package net.tern.tcp.impl;

import static net.tern.api.socket.SocketConstants.EPOLLERR;
import static net.tern.api.socket.SocketConstants.EPOLLHUP;
import static net.tern.api.socket.SocketConstants.EPOLLIN;
import static net.tern.api.socket.SocketConstants.EPOLLOUT;
import static net.tern.api.socket.SocketConstants.EPOLLRDHUP;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import net.tern.api.socket.Errno;
import net.tern.inet.sock.InetSock;
import net.tern.inet.sock.SkState;
import net.tern.spi.net.Clock;
import net.tern.spi.net.TimerService;
import net.tern.spi.proto.ProtoSocket;

/**
 * How connections change state and end ({@code tcp_set_state}, {@code tcp_done},
 * {@code tcp_reset}, {@code tcp_write_err}, {@code tcp_time_wait}, {@code inet_twsk_kill},
 * {@code inet_csk_listen_stop}, {@code inet_csk_destroy_sock}), with the counters Linux keeps
 * on the way (CurrEstab, EstabResets, AttemptFails). Called under the socket's lock.
 */
final class TcpLifecycle {
    private final Supplier<TcpSettings> settings;
    private final TcpCounters counters;
    private final TcpHashTables tables;
    private final TcpMemory memory;
    private final TcpOutput output;
    private final TcpTrace trace;
    private final TimerService timerService;
    private final Clock clock;
    private final Set<TcpSock> sockets;
    private final BooleanSupplier aborting;

    /**
     * {@code aborting} says whether TCP is aborting every connection as it leaves the stack;
     * {@code sockets} is the set of every TCP socket alive, which a socket leaves when destroyed.
     */
    TcpLifecycle(Supplier<TcpSettings> settings, TcpCounters counters, TcpHashTables tables, TcpMemory memory,
            TcpOutput output, TcpTrace trace, TimerService timerService, Clock clock, Set<TcpSock> sockets,
            BooleanSupplier aborting) {
        this.clock = clock;
        this.settings = settings;
        this.counters = counters;
        this.tables = tables;
        this.memory = memory;
        this.output = output;
        this.trace = trace;
        this.timerService = timerService;
        this.sockets = sockets;
        this.aborting = aborting;
    }

    /** {@code tcp_set_state}: the new state, its counters, and on CLOSE the unhashing. */
    void setState(TcpSock sk, SkState state) {
        SkState old = sk.state();
        TcpCounters c = counters;
        switch (state) {
            case ESTABLISHED -> {
                if (old != SkState.ESTABLISHED) {
                    c.inc(TcpMib.CurrEstab);
                }
            }
            case CLOSE_WAIT -> {
                if (old == SkState.SYN_RECV) {
                    c.inc(TcpMib.CurrEstab);
                }
            }
            default -> {
                if (state == SkState.CLOSE && (old == SkState.CLOSE_WAIT || old == SkState.ESTABLISHED)) {
                    c.inc(TcpMib.EstabResets);
                }
                if (old == SkState.ESTABLISHED || old == SkState.CLOSE_WAIT) {
                    c.dec(TcpMib.CurrEstab);
                }
            }
        }
        sk.state(state);
        trace.setState(sk, old, state);
        if (state == SkState.CLOSE) {
            unhash(sk);
            if (sk.num() != 0 && (!sk.userBound() || sk.orphaned())) {
                tables.release(sk, sk.num());
                sk.num(0);
            }
        }
    }

    private void unhash(TcpSock sk) {
        if (sk.key() != null) {
            tables.removeEstablished(sk.key(), sk);
            sk.clearKey();
        }
        if (sk.num() != 0) {
            tables.removeListener(sk);
        }
    }

    /** {@code tcp_done}: the connection is over; wake the owner, or free an orphan. */
    void done(TcpSock sk) {
        SkState state = sk.state();
        if (state == SkState.SYN_SENT || state == SkState.SYN_RECV) {
            counters.inc(TcpMib.AttemptFails);
        }
        setState(sk, SkState.CLOSE);
        sk.clearXmitTimers();
        sk.shutdown(InetSock.SHUTDOWN_MASK);
        sk.publishQueues();
        if (sk.orphaned()) {
            destroySock(sk);
        } else {
            sk.wakeUp(EPOLLIN | EPOLLOUT | EPOLLHUP | EPOLLRDHUP);
        }
    }

    /** {@code tcp_reset}: the peer reset the connection; the errno Linux gives for the state. */
    void reset(TcpSock sk) {
        trace.sock("tcp_receive_reset", sk);
        Errno errno = switch (sk.state()) {
            case SYN_SENT -> Errno.ECONNREFUSED;
            case CLOSE_WAIT -> Errno.EPIPE;
            case CLOSE -> null;
            default -> Errno.ECONNRESET;
        };
        if (errno != null && aborting.getAsBoolean()) {
            // TCP is leaving and aborts every connection: this reset (often another of its own
            // aborts, when both ends are this stack's) only comes first, so the application
            // hears the abort, as it would have a moment later.
            errno = Errno.ECONNABORTED;
        }
        if (errno != null && !sk.orphaned()) {
            sk.reportError(errno);
        }
        done(sk);
    }

    /** {@code tcp_write_err}: a timeout or a hard ICMP error ends the connection with {@code errno}. */
    void writeErr(TcpSock sk, Errno errno) {
        if (!sk.orphaned()) {
            sk.reportError(errno);
        }
        done(sk);
    }

    /**
     * {@code tcp_write_err}: a timer gave up on the connection (retransmissions, zero-window
     * probes, keepalive, the handshake). The error is the soft error an ICMP message left, if
     * any, else ETIMEDOUT.
     */
    void timedOut(TcpSock sk) {
        counters.inc(TcpExtMib.TCPAbortOnTimeout);
        writeErr(sk, sk.softError() != null ? sk.softError() : Errno.ETIMEDOUT);
    }

    /**
     * {@code tcp_time_wait}: a light TIME-WAIT entry takes the connection's place in the
     * hash (and its port) for 2 * MSL; the socket itself is done.
     */
    void timeWait(TcpSock sk) {
        trace.sock("tcp_time_wait", sk, sk.state(), SkState.TIME_WAIT);
        ConnKey key = sk.key();
        if (key != null) {
            TimeWaitSock tw = new TimeWaitSock(key, sk.rcv().rcvNxt(), sk.snd().sndMax(), sk.rcv().rcvWnd(),
                    sk.opts().rcvWscale(), sk.opts().tsOk(), sk.ts().tsRecent(), sk.ts().tsRecentStampNanos(),
                    sk.ts().tsOffset(), timeWaitMillis(sk), clock.nanoTime());
            tw.inheritCookie(sk.cookieIfGiven());
            tw.inheritFamily(sk.family());
            if (tables.replaceEstablished(key, sk, tw)) {
                sk.clearKey();
                tables.addOwner(tw, key.localPort());
                // Counted as the entry begins, as Linux 6.x counts it (__inet_twsk_schedule).
                counters.inc(TcpExtMib.TW);
                twskReschedule(tw);
            }
        }
        done(sk);
    }

    /** How long {@code sk}'s TIME-WAIT lasts: its {@code TCP_TERN_TIMEWAIT_MSECS}, else the stack's 2 * MSL. */
    long timeWaitMillis(TcpSock sk) {
        long own = sk.userOptions().timeWaitMillis();
        return own > 0 ? own : settings.get().timeWaitMillis();
    }

    /** {@code inet_twsk_reschedule}: the entry ends {@code lengthMillis} from now, unless started again. */
    void twskReschedule(TimeWaitSock tw) {
        synchronized (tw) {
            tw.cancelTimer();
            // On the flow's network thread, which receives the entry's segments.
            tw.setTimer(timerService.forFlow(tw.key.flowHash()).schedule(tw.lengthMillis, TimeUnit.MILLISECONDS,
                    () -> twskKill(tw)), clock.nanoTime() + TimeUnit.MILLISECONDS.toNanos(tw.lengthMillis));
        }
    }

    /** {@code inet_twsk_kill}: the entry leaves the hash and frees its port. */
    void twskKill(TimeWaitSock tw) {
        synchronized (tw) {
            trace.conn("inet_twsk_kill", tw.key, SkState.TIME_WAIT, SkState.CLOSE);
            tw.cancelTimer();
            tables.removeEstablished(tw.key, tw);
            tables.release(tw, tw.key.localPort());
        }
    }

    /**
     * {@code inet_csk_listen_stop}: connections waiting in the accept queue are reset and
     * freed, half-open requests dropped.
     */
    void listenStop(TcpSock listener) {
        tables.removeListener(listener);
        List<TcpSock> children = listener.acceptQueue().drainAcceptQueue();
        for (TcpSock child : children) {
            child.lock();
            try {
                child.setOrphan();
                child.parent(null);
                if (child.state() != SkState.CLOSE) {
                    output.sendActiveReset(child);
                    done(child);
                } else {
                    destroySock(child);
                }
            } finally {
                child.unlock();
            }
        }
        for (RequestSock req : new ArrayList<>(listener.acceptQueue().requests())) {
            reqskQueueDrop(req);
        }
        listener.publishQueues();
    }

    /** Removes a request from its listener's SYN queue and the hash. */
    void reqskQueueDrop(RequestSock req) {
        req.listener.acceptQueue().reqskQueueRemoved(req);
        req.cancelTimer();
        tables.removeEstablished(req.key, req);
    }

    /** {@code inet_csk_destroy_sock}: an orphan in CLOSE gives back everything it holds. */
    void destroySock(TcpSock sk) {
        sk.clearXmitTimers();
        sk.clearRtxQueue();
        sk.ca().cleanupCongestionControl();
        if (sk.num() != 0) {
            tables.release(sk, sk.num());
            sk.num(0);
        }
        if (sockets.remove(sk)) {
            memory.destroyed(sk); // once, though an abort may come after a close
        }
    }

    /**
     * Aborts {@code sk} because TCP is leaving the stack ({@code tcp_abort}): a RST to the
     * peer if the connection is synchronized, ECONNABORTED to the application, and the
     * socket withdrawn from the socket layer.
     */
    void abort(TcpSock sk, String reason) {
        ProtoSocket socket;
        sk.lock();
        try {
            socket = sk.socket();
            SkState state = sk.state();
            if (state == SkState.LISTEN) {
                listenStop(sk);
                setState(sk, SkState.CLOSE);
            } else if (state != SkState.CLOSE) {
                if (state != SkState.SYN_SENT) {
                    output.sendActiveReset(sk);
                }
                if (socket != null) {
                    socket.setError(Errno.ECONNABORTED);
                }
                done(sk);
            }
            sk.setOrphan();
            destroySock(sk);
        } finally {
            sk.unlock();
        }
        if (socket != null) {
            socket.withdraw(Errno.ECONNABORTED, reason);
            socket.wakeUp(EPOLLERR | EPOLLHUP);
        }
    }
}
