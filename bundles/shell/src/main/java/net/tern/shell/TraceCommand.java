package net.tern.shell;

import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.InetSockAddr;
import net.tern.api.socket.SocketApi;
import net.tern.api.socket.SocketConstants;
import net.tern.spi.trace.TraceEvent;
import net.tern.spi.trace.TraceListener;
import net.tern.spi.trace.TraceSegment;
import net.tern.spi.trace.Tracepoints;
import net.tern.wire.TcpPacket;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code net:trace [port N] [fd N] [-c COUNT] [-t SECONDS]}: streams the stack's tracepoint
 * events ({@link Tracepoints}) to the session as they fire, one line each, with the time in
 * seconds since the trace started (stack clock), the Linux function, the socket (fd, local
 * and peer address), the state change and the segment that caused it, until COUNT events,
 * SECONDS, or Ctrl-C. Then it reports how many events it printed and how many it dropped
 * (more than {@value #QUEUE_CAPACITY} waiting to be printed).
 *
 * <p>The listener runs wherever a tracepoint fires (the network thread, under socket locks):
 * it only filters and offers the event to a bounded queue. The shell's thread prints.
 */
@Component(service = TraceCommand.class, property = {
        "osgi.command.scope=net",
        "osgi.command.function=trace"})
public final class TraceCommand {
    static final int QUEUE_CAPACITY = 65_536;
    private static final long POLL_MILLIS = 100;

    private final SocketApi sockets;

    @Activate
    public TraceCommand(@Reference(name = "sockets") SocketApi sockets) {
        this.sockets = sockets;
    }

    /** The stack's clock ({@code clock_gettime(CLOCK_MONOTONIC)}), which the events' times are on. */
    private long now() throws ErrnoException {
        return sockets.clockGettime(SocketConstants.CLOCK_MONOTONIC);
    }

    public String trace(String... args) throws Exception {
        return run(TraceOptions.parse(args), System.out);
    }

    /** Traces with {@code options}, printing each event to {@code out}; returns the summary. */
    String run(TraceOptions options, PrintStream out) throws Exception {
        BlockingQueue<TraceEvent> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
        AtomicLong dropped = new AtomicLong();
        TraceListener listener = event -> {
            if (options.selects(event) && !queue.offer(event)) {
                dropped.incrementAndGet();
            }
        };
        long start = now();
        long limit = options.seconds() > 0 ? (long) (options.seconds() * 1e9) : Long.MAX_VALUE;
        long printed = 0;
        try (AutoCloseable registration = Tracepoints.add(listener)) {
            while (options.count() == 0 || printed < options.count()) {
                long elapsed = now() - start;
                if (elapsed >= limit) {
                    break;
                }
                long waitNanos = Math.min(TimeUnit.MILLISECONDS.toNanos(POLL_MILLIS), limit - elapsed);
                TraceEvent event;
                try {
                    event = queue.poll(waitNanos, TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt(); // Ctrl-C: end the trace, report what was seen
                    break;
                }
                if (event != null) {
                    out.println(line(event, start));
                    out.flush();
                    printed++;
                }
            }
        }
        return printed + " events traced" + (dropped.get() > 0 ? ", " + dropped.get() + " dropped" : "");
    }

    /**
     * One event as a line: seconds since {@code startNanos}, the function, the socket
     * ({@code fd=5 127.0.0.1:40000 > 127.0.0.1:7}), the state change, the segment (tcpdump's
     * flags) and the detail.
     */
    static String line(TraceEvent event, long startNanos) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%10.6f ", (event.timeNanos() - startNanos) / 1e9));
        sb.append(event.function());
        if (event.fd() >= 0) {
            sb.append(" fd=").append(event.fd());
        }
        if (event.local() != null) {
            sb.append(' ').append(address(event.local()));
        }
        if (event.peer() != null) {
            sb.append(event.local() != null ? " > " : " ").append(address(event.peer()));
        }
        if (event.oldState() != null || event.newState() != null) {
            sb.append(' ').append(event.oldState() == null ? "-" : event.oldState()).append(" -> ")
                    .append(event.newState() == null ? "-" : event.newState());
        }
        TraceSegment seg = event.segment();
        if (seg != null) {
            sb.append(" [").append(TcpPacket.flagsToString(seg.flags())).append("] seq ")
                    .append(Integer.toUnsignedString(seg.seq()));
            if ((seg.flags() & TcpPacket.ACK) != 0) {
                sb.append(" ack ").append(Integer.toUnsignedString(seg.ack()));
            }
            sb.append(" len ").append(seg.length());
        }
        if (event.detail() != null) {
            sb.append(' ').append(event.detail());
        }
        return sb.toString();
    }

    private static String address(InetSockAddr a) {
        return InetSockAddr.formatAddress(a.address()) + ":" + a.port();
    }
}
