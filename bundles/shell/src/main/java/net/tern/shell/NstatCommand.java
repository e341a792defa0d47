package net.tern.shell;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import net.tern.inet.snmp.SnmpCounters;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code net:nstat [-a] [-z] [PATTERN...]}: the stack's protocol counters from
 * {@link SnmpCounters}, named as Linux's {@code nstat} names them (group and counter run
 * together: {@code IpInReceives}, {@code IcmpOutEchoReps}, {@code UdpInDatagrams}), after a
 * {@code #kernel} line, one per line in {@code nstat}'s layout (the name in 32 columns, then
 * the value).
 *
 * <p>Values are absolute: the stack keeps no history between calls yet, so {@code -a}
 * ({@code nstat}'s "ignore history") is the only mode and is accepted for compatibility,
 * and there is no rate column. Zeros are left out unless {@code -z}. A {@code PATTERN} with
 * {@code *}, {@code ?} or {@code [...]} is a glob over the whole name, as {@code nstat}'s
 * {@code fnmatch}; without them it matches names that start with it ({@code Icmp},
 * {@code IpExt}). A name is shown if any pattern matches.
 */
@Component(service = NstatCommand.class, property = {
        "osgi.command.scope=net",
        "osgi.command.function=nstat"})
public final class NstatCommand {
    static final String USAGE = String.join("\n",
            "Usage: net:nstat [OPTION] [ PATTERN [ PATTERN ] ]",
            "   -h, --help           this message",
            "   -a, --ignore         absolute values; the only mode for now (deltas since the last",
            "                        call are not kept yet), accepted for compatibility",
            "   -z, --zeros          show entries with zero activity",
            "PATTERN: a name prefix (IpExt), or a glob over the whole name, quoted so the",
            "         shell does not expand it against files ('Icmp*Echo*')");

    /** {@code nstat}'s name column: {@code %-32s}. */
    private static final int NAME_WIDTH = 32;

    private final SnmpCounters counters;

    @Activate
    public NstatCommand(@Reference(name = "counters") SnmpCounters counters) {
        this.counters = counters;
    }

    public String nstat(String... args) {
        boolean zeros = false;
        List<Pattern> patterns = new ArrayList<>();
        for (String arg : args == null ? new String[0] : args) {
            if (arg.startsWith("--")) {
                switch (arg) {
                    case "--zeros" -> zeros = true;
                    case "--ignore" -> {
                        // Absolute values are all there is.
                    }
                    case "--help" -> {
                        return USAGE;
                    }
                    default -> throw new IllegalArgumentException("nstat: unrecognized option '" + arg + "'\n" + USAGE);
                }
            } else if (arg.startsWith("-") && arg.length() > 1) {
                for (char option : arg.substring(1).toCharArray()) {
                    switch (option) {
                        case 'z' -> zeros = true;
                        case 'a' -> {
                            // Absolute values are all there is.
                        }
                        case 'h', '?' -> {
                            return USAGE;
                        }
                        default -> throw new IllegalArgumentException(
                                "nstat: invalid option -- '" + option + "'\n" + USAGE);
                    }
                }
            } else {
                patterns.add(pattern(arg));
            }
        }
        StringBuilder out = new StringBuilder("#kernel");
        for (Map.Entry<String, Map<String, Long>> group : counters.snapshot().entrySet()) {
            for (Map.Entry<String, Long> counter : group.getValue().entrySet()) {
                String name = group.getKey() + counter.getKey();
                long value = counter.getValue();
                if ((value == 0 && !zeros) || !matches(name, patterns)) {
                    continue;
                }
                out.append('\n').append(name);
                // nstat's %-32s runs a longer name into its value; a space keeps them apart.
                out.append(" ".repeat(Math.max(1, NAME_WIDTH - name.length()))).append(value);
            }
        }
        return out.toString();
    }

    private static boolean matches(String name, List<Pattern> patterns) {
        if (patterns.isEmpty()) {
            return true;
        }
        for (Pattern p : patterns) {
            if (p.matcher(name).matches()) {
                return true;
            }
        }
        return false;
    }

    /** A glob as {@code fnmatch} reads it, or a prefix when the text has no glob characters. */
    static Pattern pattern(String text) {
        boolean glob = text.indexOf('*') >= 0 || text.indexOf('?') >= 0 || text.indexOf('[') >= 0;
        if (!glob) {
            return Pattern.compile(Pattern.quote(text) + ".*");
        }
        StringBuilder regex = new StringBuilder();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '*' -> regex.append(".*");
                case '?' -> regex.append('.');
                case '[' -> {
                    int close = text.indexOf(']', i + 2);
                    if (close < 0) {
                        regex.append("\\[");
                    } else {
                        String set = text.substring(i + 1, close);
                        boolean negated = set.startsWith("!") || set.startsWith("^");
                        if (negated) {
                            set = set.substring(1);
                        }
                        regex.append('[').append(negated ? "^" : "")
                                .append(set.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]"))
                                .append(']');
                        i = close;
                    }
                }
                default -> regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        try {
            return Pattern.compile(regex.toString());
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("nstat: bad pattern '" + text + "'", e);
        }
    }
}
