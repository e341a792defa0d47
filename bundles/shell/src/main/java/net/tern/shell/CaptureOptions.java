package net.tern.shell;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code net:capture}'s command line: {@code -i DEV [-c COUNT] [-G SECONDS] [-w FILE]
 * [FILTER...]}, read as tcpdump reads it. A capture always ends: after {@code COUNT}
 * packets, or after {@code SECONDS} ({@value #DEFAULT_SECONDS} unless given), whichever
 * comes first; there is no Ctrl-C over {@code bin/tern -c}.
 */
record CaptureOptions(String device, long count, long durationNanos, String file, CaptureFilter filter,
        boolean help) {
    static final long DEFAULT_SECONDS = 10;
    static final String USAGE = String.join("\n",
            "Usage: net:capture -i DEV [-c COUNT] [-G SECONDS] [-w FILE] [FILTER...]",
            "   -i DEV       the link to capture on (lo, tun0, ...)",
            "   -c COUNT     stop after COUNT packets",
            "   -G SECONDS   stop after SECONDS (default " + DEFAULT_SECONDS + "; decimals allowed)",
            "   -w FILE      write the packets to FILE in pcap format (LINKTYPE_RAW) instead of printing them",
            "FILTER: primitives joined by 'and': host A.B.C.D, port N, icmp, udp, tcp");

    static CaptureOptions parse(String... args) {
        String device = null;
        long count = Long.MAX_VALUE;
        long durationNanos = TimeUnit.SECONDS.toNanos(DEFAULT_SECONDS);
        String file = null;
        List<String> filter = new ArrayList<>();
        String[] words = args == null ? new String[0] : args;
        for (int i = 0; i < words.length; i++) {
            String arg = words[i];
            switch (arg) {
                case "-h", "--help" -> {
                    return new CaptureOptions(null, 0, 0, null, CaptureFilter.ANY, true);
                }
                case "-i" -> device = value(words, ++i, arg);
                case "-w" -> file = value(words, ++i, arg);
                case "-c" -> {
                    String text = value(words, ++i, arg);
                    try {
                        count = Long.parseLong(text);
                    } catch (NumberFormatException e) {
                        count = 0;
                    }
                    if (count <= 0) {
                        throw new IllegalArgumentException("capture: invalid packet count '" + text + "' for -c\n" + USAGE);
                    }
                }
                case "-G" -> {
                    String text = value(words, ++i, arg);
                    double seconds;
                    try {
                        seconds = Double.parseDouble(text);
                    } catch (NumberFormatException e) {
                        seconds = -1;
                    }
                    if (!(seconds > 0) || seconds > TimeUnit.DAYS.toSeconds(365)) {
                        throw new IllegalArgumentException("capture: invalid number of seconds '" + text
                                + "' for -G (more than 0, at most a year)\n" + USAGE);
                    }
                    durationNanos = (long) (seconds * 1e9);
                }
                default -> {
                    if (arg.startsWith("-") && arg.length() > 1 && filter.isEmpty()) {
                        throw new IllegalArgumentException("capture: invalid option -- '" + arg + "'\n" + USAGE);
                    }
                    filter.add(arg);
                }
            }
        }
        if (device == null) {
            throw new IllegalArgumentException("capture: no device given; say which link with -i DEV\n" + USAGE);
        }
        return new CaptureOptions(device, count, durationNanos, file, CaptureFilter.parse(filter), false);
    }

    private static String value(String[] words, int i, String option) {
        if (i >= words.length) {
            throw new IllegalArgumentException("capture: option requires an argument -- '" + option.substring(1) + "'\n" + USAGE);
        }
        return words[i];
    }
}
