package net.tern.shell;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import net.tern.api.socket.Inet6SockAddr;
import net.tern.api.socket.InetSockAddr;
import net.tern.api.socket.SockAddr;
import net.tern.api.socket.TcpInfo;
import net.tern.netlink.diag.InetDiagMsg;

/**
 * The part of {@code ss}'s filter language {@code net:ss} understands: state selectors
 * ({@code state NAME}, {@code exclude NAME}) and an expression over the 4-tuple.
 *
 * <pre>
 * expr    := and ( ("or" | "||" | "|") and )*
 * and     := unary ( ["and" | "&amp;&amp;" | "&amp;"] unary )*
 * unary   := ("not" | "!") unary | "(" expr ")" | primary
 * primary := ("sport" | "dport") OP [A.B.C.D]:PORT
 *          | ("src" | "dst") [OP] A.B.C.D[/LEN][:PORT] | :PORT | *
 * OP      := = | == | eq | != | ne | neq | &gt; | gt | &gt;= | ge | &lt; | lt | &lt;= | le
 * </pre>
 *
 * State names are ss's: {@code established}, {@code syn-sent}, {@code syn-recv},
 * {@code fin-wait-1}, {@code fin-wait-2}, {@code time-wait}, {@code closed},
 * {@code close-wait}, {@code last-ack}, {@code listening}, {@code closing}, and the groups
 * {@code all}, {@code connected} (all but listening and closed), {@code synchronized}
 * (connected but syn-sent), {@code bucket} (syn-recv, time-wait), {@code big} (all but bucket).
 * Ports are numbers (there is no services database).
 */
final class SsFilter {
    /** Every state, as bits {@code 1 << number}. */
    static final int ALL = 0xffe;
    static final int LISTEN = 1 << TcpInfo.TCP_LISTEN;
    static final int CLOSE = 1 << TcpInfo.TCP_CLOSE;
    /** {@code SS_CONN}, ss's default: all but listening, closed, time-wait and syn-recv. */
    static final int DEFAULT = ALL & ~(LISTEN | CLOSE | 1 << TcpInfo.TCP_TIME_WAIT | 1 << 3);

    private static final Map<String, Integer> STATES = Map.ofEntries(
            Map.entry("established", 1 << 1), Map.entry("syn-sent", 1 << 2), Map.entry("syn-recv", 1 << 3),
            Map.entry("fin-wait-1", 1 << 4), Map.entry("fin-wait-2", 1 << 5), Map.entry("time-wait", 1 << 6),
            Map.entry("closed", 1 << 7), Map.entry("close-wait", 1 << 8), Map.entry("last-ack", 1 << 9),
            Map.entry("listening", 1 << 10), Map.entry("closing", 1 << 11), Map.entry("all", ALL),
            Map.entry("connected", ALL & ~(LISTEN | CLOSE)),
            Map.entry("synchronized", ALL & ~(LISTEN | CLOSE | 1 << 2)),
            Map.entry("bucket", 1 << 3 | 1 << 6), Map.entry("big", ALL & ~(1 << 3 | 1 << 6)));

    /** The states selected by {@code state}, or -1 when none was named. */
    private final int selected;
    private final int excluded;
    private final Predicate<InetDiagMsg> expression;

    private SsFilter(int selected, int excluded, Predicate<InetDiagMsg> expression) {
        this.selected = selected;
        this.excluded = excluded;
        this.expression = expression;
    }

    /** Parses the words after the options. Bad input: ss's message as an IllegalArgumentException. */
    static SsFilter parse(List<String> words) {
        List<String> tokens = new ArrayList<>();
        for (String word : words) {
            for (String piece : word.replace("(", " ( ").replace(")", " ) ").trim().split("\\s+")) {
                if (!piece.isEmpty()) {
                    tokens.add(piece);
                }
            }
        }
        int selected = -1;
        int excluded = 0;
        List<String> rest = new ArrayList<>();
        for (int i = 0; i < tokens.size(); i++) {
            String t = tokens.get(i);
            if (t.equals("state") || t.equals("exclude") || t.equals("excl")) {
                if (i + 1 >= tokens.size()) {
                    throw new IllegalArgumentException("ss: missing state name after \"" + t + "\"");
                }
                int bits = state(tokens.get(++i));
                if (t.equals("state")) {
                    selected = (selected < 0 ? 0 : selected) | bits;
                } else {
                    excluded |= bits;
                }
            } else {
                rest.add(t);
            }
        }
        Predicate<InetDiagMsg> expression = m -> true;
        if (!rest.isEmpty()) {
            Parser parser = new Parser(rest);
            expression = parser.expr();
            if (parser.hasNext()) {
                throw syntax(parser.peek());
            }
        }
        return new SsFilter(selected, excluded, expression);
    }

    private static int state(String name) {
        Integer bits = STATES.get(name);
        if (bits == null) {
            throw new IllegalArgumentException("ss: wrong state name: " + name);
        }
        return bits;
    }

    /** The states to show when the options say {@code -a} / {@code -l} (or neither), after this filter's selectors. */
    int states(boolean all, boolean listening) {
        int base = selected >= 0 ? selected : all ? ALL : listening ? LISTEN | CLOSE : DEFAULT;
        return base & ~excluded;
    }

    boolean matches(InetDiagMsg msg) {
        return expression.test(msg);
    }

    private static IllegalArgumentException syntax(String near) {
        return new IllegalArgumentException("ss: bad filter expression near \"" + near + "\"");
    }

    /** Recursive descent over the expression's tokens. */
    private static final class Parser {
        private final List<String> tokens;
        private int next;

        Parser(List<String> tokens) {
            this.tokens = tokens;
        }

        boolean hasNext() {
            return next < tokens.size();
        }

        String peek() {
            return tokens.get(next);
        }

        private String take(String what) {
            if (!hasNext()) {
                throw new IllegalArgumentException("ss: filter expression ends before " + what);
            }
            return tokens.get(next++);
        }

        Predicate<InetDiagMsg> expr() {
            Predicate<InetDiagMsg> left = and();
            while (hasNext() && (peek().equals("or") || peek().equals("||") || peek().equals("|"))) {
                next++;
                left = left.or(and());
            }
            return left;
        }

        private Predicate<InetDiagMsg> and() {
            Predicate<InetDiagMsg> left = unary();
            while (hasNext() && !peek().equals(")") && !peek().equals("or") && !peek().equals("||")
                    && !peek().equals("|")) {
                if (peek().equals("and") || peek().equals("&&") || peek().equals("&")) {
                    next++;
                }
                left = left.and(unary());
            }
            return left;
        }

        private Predicate<InetDiagMsg> unary() {
            String t = take("a condition");
            switch (t) {
                case "not", "!" -> {
                    return unary().negate();
                }
                case "(" -> {
                    Predicate<InetDiagMsg> inner = expr();
                    if (!take("\")\"").equals(")")) {
                        throw syntax(tokens.get(next - 1));
                    }
                    return inner;
                }
                case "sport", "dport" -> {
                    Op op = Op.of(take("an operator after " + t));
                    if (op == null) {
                        throw syntax(tokens.get(next - 1));
                    }
                    Endpoint end = Endpoint.parse(take("a port after " + t));
                    boolean source = t.equals("sport");
                    return m -> end.compare(source ? m.localName() : m.peerName(), op);
                }
                case "src", "dst" -> {
                    String word = take("an address after " + t);
                    Op op = Op.of(word);
                    if (op != null) {
                        word = take("an address after " + t);
                    } else {
                        op = Op.EQ;
                    }
                    Endpoint end = Endpoint.parse(word);
                    boolean source = t.equals("src");
                    Op chosen = op;
                    return m -> end.compare(source ? m.localName() : m.peerName(), chosen);
                }
                default -> throw syntax(t);
            }
        }
    }

    private enum Op {
        EQ, NE, GT, GE, LT, LE;

        static Op of(String word) {
            return switch (word) {
                case "=", "==", "eq" -> EQ;
                case "!=", "ne", "neq" -> NE;
                case ">", "gt" -> GT;
                case ">=", "ge", "geq" -> GE;
                case "<", "lt" -> LT;
                case "<=", "le", "leq" -> LE;
                default -> null;
            };
        }
    }

    /**
     * {@code A.B.C.D[/LEN][:PORT]}, {@code [X:X::X[/LEN]][:PORT]} (IPv6 in brackets, the
     * prefix inside them, as ss takes it), {@code :PORT} or {@code *}: an address prefix
     * and a port (-1 for any). Ordering operators compare the port, as ss's do.
     *
     * @param v6 whether the address is IPv6's ({@code high}, {@code low}) rather than {@code address}
     */
    private record Endpoint(int address, int prefixLength, int port, boolean v6, long high, long low) {
        Endpoint(int address, int prefixLength, int port) {
            this(address, prefixLength, port, false, 0, 0);
        }

        static Endpoint parse(String word) {
            if (word.equals("*")) {
                return new Endpoint(0, 0, -1);
            }
            if (word.startsWith("[")) {
                return parse6(word);
            }
            int colon = word.lastIndexOf(':');
            String host = colon >= 0 ? word.substring(0, colon) : word;
            String portText = colon >= 0 ? word.substring(colon + 1) : null;
            int port = -1;
            if (portText != null && !portText.equals("*")) {
                try {
                    port = Integer.parseInt(portText);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("ss: \"" + portText + "\" is not a port number"
                            + " (net:ss has no services database)");
                }
                if (port < 0 || port > 65535) {
                    throw new IllegalArgumentException("ss: port " + port + " is out of range");
                }
            } else if (portText == null && !host.contains(".")) {
                // "sport = 80": a bare number is a port.
                return parse(":" + word);
            }
            if (host.isEmpty() || host.equals("*")) {
                return new Endpoint(0, 0, port);
            }
            int slash = host.indexOf('/');
            int length = 32;
            try {
                if (slash >= 0) {
                    length = Integer.parseInt(host.substring(slash + 1));
                    host = host.substring(0, slash);
                }
                if (length < 0 || length > 32) {
                    throw new IllegalArgumentException();
                }
                return new Endpoint(InetSockAddr.parseAddress(host), length, port);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("ss: \"" + word + "\" is not an address");
            }
        }

        /**
         * For an AF_INET6 socket the port compares as for AF_INET; an address prefix matches
         * only an IPv4-mapped address, by its IPv4 address (as the kernel's {@code S_COND} for
         * an AF_INET condition).
         */
        /** {@code [X:X::X[/LEN]][:PORT]}. */
        private static Endpoint parse6(String word) {
            int close = word.indexOf(']');
            String rest = close < 0 ? null : word.substring(close + 1);
            if (rest == null || !(rest.isEmpty() || rest.startsWith(":"))) {
                throw new IllegalArgumentException("ss: \"" + word + "\" is not an address");
            }
            int port = rest.isEmpty() ? -1 : parse(rest).port();
            String host = word.substring(1, close);
            int slash = host.indexOf('/');
            try {
                int length = slash < 0 ? 128 : Integer.parseInt(host.substring(slash + 1));
                if (length < 0 || length > 128) {
                    throw new IllegalArgumentException();
                }
                long[] address = Inet6SockAddr.parseAddress(slash < 0 ? host : host.substring(0, slash));
                return new Endpoint(0, length, port, true, address[0], address[1]);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("ss: \"" + word + "\" is not an address");
            }
        }

        boolean compare(SockAddr name, Op op) {
            InetSockAddr actual = net.tern.spi.diag.InetDiagMsg.v4View(name);
            if (op != Op.EQ && op != Op.NE) {
                if (port < 0) {
                    throw new IllegalArgumentException("ss: an ordering needs a port");
                }
                int p = actual.port();
                return switch (op) {
                    case GT -> p > port;
                    case GE -> p >= port;
                    case LT -> p < port;
                    default -> p <= port;
                };
            }
            boolean addressMatches = v6 ? name instanceof Inet6SockAddr six && v6Matches(six)
                    : (!(name instanceof Inet6SockAddr six) || six.isV4Mapped() || prefixLength == 0)
                            && addressMatches(actual.address());
            boolean equal = addressMatches && (port < 0 || actual.port() == port);
            return op == Op.EQ ? equal : !equal;
        }

        /** An IPv6 prefix: only AF_INET6 sockets' addresses, the first {@code prefixLength} bits. */
        private boolean v6Matches(Inet6SockAddr actual) {
            return prefix(actual.high(), high, Math.min(64, prefixLength))
                    && prefix(actual.low(), low, Math.max(0, prefixLength - 64));
        }

        private static boolean prefix(long actual, long wanted, int bits) {
            long mask = bits == 0 ? 0 : -1L << (64 - bits);
            return (actual & mask) == (wanted & mask);
        }

        private boolean addressMatches(int actual) {
            if (prefixLength == 0) {
                return true;
            }
            int mask = -1 << (32 - prefixLength);
            return (actual & mask) == (address & mask);
        }
    }
}
