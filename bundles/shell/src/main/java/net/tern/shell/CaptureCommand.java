package net.tern.shell;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import net.tern.spi.net.Clock;
import net.tern.spi.net.Link;
import net.tern.spi.net.LinkFlags;
import net.tern.spi.net.LinkRegistry;
import net.tern.spi.net.TimerService;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code net:capture -i DEV [-c COUNT] [-G SECONDS] [-w FILE] [FILTER...]}: tcpdump over a
 * {@link net.tern.spi.net.PacketTap} on one link. With {@code -w} the packets go to a pcap
 * file ({@link PcapWriter}, {@code LINKTYPE_RAW}, snapshot length 262144); without, one
 * line each ({@link PacketSummary}). The report ends as tcpdump's:
 * {@code N packets captured}, {@code N packets received by filter},
 * {@code N packets dropped by kernel}.
 *
 * <p>The run ({@link CaptureRun}) is timed on the stack's {@link TimerService}; the calling
 * thread writes the output as packets come, and stops waiting in real time at the run's
 * length plus {@link #STALL_GUARD_NANOS}, in case the network thread has stopped. An
 * interrupted wait (Ctrl-C in the shell) ends the capture and reports what it has.
 */
@Component(service = CaptureCommand.class, property = {
        "osgi.command.scope=net",
        "osgi.command.function=capture"})
public final class CaptureCommand {
    static final long STALL_GUARD_NANOS = TimeUnit.SECONDS.toNanos(10);
    /** How often the waiting thread writes out what the tap has queued. */
    private static final long DRAIN_INTERVAL_MILLIS = 100;

    private final LinkRegistry links;
    private final Clock clock;
    private final TimerService timers;
    private final ZoneId zone;

    @Activate
    public CaptureCommand(@Reference(name = "links") LinkRegistry links, @Reference(name = "clock") Clock clock,
            @Reference(name = "timers") TimerService timers) {
        this(links, clock, timers, ZoneId.systemDefault());
    }

    /** With the zone the printed timestamps are in (pcap files are always UTC). */
    CaptureCommand(LinkRegistry links, Clock clock, TimerService timers, ZoneId zone) {
        this.links = links;
        this.clock = clock;
        this.timers = timers;
        this.zone = zone;
    }

    public String capture(String... args) {
        CaptureOptions options = CaptureOptions.parse(args);
        if (options.help()) {
            return CaptureOptions.USAGE;
        }
        Link link = link(options);
        try (CaptureOutput output = open(options, link)) {
            CaptureRun run = start(options, link);
            await(run, output, options);
            return finish(run, output);
        }
    }

    /** The link to capture on, refused as tcpdump refuses a missing device or an unknown link type. */
    Link link(CaptureOptions options) {
        Link link = links.byName(options.device()).orElseThrow(() -> new IllegalArgumentException(
                "capture: " + options.device() + ": No such device exists"));
        if (link.type() != LinkFlags.ARPHRD_LOOPBACK && link.type() != LinkFlags.ARPHRD_NONE) {
            throw new IllegalArgumentException("capture: " + link.name() + ": link type " + link.type()
                    + " not supported (only loopback and TUN, captured as LINKTYPE_RAW)");
        }
        return link;
    }

    /** Opens the output before the capture starts, so an unwritable file fails at once, as tcpdump does. */
    CaptureOutput open(CaptureOptions options, Link link) {
        if (options.file() == null) {
            return CaptureOutput.lines(link, new PacketSummary(zone));
        }
        Path path = Path.of(options.file());
        try {
            OutputStream out = new BufferedOutputStream(Files.newOutputStream(path));
            return CaptureOutput.pcap(link, new PcapWriter(out, PcapWriter.DEFAULT_SNAPLEN, PcapWriter.LINKTYPE_RAW), path);
        } catch (IOException | RuntimeException e) {
            throw new CommandFailedException("capture: " + options.file() + ": " + reason(e), e);
        }
    }

    /** Attaches the tap; the capture runs until its count or time is reached. */
    CaptureRun start(CaptureOptions options, Link link) {
        CaptureRun run = new CaptureRun(link, options, clock, timers, PcapWriter.DEFAULT_SNAPLEN);
        run.start();
        return run;
    }

    /** Stops the run, writes out what is left and returns tcpdump's closing report. */
    String finish(CaptureRun run, CaptureOutput output) {
        run.stop();
        output.write(run.drain());
        return output.report(run);
    }

    private static void await(CaptureRun run, CaptureOutput output, CaptureOptions options) {
        long bound = options.durationNanos() + STALL_GUARD_NANOS;
        long deadline = System.nanoTime() + bound;
        try {
            while (true) {
                try {
                    run.done().get(DRAIN_INTERVAL_MILLIS, TimeUnit.MILLISECONDS);
                    return;
                } catch (TimeoutException e) {
                    output.write(run.drain());
                    if (System.nanoTime() - deadline > 0) {
                        run.stop();
                        throw new CommandFailedException("capture: no progress from the stack's network thread; gave up on "
                                + run + "\n" + output.report(run));
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the report so far, as tcpdump prints on SIGINT
        } catch (ExecutionException e) {
            throw new IllegalStateException("capture failed: " + run, e.getCause());
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
