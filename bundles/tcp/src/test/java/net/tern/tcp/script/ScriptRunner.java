package net.tern.tcp.script;

import static net.tern.api.socket.SocketConstants.AF_INET;
import static net.tern.api.socket.SocketConstants.EPOLLERR;
import static net.tern.api.socket.SocketConstants.EPOLLHUP;
import static net.tern.api.socket.SocketConstants.EPOLLOUT;
import static net.tern.api.socket.SocketConstants.SOCK_NONBLOCK;
import static net.tern.api.socket.SocketConstants.SOL_SOCKET;
import static net.tern.api.socket.SocketConstants.SOL_TCP;
import static net.tern.api.socket.SocketConstants.SO_ERROR;
import static net.tern.api.socket.SocketConstants.TCP_INFO;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import net.tern.api.socket.Accepted;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.InetSockAddr;
import net.tern.api.socket.SocketApi;
import net.tern.api.socket.SocketConstants;
import net.tern.api.socket.TcpInfo;
import net.tern.core.testing.VirtualTime;
import net.tern.tcp.impl.TcpSettings;
import net.tern.tcp.impl.wire.TcpHeader;
import net.tern.tcp.script.Script.Arg;
import net.tern.tcp.script.Script.Array;
import net.tern.tcp.script.Script.Code;
import net.tern.tcp.script.Script.Ellipsis;
import net.tern.tcp.script.Script.Line;
import net.tern.tcp.script.Script.Num;
import net.tern.tcp.script.Script.Packet;
import net.tern.tcp.script.Script.Sack;
import net.tern.tcp.script.Script.Shell;
import net.tern.tcp.script.Script.Str;
import net.tern.tcp.script.Script.Struct;
import net.tern.tcp.script.Script.Sym;
import net.tern.tcp.script.Script.Syscall;
import net.tern.tcp.script.Script.TcpOpt;
import net.tern.tcp.script.Script.Timestamp;
import net.tern.tcp.script.Script.Timing;
import net.tern.tcp.testing.SegmentPeer;

/**
 * Runs a packetdrill {@link Script} against Tern in virtual time: the stack is a
 * {@link SegmentPeer} host (Tern at {@value SegmentPeer#LOCAL}, the script's remote end at
 * {@value SegmentPeer#REMOTE}, MTU 1500), inbound lines are injected, outbound lines are
 * matched against what the stack sent, system calls go through the socket API and
 * {@code %{ }%} blocks check {@code TCP_INFO}. The first line that does not hold fails with a
 * {@link ScriptFailure} giving script:line, what the line expected and what happened.
 *
 * <p>Packetdrill's conventions: sequence and ACK numbers are relative to each side's ISN
 * (the local one learnt from the stack's SYN or SYN-ACK); the remote ISN is
 * {@value #REMOTE_ISN}. A listener is bound to port {@value #LOCAL_PORT} and inbound
 * segments come from port {@value #REMOTE_PORT}; {@code connect} goes to
 * {@value SegmentPeer#REMOTE}:{@value #LOCAL_PORT}. Outbound TS val is not compared (the
 * script's value is mapped to the real one for later inbound TS ecr); TS ecr, windows, SACK
 * blocks and the option layout are. Times are checked within {@code --tolerance_usecs}
 * (default 4000). Consecutive outbound segments merge to match one longer line (TSO as
 * packetdrill sees it) unless {@code --strict_segments}.
 */
public final class ScriptRunner {
    /** The remote end's ISN: a script's inbound sequence number 0. */
    public static final long REMOTE_ISN = 1_000_000_000L;
    /** The port {@code bind} binds and the port {@code connect} connects to. */
    public static final int LOCAL_PORT = 8080;
    /** The remote end's port for inbound connections. */
    public static final int REMOTE_PORT = 45_000;
    /** packetdrill's default {@code --tolerance_usecs}. */
    public static final long DEFAULT_TOLERANCE_MICROS = 4000;
    /** How long an outbound line timed {@code *} is waited for. */
    private static final long ANY_TIME_LIMIT_NANOS = TimeUnit.SECONDS.toNanos(600);

    private static final int F_GETFL = 3;
    private static final int F_SETFL = 4;
    private static final int O_RDWR = 2;
    private static final int O_NONBLOCK = 0x800;
    private static final Map<String, Long> CONSTANTS = constants();

    private final Script script;
    private final long toleranceNanos;
    private final boolean strictSegments;
    private TcpSettings settings = TcpSettings.defaults();

    private SegmentPeer peer;
    private SocketApi api;
    private VirtualTime time;
    private final ArrayDeque<WireSegment> sent = new ArrayDeque<>();
    private final Map<Long, Integer> liveFds = new HashMap<>();
    private final Set<Long> nonBlocking = new HashSet<>();
    private Long infoFd;
    private long previousEventNanos;
    /** The stack's ISN per remote port (each connection's own), learnt from its SYN or SYN-ACK. */
    private final Map<Integer, Long> localIsns = new HashMap<>();
    /** The connection the current line is about: its remote port and local ISN. */
    private int lineRemotePort;
    private long localIsn;
    private int localPort = LOCAL_PORT;
    private int remotePort = REMOTE_PORT;
    private final Map<Long, Long> tsValByScript = new HashMap<>();
    private Long tsValOffset;
    private Pending pending;
    private Line current;

    private ScriptRunner(Script script) {
        this.script = script;
        Map<String, String> options = script.options();
        this.toleranceNanos = 1000 * Long.parseLong(options.getOrDefault("tolerance_usecs",
                Long.toString(DEFAULT_TOLERANCE_MICROS)));
        this.strictSegments = options.containsKey("strict_segments");
        for (String key : options.keySet()) {
            if (!key.equals("tolerance_usecs") && !key.equals("strict_segments")) {
                throw new ScriptFailure(script.name(), 0, "--" + key, "unknown option --" + key
                        + " (supported: --tolerance_usecs=N, --strict_segments)");
            }
        }
    }

    /** Runs {@code script} to its end; throws {@link ScriptFailure} at the first line that fails. */
    public static void run(Script script) {
        ScriptRunner runner = new ScriptRunner(script);
        try {
            runner.runAll();
        } finally {
            if (runner.peer != null) {
                runner.peer.close();
            }
        }
    }

    private void runAll() {
        for (Line line : script.lines()) {
            current = line;
            if (line.event() instanceof Shell shell) {
                shell(shell);
                continue;
            }
            startStack();
            if (line.event() instanceof Packet p && !p.inbound()) {
                outbound(line, p);
            } else {
                waitUntil(line.timing());
                if (line.event() instanceof Packet p) {
                    inbound(p);
                } else if (line.event() instanceof Syscall call) {
                    syscall(line, call);
                } else if (line.event() instanceof Code code) {
                    code(code);
                }
                previousEventNanos = time.nanoTime();
            }
            collect();
            pollPending();
        }
        if (pending != null) {
            current = pending.line;
            throw fail("the blocking call never returned (the script ended at "
                    + seconds(time == null ? 0 : time.nanoTime()) + ")");
        }
    }

    private void startStack() {
        if (peer != null) {
            return;
        }
        try {
            peer = new SegmentPeer(settings, 1500);
        } catch (ErrnoException e) {
            throw new IllegalStateException("the test stack did not start", e);
        }
        api = peer.api();
        time = peer.time();
        previousEventNanos = time.nanoTime();
    }

    // ==== time ==================================================================================

    /** Runs the stack up to the line's time (inbound segments, calls and checks run then). */
    private void waitUntil(Timing timing) {
        if (timing.any()) {
            return;
        }
        advanceTo(timing.start().resolve(previousEventNanos), false);
    }

    /**
     * Advances virtual time to {@code target}, stopping at each timer deadline on the way so
     * that what the stack sends is stamped with the instant it was sent; with
     * {@code untilSent}, stops as soon as something was sent.
     */
    private void advanceTo(long target, boolean untilSent) {
        while (true) {
            collect();
            pollPending();
            long now = time.nanoTime();
            if (now >= target || (untilSent && !sent.isEmpty())) {
                return;
            }
            long next = time.nextTimerNanos();
            long step = next <= now ? TimeUnit.MILLISECONDS.toNanos(1) : Math.min(next, target) - now;
            time.advance(Math.min(step, target - now), TimeUnit.NANOSECONDS);
        }
    }

    private void collect() {
        if (peer == null) {
            return;
        }
        for (SegmentPeer.Datagram d : peer.emittedDatagrams()) {
            WireSegment segment = WireSegment.decode(d.bytes(), d.atNanos());
            if (segment != null) {
                sent.add(segment);
            }
        }
    }

    // ==== inbound ===============================================================================

    /** Selects the connection of {@code p}: its {@code @port}, else the script's default remote port. */
    private void selectFlow(Packet p) {
        lineRemotePort = p.remotePort() != null ? p.remotePort() : remotePort;
        localIsn = localIsns.getOrDefault(lineRemotePort, 0L);
    }

    private void inbound(Packet p) {
        selectFlow(p);
        long seq = REMOTE_ISN + p.seqStart();
        long ack = p.ack() != null ? localIsn + p.ack() : 0;
        List<TcpOpt> options = new ArrayList<>();
        if (p.options() != null) {
            for (TcpOpt o : p.options()) {
                if (o instanceof Timestamp ts) {
                    options.add(new Timestamp(ts.val(), ts.ecr() == null || ts.ecr() == 0 ? ts.ecr() : liveTsVal(ts.ecr())));
                } else if (o instanceof Sack sack) {
                    List<long[]> blocks = new ArrayList<>();
                    for (long[] b : sack.blocks()) {
                        blocks.add(new long[] {(localIsn + b[0]) & 0xffffffffL, (localIsn + b[1]) & 0xffffffffL});
                    }
                    options.add(new Sack(blocks));
                } else {
                    options.add(o);
                }
            }
        }
        byte[] tcp = WireSegment.encode(lineRemotePort, localPort, p.flags(), seq & 0xffffffffL, ack & 0xffffffffL,
                p.window() != null ? p.window() : 65535, options, p.length());
        peer.injectRaw(tcp, false);
    }

    /** The stack's TS val that the script called {@code scriptVal}. */
    private long liveTsVal(long scriptVal) {
        Long exact = tsValByScript.get(scriptVal);
        if (exact != null) {
            return exact;
        }
        return tsValOffset == null ? scriptVal : (scriptVal + tsValOffset) & 0xffffffffL;
    }

    // ==== outbound ==============================================================================

    private void outbound(Line line, Packet p) {
        selectFlow(p);
        Timing timing = line.timing();
        long earliest;
        long latest;
        long expectedAt;
        if (timing.any()) {
            expectedAt = -1;
            earliest = Long.MIN_VALUE;
            latest = time.nanoTime() + ANY_TIME_LIMIT_NANOS;
        } else {
            expectedAt = timing.start().resolve(previousEventNanos);
            earliest = expectedAt - toleranceNanos;
            long end = timing.rangeEnd() != null ? timing.rangeEnd().resolve(previousEventNanos) : expectedAt;
            latest = end + toleranceNanos;
        }
        advanceTo(latest, true);
        if (sent.isEmpty()) {
            throw fail("expected an outbound segment" + (expectedAt >= 0 ? " at " + seconds(expectedAt) : "")
                    + ", but the stack sent nothing by " + seconds(time.nanoTime()));
        }
        WireSegment first = sent.peekFirst();
        if ((p.flags() & TcpHeader.SYN) != 0) {
            // The local ISN: what the script calls seqStart on the stack's SYN or SYN-ACK.
            localIsn = (first.seq() - p.seqStart()) & 0xffffffffL;
            localIsns.put(lineRemotePort, localIsn);
        }
        if (first.atNanos() < earliest) {
            throw fail("the segment left too early: at " + seconds(first.atNanos()) + ", expected "
                    + seconds(expectedAt) + (timing.rangeEnd() != null ? "~" : " ± ") + toleranceDescription()
                    + "\n    actual: " + describe(first));
        }
        WireSegment actual = takeMerged(p.length(), latest);
        String mismatch = compare(p, actual);
        if (mismatch != null) {
            throw fail(mismatch + "\n    actual: " + describe(actual));
        }
        previousEventNanos = actual.atNanos();
    }

    /** The head of what was sent, merged with the segments right after it up to {@code length} bytes. */
    private WireSegment takeMerged(int length, long latest) {
        WireSegment merged = sent.pollFirst();
        while (!strictSegments && merged.payloadLength() < length) {
            if (sent.isEmpty()) {
                advanceTo(latest, true);
            }
            WireSegment next = sent.peekFirst();
            if (next == null || next.seq() != ((merged.seq() + merged.payloadLength()) & 0xffffffffL)
                    || next.ack() != merged.ack() || next.payloadLength() == 0
                    || ((merged.flags() | next.flags()) & (TcpHeader.SYN | TcpHeader.RST)) != 0
                    || (merged.flags() & TcpHeader.FIN) != 0) {
                break;
            }
            sent.pollFirst();
            merged = new WireSegment(merged.sport(), merged.dport(), merged.flags() | next.flags(), merged.seq(),
                    next.ack(), next.window(), merged.options(), merged.payloadLength() + next.payloadLength(),
                    merged.atNanos());
        }
        return merged;
    }

    /** Null when {@code actual} is what {@code p} describes, else what differs. */
    private String compare(Packet p, WireSegment actual) {
        List<String> diffs = new ArrayList<>();
        if (actual.sport() != localPort || actual.dport() != lineRemotePort) {
            diffs.add("ports " + actual.sport() + " > " + actual.dport() + ", expected " + localPort + " > "
                    + lineRemotePort);
        }
        if (actual.flags() != p.flags()) {
            diffs.add("flags " + TcpHeader.flagsToString(actual.flags()) + ", expected " + TcpHeader.flagsToString(p.flags()));
        }
        long relSeq = relLocal(actual.seq());
        if (relSeq != (p.seqStart() & 0xffffffffL) || actual.payloadLength() != p.length()) {
            diffs.add("sequence " + relSeq + ":" + (relSeq + actual.payloadLength()) + "(" + actual.payloadLength()
                    + "), expected " + p.seqStart() + ":" + p.seqEnd() + "(" + p.length() + ")");
        }
        if (p.ack() != null && relRemote(actual.ack()) != (p.ack() & 0xffffffffL)) {
            diffs.add("ack " + relRemote(actual.ack()) + ", expected " + p.ack());
        }
        if (p.window() != null && actual.window() != p.window()) {
            diffs.add("window " + actual.window() + ", expected " + p.window());
        }
        if (!p.anyOptions()) {
            String optionDiff = compareOptions(p.options() == null ? List.of() : p.options(), actual.options());
            if (optionDiff != null) {
                diffs.add(optionDiff);
            }
        }
        return diffs.isEmpty() ? null : String.join("; ", diffs) + "\n    expected: " + current.text().strip();
    }

    private String compareOptions(List<TcpOpt> expected, List<TcpOpt> actual) {
        String wanted = "<" + WireSegment.describeOptions(expected, v -> v) + ">";
        String got = "<" + WireSegment.describeOptions(actual, this::relRemote) + ">";
        if (expected.size() != actual.size()) {
            return "options " + got + ", expected " + wanted;
        }
        for (int i = 0; i < expected.size(); i++) {
            TcpOpt e = expected.get(i);
            TcpOpt a = actual.get(i);
            if (e.getClass() != a.getClass()) {
                return "options " + got + ", expected " + wanted;
            }
            if (e instanceof Timestamp et && a instanceof Timestamp at) {
                if (et.ecr() != null && (et.ecr() & 0xffffffffL) != at.ecr()) {
                    return "TS ecr " + at.ecr() + ", expected " + et.ecr();
                }
                if (et.val() != null) {
                    tsValByScript.put(et.val(), at.val());
                    if (tsValOffset == null) {
                        tsValOffset = at.val() - et.val();
                    }
                }
            } else if (e instanceof Sack es && a instanceof Sack as) {
                if (es.blocks().size() != as.blocks().size()) {
                    return "options " + got + ", expected " + wanted;
                }
                for (int b = 0; b < es.blocks().size(); b++) {
                    long[] eb = es.blocks().get(b);
                    long[] ab = as.blocks().get(b);
                    if (relRemote(ab[0]) != eb[0] || relRemote(ab[1]) != eb[1]) {
                        return "options " + got + ", expected " + wanted;
                    }
                }
            } else if (!e.equals(a)) {
                return "options " + got + ", expected " + wanted;
            }
        }
        return null;
    }

    private long relLocal(long seq) {
        return (seq - localIsn) & 0xffffffffL;
    }

    private long relRemote(long seq) {
        return (seq - REMOTE_ISN) & 0xffffffffL;
    }

    private String describe(WireSegment s) {
        return s.describe(this::relLocal, this::relRemote);
    }

    // ==== system calls ==========================================================================

    /** How a call ended: a value, an errno, or not yet (it would block). */
    private record Outcome(long value, Errno errno, String message, boolean blocked, boolean newFd) {
        static Outcome of(long value) {
            return new Outcome(value, null, null, false, false);
        }

        static Outcome fd(int liveFd) {
            return new Outcome(liveFd, null, null, false, true);
        }

        static Outcome error(ErrnoException e) {
            return new Outcome(-1, e.errno(), e.getMessage(), false, false);
        }

        static Outcome wouldBlock() {
            return new Outcome(-1, null, null, true, false);
        }
    }

    @FunctionalInterface
    private interface Attempt {
        Outcome run() throws ErrnoException;
    }

    /** A blocking call under way, tried again as the stack runs. */
    private record Pending(Line line, Syscall call, Attempt attempt, long startNanos) {
    }

    private void syscall(Line line, Syscall call) {
        Attempt attempt = attempt(call);
        Outcome outcome = tryOnce(attempt);
        time.runPending();
        if (outcome.blocked()) {
            if (pending != null) {
                throw fail("another call blocks while " + pending.line.text() + " (line " + pending.line.number()
                        + ") still does; one blocking call at a time is supported");
            }
            pending = new Pending(line, call, attempt, time.nanoTime());
            return;
        }
        if (line.timing().returnAt() != null) {
            checkReturnTime(line, time.nanoTime(), time.nanoTime());
        }
        check(call, outcome);
    }

    private static Outcome tryOnce(Attempt attempt) {
        try {
            return attempt.run();
        } catch (ErrnoException e) {
            return Outcome.error(e);
        }
    }

    private void pollPending() {
        if (pending == null) {
            return;
        }
        Outcome outcome = tryOnce(pending.attempt);
        if (outcome.blocked()) {
            return;
        }
        Pending done = pending;
        pending = null;
        Line saved = current;
        current = done.line;
        if (done.line.timing().returnAt() != null) {
            checkReturnTime(done.line, done.startNanos, time.nanoTime());
        }
        check(done.call, outcome);
        current = saved;
    }

    private void checkReturnTime(Line line, long startNanos, long returnedNanos) {
        long expected = line.timing().returnAt().resolve(startNanos);
        if (Math.abs(returnedNanos - expected) > toleranceNanos) {
            throw fail("the call returned at " + seconds(returnedNanos) + ", expected at " + seconds(expected) + " ± "
                    + toleranceDescription());
        }
    }

    private void check(Syscall call, Outcome outcome) {
        Script.Expected expected = call.expected();
        String got = outcome.errno() != null ? "-1 " + outcome.errno() + " (" + outcome.message() + ")"
                : Long.toString(outcome.value());
        if (expected.value() == null) {
            return;
        }
        if (expected.errno() != null) {
            if (outcome.errno() == null || !outcome.errno().name().equals(expected.errno())) {
                throw fail(call.name() + " returned " + got + ", expected -1 " + expected.errno());
            }
            return;
        }
        if (outcome.errno() != null) {
            throw fail(call.name() + " failed: " + got + ", expected " + expected.value());
        }
        if (outcome.newFd()) {
            liveFds.put(expected.value(), (int) outcome.value());
            if (!call.name().equals("socket")) {
                infoFd = expected.value();
            } else if (infoFd == null) {
                infoFd = expected.value();
            }
            return;
        }
        if (outcome.value() != expected.value()) {
            throw fail(call.name() + " returned " + got + ", expected " + expected.value());
        }
    }

    private Attempt attempt(Syscall call) {
        List<Arg> a = call.args();
        switch (call.name()) {
            case "socket" -> {
                arity(call, 3);
                int type = (int) intArg(a.get(1), SocketConstants.SOCK_STREAM);
                int protocol = (int) intArg(a.get(2), 0);
                return () -> {
                    int fd = api.socket(AF_INET, type | SOCK_NONBLOCK, protocol);
                    if ((type & SOCK_NONBLOCK) != 0 && call.expected().value() != null) {
                        nonBlocking.add((long) call.expected().value());
                    }
                    return Outcome.fd(fd);
                };
            }
            case "bind" -> {
                arity(call, 3);
                long fd = fdArg(a.get(0));
                return () -> {
                    api.bind(live(fd), new InetSockAddr(InetSockAddr.INADDR_ANY, LOCAL_PORT));
                    localPort = LOCAL_PORT;
                    return Outcome.of(0);
                };
            }
            case "listen" -> {
                arity(call, 2);
                long fd = fdArg(a.get(0));
                int backlog = (int) intArg(a.get(1), 128);
                return () -> {
                    api.listen(live(fd), backlog);
                    return Outcome.of(0);
                };
            }
            case "accept", "accept4" -> {
                long fd = fdArg(a.get(0));
                return blockingOn(fd, () -> {
                    Accepted accepted = api.accept(live(fd), SOCK_NONBLOCK);
                    return Outcome.fd(accepted.fd());
                });
            }
            case "connect" -> {
                arity(call, 3);
                long fd = fdArg(a.get(0));
                return connect(fd);
            }
            case "write", "send" -> {
                long fd = fdArg(a.get(0));
                int length = (int) intArg(a.get(2), 0);
                int flags = a.size() > 3 ? (int) intArg(a.get(3), 0) : 0;
                return write(fd, length, flags);
            }
            case "read", "recv" -> {
                long fd = fdArg(a.get(0));
                int length = (int) intArg(a.get(2), 0);
                int flags = a.size() > 3 ? (int) intArg(a.get(3), 0) : 0;
                return blockingOn(fd, () -> Outcome.of(api.recv(live(fd), ByteBuffer.allocate(length), flags)));
            }
            case "close" -> {
                arity(call, 1);
                long fd = fdArg(a.get(0));
                return () -> {
                    api.close(live(fd));
                    liveFds.remove(fd);
                    return Outcome.of(0);
                };
            }
            case "shutdown" -> {
                arity(call, 2);
                long fd = fdArg(a.get(0));
                int how = (int) intArg(a.get(1), 0);
                return () -> {
                    api.shutdown(live(fd), how);
                    return Outcome.of(0);
                };
            }
            case "fcntl" -> {
                long fd = fdArg(a.get(0));
                int cmd = (int) intArg(a.get(1), 0);
                if (cmd == F_GETFL) {
                    return () -> {
                        api.isNonBlocking(live(fd)); // EBADF for a closed descriptor
                        return Outcome.of(O_RDWR | (nonBlocking.contains(fd) ? O_NONBLOCK : 0));
                    };
                }
                if (cmd == F_SETFL) {
                    int flags = (int) intArg(a.get(2), 0);
                    return () -> {
                        api.isNonBlocking(live(fd));
                        if ((flags & O_NONBLOCK) != 0) {
                            nonBlocking.add(fd);
                        } else {
                            nonBlocking.remove(fd);
                        }
                        return Outcome.of(0);
                    };
                }
                throw fail("fcntl supports F_GETFL and F_SETFL only");
            }
            case "setsockopt" -> {
                arity(call, 5);
                long fd = fdArg(a.get(0));
                int level = (int) intArg(a.get(1), 0);
                int name = (int) intArg(a.get(2), 0);
                Arg value = a.get(3);
                return () -> {
                    if (value instanceof Str s) {
                        api.setsockopt(live(fd), level, name, s.value());
                    } else {
                        api.setsockopt(live(fd), level, name, (int) optionValue(value));
                    }
                    return Outcome.of(0);
                };
            }
            case "getsockopt" -> {
                arity(call, 5);
                long fd = fdArg(a.get(0));
                int level = (int) intArg(a.get(1), 0);
                int name = (int) intArg(a.get(2), 0);
                Arg value = a.get(3);
                return () -> {
                    if (value instanceof Str s) {
                        String got = api.getsockoptString(live(fd), level, name);
                        if (!got.equals(s.value())) {
                            throw fail("getsockopt gave \"" + got + "\", expected \"" + s.value() + "\"");
                        }
                        return Outcome.of(0);
                    }
                    int got = api.getsockopt(live(fd), level, name);
                    if (!(value instanceof Ellipsis) && got != optionValue(value)) {
                        throw fail("getsockopt gave " + got + ", expected " + optionValue(value));
                    }
                    return Outcome.of(0);
                };
            }
            default -> throw fail("unsupported system call " + call.name() + " (supported: socket, bind, listen, accept, "
                    + "connect, write, send, read, recv, close, shutdown, fcntl, setsockopt, getsockopt)");
        }
    }

    /** A call on a descriptor the script sees as blocking waits (as a pending call) where the stack says EAGAIN. */
    private Attempt blockingOn(long fd, Attempt attempt) {
        return () -> {
            try {
                return attempt.run();
            } catch (ErrnoException e) {
                if (e.errno() == Errno.EAGAIN && !nonBlocking.contains(fd)) {
                    return Outcome.wouldBlock();
                }
                throw e;
            }
        };
    }

    /** {@code connect}: non-blocking gives EINPROGRESS; blocking waits for writability, then SO_ERROR says how it ended. */
    private Attempt connect(long fd) {
        boolean[] started = {false};
        return () -> {
            int live = live(fd);
            if (!started[0]) {
                started[0] = true;
                remotePort = LOCAL_PORT;
                try {
                    api.connect(live, new InetSockAddr(InetSockAddr.parseAddress(SegmentPeer.REMOTE), LOCAL_PORT));
                    localPort = ((InetSockAddr) api.getsockname(live)).port();
                    return Outcome.of(0);
                } catch (ErrnoException e) {
                    localPort = ((InetSockAddr) api.getsockname(live)).port();
                    if (e.errno() != Errno.EINPROGRESS || nonBlocking.contains(fd)) {
                        throw e;
                    }
                    return Outcome.wouldBlock();
                }
            }
            int ready = api.poll(live, EPOLLOUT, 0);
            if ((ready & (EPOLLOUT | EPOLLERR | EPOLLHUP)) == 0) {
                return Outcome.wouldBlock();
            }
            int error = api.getsockopt(live, SOL_SOCKET, SO_ERROR);
            if (error != 0) {
                throw new ErrnoException(Errno.ofNumber(error), "connect");
            }
            return Outcome.of(0);
        };
    }

    /** {@code write}: a blocking descriptor takes every byte (waiting while the buffer is full). */
    private Attempt write(long fd, int length, int flags) {
        ByteBuffer data = ByteBuffer.allocate(length);
        return () -> {
            boolean blocking = !nonBlocking.contains(fd);
            while (data.hasRemaining()) {
                try {
                    api.send(live(fd), data, flags);
                } catch (ErrnoException e) {
                    if (e.errno() != Errno.EAGAIN) {
                        throw e;
                    }
                    if (blocking) {
                        return Outcome.wouldBlock();
                    }
                    if (data.position() == 0) {
                        throw e;
                    }
                    break;
                }
            }
            return Outcome.of(data.position());
        };
    }

    private int live(long scriptFd) {
        Integer fd = liveFds.get(scriptFd);
        // A descriptor the script never opened stays closed on the stack too (EBADF).
        return fd != null ? fd : (int) (100_000 + scriptFd);
    }

    private long fdArg(Arg arg) {
        if (arg instanceof Num n) {
            return n.value();
        }
        throw fail("a descriptor number, not " + arg);
    }

    private long intArg(Arg arg, long ifEllipsis) {
        if (arg instanceof Ellipsis) {
            return ifEllipsis;
        }
        if (arg instanceof Num n) {
            return n.value();
        }
        if (arg instanceof Sym s) {
            long v = 0;
            for (String name : s.names()) {
                Long c = CONSTANTS.get(name);
                if (c == null) {
                    throw fail("unknown constant " + name);
                }
                v |= c;
            }
            return v;
        }
        throw fail("a number or constant, not " + arg);
    }

    /** An option's value: {@code [1]}, {@code 1}, or {@code {l_onoff=1, l_linger=0}} (SO_LINGER in seconds, -1 off). */
    private long optionValue(Arg value) {
        if (value instanceof Array array && array.items().size() == 1) {
            return intArg(array.items().get(0), 0);
        }
        if (value instanceof Struct s && s.fields().containsKey("l_onoff")) {
            boolean on = intArg(s.fields().get("l_onoff"), 0) != 0;
            return on ? intArg(s.fields().getOrDefault("l_linger", new Num(0)), 0) : -1;
        }
        return intArg(value, 0);
    }

    private void arity(Syscall call, int count) {
        if (call.args().size() != count) {
            throw fail(call.name() + " takes " + count + " arguments, got " + call.args().size());
        }
    }

    private static Map<String, Long> constants() {
        Map<String, Long> map = new HashMap<>();
        for (Field f : SocketConstants.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == int.class) {
                try {
                    map.put(f.getName(), (long) f.getInt(null));
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        map.put("F_GETFL", (long) F_GETFL);
        map.put("F_SETFL", (long) F_SETFL);
        map.put("O_RDWR", (long) O_RDWR);
        map.put("O_NONBLOCK", (long) O_NONBLOCK);
        return map;
    }

    // ==== %{ }% and shell =======================================================================

    private void code(Code code) {
        if (infoFd == null) {
            throw fail("no socket to read TCP_INFO from yet");
        }
        TcpInfo info;
        try {
            info = api.getsockopt(live(infoFd), SOL_TCP, TCP_INFO, TcpInfo.class);
        } catch (ErrnoException e) {
            throw fail("getsockopt(TCP_INFO) failed: " + e.getMessage());
        }
        String failed;
        try {
            failed = InfoExpression.check(code.source(), InfoExpression.variables(info));
        } catch (IllegalArgumentException e) {
            throw fail("cannot evaluate %{ " + code.source() + " }%: " + e.getMessage());
        }
        if (failed != null) {
            throw fail(failed);
        }
    }

    /**
     * {@code `sysctl -q net.ipv4.tcp_syncookies=0`} and the few other settings the test stack
     * can take, before the stack starts; any other command fails the script.
     */
    private void shell(Shell shell) {
        String[] words = shell.command().trim().split("\\s+");
        if (words.length < 2 || !words[0].equals("sysctl")) {
            throw fail("unsupported shell command (only `sysctl name=value` for a few TCP settings): " + shell.command());
        }
        if (peer != null) {
            throw fail("sysctl settings must come before the first event that uses the stack");
        }
        for (int i = 1; i < words.length; i++) {
            if (words[i].startsWith("-")) {
                continue;
            }
            String[] kv = words[i].split("=", 2);
            if (kv.length != 2) {
                throw fail("sysctl name=value expected, got " + words[i]);
            }
            long v = Long.parseLong(kv[1]);
            settings = switch (kv[0]) {
                case "net.ipv4.tcp_syncookies" -> settings.withSyncookies(v != 0);
                case "net.ipv4.tcp_timestamps" -> settings.withTimestamps(v != 0);
                case "net.core.somaxconn" -> settings.withSomaxconn((int) v);
                default -> throw fail("unsupported sysctl " + kv[0]
                        + " (supported: net.ipv4.tcp_syncookies, net.ipv4.tcp_timestamps, net.core.somaxconn)");
            };
        }
    }

    // ==== messages ==============================================================================

    private ScriptFailure fail(String message) {
        return new ScriptFailure(script.name(), current == null ? 0 : current.number(),
                current == null ? "" : current.text(), message);
    }

    private String toleranceDescription() {
        return (toleranceNanos / 1000) + " us";
    }

    private static String seconds(long nanos) {
        return String.format("%.6f", nanos / 1e9);
    }
}
