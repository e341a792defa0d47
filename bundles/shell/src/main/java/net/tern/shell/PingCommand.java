package net.tern.shell;

import net.tern.api.socket.SocketApi;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code net:ping [-4|-6] [-c COUNT] [-i INTERVAL] [-s SIZE] [-t TTL] [-W TIMEOUT] [-q] DEST}:
 * ICMP echo through an ICMP (or, for an IPv6 destination, ICMPv6) ping socket of the socket
 * API ({@link PingRun}), printed as iputils' {@code ping} prints it; {@code net:ping6} is
 * {@code net:ping -6}. The run is bounded: 4 requests unless {@code -c} says otherwise.
 * With no reply at all the report is thrown as a {@link CommandFailedException}, as
 * {@code ping} exits 1.
 *
 * <p>The run's timing is all on the stack's clock, so it runs in virtual time under test. It
 * runs on the shell's thread; an interrupted command (Ctrl-C) ends the run and prints the
 * statistics so far, as ping does on SIGINT.
 */
@Component(service = PingCommand.class, property = {
        "osgi.command.scope=net",
        "osgi.command.function=ping",
        "osgi.command.function=ping6"})
public final class PingCommand {
    private final SocketApi api;

    @Activate
    public PingCommand(@Reference(name = "sockets") SocketApi api) {
        this.api = api;
    }

    /** Runs the ping and returns its report once it has ended. */
    public String ping(String... args) {
        PingOptions options = PingOptions.parse(args);
        if (options.help()) {
            return PingOptions.USAGE;
        }
        PingRun.Result result = start(options).run();
        if (result.received() == 0) {
            throw new CommandFailedException(result.report());
        }
        return result.report();
    }

    /** {@code ping6}: {@code ping -6}. */
    public String ping6(String... args) {
        String[] six = new String[(args == null ? 0 : args.length) + 1];
        six[0] = "-6";
        if (args != null) {
            System.arraycopy(args, 0, six, 1, args.length);
        }
        return ping(six);
    }

    /**
     * Opens a run's socket without running it. Like iputils, which connects a socket first to
     * pick its source, it fails at once when the destination has no route.
     */
    PingRun start(PingOptions options) {
        PingRun run = new PingRun(options, api);
        run.open();
        return run;
    }
}
