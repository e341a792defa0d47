package net.tern.tcp.script;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.tern.tcp.script.Script.Arg;
import net.tern.tcp.script.Script.Array;
import net.tern.tcp.script.Script.Code;
import net.tern.tcp.script.Script.Ellipsis;
import net.tern.tcp.script.Script.Eol;
import net.tern.tcp.script.Script.Event;
import net.tern.tcp.script.Script.Expected;
import net.tern.tcp.script.Script.Line;
import net.tern.tcp.script.Script.Mss;
import net.tern.tcp.script.Script.Nop;
import net.tern.tcp.script.Script.Num;
import net.tern.tcp.script.Script.Packet;
import net.tern.tcp.script.Script.Sack;
import net.tern.tcp.script.Script.SackOk;
import net.tern.tcp.script.Script.Shell;
import net.tern.tcp.script.Script.Str;
import net.tern.tcp.script.Script.Struct;
import net.tern.tcp.script.Script.Sym;
import net.tern.tcp.script.Script.Syscall;
import net.tern.tcp.script.Script.TcpOpt;
import net.tern.tcp.script.Script.TimePoint;
import net.tern.tcp.script.Script.Timestamp;
import net.tern.tcp.script.Script.Timing;
import net.tern.tcp.script.Script.Wscale;
import net.tern.wire.TcpPacket;

/**
 * Reads packetdrill's script syntax (the subset in {@code packetdrill/README.md}) into a
 * {@link Script}. A line it cannot read fails with {@link ScriptFailure} naming the script,
 * the line and what was expected there.
 */
public final class ScriptParser {
    private final String name;
    private final String[] rawLines;
    private int index;

    private ScriptParser(String name, String text) {
        this.name = name;
        this.rawLines = text.split("\r?\n", -1);
    }

    /** Parses {@code text}, calling it {@code name} in messages. */
    public static Script parse(String name, String text) {
        return new ScriptParser(name, text).script();
    }

    private Script script() {
        Map<String, String> options = new LinkedHashMap<>();
        List<Line> lines = new ArrayList<>();
        boolean inComment = false;
        for (index = 0; index < rawLines.length; index++) {
            int lineNumber = index + 1;
            String raw = rawLines[index];
            StringBuilder kept = new StringBuilder();
            inComment = stripComments(raw, inComment, kept);
            String text = kept.toString().strip();
            if (text.isEmpty()) {
                continue;
            }
            if (text.startsWith("--")) {
                if (!lines.isEmpty()) {
                    throw fail(lineNumber, raw, "options (--name=value) must come before the first event");
                }
                int eq = text.indexOf('=');
                String value = eq < 0 ? "" : text.substring(eq + 1);
                if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                    value = value.substring(1, value.length() - 1); // a quoted value, as packetdrill's STRING
                }
                options.put(eq < 0 ? text.substring(2) : text.substring(2, eq), value);
                continue;
            }
            if (text.contains("%{") && !text.contains("}%")) {
                // A code block spans lines until its }%.
                StringBuilder block = new StringBuilder(text);
                while (!block.toString().contains("}%")) {
                    index++;
                    if (index >= rawLines.length) {
                        throw fail(lineNumber, raw, "%{ without its closing }%");
                    }
                    block.append('\n').append(rawLines[index]);
                }
                text = block.toString().strip();
            } else {
                // A call whose arguments go on over several lines (poll's struct array, msghdr):
                // the lines up to the one that closes its brackets.
                while (openBrackets(text) > 0 && index + 1 < rawLines.length) {
                    index++;
                    StringBuilder more = new StringBuilder();
                    inComment = stripComments(rawLines[index], inComment, more);
                    text = text + " " + more.toString().strip();
                }
            }
            lines.add(line(lineNumber, raw.strip(), text));
        }
        return new Script(name, options, lines);
    }

    /** How many of {@code ( [ {} the text opens and does not close, outside strings. */
    static int openBrackets(String text) {
        int open = 0;
        boolean inString = false;
        for (char ch : text.toCharArray()) {
            if (ch == '"') {
                inString = !inString;
            } else if (!inString && (ch == '(' || ch == '[' || ch == '{')) {
                open++;
            } else if (!inString && (ch == ')' || ch == ']' || ch == '}')) {
                open--;
            }
        }
        return open;
    }

    /** Appends what is not comment to {@code kept}; returns whether a block comment is still open. */
    private static boolean stripComments(String raw, boolean inComment, StringBuilder kept) {
        boolean inString = false;
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (inComment) {
                if (c == '*' && i + 1 < raw.length() && raw.charAt(i + 1) == '/') {
                    inComment = false;
                    i++;
                }
                continue;
            }
            if (c == '"') {
                inString = !inString;
            }
            if (!inString && c == '/' && i + 1 < raw.length()) {
                char n = raw.charAt(i + 1);
                if (n == '/') {
                    break;
                }
                if (n == '*') {
                    inComment = true;
                    i++;
                    continue;
                }
            }
            kept.append(c);
        }
        return inComment;
    }

    private Line line(int number, String raw, String text) {
        Cursor c = new Cursor(number, raw, text);
        // packetdrill's init command: a `command` without a time, run before the script's time 0.
        Timing timing = text.startsWith("`") ? Timing.anyTime() : timing(c);
        c.skipSpaces();
        Event event;
        if (c.peek() == '<' || c.peek() == '>') {
            event = packet(c);
        } else if (c.lookingAt("%{")) {
            int end = c.text.lastIndexOf("}%");
            if (end < 0) {
                throw c.fail("%{ without }%");
            }
            event = new Code(c.text.substring(c.pos + 2, end).strip());
            c.pos = end + 2;
        } else if (c.peek() == '`') {
            int end = c.text.indexOf('`', c.pos + 1);
            if (end < 0) {
                throw c.fail("` without its closing `");
            }
            event = new Shell(c.text.substring(c.pos + 1, end).strip());
            c.pos = end + 1;
        } else if (Character.isLetter(c.peek())) {
            event = syscall(c);
        } else {
            throw c.fail("a packet (< or >), a system call, %{ ... }% or `command`");
        }
        c.skipSpaces();
        if (!c.atEnd()) {
            throw c.fail("the end of the line");
        }
        return new Line(number, raw, timing, event);
    }

    // ---- timing

    private Timing timing(Cursor c) {
        c.skipSpaces();
        if (c.peek() == '*') {
            c.pos++;
            return Timing.anyTime();
        }
        TimePoint start = timePoint(c);
        if (c.lookingAt("...")) {
            c.pos += 3;
            if (c.peek() == '+') {
                throw c.fail("the end of a blocking call's time without '+' (packetdrill's +0...0.2: the end is "
                        + "counted from the same point as the start)");
            }
            // packetdrill (adjust_relative_event_times): a relative start moves its end by the same offset.
            TimePoint written = timePoint(c);
            return new Timing(false, start, null, new TimePoint(start.relative(), written.micros()));
        }
        if (c.peek() == '~') {
            c.pos++;
            TimePoint end = timePoint(c);
            return new Timing(false, start, end, null);
        }
        return new Timing(false, start, null, null);
    }

    private static TimePoint timePoint(Cursor c) {
        boolean relative = false;
        if (c.peek() == '+') {
            relative = true;
            c.pos++;
        }
        int begin = c.pos;
        while (!c.atEnd() && (Character.isDigit(c.peek()) || (c.peek() == '.' && !c.lookingAt("...")))) {
            c.pos++;
        }
        String number = c.text.substring(begin, c.pos);
        if (number.isEmpty() || number.equals(".")) {
            throw c.fail("a time (0.100, +.1, *)");
        }
        try {
            return new TimePoint(relative, new java.math.BigDecimal(number).movePointRight(6).longValueExact());
        } catch (ArithmeticException | NumberFormatException e) {
            throw c.fail("a time with at most microsecond precision, not " + number);
        }
    }

    // ---- packets

    private Packet packet(Cursor c) {
        boolean inbound = c.peek() == '<';
        c.pos++;
        c.skipSpaces();
        Integer remotePort = null;
        if (c.peek() == '@') {
            c.pos++;
            remotePort = (int) c.number();
            c.skipSpaces();
        }
        // packetdrill writes a segment without any flag as '-'.
        String flagWord = c.peek() == '-' ? "-" : c.word();
        if (flagWord.equals("-")) {
            c.pos++;
        }
        int flags = 0;
        for (char f : flagWord.toCharArray()) {
            flags |= switch (f) {
                case 'S' -> TcpPacket.SYN;
                case 'F' -> TcpPacket.FIN;
                case 'R' -> TcpPacket.RST;
                case 'P' -> TcpPacket.PSH;
                case '.' -> TcpPacket.ACK;
                case 'U' -> TcpPacket.URG;
                case '-' -> 0;
                case 'E' -> TcpPacket.ECE;
                case 'W' -> TcpPacket.CWR;
                default -> throw c.fail("TCP flags (S . P F R and combinations such as S. or F.), not '" + flagWord + "'");
            };
        }
        if (flagWord.isEmpty()) {
            throw c.fail("TCP flags");
        }
        c.skipSpaces();
        long start = c.number();
        c.expect(':');
        long end = c.number();
        c.expect('(');
        long length = c.number();
        c.expect(')');
        if (end - start != length) {
            throw c.fail("a consistent range: " + start + ":" + end + " is " + (end - start) + " bytes, not " + length);
        }
        Long ack = null;
        Integer window = null;
        List<TcpOpt> options = null;
        boolean anyOptions = false;
        while (true) {
            c.skipSpaces();
            if (c.atEnd()) {
                break;
            }
            if (c.peek() == '<') {
                c.pos++;
                c.skipSpaces();
                if (c.lookingAt("...")) {
                    c.pos += 3;
                    c.skipSpaces();
                    c.expect('>');
                    anyOptions = true;
                } else {
                    options = optionList(c);
                }
                continue;
            }
            String keyword = c.word();
            c.skipSpaces();
            switch (keyword) {
                case "ack" -> ack = c.number();
                case "win" -> window = (int) c.number();
                default -> throw c.fail("ack N, win N or an option list <...>, not '" + keyword + "'");
            }
        }
        if (ack != null && (flags & TcpPacket.ACK) == 0) {
            throw c.fail("an ACK flag ('.') with 'ack " + ack + "'");
        }
        return new Packet(inbound, remotePort, flags, start, end, (int) length, ack, window, options, anyOptions);
    }

    private static List<TcpOpt> optionList(Cursor c) {
        List<TcpOpt> options = new ArrayList<>();
        c.skipSpaces();
        if (c.peek() == '>') {
            c.pos++;
            return options;
        }
        while (true) {
            c.skipSpaces();
            String kind = c.word();
            c.skipSpaces();
            switch (kind) {
                case "mss" -> options.add(new Mss((int) c.number()));
                case "sackOK" -> options.add(new SackOk());
                case "nop" -> options.add(new Nop());
                case "eol" -> options.add(new Eol());
                case "wscale" -> options.add(new Wscale((int) c.number()));
                case "TS" -> {
                    c.keyword("val");
                    Long val = c.numberOrEllipsis();
                    c.skipSpaces();
                    c.keyword("ecr");
                    Long ecr = c.numberOrEllipsis();
                    options.add(new Timestamp(val, ecr));
                }
                case "sack" -> {
                    List<long[]> blocks = new ArrayList<>();
                    while (true) {
                        c.skipSpaces();
                        if (c.atEnd() || !Character.isDigit(c.peek())) {
                            break;
                        }
                        long from = c.number();
                        c.expect(':');
                        long to = c.number();
                        blocks.add(new long[] {from, to});
                    }
                    if (blocks.isEmpty()) {
                        throw c.fail("SACK blocks start:end after 'sack'");
                    }
                    options.add(new Sack(blocks));
                }
                default -> throw c.fail("a TCP option (mss, sackOK, TS val ecr, nop, eol, wscale, sack), not '"
                        + kind + "'");
            }
            c.skipSpaces();
            if (c.peek() == ',') {
                c.pos++;
                continue;
            }
            c.expect('>');
            return options;
        }
    }

    // ---- system calls

    private Syscall syscall(Cursor c) {
        String callName = c.word();
        c.skipSpaces();
        c.expect('(');
        List<Arg> args = new ArrayList<>();
        c.skipSpaces();
        if (c.peek() != ')') {
            while (true) {
                args.add(arg(c));
                c.skipSpaces();
                if (c.peek() == ',') {
                    c.pos++;
                    continue;
                }
                break;
            }
        }
        c.expect(')');
        c.skipSpaces();
        c.expect('=');
        c.skipSpaces();
        Expected expected;
        if (c.lookingAt("...")) {
            c.pos += 3;
            expected = new Expected(null, null);
        } else {
            long value = c.number();
            String errno = null;
            c.skipSpaces();
            if (!c.atEnd() && Character.isLetter(c.peek())) {
                errno = c.word();
                c.skipSpaces();
            }
            if (c.peek() == '(') {
                // The errno's text, or a note such as (flags O_RDWR): for the reader only.
                int close = c.text.indexOf(')', c.pos);
                if (close < 0) {
                    throw c.fail("the closing ) of the note after the result");
                }
                c.pos = close + 1;
            }
            if (value == -1 && errno == null) {
                throw c.fail("an errno name after -1 (e.g. -1 EINPROGRESS (Operation now in progress))");
            }
            expected = new Expected(value, errno);
        }
        return new Syscall(callName, args, expected);
    }

    private static Arg arg(Cursor c) {
        c.skipSpaces();
        char ch = c.peek();
        if (c.lookingAt("...")) {
            c.pos += 3;
            return new Ellipsis();
        }
        if (ch == '[') {
            c.pos++;
            List<Arg> items = new ArrayList<>();
            c.skipSpaces();
            if (c.peek() != ']') {
                while (true) {
                    items.add(arg(c));
                    c.skipSpaces();
                    if (c.peek() == ',') {
                        c.pos++;
                        continue;
                    }
                    break;
                }
            }
            c.expect(']');
            return new Array(items);
        }
        if (ch == '{') {
            c.pos++;
            Map<String, Arg> fields = new LinkedHashMap<>();
            while (true) {
                c.skipSpaces();
                if (c.peek() == '}') {
                    break;
                }
                // A field is name=value, name(count)=value (msghdr's msg_iov(1)=[...]) or a bare
                // value, kept by its position (#0, #1 ...): iovec's {..., 40}.
                int at = c.pos;
                String field = c.word();
                c.skipSpaces();
                if (!field.isEmpty() && c.peek() == '(') {
                    int close = c.text.indexOf(')', c.pos);
                    if (close < 0) {
                        throw c.fail("')'");
                    }
                    c.pos = close + 1;
                    c.skipSpaces();
                }
                if (!field.isEmpty() && c.peek() == '=') {
                    c.pos++;
                    fields.put(field, arg(c));
                } else {
                    c.pos = at;
                    fields.put("#" + fields.size(), arg(c));
                }
                c.skipSpaces();
                if (c.peek() == ',') {
                    c.pos++;
                    continue;
                }
                break;
            }
            c.skipSpaces();
            c.expect('}');
            return new Struct(fields);
        }
        if (ch == '"') {
            int close = c.text.indexOf('"', c.pos + 1);
            if (close < 0) {
                throw c.fail("the string's closing quote");
            }
            String value = c.text.substring(c.pos + 1, close);
            c.pos = close + 1;
            return new Str(value);
        }
        if (ch == '-' || Character.isDigit(ch)) {
            return new Num(c.number());
        }
        if (Character.isLetter(ch) || ch == '_') {
            List<String> names = new ArrayList<>();
            names.add(c.word());
            while (true) {
                c.skipSpaces();
                if (c.peek() != '|') {
                    break;
                }
                c.pos++;
                c.skipSpaces();
                names.add(c.word());
            }
            return new Sym(names);
        }
        throw c.fail("an argument (a number, a constant, [..], {..}, \"..\" or ...)");
    }

    private ScriptFailure fail(int lineNumber, String raw, String message) {
        return new ScriptFailure(name, lineNumber, raw, message);
    }

    /** A position in one line's text. */
    private final class Cursor {
        final int number;
        final String raw;
        final String text;
        int pos;

        Cursor(int number, String raw, String text) {
            this.number = number;
            this.raw = raw;
            this.text = text;
        }

        boolean atEnd() {
            return pos >= text.length();
        }

        char peek() {
            return atEnd() ? '\0' : text.charAt(pos);
        }

        boolean lookingAt(String s) {
            return text.startsWith(s, pos);
        }

        void skipSpaces() {
            while (!atEnd() && Character.isWhitespace(text.charAt(pos))) {
                pos++;
            }
        }

        void expect(char ch) {
            skipSpaces();
            if (peek() != ch) {
                throw fail("'" + ch + "'");
            }
            pos++;
        }

        void keyword(String word) {
            skipSpaces();
            String w = word();
            if (!w.equals(word)) {
                throw fail("'" + word + "', not '" + w + "'");
            }
            skipSpaces();
        }

        /** Letters, digits, '_' and, for flag words, '.'. */
        String word() {
            int begin = pos;
            while (!atEnd() && (Character.isLetterOrDigit(peek()) || peek() == '_' || peek() == '.')) {
                if (peek() == '.' && lookingAt("...")) {
                    break;
                }
                pos++;
            }
            return text.substring(begin, pos);
        }

        long number() {
            skipSpaces();
            int begin = pos;
            if (peek() == '-') {
                pos++;
            }
            boolean hex = lookingAt("0x") || lookingAt("0X");
            if (hex) {
                pos += 2;
            }
            while (!atEnd() && (hex ? Character.digit(peek(), 16) >= 0 : Character.isDigit(peek()))) {
                pos++;
            }
            String digits = text.substring(begin, pos);
            try {
                if (hex) {
                    boolean negative = digits.startsWith("-");
                    long v = Long.parseLong(digits.substring(negative ? 3 : 2), 16);
                    return negative ? -v : v;
                }
                return Long.parseLong(digits);
            } catch (NumberFormatException e) {
                pos = begin;
                throw fail("a number");
            }
        }

        Long numberOrEllipsis() {
            skipSpaces();
            if (lookingAt("...")) {
                pos += 3;
                return null;
            }
            return number();
        }

        ScriptFailure fail(String expected) {
            String rest = atEnd() ? "the end of the line" : "'" + text.substring(pos) + "'";
            return new ScriptFailure(name, number, raw, "cannot parse: expected " + expected + " at " + rest);
        }
    }
}
