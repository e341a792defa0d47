package net.tern.shell;

import net.tern.spi.trace.TraceEvent;

/**
 * {@code net:trace}'s arguments: {@code [port N] [fd N] [-c COUNT] [-t SECONDS]}. With no
 * {@code -c} and no {@code -t} the trace runs until interrupted (Ctrl-C).
 *
 * @param port    only events whose local or peer port is this, or -1
 * @param fd      only events of this descriptor, or -1
 * @param count   stop after this many events, or 0 for no limit
 * @param seconds stop after this long on the stack clock, or 0 for no limit
 */
record TraceOptions(int port, int fd, long count, double seconds) {
    static final String USAGE = String.join("\n",
            "Usage: net:trace [port N] [fd N] [-c COUNT] [-t SECONDS]",
            "   port N      only events whose local or peer port is N",
            "   fd N        only events of descriptor N",
            "   -c COUNT    stop after COUNT events",
            "   -t SECONDS  stop after SECONDS (without -c or -t: until Ctrl-C)");

    static TraceOptions parse(String... args) {
        int port = -1;
        int fd = -1;
        long count = 0;
        double seconds = 0;
        String[] words = args == null ? new String[0] : args;
        for (int i = 0; i < words.length; i++) {
            String word = words[i];
            switch (word) {
                case "port" -> port = (int) number(word, value(words, ++i), 0, 65535);
                case "fd" -> fd = (int) number(word, value(words, ++i), 0, Integer.MAX_VALUE);
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
        return new TraceOptions(port, fd, count, seconds);
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
        return (port < 0 || event.hasPort(port)) && (fd < 0 || event.fd() == fd);
    }
}
