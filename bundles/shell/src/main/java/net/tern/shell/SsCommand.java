package net.tern.shell;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import net.tern.api.socket.InetSockAddr;
import net.tern.spi.diag.InetDiagHandler;
import net.tern.spi.diag.InetDiagMsg;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * {@code net:ss [-t] [-u] [-a] [-l] [-n] [-p] [FILTER]}: the stack's sockets as iproute2's
 * {@code ss} prints them, from the transports' {@link InetDiagHandler} services
 * ({@code tcp_diag}, {@code udp_diag}): Netid (when more than one protocol is shown), State,
 * Recv-Q, Send-Q (for a listener: the accept queue's length and the backlog), Local and
 * Peer Address:Port and Process, each column as wide as its widest cell, addresses aligned on
 * the colon.
 * UDP comes before TCP, as ss dumps them; listeners first, then by local port.
 *
 * <p>Without {@code -a} or {@code -l} only connections are shown (not listening, closed,
 * TIME-WAIT or SYN-RECV, ss's default); {@code -l} shows listening sockets (for UDP, the
 * unconnected ones); {@code -a} all. {@code -n} is accepted: names are never resolved.
 * {@code -p} adds the owner ({@code users:(("tern",fd=N))}). The filter is {@link SsFilter}'s.
 */
@Component(service = SsCommand.class, property = {
        "osgi.command.scope=net",
        "osgi.command.function=ss"})
public final class SsCommand {
    static final String USAGE = String.join("\n",
            "Usage: net:ss [ OPTIONS ] [ FILTER ]",
            "   -h, --help          this message",
            "   -n, --numeric       don't resolve service names (always the case)",
            "   -a, --all           display all sockets",
            "   -l, --listening     display listening sockets",
            "   -p, --processes     show the descriptor owning each socket",
            "   -t, --tcp           display only TCP sockets",
            "   -u, --udp           display only UDP sockets",
            "   FILTER := [ state STATE-FILTER ] [ exclude STATE ] [ EXPRESSION ]",
            "   STATE-FILTER := {all|connected|synchronized|bucket|big|established|syn-sent|syn-recv|",
            "                    fin-wait-1|fin-wait-2|time-wait|closed|close-wait|last-ack|listening|closing}",
            "   EXPRESSION := sport|dport OP [ADDR]:PORT | src|dst [OP] ADDR[/LEN][:PORT], joined by",
            "                 and, or, not and parentheses; OP := = != > >= < <= (or eq ne gt ge lt le)");

    private static final int TCP = 6;
    private static final int UDP = 17;
    /** ss's {@code sstate_name}, by Linux state number. */
    private static final String[] STATE_NAMES = {"UNKNOWN", "ESTAB", "SYN-SENT", "SYN-RECV", "FIN-WAIT-1",
        "FIN-WAIT-2", "TIME-WAIT", "UNCONN", "CLOSE-WAIT", "LAST-ACK", "LISTEN", "CLOSING"};

    private final Map<Integer, InetDiagHandler> handlers = new ConcurrentSkipListMap<>();

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            target = "(" + InetDiagHandler.PROTOCOL + "=*)")
    void addHandler(InetDiagHandler handler, Map<String, Object> properties) {
        Object protocol = properties.get(InetDiagHandler.PROTOCOL);
        if (protocol instanceof Number n) {
            handlers.put(n.intValue(), handler);
        }
    }

    void removeHandler(InetDiagHandler handler, Map<String, Object> properties) {
        handlers.values().remove(handler);
    }

    public String ss(String... args) {
        boolean tcp = false;
        boolean udp = false;
        boolean all = false;
        boolean listening = false;
        boolean processes = false;
        List<String> filter = new ArrayList<>();
        for (String arg : args == null ? new String[0] : args) {
            if (arg.startsWith("--")) {
                switch (arg) {
                    case "--tcp" -> tcp = true;
                    case "--udp" -> udp = true;
                    case "--all" -> all = true;
                    case "--listening" -> listening = true;
                    case "--numeric" -> { }
                    case "--processes" -> processes = true;
                    case "--help" -> {
                        return USAGE;
                    }
                    default -> throw new IllegalArgumentException("ss: unrecognized option '" + arg + "'\n" + USAGE);
                }
            } else if (arg.startsWith("-") && arg.length() > 1 && filter.isEmpty()) {
                for (char c : arg.substring(1).toCharArray()) {
                    switch (c) {
                        case 't' -> tcp = true;
                        case 'u' -> udp = true;
                        case 'a' -> all = true;
                        case 'l' -> listening = true;
                        case 'n' -> { }
                        case 'p' -> processes = true;
                        case 'h' -> {
                            return USAGE;
                        }
                        default -> throw new IllegalArgumentException("ss: invalid option -- '" + c + "'\n" + USAGE);
                    }
                }
            } else {
                filter.add(arg);
            }
        }
        if (!tcp && !udp) {
            tcp = true;
            udp = true;
        }
        SsFilter f = SsFilter.parse(filter);
        int states = f.states(all, listening);
        List<InetDiagMsg> shown = new ArrayList<>();
        if (udp) {
            shown.addAll(select(UDP, states, f));
        }
        if (tcp) {
            shown.addAll(select(TCP, states, f));
        }
        return format(shown, tcp && udp, processes);
    }

    private List<InetDiagMsg> select(int protocol, int states, SsFilter filter) {
        InetDiagHandler handler = handlers.get(protocol);
        if (handler == null) {
            return List.of();
        }
        return handler.dump().stream()
                .filter(m -> (states & 1 << m.state()) != 0 && filter.matches(m))
                .sorted(Comparator.comparing((InetDiagMsg m) -> m.state() != InetDiagMsg.LISTEN)
                        .thenComparingInt(m -> m.local().port())
                        .thenComparingLong(m -> Integer.toUnsignedLong(m.local().address()))
                        .thenComparingLong(m -> Integer.toUnsignedLong(m.peer().address()))
                        .thenComparingInt(m -> m.peer().port()))
                .toList();
    }

    /** ss's columns: left-aligned words and numbers, addresses right-aligned up to the colon, ports left. */
    static String format(List<InetDiagMsg> msgs, boolean netid, boolean processes) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"Netid", "State", "Recv-Q", "Send-Q", "Local Address:", "Port", "Peer Address:",
            "Port", "Process"});
        for (InetDiagMsg m : msgs) {
            rows.add(new String[] {m.protocol() == TCP ? "tcp" : m.protocol() == UDP ? "udp" : "p" + m.protocol(),
                stateName(m.state()), Integer.toString(m.recvQ()), Integer.toString(m.sendQ()),
                InetSockAddr.formatAddress(m.local().address()) + ":", port(m.local().port()),
                InetSockAddr.formatAddress(m.peer().address()) + ":", port(m.peer().port()),
                processes && m.fd() >= 0 ? "users:((\"tern\",fd=" + m.fd() + "))" : ""});
        }
        int[] width = new int[9];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                width[i] = Math.max(width[i], row[i].length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = netid ? 0 : 1; i < 4; i++) {
                line.append(pad(row[i], width[i], false)).append(' ');
            }
            line.append(pad(row[4], width[4], true)).append(pad(row[5], width[5], false)).append(' ');
            line.append(pad(row[6], width[6], true)).append(pad(row[7], width[7], false)).append(' ');
            line.append(row[8]);
            out.append(line.toString().stripTrailing()).append('\n');
        }
        return out.toString();
    }

    static String stateName(int state) {
        return state >= 0 && state < STATE_NAMES.length ? STATE_NAMES[state] : STATE_NAMES[0];
    }

    private static String port(int port) {
        return port == 0 ? "*" : Integer.toString(port);
    }

    private static String pad(String text, int width, boolean right) {
        String fill = " ".repeat(width - text.length());
        return right ? fill + text : text + fill;
    }
}
