package net.tern.shell;

import java.math.BigDecimal;
import java.math.MathContext;

/**
 * The counts and round-trip times of one {@code ping} run, and the lines iputils prints for
 * them ({@code finish()} in {@code ping_common.c}). Times are kept in whole microseconds, as
 * iputils keeps them, so the averages round the same way.
 */
final class PingStatistics {
    private long transmitted;
    private long received;
    private long duplicates;
    private long errors;
    private long sumMicros;
    private long sumSquaresMicros;
    private long minMicros = Long.MAX_VALUE;
    private long maxMicros;

    void transmitted() {
        transmitted++;
    }

    long transmittedCount() {
        return transmitted;
    }

    long receivedCount() {
        return received;
    }

    void error() {
        errors++;
    }

    /** A reply in {@code rttMicros}; duplicates count apart but, as in iputils, their times count too. */
    void reply(long rttMicros, boolean duplicate) {
        if (duplicate) {
            duplicates++;
        } else {
            received++;
        }
        sumMicros += rttMicros;
        sumSquaresMicros += rttMicros * rttMicros;
        minMicros = Math.min(minMicros, rttMicros);
        maxMicros = Math.max(maxMicros, rttMicros);
    }

    /** {@code N packets transmitted, M received[, +D duplicates][, +E errors], L% packet loss, time Tms}. */
    String summary(long elapsedNanos) {
        StringBuilder sb = new StringBuilder();
        sb.append(transmitted).append(" packets transmitted, ").append(received).append(" received");
        if (duplicates > 0) {
            sb.append(", +").append(duplicates).append(" duplicates");
        }
        if (errors > 0) {
            sb.append(", +").append(errors).append(" errors");
        }
        if (transmitted > 0) {
            double loss = (transmitted - received) * 100.0 / transmitted;
            sb.append(", ").append(percent(loss)).append("% packet loss");
            sb.append(", time ").append((elapsedNanos + 500_000) / 1_000_000).append("ms");
        }
        return sb.toString();
    }

    /** {@code rtt min/avg/max/mdev = a/b/c/d ms}, or null when nothing came back. */
    String rtt() {
        long samples = received + duplicates;
        if (received == 0 || samples == 0) {
            return null;
        }
        long average = sumMicros / samples;
        long meanSquare = sumSquaresMicros / samples;
        long deviation = squareRoot(Math.max(0, meanSquare - average * average));
        return "rtt min/avg/max/mdev = " + millis(minMicros) + "/" + millis(average) + "/" + millis(maxMicros) + "/"
                + millis(deviation) + " ms";
    }

    /** Microseconds as milliseconds with three decimals: {@code 1.234}. */
    static String millis(long micros) {
        return micros / 1000 + "." + String.format("%03d", micros % 1000);
    }

    /**
     * A reply's time as iputils prints it: three significant digits or more, fewer decimals as
     * it grows ({@code 0.045}, {@code 1.23}, {@code 12.3}, {@code 123}).
     */
    static String replyTime(long micros) {
        if (micros >= 100_000 - 50) {
            return Long.toString((micros + 500) / 1000);
        }
        if (micros >= 10_000 - 5) {
            return (micros + 50) / 1000 + "." + ((micros + 50) % 1000) / 100;
        }
        if (micros >= 1000) {
            return (micros + 5) / 1000 + "." + String.format("%02d", ((micros + 5) % 1000) / 10);
        }
        return millis(micros);
    }

    /** C's {@code %g}: six significant digits, no trailing zeros ({@code 25}, {@code 33.3333}). */
    static String percent(double value) {
        if (value == 0) {
            return "0";
        }
        return new BigDecimal(value).round(new MathContext(6)).stripTrailingZeros().toPlainString();
    }

    private static long squareRoot(long value) {
        long root = (long) Math.sqrt((double) value);
        while (root * root > value) {
            root--;
        }
        while ((root + 1) * (root + 1) <= value) {
            root++;
        }
        return root;
    }
}
