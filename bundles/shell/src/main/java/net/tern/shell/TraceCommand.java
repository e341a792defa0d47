package net.tern.shell;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
import net.tern.spi.trace.TraceJson;
import net.tern.spi.trace.TraceListener;
import net.tern.spi.trace.TraceProbe;
import net.tern.spi.trace.TraceSegment;
import net.tern.spi.trace.Tracepoints;
import net.tern.wire.TcpPacket;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code net:trace [func GLOB]... [system NAME]... [port N] [fd N] [sock A:P B:P] [-r RATE]
 * [-o FILE] [-c COUNT] [-t SECONDS]} ({@link TraceOptions}): streams the stack's tracepoint
 * events ({@link Tracepoints}) to the session as they fire, one line each, with the time in
 * seconds since the trace started (stack clock), the Linux function, the socket (fd, local
 * and peer address), the state change, the segment that caused it or was sent (with its
 * window and SACK blocks on the per-packet events) and {@code tcp_probe}'s sending state,
 * until COUNT events, SECONDS, or Ctrl-C; or writes them to FILE as JSON lines
 * ({@link TraceJson}). Then it reports how many events it traced, how many the rate cap
 * dropped, and how many it dropped because more than {@value #QUEUE_CAPACITY} waited.
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

    /** Traces with {@code options}, printing each event to {@code out} (or writing it to the file); returns the summary. */
    String run(TraceOptions options, PrintStream out) throws Exception {
        BlockingQueue<TraceEvent> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
        AtomicLong dropped = new AtomicLong();
        RateCap cap = new RateCap(options.rate());
        TraceListener listener = event -> {
            if (!options.selects(event) || !cap.admit(event.timeNanos())) {
                return;
            }
            if (!queue.offer(event)) {
                dropped.incrementAndGet();
            }
        };
        BufferedWriter file = null;
        if (options.output() != null) {
            try {
                file = Files.newBufferedWriter(Path.of(options.output()), StandardCharsets.UTF_8);
            } catch (IOException | RuntimeException e) {
                throw new CommandFailedException("trace: cannot write " + options.output() + ": " + e.getMessage());
            }
        }
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
                    print(event, start, file, out);
                    printed++;
                }
            }
            // What fired before the time ran out and waits still is the trace's.
            TraceEvent left;
            while ((options.count() == 0 || printed < options.count()) && (left = queue.poll()) != null) {
                if (left.timeNanos() - start < limit) {
                    print(left, start, file, out);
                    printed++;
                }
            }
        } finally {
            if (file != null) {
                file.close();
            }
        }
        return printed + " events traced" + (file != null ? " to " + options.output() : "")
                + (cap.capped() > 0 ? ", " + cap.capped() + " over the rate cap of " + options.rate() + "/s" : "")
                + (dropped.get() > 0 ? ", " + dropped.get() + " dropped" : "");
    }

    private static void print(TraceEvent event, long start, BufferedWriter file, PrintStream out) throws IOException {
        if (file != null) {
            file.write(TraceJson.of(event));
            file.write('\n');
        } else {
            out.println(line(event, start));
            out.flush();
        }
    }

    /**
     * At most {@code rate} events in each second of the stack's clock (counted from the first
     * event seen); the rest are counted. Called by the listener on whichever thread fires.
     */
    static final class RateCap {
        private final long rate;
        private long windowStart = Long.MIN_VALUE;
        private long inWindow;
        private long capped;

        RateCap(long rate) {
            this.rate = rate;
        }

        synchronized boolean admit(long timeNanos) {
            if (rate == 0) {
                return true;
            }
            if (windowStart == Long.MIN_VALUE || timeNanos - windowStart >= 1_000_000_000L) {
                windowStart = timeNanos;
                inWindow = 0;
            }
            if (inWindow < rate) {
                inWindow++;
                return true;
            }
            capped++;
            return false;
        }

        synchronized long capped() {
            return capped;
        }
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
            if (event.perPacket() && seg.window() >= 0) {
                sb.append(" win ").append(seg.window());
            }
            for (int i = 0; i + 1 < seg.sack().length; i += 2) {
                sb.append(i == 0 ? " sack " : ",").append(Integer.toUnsignedString(seg.sack()[i])).append('-')
                        .append(Integer.toUnsignedString(seg.sack()[i + 1]));
            }
        }
        TraceProbe p = event.probe();
        if (p != null) {
            sb.append(String.format(Locale.ROOT, " cwnd %d ssthresh %s srtt %.1fms rttvar %.1fms in_flight %d"
                    + " snd_wnd %d rcv_wnd %d %s", p.cwnd(), p.ssthresh() == Integer.MAX_VALUE ? "-"
                    : Integer.toString(p.ssthresh()), p.srttUs() / 1000.0, p.rttvarUs() / 1000.0, p.packetsInFlight(),
                    p.sndWnd(), p.rcvWnd(), p.caState()));
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
