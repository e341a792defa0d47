package net.tern.shell;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import net.tern.api.socket.ProcNetSnmp;
import net.tern.api.socket.SocketApi;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code net:nstat [-a] [-z] [PATTERN...]}: the stack's protocol counters, read as
 * {@code nstat} reads them from {@code /proc/net/snmp} and {@code /proc/net/netstat}
 * ({@link SocketApi#procRead}, {@link ProcNetSnmp}), named as Linux's {@code nstat} names them (group and counter run
 * together: {@code IpInReceives}, {@code IcmpOutEchoReps}, {@code UdpInDatagrams}), after a
 * {@code #kernel} line, one per line in {@code nstat}'s layout (the name in 32 columns, then
 * the value).
 *
 * <p>As {@code nstat}, it prints by default how much each counter grew since the previous
 * call (the first call: since the stack started) and remembers the values for the next;
 * {@code -a} prints absolute values and leaves that history alone, {@code -r} forgets the
 * history first (so it prints absolute values and starts a new one), {@code -s} prints
 * without updating the history, {@code -n} updates it without printing. The history is
 * this command's own (Linux keeps it in a file per user); there is no rate column.
 * Zeros are left out unless {@code -z}. A counter that went down (its group registered anew)
 * counts from zero again. A {@code PATTERN} with
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
            "   -a, --ignore         absolute values, leaving the history as it is",
            "   -n, --nooutput       update the history only, print nothing",
            "   -r, --reset          forget the history: absolute values, and a new history from now",
            "   -s, --noupdate       print without updating the history",
            "   -z, --zeros          show entries with zero activity",
            "PATTERN: a name prefix (IpExt), or a glob over the whole name, quoted so the",
            "         shell does not expand it against files ('Icmp*Echo*')");

    /** {@code nstat}'s name column: {@code %-32s}. */
    private static final int NAME_WIDTH = 32;

    private final SocketApi sockets;
    /** The values printed last time, by nstat name: what the next deltas are taken against. */
    private final Map<String, Long> history = new HashMap<>();

    @Activate
    public NstatCommand(@Reference(name = "sockets") SocketApi sockets) {
        this.sockets = sockets;
    }

    public synchronized String nstat(String... args) {
        boolean zeros = false;
        boolean absolute = false;
        boolean reset = false;
        boolean update = true;
        boolean output = true;
        List<Pattern> patterns = new ArrayList<>();
        for (String arg : args == null ? new String[0] : args) {
            if (arg.startsWith("--")) {
                switch (arg) {
                    case "--zeros" -> zeros = true;
                    case "--ignore" -> absolute = true;
                    case "--reset" -> reset = true;
                    case "--noupdate" -> update = false;
                    case "--nooutput" -> output = false;
                    case "--help" -> {
                        return USAGE;
                    }
                    default -> throw new IllegalArgumentException("nstat: unrecognized option '" + arg + "'\n" + USAGE);
                }
            } else if (arg.startsWith("-") && arg.length() > 1) {
                for (char option : arg.substring(1).toCharArray()) {
                    switch (option) {
                        case 'z' -> zeros = true;
                        case 'a' -> absolute = true;
                        case 'r' -> reset = true;
                        case 's' -> update = false;
                        case 'n' -> output = false;
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
        if (reset) {
            history.clear();
        }
        StringBuilder out = new StringBuilder("#kernel");
        Map<String, Long> seen = new HashMap<>();
        for (Map.Entry<String, Map<String, Long>> group : ProcNetSnmp.read(sockets).entrySet()) {
            for (Map.Entry<String, Long> counter : group.getValue().entrySet()) {
                String name = group.getKey() + counter.getKey();
                long now = counter.getValue();
                seen.put(name, now);
                long value = absolute ? now : delta(now, history.getOrDefault(name, 0L));
                if ((value == 0 && !zeros) || !matches(name, patterns)) {
                    continue;
                }
                out.append('\n').append(name);
                // nstat's %-32s runs a longer name into its value; a space keeps them apart.
                out.append(" ".repeat(Math.max(1, NAME_WIDTH - name.length()))).append(value);
            }
        }
        if (update && !absolute) {
            history.clear();
            history.putAll(seen);
        }
        return output ? out.toString() : "";
    }

    /** The growth since {@code before}; a counter that went down started again from zero. */
    private static long delta(long now, long before) {
        return now >= before ? now - before : now;
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
