package net.tern.spi.net;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/**
 * What a link's transmit path does to packets on purpose, as {@code tc qdisc ... netem} does on
 * Linux: lose, duplicate, reorder and delay them, at random but from a seed, so a run can be
 * replayed packet for packet. Written and read in netem's words:
 * {@code loss 2% duplicate 1% reorder 5% delay 10ms seed 7}.
 *
 * <ul>
 *   <li>{@code loss PCT}: each packet is dropped with this probability.</li>
 *   <li>{@code duplicate PCT}: each packet not lost is sent twice with this probability.</li>
 *   <li>{@code reorder PCT}: each packet is held back with this probability and sent right
 *       after the next packet that is not held back (so it arrives after a later one).</li>
 *   <li>{@code delay MS}: every packet leaves this long after it was sent.</li>
 *   <li>{@code seed N}: the seed of the random choices; without one, the link picks one and
 *       shows it in {@link Link#impairment()}, so the run can be repeated.</li>
 *   <li>{@code limit PACKETS}: how many packets the queue holds (held back or delayed; 1000,
 *       netem's default, unless given). A packet that finds it full is dropped and the sender
 *       told so ({@code NET_XMIT_DROP}, {@link NetXmit#DROP}), as the queue of a congested
 *       device tells it: {@code limit 0} drops every packet, which is how a test makes the
 *       local host unable to send ({@code tc qdisc replace dev tun0 root pfifo limit 0}).</li>
 * </ul>
 *
 * <p>{@code PCT} is {@code 2} or {@code 2%} (fractions such as {@code 0.5%} allowed, 0..100);
 * {@code MS} is {@code 10} or {@code 10ms}, or with {@code us} or {@code s}. A rate of zero is
 * the same as leaving the word out; all of them zero is {@link #NONE}: no impairment.
 */
public record Impairment(double lossPercent, double duplicatePercent, double reorderPercent, long delayNanos,
        OptionalLong seed, int limit) {

    /** netem's queue limit when none is given, in packets. */
    public static final int DEFAULT_LIMIT = 1000;

    /** No impairment: packets go straight to the driver. */
    public static final Impairment NONE = new Impairment(0, 0, 0, 0, OptionalLong.empty());

    /** The longest delay taken: a minute, far beyond any path a test imitates. */
    public static final long MAX_DELAY_NANOS = TimeUnit.MINUTES.toNanos(1);

    public Impairment {
        checkPercent("loss", lossPercent);
        checkPercent("duplicate", duplicatePercent);
        checkPercent("reorder", reorderPercent);
        if (delayNanos < 0 || delayNanos > MAX_DELAY_NANOS) {
            throw new IllegalArgumentException("delay out of range 0..60s: " + delayNanos + " ns");
        }
        if (seed == null) {
            throw new IllegalArgumentException("seed: use OptionalLong.empty() for none");
        }
        if (limit < 0) {
            throw new IllegalArgumentException("limit out of range 0..2^31-1: " + limit);
        }
    }

    /** An impairment with netem's default queue limit. */
    public Impairment(double lossPercent, double duplicatePercent, double reorderPercent, long delayNanos,
            OptionalLong seed) {
        this(lossPercent, duplicatePercent, reorderPercent, delayNanos, seed, DEFAULT_LIMIT);
    }

    /**
     * Whether this does nothing to packets: every rate and the delay zero, and room for a packet
     * in the queue (nothing waits in it then, so any limit above zero is never met). The seed
     * does not count.
     */
    public boolean isNone() {
        return lossPercent == 0 && duplicatePercent == 0 && reorderPercent == 0 && delayNanos == 0 && limit > 0;
    }

    /** This impairment with {@code seed}. */
    public Impairment withSeed(long seed) {
        return new Impairment(lossPercent, duplicatePercent, reorderPercent, delayNanos, OptionalLong.of(seed), limit);
    }

    /**
     * Parses netem's words, whitespace-separated: {@code "loss 2% reorder 5% seed 1"}. An empty
     * text or {@code off} is {@link #NONE}.
     */
    public static Impairment parse(String text) {
        String trimmed = text == null ? "" : text.trim();
        return parse(trimmed.isEmpty() ? List.of() : List.of(trimmed.split("\\s+")));
    }

    /**
     * Parses netem's words, one per element: {@code loss PCT}, {@code duplicate PCT},
     * {@code reorder PCT}, {@code delay MS}, {@code seed N}, {@code limit PACKETS}, in any order, each at most once;
     * or the single word {@code off}. Throws {@link IllegalArgumentException} naming the word
     * that is wrong.
     */
    public static Impairment parse(List<String> words) {
        if (words.size() == 1 && words.get(0).equals("off")) {
            return NONE;
        }
        double loss = 0;
        double duplicate = 0;
        double reorder = 0;
        long delay = 0;
        OptionalLong seed = OptionalLong.empty();
        int limit = DEFAULT_LIMIT;
        List<String> seen = new ArrayList<>();
        for (int i = 0; i < words.size(); i++) {
            String keyword = words.get(i);
            if (!List.of("loss", "duplicate", "reorder", "delay", "seed", "limit").contains(keyword)) {
                throw new IllegalArgumentException("unknown word \"" + keyword
                        + "\": expected loss, duplicate, reorder, delay, seed or limit");
            }
            if (seen.contains(keyword)) {
                throw new IllegalArgumentException("\"" + keyword + "\" given twice");
            }
            seen.add(keyword);
            if (i + 1 >= words.size()) {
                throw new IllegalArgumentException("\"" + keyword + "\" needs a value");
            }
            String value = words.get(++i);
            switch (keyword) {
                case "loss" -> loss = parsePercent(keyword, value);
                case "duplicate" -> duplicate = parsePercent(keyword, value);
                case "reorder" -> reorder = parsePercent(keyword, value);
                case "delay" -> delay = parseDelay(value);
                case "limit" -> limit = parseLimit(value);
                default -> seed = OptionalLong.of(parseSeed(value));
            }
        }
        return new Impairment(loss, duplicate, reorder, delay, seed, limit);
    }

    /** {@code 2}, {@code 2%}, {@code 0.5%}: a percentage 0..100. */
    static double parsePercent(String keyword, String value) {
        String number = value.endsWith("%") ? value.substring(0, value.length() - 1) : value;
        double percent;
        try {
            percent = Double.parseDouble(number);
        } catch (NumberFormatException e) {
            percent = Double.NaN;
        }
        if (number.isEmpty() || !Character.isDigit(number.charAt(0)) || !(percent >= 0 && percent <= 100)) {
            throw new IllegalArgumentException("bad " + keyword + " \"" + value
                    + "\": expected a percentage 0..100 such as 2 or 2%");
        }
        return percent;
    }

    /** {@code 10}, {@code 10ms}, {@code 500us}, {@code 1s}: a delay, milliseconds when no unit is given. */
    static long parseDelay(String value) {
        String lower = value.toLowerCase(Locale.ROOT);
        TimeUnit unit = TimeUnit.MILLISECONDS;
        String number = lower;
        if (lower.endsWith("ms")) {
            number = lower.substring(0, lower.length() - 2);
        } else if (lower.endsWith("us")) {
            unit = TimeUnit.MICROSECONDS;
            number = lower.substring(0, lower.length() - 2);
        } else if (lower.endsWith("s")) {
            unit = TimeUnit.SECONDS;
            number = lower.substring(0, lower.length() - 1);
        }
        try {
            if (number.isEmpty() || !Character.isDigit(number.charAt(0))) {
                throw new NumberFormatException(value);
            }
            BigDecimal nanos = new BigDecimal(number).multiply(BigDecimal.valueOf(unit.toNanos(1)));
            if (nanos.compareTo(BigDecimal.valueOf(MAX_DELAY_NANOS)) > 0) {
                throw new NumberFormatException(value);
            }
            return nanos.longValue();
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad delay \"" + value
                    + "\": expected a time up to 60s such as 10 or 10ms (or with us, s)");
        }
    }

    private static long parseSeed(String value) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad seed \"" + value + "\": expected a whole number");
        }
    }

    private static int parseLimit(String value) {
        try {
            int limit = Integer.parseInt(value);
            if (limit >= 0) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw new IllegalArgumentException("bad limit \"" + value + "\": expected a number of packets, 0 or more");
    }

    private static void checkPercent(String what, double percent) {
        if (!(percent >= 0 && percent <= 100)) {
            throw new IllegalArgumentException(what + " out of range 0..100%: " + percent);
        }
    }

    /**
     * In netem's words, the words that do something, in the order {@code loss duplicate
     * reorder delay seed limit} (a limit only when not the default): {@code loss 2% reorder 5%
     * seed 1}; {@code off} for {@link #NONE}.
     */
    @Override
    public String toString() {
        if (isNone()) {
            return "off";
        }
        StringBuilder sb = new StringBuilder();
        appendPercent(sb, "loss", lossPercent);
        appendPercent(sb, "duplicate", duplicatePercent);
        appendPercent(sb, "reorder", reorderPercent);
        if (delayNanos != 0) {
            sb.append(" delay ").append(formatDelay(delayNanos));
        }
        seed.ifPresent(s -> sb.append(" seed ").append(s));
        if (limit != DEFAULT_LIMIT) {
            sb.append(" limit ").append(limit);
        }
        return sb.substring(1);
    }

    private static void appendPercent(StringBuilder sb, String keyword, double percent) {
        if (percent != 0) {
            sb.append(' ').append(keyword).append(' ')
                    .append(BigDecimal.valueOf(percent).stripTrailingZeros().toPlainString()).append('%');
        }
    }

    private static String formatDelay(long nanos) {
        long micro = TimeUnit.MICROSECONDS.toNanos(1);
        long milli = TimeUnit.MILLISECONDS.toNanos(1);
        if (nanos % milli == 0) {
            return nanos / milli + "ms";
        }
        if (nanos % micro == 0) {
            return nanos / micro + "us";
        }
        return BigDecimal.valueOf(nanos).movePointLeft(3).stripTrailingZeros().toPlainString() + "us";
    }
}
