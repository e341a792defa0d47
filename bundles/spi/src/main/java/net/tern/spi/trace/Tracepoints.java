package net.tern.spi.trace;

import java.util.Arrays;
import net.tern.api.socket.InetSockAddr;
import net.tern.spi.net.Clock;

/**
 * Where tracepoints fire and listeners listen: the stack's one set of listeners, shared by
 * every bundle that imports this package (as Linux's tracepoints are global to the kernel).
 *
 * <h2>Zero cost when off</h2>
 * A tracepoint is a call to a method here (or to a transport's own helper) whose first act
 * is {@link #enabled()}: one read of a volatile field. Its arguments are values the caller
 * holds already (a socket, a state, a {@link Clock}, never a time or string computed for the
 * event), so with no listener nothing is allocated and nothing else runs; the event is built
 * only after the check. {@link TraceEvent#created()} counts the events built, so a test can
 * prove it. Adding or removing a listener copies a small array under this class's lock.
 */
public final class Tracepoints {
    private static final TraceListener[] NONE = {};
    private static volatile TraceListener[] listeners = NONE;

    private Tracepoints() {
    }

    /** Whether anyone listens: the one check a tracepoint makes before building its event. */
    public static boolean enabled() {
        return listeners != NONE;
    }

    /** Adds {@code listener} until the returned handle is closed. */
    public static synchronized AutoCloseable add(TraceListener listener) {
        TraceListener[] now = listeners;
        TraceListener[] next = Arrays.copyOf(now, now.length + 1);
        next[now.length] = listener;
        listeners = next;
        return () -> remove(listener);
    }

    private static synchronized void remove(TraceListener listener) {
        TraceListener[] now = listeners;
        for (int i = 0; i < now.length; i++) {
            if (now[i] == listener) {
                TraceListener[] next = new TraceListener[now.length - 1];
                System.arraycopy(now, 0, next, 0, i);
                System.arraycopy(now, i + 1, next, i, now.length - i - 1);
                listeners = next.length == 0 ? NONE : next;
                return;
            }
        }
    }

    /** Hands {@code event} to every listener; a listener that throws is skipped, the stack goes on. */
    public static void emit(TraceEvent event) {
        for (TraceListener listener : listeners) {
            try {
                listener.event(event);
            } catch (RuntimeException ignored) {
                // A tool's bug must not break the code path that fired.
            }
        }
    }

    /** A system call's tracepoint with only a descriptor ({@code __sys_accept4}, {@code __sys_close}). */
    public static void syscall(Clock clock, String function, int fd) {
        if (!enabled()) {
            return;
        }
        emit(new TraceEvent(clock.nanoTime(), function, fd, null, null, null, null, null, null));
    }

    /**
     * A system call's tracepoint with an address: shown as the peer for {@code connect}, as
     * the local address otherwise ({@code bind}); an address of another family as the detail.
     */
    public static void syscall(Clock clock, String function, int fd, Object address) {
        if (!enabled()) {
            return;
        }
        InetSockAddr inet = address instanceof InetSockAddr a ? a : null;
        boolean peer = function.endsWith("connect");
        emit(new TraceEvent(clock.nanoTime(), function, fd, peer ? null : inet, peer ? inet : null, null, null,
                null, inet == null && address != null ? address.toString() : null));
    }

    /** A system call's tracepoint with a number ({@code __sys_listen} and its backlog). */
    public static void syscall(Clock clock, String function, int fd, String label, int value) {
        if (!enabled()) {
            return;
        }
        emit(new TraceEvent(clock.nanoTime(), function, fd, null, null, null, null, null, label + " " + value));
    }
}
