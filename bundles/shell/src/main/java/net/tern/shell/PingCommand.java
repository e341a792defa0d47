package net.tern.shell;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import net.tern.api.socket.ErrnoException;
import net.tern.inet.ip.IcmpEcho;
import net.tern.inet.route.Flowi4;
import net.tern.inet.route.RouteTable;
import net.tern.spi.net.Clock;
import net.tern.spi.net.TimerService;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code net:ping [-c COUNT] [-i INTERVAL] [-s SIZE] [-t TTL] [-W TIMEOUT] [-q] DEST}: ICMP
 * echo through the stack ({@link IcmpEcho}, Linux's ping sockets), printed as iputils'
 * {@code ping} prints it. The run is bounded: 4 requests unless {@code -c} says otherwise.
 * With no reply at all the report is thrown as a {@link CommandFailedException}, as
 * {@code ping} exits 1.
 *
 * <p>The run's timing is all on the stack's {@link Clock} and {@link TimerService}
 * ({@link PingRun}), so it runs in virtual time under test. The calling thread only waits
 * for the report; that wait is bounded in real time by the run's own length plus
 * {@link #STALL_GUARD_NANOS}, against a network thread that has stopped. An interrupted
 * wait (Ctrl-C in the shell) ends the run and prints the statistics so far, as ping does on
 * SIGINT.
 */
@Component(service = PingCommand.class, property = {
        "osgi.command.scope=net",
        "osgi.command.function=ping"})
public final class PingCommand {
    /** How much longer than its own length a run may take before the command stops waiting. */
    static final long STALL_GUARD_NANOS = TimeUnit.SECONDS.toNanos(10);
    /** How long an interrupted command waits for the network thread to hand over the report so far. */
    private static final long STOP_WAIT_NANOS = TimeUnit.SECONDS.toNanos(2);

    private final IcmpEcho echo;
    private final RouteTable routes;
    private final Clock clock;
    private final TimerService timers;

    @Activate
    public PingCommand(@Reference(name = "echo") IcmpEcho echo, @Reference(name = "routes") RouteTable routes,
            @Reference(name = "clock") Clock clock, @Reference(name = "timers") TimerService timers) {
        this.echo = echo;
        this.routes = routes;
        this.clock = clock;
        this.timers = timers;
    }

    /** Runs the ping and returns its report once it has ended. */
    public String ping(String... args) {
        PingOptions options = PingOptions.parse(args);
        if (options.help()) {
            return PingOptions.USAGE;
        }
        PingRun run = start(options);
        PingRun.Result result = await(run, options);
        if (result.received() == 0) {
            throw new CommandFailedException(result.report());
        }
        return result.report();
    }

    /**
     * Starts a run without waiting for it. Like iputils, which connects a socket first to
     * pick its source, it fails at once when the destination has no route.
     */
    PingRun start(PingOptions options) {
        try {
            routes.routeOutput(Flowi4.to(options.destination()));
        } catch (ErrnoException e) {
            throw new CommandFailedException("ping: connect: " + e.errno().text(), e);
        }
        PingRun run = new PingRun(options, echo, clock, timers);
        try {
            run.start();
        } catch (ErrnoException e) {
            throw new CommandFailedException("ping: socket: " + e.errno().text(), e);
        }
        return run;
    }

    private static PingRun.Result await(PingRun run, PingOptions options) {
        long bound = options.longestRunNanos() > Long.MAX_VALUE - STALL_GUARD_NANOS
                ? Long.MAX_VALUE
                : options.longestRunNanos() + STALL_GUARD_NANOS;
        try {
            return run.result().get(bound, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            return stopped(run);
        } catch (TimeoutException e) {
            run.abandon();
            throw new CommandFailedException("ping: no progress from the stack's network thread; gave up on " + run);
        } catch (ExecutionException e) {
            throw new IllegalStateException("ping run failed: " + run, e.getCause());
        }
    }

    /** The report so far of a run whose command was interrupted; the interrupt stays set for the shell. */
    private static PingRun.Result stopped(PingRun run) {
        run.stop();
        try {
            return run.result().get(STOP_WAIT_NANOS, TimeUnit.NANOSECONDS);
        } catch (InterruptedException | TimeoutException | ExecutionException e) {
            run.abandon();
            throw new CommandFailedException("ping: interrupted: " + run);
        } finally {
            Thread.currentThread().interrupt();
        }
    }
}
