package net.tern.shell;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import net.tern.api.socket.InetSockAddr;
import net.tern.spi.trace.TraceEvent;

/**
 * {@code net:trace}'s arguments: {@code [func GLOB]... [system NAME]... [port N] [fd N]
 * [sock A:P B:P] [-r RATE] [-o FILE] [-c COUNT] [-t SECONDS]}. With no {@code -c} and no
 * {@code -t} the trace runs until interrupted (Ctrl-C). Without {@code func} or
 * {@code system} it shows every event but the per-packet ones ({@link TraceEvent#perPacket()}).
 *
 * @param functions globs of function names ({@code tcp_*}, {@code ip_?cv}); an event passes if one matches
 * @param systems   trace systems ({@code tcp}, {@code ip}, ...); an event passes if it is of one
 * @param port      only events whose local or peer port is this, or -1
 * @param fd        only events of this descriptor, or -1
 * @param sock      only events of this connection (its two ends, either way round), or null
 * @param rate      at most this many events per second of the stack's clock (the rest dropped
 *                  and counted), or 0 for no cap
 * @param output    write the events as JSON lines to this file instead of the session, or null
 * @param count     stop after this many events, or 0 for no limit
 * @param seconds   stop after this long on the stack clock, or 0 for no limit
 */
record TraceOptions(List<Pattern> functions, Set<String> systems, int port, int fd, InetSockAddr[] sock, long rate,
        String output, long count, double seconds) {
    static final Set<String> SYSTEMS = Set.of("syscalls", "sock", "tcp", "udp", "ip", "net");
    static final String USAGE = String.join("\n",
            "Usage: net:trace [func GLOB]... [system NAME]... [port N] [fd N] [sock A:P B:P] [-r RATE] [-o FILE]",
            "                 [-c COUNT] [-t SECONDS]",
            "   func GLOB   only functions matching GLOB (* and ?), e.g. 'tcp_*', 'ip_rcv'; repeatable",
            "   system S    only events of system S: syscalls, sock, tcp, udp, ip, net; repeatable",
            "               (without func or system: all but the per-packet events, see below)",
            "   port N      only events whose local or peer port is N",
            "   fd N        only events of descriptor N",
            "   sock A:P B:P  only events of the connection between A:P and B:P",
            "   -r RATE     at most RATE events per second (stack clock); the rest are dropped and counted",
            "   -o FILE     write the events to FILE as JSON lines instead of printing them",
            "   -c COUNT    stop after COUNT events",
            "   -t SECONDS  stop after SECONDS (without -c or -t: until Ctrl-C)",
            "Per-packet events (shown with func or system): tcp_transmit_skb, tcp_rcv_established, tcp_ack,",
            "tcp_probe, and the systems ip, udp, net.");

    static TraceOptions parse(String... args) {
        List<Pattern> functions = new ArrayList<>();
        List<String> systems = new ArrayList<>();
        int port = -1;
        int fd = -1;
        InetSockAddr[] sock = null;
        long rate = 0;
        String output = null;
        long count = 0;
        double seconds = 0;
        String[] words = args == null ? new String[0] : args;
        for (int i = 0; i < words.length; i++) {
            String word = words[i];
            switch (word) {
                case "func" -> functions.add(glob(value(words, ++i)));
                case "system" -> {
                    String name = value(words, ++i);
                    if (!SYSTEMS.contains(name)) {
                        throw new IllegalArgumentException("trace: unknown system '" + name
                                + "': one of syscalls, sock, tcp, udp, ip, net");
                    }
                    systems.add(name);
                }
                case "port" -> port = (int) number(word, value(words, ++i), 0, 65535);
                case "fd" -> fd = (int) number(word, value(words, ++i), 0, Integer.MAX_VALUE);
                case "sock" -> sock = new InetSockAddr[] {endpoint(value(words, ++i)), endpoint(value(words, ++i))};
                case "-r" -> rate = number(word, value(words, ++i), 1, 10_000_000);
                case "-o" -> output = value(words, ++i);
                case "-c" -> count = number(word, value(words, ++i), 1, Long.MAX_VALUE);
                case "-t" -> {
                    String text = value(words, ++i);
                    try {
                        seconds = Double.parseDouble(text);
                    } catch (NumberFormatException e) {
                        seconds = -1;
                    }
                    if (!(seconds > 0) || seconds > 86_400) {
                        throw new IllegalArgumentException("trace: invalid -t '" + text + "': seconds, 0 < t <= 86400");
                    }
                }
                case "-h", "--help", "help" -> throw new IllegalArgumentException(USAGE);
                default -> throw new IllegalArgumentException("trace: unknown argument '" + word + "'\n" + USAGE);
            }
        }
        return new TraceOptions(List.copyOf(functions), Set.copyOf(systems), port, fd, sock, rate, output, count,
                seconds);
    }

    /** A shell glob ({@code *} any run, {@code ?} one character) as a pattern of the whole name. */
    static Pattern glob(String glob) {
        StringBuilder regex = new StringBuilder();
        for (char c : glob.toCharArray()) {
            switch (c) {
                case '*' -> regex.append(".*");
                case '?' -> regex.append('.');
                default -> regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(regex.toString());
    }

    private static InetSockAddr endpoint(String text) {
        try {
            return InetSockAddr.parse(text);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("trace: invalid sock end '" + text + "': ADDRESS:PORT");
        }
    }

    private static String value(String[] words, int i) {
        if (i >= words.length) {
            throw new IllegalArgumentException("trace: '" + words[i - 1] + "' needs a value\n" + USAGE);
        }
        return words[i];
    }

    private static long number(String option, String text, long min, long max) {
        try {
            long v = Long.parseLong(text);
            if (v >= min && v <= max) {
                return v;
            }
        } catch (NumberFormatException e) {
            // the message below
        }
        throw new IllegalArgumentException("trace: invalid " + option + " '" + text + "': a number " + min + ".." + max);
    }

    boolean selects(TraceEvent event) {
        if (functions.isEmpty() && systems.isEmpty()) {
            if (event.perPacket()) {
                return false;
            }
        } else if (!systems.contains(event.system()) && !matchesFunction(event.function())) {
            return false;
        }
        return (port < 0 || event.hasPort(port)) && (fd < 0 || event.fd() == fd) && (sock == null || ofSock(event));
    }

    private boolean matchesFunction(String function) {
        for (Pattern p : functions) {
            if (p.matcher(function).matches()) {
                return true;
            }
        }
        return false;
    }

    private boolean ofSock(TraceEvent e) {
        return (sock[0].equals(e.local()) && sock[1].equals(e.peer()))
                || (sock[1].equals(e.local()) && sock[0].equals(e.peer()));
    }
}
