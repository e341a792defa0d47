package net.tern.spi.trace;

import java.util.Arrays;
import net.tern.api.socket.InetSockAddr;
import net.tern.spi.net.Clock;
import net.tern.spi.net.Link;
import net.tern.spi.net.Packet;

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
    /**
     * The clock that stamps events fired where no stack clock is at hand (a packet on its
     * way out through IP and the device), as Linux's tracer has its own {@code trace_clock}:
     * the stack's clock once its core has started ({@link #traceClock(Clock)}).
     */
    private static volatile Clock traceClock;

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

    /** Makes {@code clock} the trace clock: the core's device registry sets it to the stack's clock. */
    public static void traceClock(Clock clock) {
        traceClock = clock;
    }

    private static long traceNow() {
        Clock clock = traceClock;
        return clock != null ? clock.nanoTime() : System.nanoTime();
    }

    /**
     * A packet's tracepoint below the sockets ({@code netif_receive_skb}, {@code ip_rcv},
     * {@code ip_defrag}, {@code udp_rcv} on the way in; {@code udp_sendmsg}, {@code ip_output},
     * {@code ip_fragment}, {@code net_dev_xmit} on the way out). A received packet is stamped
     * with its arrival time ({@code netif_rx}), a sent one by the trace clock. The event's
     * local end is this host's: the destination of a received packet, the source of a sent one.
     *
     * @param packet   the packet, for its arrival time
     * @param device   the link it came in on or goes out of, or null when not known
     * @param inbound  received (true) or sent
     * @param saddr    the IPv4 source address, or 0 when not parsed at this layer
     * @param sport    the source port, or 0
     * @param daddr    the IPv4 destination address, or 0
     * @param dport    the destination port, or 0
     * @param protocol the IP protocol (6, 17, 1), or -1 when not known at this layer
     * @param length   the bytes the function handles (the frame, the datagram, the payload)
     */
    public static void packet(String function, Packet packet, Link device, boolean inbound, int saddr, int sport,
            int daddr, int dport, int protocol, int length) {
        if (!enabled()) {
            return;
        }
        long time = inbound && packet.timestampNanos() != 0 ? packet.timestampNanos() : traceNow();
        InetSockAddr source = saddr == 0 && sport == 0 ? null : new InetSockAddr(saddr, sport);
        InetSockAddr destination = daddr == 0 && dport == 0 ? null : new InetSockAddr(daddr, dport);
        String detail = (device != null ? "dev " + device.name() + " " : "") + "len " + length
                + (protocol >= 0 ? " proto " + protocol : "");
        emit(new TraceEvent(time, function, -1, inbound ? destination : source, inbound ? source : destination, null,
                null, null, detail));
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
