package net.tern.launcher;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The command line of {@code bin/tern}, parsed. */
final class LauncherOptions {
    static final String USAGE = String.join("\n",
            "usage: tern [options]",
            "       tern [options] --app APP.jar [ARGS...]",
            "  -c, --command CMD   run a shell command (repeatable), print its result and exit",
            "                      with status 0, or 1 if it failed",
            "      --headless      run without the interactive shell until SIGTERM",
            "      --log LEVEL     log level: error, warn, info, debug, trace",
            "                      (default: info, or warn with -c)",
            "      --wait SECONDS  how long -c waits for the command to be registered (default 20)",
            "      --home DIR      the installation directory (default: set by bin/tern)",
            "      --tun NAME      attach the Linux TUN interface NAME (needs root or CAP_NET_ADMIN)",
            "      --address PREFIX  the stack's address on the TUN (required with --tun): A.B.C.D/N",
            "                      or an IPv6 ADDR/N (repeatable, both families); each prefix is",
            "                      routed through the TUN",
            "      --gateway G     with --tun: a default route via G on the TUN",
            "      --mtu N         with --tun: the link MTU (68..65535, default 1500)",
            "      --tun-device PATH  with --tun: the TUN clone device (default /dev/net/tun)",
            "      --tun-offload on|off  with --tun: TCP segmentation and checksum offload with the",
            "                      kernel through virtio-net headers (default on)",
            "      --tun-queues N  with --tun: TUN queues (IFF_MULTI_QUEUE), 1..256; default one per",
            "                      network thread",
            "      --services LIST run these services: a comma list of echo, discard, chargen, http",
            "      --max-connections N  with --services: open TCP connections per service at most",
            "                      (default 65536); beyond, new ones wait in the listen queue",
            "      --impair SPEC   with --tun: run 'net:impair NAME SPEC' after boot, e.g.",
            "                      'loss 2 duplicate 1 reorder 5 seed 7'",
            "      --app JAR ARGS  after the stack is up, run JAR's Main-Class with ARGS (all",
            "                      that follow) in this JVM, its java.nio channels and selectors",
            "                      on Tern; exit with its status. -c commands run after its main",
            "                      and threads have ended (unless it called System.exit)",
            "  -h, --help          print this help",
            "Without -c or --headless, the stack starts with the Gogo shell on this terminal.",
            "",
            "Memory: bin/tern starts the JVM with the options in conf/jvm.options, which bound",
            "the process: the heap, direct memory (packets), class metadata and compiled code.",
            "The environment overrides them:",
            "  TERN_HEAP=SIZE            the heap's maximum (-Xmx), e.g. 512m or 2g",
            "  TERN_DIRECT_MEMORY=SIZE   direct memory's maximum (-XX:MaxDirectMemorySize)",
            "  TERN_OPTS=\"OPTIONS\"       further JVM options, applied last",
            "  JAVA_HOME=DIR             the Java runtime (17 or newer)");

    final List<String> commands = new ArrayList<>();
    boolean headless;
    boolean help;
    String logLevel;
    int waitSeconds = 20;
    Path home;
    String tun;
    /** The first IPv4 {@code --address}, or null. */
    String address;
    /** Every IPv4 {@code --address}, in order. */
    final List<String> addresses = new ArrayList<>();
    /** Every IPv6 {@code --address}, in order. */
    final List<String> addresses6 = new ArrayList<>();
    String gateway;
    int mtu;
    String tunDevice;
    /** {@code --tun-offload}: null when not given (the device's default, on). */
    Boolean tunOffload;
    /** {@code --tun-queues}: 0 when not given (the device's default, one per network thread). */
    int tunQueues;
    final List<String> services = new ArrayList<>();
    /** {@code --max-connections}; 0 when not given (the services' own default). */
    int maxConnections;
    String impair;
    /** {@code --app}: the application jar, or null. */
    Path app;
    /** What follows {@code --app JAR}: the application's own arguments. */
    final List<String> appArgs = new ArrayList<>();

    /** The services {@code --services} may name. */
    static final List<String> SERVICE_NAMES = List.of("echo", "discard", "chargen", "http");

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
                case "--tun":
                    o.tun = value(args, ++i, arg);
                    if (o.tun.isEmpty() || o.tun.length() > 15 || o.tun.contains("/") || o.tun.isBlank()
                            || !o.tun.strip().equals(o.tun)) {
                        throw new IllegalArgumentException("--tun takes an interface name of 1 to 15 characters");
                    }
                    break;
                case "--address": {
                    String prefix = value(args, ++i, arg);
                    if (prefix.indexOf(':') >= 0) {
                        checkPrefix6(prefix);
                        o.addresses6.add(prefix);
                    } else {
                        checkPrefix(prefix);
                        o.addresses.add(prefix);
                        if (o.address == null) {
                            o.address = prefix;
                        }
                    }
                    break;
                }
                case "--gateway":
                    o.gateway = value(args, ++i, arg);
                    checkDottedQuad(o.gateway, "--gateway");
                    break;
                case "--mtu":
                    o.mtu = number(value(args, ++i, arg), arg, 68, 65535);
                    break;
                case "--tun-device":
                    o.tunDevice = value(args, ++i, arg);
                    if (o.tunDevice.isEmpty()) {
                        throw new IllegalArgumentException("--tun-device needs a path");
                    }
                    break;
                case "--tun-offload":
                    String offload = value(args, ++i, arg);
                    if (!offload.equals("on") && !offload.equals("off")) {
                        throw new IllegalArgumentException("--tun-offload takes on or off");
                    }
                    o.tunOffload = offload.equals("on");
                    break;
                case "--tun-queues":
                    o.tunQueues = number(value(args, ++i, arg), arg, 1, 256);
                    break;
                case "--services":
                    for (String name : value(args, ++i, arg).split(",")) {
                        String n = name.strip();
                        if (n.isEmpty()) {
                            continue;
                        }
                        if (!SERVICE_NAMES.contains(n)) {
                            throw new IllegalArgumentException("unknown service '" + n + "' (known: "
                                    + String.join(", ", SERVICE_NAMES) + ")");
                        }
                        if (!o.services.contains(n)) {
                            o.services.add(n);
                        }
                    }
                    break;
                case "--max-connections":
                    try {
                        o.maxConnections = Integer.parseInt(value(args, ++i, arg));
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("--max-connections takes a number");
                    }
                    if (o.maxConnections < 1) {
                        throw new IllegalArgumentException("--max-connections must be at least 1");
                    }
                    break;
                case "--impair":
                    o.impair = value(args, ++i, arg).strip();
                    if (o.impair.isEmpty()) {
                        throw new IllegalArgumentException("--impair needs a specification");
                    }
                    break;
                case "--app":
                    o.app = Path.of(value(args, ++i, arg));
                    o.appArgs.addAll(List.of(args).subList(i + 1, args.length));
                    i = args.length;
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
        if (o.app != null && o.headless) {
            throw new IllegalArgumentException("--headless and --app exclude each other (--app runs without the shell)");
        }
        if (o.tun == null && (o.address != null || !o.addresses6.isEmpty() || o.gateway != null || o.mtu != 0 || o.impair != null
                || o.tunDevice != null || o.tunOffload != null || o.tunQueues != 0)) {
            throw new IllegalArgumentException("--address, --gateway, --mtu, --tun-device, --tun-offload, --tun-queues "
                    + "and --impair need --tun");
        }
        if (o.maxConnections != 0 && o.services.isEmpty()) {
            throw new IllegalArgumentException("--max-connections needs --services");
        }
        if (o.tun != null && o.address == null && o.addresses6.isEmpty()) {
            throw new IllegalArgumentException("--tun needs --address A.B.C.D/N (or an IPv6 ADDR/N)");
        }
        if (o.gateway != null && o.address == null) {
            throw new IllegalArgumentException("--gateway " + o.gateway + " needs an IPv4 --address");
        }
        if (o.gateway != null && !sameSubnet(o.address, o.gateway)) {
            throw new IllegalArgumentException("--gateway " + o.gateway + " is not inside " + o.address);
        }
        if (o.logLevel == null) {
            o.logLevel = o.commands.isEmpty() && o.app == null ? "info" : "warn";
        }
        return o;
    }

    /** {@code A.B.C.D/N} with N from 0 to 32. */
    private static void checkPrefix(String text) {
        int slash = text.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("--address takes A.B.C.D/N, not '" + text + "'");
        }
        checkDottedQuad(text.substring(0, slash), "--address");
        String length = text.substring(slash + 1);
        if (!length.matches("[0-9]{1,2}") || Integer.parseInt(length) > 32) {
            throw new IllegalArgumentException("--address: bad prefix length in '" + text + "'");
        }
    }

    /** {@code ADDR/N}: an IPv6 address in any RFC 4291 text form, N from 0 to 128. */
    private static void checkPrefix6(String text) {
        int slash = text.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("--address takes an IPv6 ADDR/N, not '" + text + "'");
        }
        String address = text.substring(0, slash);
        boolean valid = address.matches("[0-9A-Fa-f:.]+");
        if (valid) {
            try {
                // A literal with a colon is parsed, never looked up.
                valid = java.net.InetAddress.getByName(address) instanceof java.net.Inet6Address;
            } catch (java.net.UnknownHostException e) {
                valid = false;
            }
        }
        if (!valid) {
            throw new IllegalArgumentException("--address: '" + address + "' is not an IPv6 address");
        }
        String length = text.substring(slash + 1);
        if (!length.matches("[0-9]{1,3}") || Integer.parseInt(length) > 128) {
            throw new IllegalArgumentException("--address: bad prefix length in '" + text + "'");
        }
    }

    /** {@code text} as a number from {@code min} to {@code max}, or the option's error. */
    private static int number(String text, String option, int min, int max) {
        int n;
        try {
            n = Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " takes a number");
        }
        if (n < min || n > max) {
            throw new IllegalArgumentException(option + " must be between " + min + " and " + max);
        }
        return n;
    }

    private static int checkDottedQuad(String text, String option) {
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException(option + ": '" + text + "' is not an IPv4 address");
        }
        int value = 0;
        for (String p : parts) {
            if (!p.matches("[0-9]{1,3}") || Integer.parseInt(p) > 255) {
                throw new IllegalArgumentException(option + ": '" + text + "' is not an IPv4 address");
            }
            value = value << 8 | Integer.parseInt(p);
        }
        return value;
    }

    private static boolean sameSubnet(String prefix, String address) {
        int slash = prefix.indexOf('/');
        int length = Integer.parseInt(prefix.substring(slash + 1));
        int mask = length == 0 ? 0 : -1 << (32 - length);
        return (checkDottedQuad(prefix.substring(0, slash), "--address") & mask)
                == (checkDottedQuad(address, "--gateway") & mask);
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    boolean interactive() {
        return commands.isEmpty() && !headless && app == null;
    }
}
