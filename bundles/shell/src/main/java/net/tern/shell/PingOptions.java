package net.tern.shell;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.tern.api.socket.Inet6SockAddr;
import net.tern.wire.Ipv4Address;

/**
 * The arguments of {@code net:ping}, read as iputils' {@code ping} reads them (getopt: options
 * may be grouped, {@code -c3} or {@code -c 3}, and may follow the destination), with its error
 * messages.
 *
 * @param count        echo requests to send
 * @param intervalNanos time between requests
 * @param size         data bytes per request ({@code -s}); the ICMP message is 8 more
 * @param timeoutNanos how long each request waits for its reply ({@code -W})
 * @param ttl          the requests' TTL, or -1 for the stack's default
 * @param quiet        print only the header and the statistics ({@code -q})
 * @param destination  the destination address, host order (0 for an IPv6 destination)
 * @param target       the destination as typed
 * @param destination6 the IPv6 destination ({@code -6}, or an address with a colon), or null for IPv4
 * @param help         {@code -h}: print the usage and nothing else
 */
record PingOptions(long count, long intervalNanos, int size, long timeoutNanos, int ttl, boolean quiet,
        int destination, String target, boolean help, Inet6SockAddr destination6) {

    /** IPv4 options, as before IPv6. */
    PingOptions(long count, long intervalNanos, int size, long timeoutNanos, int ttl, boolean quiet, int destination,
            String target, boolean help) {
        this(count, intervalNanos, size, timeoutNanos, ttl, quiet, destination, target, help, null);
    }

    /** Whether this is an ICMPv6 ping. */
    boolean ipv6() {
        return destination6 != null;
    }

    /** Requests sent when {@code -c} is not given: the shell has no Ctrl-C to stop an endless ping. */
    static final long DEFAULT_COUNT = 4;
    static final long DEFAULT_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** iputils' {@code MAXWAIT}. */
    static final long DEFAULT_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(10);
    static final int DEFAULT_SIZE = 56;
    /** 65535 less the IPv4 and ICMP headers. */
    static final int MAX_SIZE = 65507;
    static final double MIN_INTERVAL_SECONDS = 0.01;

    static final String USAGE = String.join("\n",
            "Usage",
            "  net:ping [options] <destination>",
            "",
            "Options:",
            "  <destination>      IPv4 address (A.B.C.D) or IPv6 address (no name resolution)",
            "  -4                 use IPv4 only",
            "  -6                 use IPv6 only (net:ping6 is net:ping -6)",
            "  -c <count>         stop after sending <count> requests (default 4)",
            "  -h                 print help and exit",
            "  -i <interval>      seconds between sending each request (default 1, at least 0.01)",
            "  -n                 numeric output only (always the case here)",
            "  -q                 quiet output: the statistics only",
            "  -s <size>          use <size> as number of data bytes to be sent (default 56)",
            "  -t <ttl>           define time to live",
            "  -W <timeout>       seconds to wait for each reply (default 10)");

    /** Parses {@code args}; bad ones throw {@link IllegalArgumentException} with {@code ping}'s message. */
    static PingOptions parse(String... args) {
        long count = DEFAULT_COUNT;
        long interval = DEFAULT_INTERVAL_NANOS;
        int size = DEFAULT_SIZE;
        long timeout = DEFAULT_TIMEOUT_NANOS;
        int ttl = -1;
        boolean quiet = false;
        int family = 0;
        List<String> operands = new ArrayList<>();
        String[] words = args == null ? new String[0] : args;
        boolean optionsEnded = false;
        for (int i = 0; i < words.length; i++) {
            String word = words[i];
            if (optionsEnded || !word.startsWith("-") || word.length() == 1) {
                operands.add(word);
                continue;
            }
            if (word.equals("--")) {
                optionsEnded = true;
                continue;
            }
            for (int c = 1; c < word.length(); c++) {
                char option = word.charAt(c);
                switch (option) {
                    case 'h':
                        return new PingOptions(count, interval, size, timeout, ttl, quiet, 0, "", true);
                    case 'q':
                        quiet = true;
                        continue;
                    case 'n':
                        continue;
                    case '4':
                        family = 4;
                        continue;
                    case '6':
                        family = 6;
                        continue;
                    case 'c':
                    case 'i':
                    case 's':
                    case 'W':
                    case 't':
                        break;
                    default:
                        throw new IllegalArgumentException("ping: invalid option -- '" + option + "'\n" + USAGE);
                }
                String value;
                if (c + 1 < word.length()) {
                    value = word.substring(c + 1);
                } else if (i + 1 < words.length) {
                    value = words[++i];
                } else {
                    throw new IllegalArgumentException(
                            "ping: option requires an argument -- '" + option + "'\n" + USAGE);
                }
                switch (option) {
                    case 'c' -> count = integer(value, 1, Long.MAX_VALUE);
                    case 's' -> size = size(value);
                    case 't' -> ttl = (int) integer(value, 1, 255);
                    case 'i' -> interval = interval(value);
                    default -> timeout = timeout(value);
                }
                break;
            }
        }
        if (operands.isEmpty()) {
            throw new IllegalArgumentException("ping: usage error: Destination address required");
        }
        if (operands.size() > 1) {
            throw new IllegalArgumentException(
                    "ping: usage error: one destination only, got " + String.join(" ", operands));
        }
        String target = operands.get(0);
        if (family == 4 && target.indexOf(':') >= 0) {
            throw new IllegalArgumentException("ping: " + target + ": Address family for hostname not supported");
        }
        if (family == 6 || target.indexOf(':') >= 0) {
            if (size > MAX_SIZE6) {
                throw new IllegalArgumentException("ping: invalid argument: '" + size + "': out of range: 0 <= value <= "
                        + MAX_SIZE6);
            }
            return new PingOptions(count, interval, size, timeout, ttl, quiet, 0, target, false, destination6(target));
        }
        return new PingOptions(count, interval, size, timeout, ttl, quiet, destination(target), target, false);
    }

    private static long integer(String value, long min, long max) {
        long number;
        try {
            number = Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("ping: invalid argument: '" + value + "'");
        }
        if (number < min || number > max) {
            throw new IllegalArgumentException("ping: invalid argument: '" + value + "': out of range: " + min
                    + " <= value <= " + max);
        }
        return number;
    }

    private static int size(String value) {
        long size = integer(value, 0, Integer.MAX_VALUE);
        if (size > MAX_SIZE) {
            throw new IllegalArgumentException("ping: packet size " + size + " is too large. Maximum is " + MAX_SIZE);
        }
        return (int) size;
    }

    private static long interval(String value) {
        double seconds = seconds(value, "ping: bad timing interval: " + value);
        if (seconds < MIN_INTERVAL_SECONDS) {
            throw new IllegalArgumentException("ping: cannot flood; minimal interval allowed for user is 10ms");
        }
        return Math.round(seconds * 1e9);
    }

    private static long timeout(String value) {
        double seconds = seconds(value, "ping: bad linger time: " + value);
        if (seconds <= 0) {
            throw new IllegalArgumentException("ping: bad linger time: " + value);
        }
        return Math.round(seconds * 1e9);
    }

    /** Seconds as a decimal number up to iputils' limit (INT_MAX / 1000 s). */
    private static double seconds(String value, String error) {
        double seconds;
        try {
            seconds = Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(error);
        }
        if (Double.isNaN(seconds) || seconds < 0 || seconds >= Integer.MAX_VALUE / 1000.0) {
            throw new IllegalArgumentException(error);
        }
        return seconds;
    }

    /** 65535 less the ICMPv6 header (the IPv6 header is not counted in the payload length). */
    static final int MAX_SIZE6 = 65527;

    /** An IPv6 address, with {@code %N} for the interface index of a link-local one. */
    private static Inet6SockAddr destination6(String target) {
        String address = target;
        int scope = 0;
        int percent = target.indexOf('%');
        try {
            if (percent >= 0) {
                scope = Integer.parseInt(target.substring(percent + 1));
                address = target.substring(0, percent);
            }
            long[] a = Inet6SockAddr.parseAddress(address);
            return new Inet6SockAddr(a[0], a[1], 0, 0, scope);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("ping: " + target + ": Name or service not known");
        }
    }

    /** A dotted quad; anything else would need a resolver, which the stack does not have. */
    private static int destination(String target) {
        String[] parts = target.split("\\.", -1);
        boolean dotted = parts.length == 4;
        for (String part : parts) {
            dotted &= !part.isEmpty() && part.length() <= 3 && part.chars().allMatch(Character::isDigit)
                    && Integer.parseInt(part) <= 255;
        }
        if (!dotted) {
            throw new IllegalArgumentException("ping: " + target + ": Name or service not known");
        }
        return Ipv4Address.parse(target);
    }

    /** How long a run takes at most on the stack's clock: the sends, then the last reply's wait. */
    long longestRunNanos() {
        long sends = count - 1 > Long.MAX_VALUE / intervalNanos ? Long.MAX_VALUE : (count - 1) * intervalNanos;
        return sends > Long.MAX_VALUE - timeoutNanos ? Long.MAX_VALUE : sends + timeoutNanos;
    }
}
