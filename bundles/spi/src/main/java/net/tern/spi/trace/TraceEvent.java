package net.tern.spi.trace;

import java.util.concurrent.atomic.AtomicLong;
import net.tern.api.socket.InetSockAddr;

/**
 * One tracepoint hit.
 *
 * @param timeNanos the stack clock's {@code nanoTime()} when it fired
 * @param function  the Linux function it stands in ({@code tcp_set_state}, {@code __sys_bind})
 * @param fd        the socket's descriptor, or -1 when it has none (yet)
 * @param local     the socket's local address and port, or null when not known
 * @param peer      the peer's address and port (for {@code __sys_connect}, the address asked
 *                  for), or null
 * @param oldState  the state before, in Linux's {@code TCP_*} names without the prefix
 *                  ({@code SYN_SENT}), or null when the event changes no state
 * @param newState  the state after, or null
 * @param segment   the received segment that caused it, or null (a system call, a timer)
 * @param detail    anything else worth printing ({@code backlog 128}), or null
 */
public record TraceEvent(long timeNanos, String function, int fd, InetSockAddr local, InetSockAddr peer,
        String oldState, String newState, TraceSegment segment, String detail) {
    private static final AtomicLong CREATED = new AtomicLong();

    public TraceEvent {
        CREATED.incrementAndGet();
    }

    /** How many events were ever built in this JVM: stays put while no one listens. */
    public static long created() {
        return CREATED.get();
    }

    /** Whether the event concerns local or peer port {@code port}. */
    public boolean hasPort(int port) {
        return (local != null && local.port() == port) || (peer != null && peer.port() == port);
    }
}
