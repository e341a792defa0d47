package net.tern.shell;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.SocketApi;
import net.tern.api.socket.SocketConstants;
import net.tern.netlink.LinkMessage;
import net.tern.netlink.Rtnetlink;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code net:capture -i DEV [-c COUNT] [-G SECONDS] [-w FILE] [FILTER...]}: tcpdump over an
 * {@code AF_PACKET} socket ({@link CaptureRun}), the link found by name in an
 * {@code RTM_GETLINK} dump as tcpdump finds it. With {@code -w} the packets go to a pcap file
 * ({@link PcapWriter}, {@code LINKTYPE_RAW}, snapshot length 262144); without, one line each
 * ({@link PacketSummary}). The report ends as tcpdump's: {@code N packets captured},
 * {@code N packets received by filter}, {@code N packets dropped by kernel}.
 *
 * <p>The calling thread polls the socket, {@value #DRAIN_INTERVAL_MILLIS} ms of the stack's
 * clock at a time, and writes the output as packets come; the run's length is measured on
 * the stack's clock too (virtual time under test). It stops waiting in real time at the run's
 * length plus {@link #STALL_GUARD_NANOS}, in case the stack's timers have stopped. An
 * interrupted wait (Ctrl-C in the shell) ends the capture and reports what it has.
 */
@Component(service = CaptureCommand.class, property = {
        "osgi.command.scope=net",
        "osgi.command.function=capture"})
public final class CaptureCommand {
    static final long STALL_GUARD_NANOS = TimeUnit.SECONDS.toNanos(10);
    /** How long the command's thread waits for packets before it writes out what it has. */
    private static final long DRAIN_INTERVAL_MILLIS = 100;

    private final SocketApi sockets;
    private final LongSupplier monotonicNanos;
    private final ZoneId zone;

    @Activate
    public CaptureCommand(@Reference(name = "sockets") SocketApi sockets) {
        this(sockets, ZoneId.systemDefault());
    }

    /** With the zone the printed timestamps are in (pcap files are always UTC). */
    CaptureCommand(SocketApi sockets, ZoneId zone) {
        this.sockets = sockets;
        this.monotonicNanos = () -> stackNanos(sockets);
        this.zone = zone;
    }

    /** {@code clock_gettime(CLOCK_MONOTONIC)}: the stack's clock, which poll timeouts follow too. */
    private static long stackNanos(SocketApi sockets) {
        try {
            return sockets.clockGettime(SocketConstants.CLOCK_MONOTONIC);
        } catch (ErrnoException e) {
            throw new IllegalStateException("clock_gettime(CLOCK_MONOTONIC) failed", e);
        }
    }

    public String capture(String... args) {
        CaptureOptions options = CaptureOptions.parse(args);
        if (options.help()) {
            return CaptureOptions.USAGE;
        }
        LinkMessage link = link(options);
        try (CaptureOutput output = open(options, link)) {
            CaptureRun run = start(options, link);
            await(run, output, options);
            return finish(run, output);
        }
    }

    /** The link to capture on, from an {@code RTM_GETLINK} dump, refused as tcpdump refuses a missing device or an unknown link type. */
    LinkMessage link(CaptureOptions options) {
        LinkMessage link;
        try (Rtnl rtnl = Rtnl.open(sockets)) {
            link = rtnl.link(options.device()).orElseThrow(() -> new IllegalArgumentException(
                    "capture: " + options.device() + ": No such device exists"));
        } catch (ErrnoException e) {
            throw new CommandFailedException("capture: " + options.device() + ": " + e.errno().text(), e);
        }
        if (link.type() != Rtnetlink.ARPHRD_LOOPBACK && link.type() != Rtnetlink.ARPHRD_NONE) {
            throw new IllegalArgumentException("capture: " + link.name() + ": link type " + link.type()
                    + " not supported (only loopback and TUN, captured as LINKTYPE_RAW)");
        }
        return link;
    }

    /** Opens the output before the capture starts, so an unwritable file fails at once, as tcpdump does. */
    CaptureOutput open(CaptureOptions options, LinkMessage link) {
        if (options.file() == null) {
            return CaptureOutput.lines(link.name(), new PacketSummary(zone));
        }
        Path path = Path.of(options.file());
        try {
            OutputStream out = new BufferedOutputStream(Files.newOutputStream(path));
            return CaptureOutput.pcap(link.name(), new PcapWriter(out, PcapWriter.DEFAULT_SNAPLEN, PcapWriter.LINKTYPE_RAW),
                    path);
        } catch (IOException | RuntimeException e) {
            throw new CommandFailedException("capture: " + options.file() + ": " + reason(e), e);
        }
    }

    /** Opens the packet socket; the capture runs until its count or time is reached. */
    CaptureRun start(CaptureOptions options, LinkMessage link) {
        CaptureRun run = new CaptureRun(sockets, link, options, monotonicNanos, PcapWriter.DEFAULT_SNAPLEN);
        try {
            run.start();
        } catch (ErrnoException e) {
            throw new CommandFailedException("capture: " + link.name() + ": " + (e.errno() == Errno.EAFNOSUPPORT
                    ? "the stack has no packet sockets (AF_PACKET)" : e.errno().text()), e);
        }
        return run;
    }

    /** Stops the run, writes out what is left and returns tcpdump's closing report. */
    String finish(CaptureRun run, CaptureOutput output) {
        run.stop();
        output.write(run.drain());
        return output.report(run);
    }

    private static void await(CaptureRun run, CaptureOutput output, CaptureOptions options) {
        long deadline = System.nanoTime() + options.durationNanos() + STALL_GUARD_NANOS;
        while (!run.done().isDone()) {
            run.await(DRAIN_INTERVAL_MILLIS);
            output.write(run.drain());
            if (Thread.currentThread().isInterrupted()) {
                return; // the report so far, as tcpdump prints on SIGINT
            }
            if (!run.done().isDone() && System.nanoTime() - deadline > 0) {
                run.stop();
                throw new CommandFailedException("capture: no progress from the stack's clock; gave up on " + run + "\n"
                        + output.report(run));
            }
        }
    }

    private static String reason(Exception e) {
        if (e instanceof java.nio.file.NoSuchFileException) {
            return "No such file or directory";
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "Permission denied";
        }
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }
}
