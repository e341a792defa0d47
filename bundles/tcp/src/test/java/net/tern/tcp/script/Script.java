package net.tern.tcp.script;

import java.util.List;
import java.util.Map;

/**
 * A parsed packetdrill script: its options ({@code --name=value} lines before the first
 * event) and its events, each with the line it came from and its timing. See
 * {@code src/test/resources/packetdrill/README.md} for the syntax subset.
 */
public record Script(String name, Map<String, String> options, List<Line> lines) {

    /** One event of the script: where it is, its text, when it runs, what it does. */
    public record Line(int number, String text, Timing timing, Event event) {
    }

    /** A time as written: {@code 0.100} (absolute) or {@code +.1} (relative to the previous event). */
    public record TimePoint(boolean relative, long micros) {
        /** The virtual time this point stands for, given the previous event's time. */
        long resolve(long previousNanos) {
            return relative ? previousNanos + micros * 1000 : micros * 1000;
        }
    }

    /**
     * When an event runs: {@code *} (any time), a point, a range {@code start~end} within
     * which an outbound packet must leave, or {@code start...end} for a blocking call that
     * starts at {@code start} and must return at {@code end}; as in packetdrill, {@code end}
     * is counted from the same point as {@code start} ({@code +.1...0.3}: starts 0.1 s after
     * the previous event and returns 0.3 s after it).
     */
    public record Timing(boolean any, TimePoint start, TimePoint rangeEnd, TimePoint returnAt) {
        static Timing anyTime() {
            return new Timing(true, null, null, null);
        }
    }

    /** What a line does. */
    public sealed interface Event permits Packet, Syscall, Code, Shell {
    }

    /**
     * A segment: {@code <} inbound (injected), {@code >} outbound (expected). Sequence and ACK
     * numbers are relative to the ISNs, as packetdrill writes them. {@code options} is null
     * when the line has no option list (outbound: no options expected), empty for {@code <>};
     * {@code anyOptions} for {@code <...>}. {@code remotePort} is Tern's extension {@code @port}
     * (after the direction) for scripts with several connections; null for the default.
     */
    public record Packet(boolean inbound, Integer remotePort, int flags, long seqStart, long seqEnd, int length, Long ack,
            Integer window, List<TcpOpt> options, boolean anyOptions) implements Event {
    }

    /** One item of an option list. */
    public sealed interface TcpOpt permits Mss, SackOk, Timestamp, Nop, Eol, Wscale, Sack {
    }

    public record Mss(int value) implements TcpOpt {
    }

    public record SackOk() implements TcpOpt {
    }

    /** {@code TS val V ecr E}; a null field was written {@code ...} (anything). */
    public record Timestamp(Long val, Long ecr) implements TcpOpt {
    }

    public record Nop() implements TcpOpt {
    }

    public record Eol() implements TcpOpt {
    }

    public record Wscale(int shift) implements TcpOpt {
    }

    /** SACK blocks as relative (start, end) pairs. */
    public record Sack(List<long[]> blocks) implements TcpOpt {
    }

    /** A system call with its arguments and the expected outcome. */
    public record Syscall(String name, List<Arg> args, Expected expected) implements Event {
    }

    /** {@code = value} or {@code = -1 ERRNO (text)}; {@code value} null for {@code = ...}. */
    public record Expected(Long value, String errno) {
    }

    /** A {@code %{ ... }%} block of assertions on {@code tcpi_*} fields. */
    public record Code(String source) implements Event {
    }

    /** A {@code `shell command`}. */
    public record Shell(String command) implements Event {
    }

    /** A system call argument. */
    public sealed interface Arg permits Ellipsis, Num, Sym, Str, Array, Struct {
    }

    /** {@code ...}: whatever the harness chooses (addresses, buffers, lengths). */
    public record Ellipsis() implements Arg {
    }

    public record Num(long value) implements Arg {
    }

    /** A constant or an OR of constants: {@code O_RDWR|O_NONBLOCK}. */
    public record Sym(List<String> names) implements Arg {
    }

    public record Str(String value) implements Arg {
    }

    /** {@code [1]}: an int passed by pointer. */
    public record Array(List<Arg> items) implements Arg {
    }

    /** {@code {l_onoff=1, l_linger=0}}. */
    public record Struct(Map<String, Arg> fields) implements Arg {
    }
}
