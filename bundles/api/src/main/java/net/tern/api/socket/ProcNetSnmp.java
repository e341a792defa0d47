package net.tern.api.socket;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The text of {@code /proc/net/snmp} and {@code /proc/net/netstat} ({@link SocketApi#procRead}):
 * for each counter group, two lines, the first naming its counters, the second giving their
 * values in the same order, each after the group's name and a colon:
 *
 * <pre>
 * Ip: Forwarding DefaultTTL InReceives ...
 * Ip: 2 64 12 ...
 * </pre>
 *
 * {@link #format} writes it as the stack serves it; {@link #parse} reads it back, as
 * {@code nstat} does. A counter's full name, as {@code nstat} prints it, is its group's name
 * followed by its own ({@code IpInReceives}).
 *
 * @since 1.5
 */
public final class ProcNetSnmp {
    private ProcNetSnmp() {
    }

    /**
     * Every counter group the stack serves now, as {@code nstat} reads them: those of
     * {@code /proc/net/snmp}, then those of {@code /proc/net/netstat}. A file no protocol serves
     * ({@link Errno#ENOENT}: IPv4 is not running) adds nothing.
     */
    public static Map<String, Map<String, Long>> read(SocketApi api) {
        Map<String, Map<String, Long>> groups = new LinkedHashMap<>();
        for (String path : new String[] {"net/snmp", "net/netstat", SNMP6}) {
            try {
                String text = api.procRead(path);
                groups.putAll(path.equals(SNMP6) ? parseSnmp6(text) : parse(text));
            } catch (ErrnoException e) {
                if (e.errno() != Errno.ENOENT) {
                    throw new IllegalStateException("reading /proc/" + path + ": " + e.getMessage(), e);
                }
            }
        }
        return Collections.unmodifiableMap(groups);
    }

    /** IPv6's counters ({@code /proc/net/snmp6}), served while IPv6 runs. @since 1.8 */
    public static final String SNMP6 = "net/snmp6";

    /**
     * The text of {@code /proc/net/snmp6} ({@code snmp6_seq_show}): one counter a line, its
     * full name ({@code Ip6InReceives}) padded to 32 columns, a tab, its value.
     *
     * @since 1.8
     */
    public static String formatSnmp6(Map<String, Map<String, Long>> groups) {
        StringBuilder out = new StringBuilder();
        groups.forEach((group, counters) -> counters.forEach((name, value) -> {
            String full = group + name;
            out.append(full).append(" ".repeat(Math.max(0, 32 - full.length()))).append('\t').append(value).append('\n');
        }));
        return out.toString();
    }

    /**
     * The groups in a {@code /proc/net/snmp6} text: each line a full name and a value; the
     * group is the name up to its first {@code 6} ({@code Ip6}, {@code Icmp6}, {@code Udp6}).
     * A line that is not a name and a decimal value is an {@link IllegalArgumentException}.
     *
     * @since 1.8
     */
    public static Map<String, Map<String, Long>> parseSnmp6(String text) {
        Map<String, Map<String, Long>> groups = new LinkedHashMap<>();
        int number = 0;
        for (String line : text.split("\n")) {
            number++;
            if (line.isBlank()) {
                continue;
            }
            String[] fields = line.trim().split("\\s+");
            int six = fields[0].indexOf('6');
            if (fields.length != 2 || six <= 0 || six == fields[0].length() - 1) {
                throw new IllegalArgumentException("line " + number + ": not a snmp6 counter: " + line);
            }
            long value;
            try {
                value = Long.parseLong(fields[1]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("line " + number + ": " + fields[0] + " is not a number: " + fields[1], e);
            }
            groups.computeIfAbsent(fields[0].substring(0, six + 1), g -> new LinkedHashMap<>())
                    .put(fields[0].substring(six + 1), value);
        }
        Map<String, Map<String, Long>> result = new LinkedHashMap<>();
        groups.forEach((group, counters) -> result.put(group, Collections.unmodifiableMap(counters)));
        return Collections.unmodifiableMap(result);
    }

    /** The text of {@code groups} (group name, then counter name to value, each in order). */
    public static String format(Map<String, Map<String, Long>> groups) {
        StringBuilder out = new StringBuilder();
        for (Map.Entry<String, Map<String, Long>> group : groups.entrySet()) {
            StringBuilder names = new StringBuilder();
            StringBuilder values = new StringBuilder();
            for (Map.Entry<String, Long> counter : group.getValue().entrySet()) {
                names.append(' ').append(counter.getKey());
                values.append(' ').append(counter.getValue());
            }
            out.append(group.getKey()).append(':').append(names).append('\n');
            out.append(group.getKey()).append(':').append(values).append('\n');
        }
        return out.toString();
    }

    /**
     * The groups in {@code text}, in order, each with its counters in order. Lines come in
     * pairs of the same group; a pair whose second line is missing, names another group, or
     * holds a different number of fields or a value that is not a decimal integer is an
     * {@link IllegalArgumentException} naming the line.
     */
    public static Map<String, Map<String, Long>> parse(String text) {
        Map<String, Map<String, Long>> groups = new LinkedHashMap<>();
        List<String> lines = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (!line.isBlank()) {
                lines.add(line);
            }
        }
        for (int i = 0; i < lines.size(); i += 2) {
            String header = lines.get(i);
            int colon = header.indexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("line " + (i + 1) + ": no group name: " + header);
            }
            String group = header.substring(0, colon);
            if (i + 1 >= lines.size() || !lines.get(i + 1).startsWith(group + ":")) {
                throw new IllegalArgumentException("line " + (i + 2) + ": the values of " + group + " are missing");
            }
            String[] names = fields(header, colon);
            String[] values = fields(lines.get(i + 1), colon);
            if (names.length != values.length) {
                throw new IllegalArgumentException("line " + (i + 2) + ": " + group + " names " + names.length
                        + " counters but has " + values.length + " values");
            }
            Map<String, Long> counters = new LinkedHashMap<>();
            for (int k = 0; k < names.length; k++) {
                try {
                    counters.put(names[k], Long.parseLong(values[k]));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("line " + (i + 2) + ": " + group + names[k] + " is not a number: "
                            + values[k], e);
                }
            }
            groups.put(group, Collections.unmodifiableMap(counters));
        }
        return Collections.unmodifiableMap(groups);
    }

    private static String[] fields(String line, int colon) {
        String rest = line.substring(colon + 1).trim();
        return rest.isEmpty() ? new String[0] : rest.split("\\s+");
    }
}
