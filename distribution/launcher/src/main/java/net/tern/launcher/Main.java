package net.tern.launcher;

import java.io.PrintStream;
import java.nio.channels.spi.SelectorProvider;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.osgi.util.tracker.ServiceTracker;

/**
 * {@code bin/tern}: starts the stack in a Felix framework. With {@code -c} it runs shell
 * commands and exits with their status; with {@code --headless} it runs until SIGTERM; with
 * {@code --app} it runs an application jar on the stack and exits with its status;
 * otherwise it opens the Gogo shell on the terminal and exits when the shell does.
 */
public final class Main {
    /**
     * SPI Fly logs through java.util.logging; held here so the level set on it stays (JUL
     * keeps loggers only weakly).
     */
    private static final java.util.logging.Logger SPIFLY_LOG = java.util.logging.Logger.getLogger("org.apache.aries.spifly");

    /** The bundle of Tern's Netty transport, whose packages an application can ask to share. */
    private static final String NETTY_TRANSPORT_BUNDLE = "net.tern.netty";

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String[] args) {
        // Gogo replaces System.out and System.err with per-thread streams once it starts; a
        // session writing into those would write into itself. Keep the real ones.
        PrintStream stdout = System.out;
        PrintStream stderr = System.err;
        LauncherOptions options;
        try {
            String home = System.getProperty("tern.home");
            options = LauncherOptions.parse(args, home == null ? null : Path.of(home));
        } catch (IllegalArgumentException e) {
            System.err.println("tern: " + e.getMessage());
            System.err.println(LauncherOptions.USAGE);
            return 2;
        }
        if (options.help) {
            System.out.println(LauncherOptions.USAGE);
            System.out.println("This JVM: " + MemoryLimits.current().describe() + ".");
            return 0;
        }
        if (options.app != null) {
            // Before anything can call SelectorProvider.provider(), which reads this once.
            System.setProperty(AppSelectorProvider.PROPERTY, AppSelectorProvider.class.getName());
        }
        configureLogging(options.logLevel);

        Map<String, String> props = new HashMap<>();
        // The Gogo shell stops the framework when its input ends; that is the exit of an
        // interactive session (BUILD-NOTES, pitfall 5).
        props.put("gosh.args", options.interactive() ? "" : "--nointeractive");
        TernFramework tern;
        try {
            tern = new TernFramework(options.home, props);
        } catch (Exception e) {
            System.err.println("tern: cannot create the framework: " + e.getMessage());
            return 1;
        }
        Thread hook = new Thread(() -> tern.stop(10_000), "tern-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            tern.start(options.interactive());
            CommandRunner runner = new CommandRunner(tern.framework().getBundleContext(), options.waitSeconds * 1000L,
                    stdout, stderr, options.logLevel.equals("debug") || options.logLevel.equals("trace"));
            int setup = setUp(tern, options, runner, stderr);
            if (setup != 0) {
                tern.stop(10_000);
                removeHook(hook);
                return setup;
            }
            if (options.app != null) {
                int status = runApp(tern, options, runner, stderr);
                tern.stop(10_000);
                removeHook(hook);
                return status;
            }
            if (!options.commands.isEmpty()) {
                int status = runner.run(options.commands);
                tern.stop(10_000);
                removeHook(hook);
                return status;
            }
            if (options.headless) {
                stderr.println("tern: memory bound: " + MemoryLimits.current().describe());
                stderr.println("tern: running headless" + (options.tun == null ? "" : " on " + options.tun + " "
                        + String.join(" ", java.util.stream.Stream.concat(options.addresses.stream(),
                                options.addresses6.stream()).toList())) + (options.services.isEmpty() ? "" : ", services " + String.join(",",
                        options.services)) + "; SIGTERM stops");
            }
            if (options.interactive()) {
                System.out.println("Tern: a TCP/IP stack in user space. Try net:links, net:families, help; Ctrl-D quits.");
            }
            tern.waitForStop();
            removeHook(hook);
            tern.stop(10_000);
            return 0;
        } catch (Exception e) {
            System.err.println("tern: " + e.getMessage());
            tern.stop(10_000);
            return 1;
        }
    }

    /**
     * Applies {@code --tun}, {@code --services}, {@code --gateway}, {@code --impair}: 0 when
     * the stack is ready, else 1 after printing why (a TUN that cannot be opened, say).
     */
    private static int setUp(TernFramework tern, LauncherOptions options, CommandRunner runner, PrintStream err)
            throws InterruptedException {
        try {
            new StackSetup(tern.framework().getBundleContext(), options).apply();
        } catch (StackSetup.SetupException e) {
            err.println("tern: " + e.getMessage());
            return 1;
        }
        java.util.List<String> commands = StackSetup.commands(options);
        return commands.isEmpty() ? 0 : runner.run(commands);
    }

    /**
     * {@code --app}: hands the stack's {@code SelectorProvider} service to the system-wide
     * provider, runs the application to its end, then the {@code -c} commands; the status is
     * the application's.
     */
    private static int runApp(TernFramework tern, LauncherOptions options, CommandRunner runner, PrintStream err)
            throws InterruptedException, java.io.IOException {
        if (!AppSelectorProvider.isSystemProvider()) {
            err.println("tern: --app: the system SelectorProvider is already "
                    + SelectorProvider.provider().getClass().getName() + ", not Tern's");
            return 1;
        }
        ServiceTracker<SelectorProvider, SelectorProvider> tracker =
                new ServiceTracker<>(tern.framework().getBundleContext(), SelectorProvider.class, null);
        tracker.open();
        try {
            SelectorProvider provider = tracker.waitForService(options.waitSeconds * 1000L);
            if (provider == null) {
                err.println("tern: --app: the stack registered no SelectorProvider service within "
                        + options.waitSeconds + " s");
                return 1;
            }
            AppSelectorProvider.useTern(provider);
            int status;
            try {
                AppRunner app = new AppRunner(options.app, options.appArgs, err);
                ClassLoader parent = ClassLoader.getSystemClassLoader();
                if (app.usesNettyTransport()) {
                    try {
                        parent = FrameworkPackagesLoader.of(tern.framework().getBundleContext(), NETTY_TRANSPORT_BUNDLE);
                    } catch (IllegalStateException e) {
                        err.println("tern: --app: the application's manifest asks for Tern's Netty transport ("
                                + AppRunner.NETTY_TRANSPORT + "), but " + e.getMessage());
                        return 1;
                    }
                }
                status = app.run(parent);
            } catch (AppRunner.AppException e) {
                err.println("tern: " + e.getMessage());
                return 1;
            }
            if (!options.commands.isEmpty()) {
                runner.run(options.commands);
            }
            return status;
        } finally {
            AppSelectorProvider.useTern(null);
            tracker.close();
        }
    }

    /** Drops the hook unless the JVM is already shutting down (SIGTERM), when the hook is doing the stopping. */
    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // The hook runs now and stops the framework itself.
        }
    }

    /** The SLF4J binding in {@code boot/} reads these when the first logger is made. */
    private static void configureLogging(String level) {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", level);
        System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
        System.setProperty("org.slf4j.simpleLogger.showDateTime", "true");
        System.setProperty("org.slf4j.simpleLogger.dateTimeFormat", "HH:mm:ss.SSS");
        System.setProperty("org.slf4j.simpleLogger.showShortLogName", "true");
        SPIFLY_LOG.setLevel(switch (level) {
            case "error" -> java.util.logging.Level.SEVERE;
            case "warn" -> java.util.logging.Level.WARNING;
            case "info" -> java.util.logging.Level.INFO;
            default -> java.util.logging.Level.FINE;
        });
    }
}
