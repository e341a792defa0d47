package net.tern.tcp.script;

import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.tern.api.socket.TcpInfo;

/**
 * The statements of a {@code %{ ... }%} block: {@code assert EXPR [, "message"]},
 * {@code name = EXPR} and {@code print(...)}, separated by new lines or {@code ;} (comments after {@code #} or {@code //}), where EXPR is a Python-like expression over numbers:
 * {@code or}, {@code and}, {@code not}, comparisons ({@code == != < <= > >=}, chainable as
 * {@code a < b <= c}), {@code | &} (bits), {@code + - * / // %}, unary minus, parentheses, decimal and hex
 * literals, and names: every {@code tcpi_*} field of Linux's {@code struct tcp_info}
 * ({@link TcpInfo}'s components in snake case: {@code tcpi_snd_cwnd}, {@code tcpi_rto}, ...),
 * the state numbers {@code TCP_ESTABLISHED} ..., {@code TCP_CA_Open} ... {@code TCP_CA_Loss}
 * and {@code TCPI_OPT_*}. True is 1, false is 0.
 */
public final class InfoExpression {
    private static final Map<String, Double> CONSTANTS = new HashMap<>();
    /** {@code name = EXPR}, not {@code name == EXPR}. */
    private static final Pattern ASSIGNMENT = Pattern.compile("([A-Za-z_]\\w*)\\s*=(?!=)\\s*(.+)");

    static {
        String[] states = {"TCP_ESTABLISHED", "TCP_SYN_SENT", "TCP_SYN_RECV", "TCP_FIN_WAIT1", "TCP_FIN_WAIT2",
            "TCP_TIME_WAIT", "TCP_CLOSE", "TCP_CLOSE_WAIT", "TCP_LAST_ACK", "TCP_LISTEN", "TCP_CLOSING"};
        for (int i = 0; i < states.length; i++) {
            CONSTANTS.put(states[i], (double) (i + 1));
        }
        String[] caStates = {"TCP_CA_Open", "TCP_CA_Disorder", "TCP_CA_CWR", "TCP_CA_Recovery", "TCP_CA_Loss"};
        for (int i = 0; i < caStates.length; i++) {
            CONSTANTS.put(caStates[i], (double) i);
        }
        CONSTANTS.put("TCPI_OPT_TIMESTAMPS", (double) TcpInfo.TCPI_OPT_TIMESTAMPS);
        CONSTANTS.put("TCPI_OPT_SACK", (double) TcpInfo.TCPI_OPT_SACK);
        CONSTANTS.put("TCPI_OPT_WSCALE", (double) TcpInfo.TCPI_OPT_WSCALE);
        CONSTANTS.put("True", 1.0);
        CONSTANTS.put("False", 0.0);
    }

    private InfoExpression() {
    }

    /** Whether {@code name} is one of the block's constants ({@code TCP_ESTABLISHED}, {@code True} ...). */
    static boolean isConstant(String name) {
        return CONSTANTS.containsKey(name);
    }

    /** The {@code tcpi_*} variables of {@code info}. */
    public static Map<String, Double> variables(TcpInfo info) {
        Map<String, Double> vars = new HashMap<>(CONSTANTS);
        for (RecordComponent rc : TcpInfo.class.getRecordComponents()) {
            Object value;
            try {
                value = rc.getAccessor().invoke(info);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
            if (value instanceof Number n) {
                vars.put("tcpi_" + snakeCase(rc.getName()), n.doubleValue());
            }
        }
        return vars;
    }

    static String snakeCase(String camel) {
        StringBuilder sb = new StringBuilder();
        for (char ch : camel.toCharArray()) {
            if (Character.isUpperCase(ch)) {
                sb.append('_').append(Character.toLowerCase(ch));
            } else {
                sb.append(ch);
            }
        }
        return sb.toString();
    }

    /**
     * Runs the block's assertions against {@code vars}; returns null when all hold, else a
     * message naming the failed assertion and the values of the names it uses.
     */
    public static String check(String block, Map<String, Double> vars) {
        return run(block, new HashMap<>(vars), new ArrayList<>());
    }

    /**
     * Runs the block's statements in order: {@code assert EXPR [, message]}, assignments
     * {@code name = EXPR} (into {@code vars}, so that later statements and blocks see them) and
     * {@code print(ARG, ...)} (string literals and expressions, appended to {@code printed} as
     * one line). Returns null when every assertion holds, else the message of the first that does
     * not.
     */
    public static String run(String block, Map<String, Double> vars, List<String> printed) {
        for (String statement : block.replaceAll("(#|//)[^\n]*", "").split("[;\n]")) {
            String s = statement.strip();
            if (s.isEmpty()) {
                continue;
            }
            Matcher assignment = ASSIGNMENT.matcher(s);
            if (assignment.matches()) {
                vars.put(assignment.group(1), evaluate(assignment.group(2), vars));
                continue;
            }
            if (s.startsWith("print(") && s.endsWith(")") || s.startsWith("print ")) {
                String args = s.startsWith("print(") ? s.substring(6, s.length() - 1) : s.substring(6);
                List<String> parts = new ArrayList<>();
                for (String arg : splitArguments(args)) {
                    String a = arg.strip();
                    boolean quoted = a.length() >= 2 && (a.startsWith("\"") && a.endsWith("\"")
                            || a.startsWith("'") && a.endsWith("'"));
                    parts.add(quoted ? a.substring(1, a.length() - 1) : format(evaluate(a, vars)));
                }
                printed.add(String.join(" ", parts));
                continue;
            }
            if (!s.startsWith("assert ")) {
                throw new IllegalArgumentException("statements are 'assert EXPR', 'name = EXPR' and 'print(...)', not: " + s);
            }
            Parser p = new Parser(s.substring(7), vars);
            double value = p.expression();
            String expression = p.text.substring(0, p.pos).strip();
            String message = null;
            p.skipSpaces();
            if (p.peek() == ',') {
                p.pos++;
                message = p.rest().strip();
            } else if (!p.atEnd()) {
                throw new IllegalArgumentException("unexpected '" + p.rest() + "' in: " + s);
            }
            if (value == 0) {
                StringBuilder used = new StringBuilder();
                for (String name : p.usedNames) {
                    used.append(used.length() == 0 ? "" : ", ").append(name).append(" = ").append(format(vars.get(name)));
                }
                return "assertion failed: " + expression + (message != null ? " (" + message + ")" : "")
                        + (used.length() > 0 ? " where " + used : "");
            }
        }
        return null;
    }

    /** The arguments of a call: split at commas outside parentheses and quotes. */
    private static List<String> splitArguments(String args) {
        List<String> out = new ArrayList<>();
        int depth = 0;
        char quote = 0;
        int start = 0;
        for (int i = 0; i < args.length(); i++) {
            char ch = args.charAt(i);
            if (quote != 0) {
                quote = ch == quote ? 0 : quote;
            } else if (ch == '"' || ch == '\'') {
                quote = ch;
            } else if (ch == '(') {
                depth++;
            } else if (ch == ')') {
                depth--;
            } else if (ch == ',' && depth == 0) {
                out.add(args.substring(start, i));
                start = i + 1;
            }
        }
        if (!args.isBlank()) {
            out.add(args.substring(start));
        }
        return out;
    }

    /** Evaluates one expression (for tests and messages). */
    public static double evaluate(String expression, Map<String, Double> vars) {
        Parser p = new Parser(expression, vars);
        double v = p.expression();
        p.skipSpaces();
        if (!p.atEnd()) {
            throw new IllegalArgumentException("unexpected '" + p.rest() + "' in: " + expression);
        }
        return v;
    }

    private static String format(Double v) {
        if (v == null) {
            return "?";
        }
        return v == Math.rint(v) && Math.abs(v) < 1e18 ? Long.toString(v.longValue()) : v.toString();
    }

    private static final class Parser {
        final String text;
        final Map<String, Double> vars;
        final java.util.LinkedHashSet<String> usedNames = new java.util.LinkedHashSet<>();
        int pos;

        Parser(String text, Map<String, Double> vars) {
            this.text = text;
            this.vars = vars;
        }

        double expression() {
            return or();
        }

        private double or() {
            double v = and();
            while (keyword("or")) {
                double r = and();
                v = (v != 0 || r != 0) ? 1 : 0;
            }
            return v;
        }

        private double and() {
            double v = not();
            while (keyword("and")) {
                double r = not();
                v = (v != 0 && r != 0) ? 1 : 0;
            }
            return v;
        }

        private double not() {
            if (keyword("not")) {
                return not() == 0 ? 1 : 0;
            }
            return comparison();
        }

        private double comparison() {
            double left = bitOr();
            boolean result = true;
            boolean compared = false;
            while (true) {
                String op = comparisonOperator();
                if (op == null) {
                    break;
                }
                double right = bitOr();
                boolean holds = switch (op) {
                    case "==" -> left == right;
                    case "!=" -> left != right;
                    case "<" -> left < right;
                    case "<=" -> left <= right;
                    case ">" -> left > right;
                    default -> left >= right;
                };
                result &= holds;
                compared = true;
                left = right;
            }
            return compared ? (result ? 1 : 0) : left;
        }

        private String comparisonOperator() {
            skipSpaces();
            for (String op : new String[] {"==", "!=", "<=", ">=", "<", ">"}) {
                if (text.startsWith(op, pos)) {
                    pos += op.length();
                    return op;
                }
            }
            return null;
        }

        private double bitOr() {
            double v = bitAnd();
            while (true) {
                skipSpaces();
                if (peek() != '|') {
                    return v;
                }
                pos++;
                v = (long) v | (long) bitAnd();
            }
        }

        private double bitAnd() {
            double v = sum();
            while (true) {
                skipSpaces();
                if (peek() != '&') {
                    return v;
                }
                pos++;
                v = (long) v & (long) sum();
            }
        }

        private double sum() {
            double v = product();
            while (true) {
                skipSpaces();
                char c = peek();
                if (c == '+' || c == '-') {
                    pos++;
                    double r = product();
                    v = c == '+' ? v + r : v - r;
                } else {
                    return v;
                }
            }
        }

        private double product() {
            double v = unary();
            while (true) {
                skipSpaces();
                if (text.startsWith("//", pos)) {
                    pos += 2;
                    v = Math.floor(v / unary());
                } else if (peek() == '*') {
                    pos++;
                    v *= unary();
                } else if (peek() == '/') {
                    pos++;
                    v /= unary();
                } else if (peek() == '%') {
                    pos++;
                    double r = unary();
                    v = v - r * Math.floor(v / r);
                } else {
                    return v;
                }
            }
        }

        private double unary() {
            skipSpaces();
            if (peek() == '-') {
                pos++;
                return -unary();
            }
            if (peek() == '+') {
                pos++;
                return unary();
            }
            return primary();
        }

        private double primary() {
            skipSpaces();
            char c = peek();
            if (c == '(') {
                pos++;
                double v = expression();
                skipSpaces();
                if (peek() != ')') {
                    throw new IllegalArgumentException("expected ')' at '" + rest() + "'");
                }
                pos++;
                return v;
            }
            if (Character.isDigit(c)) {
                int begin = pos;
                if (text.startsWith("0x", pos) || text.startsWith("0X", pos)) {
                    pos += 2;
                    while (!atEnd() && Character.digit(peek(), 16) >= 0) {
                        pos++;
                    }
                    return Long.parseLong(text.substring(begin + 2, pos), 16);
                }
                while (!atEnd() && (Character.isDigit(peek()) || peek() == '.' || peek() == '_')) {
                    pos++;
                }
                return Double.parseDouble(text.substring(begin, pos).replace("_", ""));
            }
            if (Character.isLetter(c) || c == '_') {
                int begin = pos;
                while (!atEnd() && (Character.isLetterOrDigit(peek()) || peek() == '_')) {
                    pos++;
                }
                String name = text.substring(begin, pos);
                Double v = vars.get(name);
                if (v == null) {
                    throw new IllegalArgumentException("unknown name '" + name + "'");
                }
                if (!CONSTANTS.containsKey(name)) {
                    usedNames.add(name);
                }
                return v;
            }
            throw new IllegalArgumentException("expected a number, a name or '(' at '" + rest() + "'");
        }

        private boolean keyword(String word) {
            skipSpaces();
            if (text.startsWith(word, pos)) {
                int after = pos + word.length();
                if (after >= text.length() || !(Character.isLetterOrDigit(text.charAt(after)) || text.charAt(after) == '_')) {
                    pos = after;
                    return true;
                }
            }
            return false;
        }

        void skipSpaces() {
            while (!atEnd() && Character.isWhitespace(text.charAt(pos))) {
                pos++;
            }
        }

        boolean atEnd() {
            return pos >= text.length();
        }

        char peek() {
            return atEnd() ? '\0' : text.charAt(pos);
        }

        String rest() {
            return text.substring(pos);
        }
    }
}
