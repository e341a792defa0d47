package net.tern.launcher;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The command line of {@code bin/tern}, parsed. */
final class LauncherOptions {
    static final String USAGE = String.join("\n",
            "usage: tern [options]",
            "  -c, --command CMD   run a shell command (repeatable), print its result and exit",
            "                      with status 0, or 1 if it failed",
            "      --headless      run without the interactive shell until SIGTERM",
            "      --log LEVEL     log level: error, warn, info, debug, trace",
            "                      (default: info, or warn with -c)",
            "      --wait SECONDS  how long -c waits for the command to be registered (default 20)",
            "      --home DIR      the installation directory (default: set by bin/tern)",
            "  -h, --help          print this help",
            "Without -c or --headless, the stack starts with the Gogo shell on this terminal.");

    final List<String> commands = new ArrayList<>();
    boolean headless;
    boolean help;
    String logLevel;
    int waitSeconds = 20;
    Path home;

    static LauncherOptions parse(String[] args, Path defaultHome) {
        LauncherOptions o = new LauncherOptions();
        o.home = defaultHome;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "-c":
                case "--command":
                    o.commands.add(value(args, ++i, arg));
                    break;
                case "--headless":
                    o.headless = true;
                    break;
                case "--log":
                    o.logLevel = value(args, ++i, arg);
                    if (!List.of("error", "warn", "info", "debug", "trace").contains(o.logLevel)) {
                        throw new IllegalArgumentException("unknown log level '" + o.logLevel + "'");
                    }
                    break;
                case "--wait":
                    try {
                        o.waitSeconds = Integer.parseInt(value(args, ++i, arg));
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("--wait takes a number of seconds");
                    }
                    break;
                case "--home":
                    o.home = Path.of(value(args, ++i, arg));
                    break;
                case "-h":
                case "--help":
                    o.help = true;
                    break;
                default:
                    throw new IllegalArgumentException("unknown option '" + arg + "'");
            }
        }
        if (o.home == null) {
            throw new IllegalArgumentException("no installation directory: pass --home or set tern.home");
        }
        if (o.headless && !o.commands.isEmpty()) {
            throw new IllegalArgumentException("--headless and -c exclude each other");
        }
        if (o.logLevel == null) {
            o.logLevel = o.commands.isEmpty() ? "info" : "warn";
        }
        return o;
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    boolean interactive() {
        return commands.isEmpty() && !headless;
    }
}
