package net.tern.tcp.script;

import static net.tern.api.socket.SocketConstants.AF_INET;
import static net.tern.api.socket.SocketConstants.AF_INET6;
import static net.tern.api.socket.SocketConstants.SOL_TCP;
import static net.tern.api.socket.SocketConstants.TCP_INFO;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import net.tern.api.socket.Accepted;
import net.tern.api.socket.EpollEvent;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.Inet6SockAddr;
import net.tern.api.socket.InetSockAddr;
import net.tern.api.socket.SockAddr;
import net.tern.api.socket.MsgHeader;
import net.tern.api.socket.SocketApi;
import net.tern.api.socket.SocketConstants;
import net.tern.api.socket.TcpInfo;
import net.tern.core.testing.VirtualTime;
import net.tern.socket.SocketLayer;
import net.tern.spi.net.Impairment;
import net.tern.spi.net.Link;
import net.tern.tcp.cc.Reno;
import net.tern.tcp.cubic.Cubic;
import net.tern.tcp.impl.SysctlSettings;
import net.tern.tcp.impl.TcpSettings;
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
import net.tern.wire.TcpPacket;

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
 * packetdrill sees it, with the last segment's flags) unless {@code --strict_segments}. Segments the stack sends after the
 * last outbound line are not looked at, as packetdrill does not (it reads what was sent only
 * when a line expects a segment); with {@code --strict_segments} a segment sent by the
 * script's end that no line matched fails the script.
 *
 * <p>System calls run on a thread of their own (packetdrill's system call thread) through the
 * socket API, blocking or not as the script made the descriptor, so a blocking call waits in
 * the socket layer's own wait path with its timeouts on the stack's virtual clock. After each
 * step the runner waits until that thread has returned or is parked in the socket layer
 * ({@link net.tern.socket.SocketLayer#parkedCallers}) before it moves time again. A call timed
 * {@code start...end} may block while the script goes on (one at a time); any other call that
 * blocks holds the script, as it holds packetdrill's main thread, while the stack's timers run,
 * and the lines after it are late if it returns after their time. Descriptor numbers that
 * {@code socket} and {@code accept} return are checked against the script's.
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
    /** How long an outbound line timed {@code *}, or a call that holds the script, is waited for. */
    private static final long ANY_TIME_LIMIT_NANOS = TimeUnit.SECONDS.toNanos(600);
    /**
     * The wall-clock bound on the system call thread's settling after a step (returning, or
     * parking in the socket layer): generous for a loaded machine, and only reached when a
     * call neither returns nor sleeps where the socket layer can see it.
     */
    private static final long SETTLE_LIMIT_NANOS = TimeUnit.SECONDS.toNanos(60);

    private static final int F_GETFL = 3;
    private static final int F_SETFL = 4;
    private static final int O_RDWR = 2;
    private static final int O_NONBLOCK = 0x800;
    private static final Map<String, Long> CONSTANTS = constants();

    private final Script script;
    private final long toleranceNanos;
    private final boolean strictSegments;
    /**
     * packetdrill's {@code --tcp_ts_tick_usecs}: the length of a TS val tick; when set, an
     * outbound TS val is checked (after the first, which fixes the offset between the script's
     * values and the stack's) to be the script's within the tolerance; 0: not checked.
     */
    private final long tsTickMicros;
    private TcpSettings settings = TcpSettings.defaults();
    /** The script's descriptor numbers that name another live one (packetdrill's fd mapping). */
    private final java.util.Map<Integer, Integer> scriptFds = new java.util.HashMap<>();
    /** The script's sysctl lines as Tern's Config Admin properties. */
    private final SysctlSettings sysctls = new SysctlSettings();
    private final CubicModuleParameters cubicParameters = new CubicModuleParameters();

    private SegmentPeer peer;
    private SocketApi api;
    private SocketLayer sockets;
    private VirtualTime time;
    /** packetdrill's system call thread: the script's calls run here, one at a time. */
    private final ExecutorService syscallThread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "script-syscalls");
        t.setDaemon(true);
        return t;
    });
    private final ArrayDeque<WireSegment> sent = new ArrayDeque<>();
    private Integer infoFd;
    private long previousEventNanos;
    /** The stack's ISN per remote port (each connection's own), learnt from its SYN or SYN-ACK. */
    private final Map<Integer, Long> localIsns = new HashMap<>();
    /** The connection the current line is about: its remote port and local ISN. */
    private int lineRemotePort;
    private long localIsn;
    private int localPort = LOCAL_PORT;
    private int remotePort = REMOTE_PORT;
    private final Map<Long, Long> tsValByScript = new HashMap<>();
    /** The names {@code %{ }%} blocks assigned, for the blocks after them. */
    private final Map<String, Double> codeVariables = new HashMap<>();
    private Long tsValOffset;
    /** The call on the system call thread that has not returned yet, if any. */
    private Call running;
    /** A call without start...end timing that blocked and so held the script, until the next line's time is checked. */
    private Line heldBy;
    private Line current;

    /**
     * packetdrill's {@code --ip_version}: the sockets' family and the packets' IP version.
     * {@code ipv4-mapped-ipv6} is an AF_INET6 socket with IPv4 on the wire (dual-stack).
     */
    private enum IpVersion {
        IPV4, IPV6, IPV4_MAPPED_IPV6
    }

    private final IpVersion ipVersion;

    private ScriptRunner(Script script) {
        this.script = script;
        Map<String, String> options = script.options();
        this.toleranceNanos = 1000 * Long.parseLong(options.getOrDefault("tolerance_usecs",
                Long.toString(DEFAULT_TOLERANCE_MICROS)));
        this.strictSegments = options.containsKey("strict_segments");
        this.tsTickMicros = Long.parseLong(options.getOrDefault("tcp_ts_tick_usecs", "0"));
        String version = options.getOrDefault("ip_version", "ipv4");
        this.ipVersion = switch (version) {
            case "ipv4" -> IpVersion.IPV4;
            case "ipv6" -> IpVersion.IPV6;
            case "ipv4-mapped-ipv6" -> IpVersion.IPV4_MAPPED_IPV6;
            default -> throw new ScriptFailure(script.name(), 0, "--ip_version=" + version,
                    "--ip_version is ipv4, ipv6 or ipv4-mapped-ipv6");
        };
        for (String key : options.keySet()) {
            if (!key.equals("tolerance_usecs") && !key.equals("strict_segments") && !key.equals("tcp_ts_tick_usecs")
                    && !key.equals("ip_version")) {
                throw new ScriptFailure(script.name(), 0, "--" + key, "unknown option --" + key
                        + " (supported: --tolerance_usecs=N, --strict_segments, --tcp_ts_tick_usecs=N, --ip_version=V)");
            }
        }
    }

    /** Runs {@code script} to its end; throws {@link ScriptFailure} at the first line that fails. */
    public static void run(Script script) {
        ScriptRunner runner = new ScriptRunner(script);
        try {
            runner.runAll();
        } finally {
            runner.stop();
        }
    }

    /** Ends a call still blocked (interrupted: EINTR), then the stack. */
    private void stop() {
        syscallThread.shutdownNow();
        try {
            if (!syscallThread.awaitTermination(SETTLE_LIMIT_NANOS, TimeUnit.NANOSECONDS)) {
                throw new IllegalStateException("the system call thread did not end after an interrupt");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (peer != null) {
                peer.close();
            }
        }
    }

    private void runAll() {
        for (Line line : script.lines()) {
            current = line;
            if (line.event() instanceof Shell shell && isQdiscCommand(shell)) {
                startStack();
                waitUntil(line.timing());
                previousEventNanos = time.nanoTime();
                qdisc(shell);
                continue;
            }
            if (line.event() instanceof Shell shell) {
                shell(shell);
                continue;
            }
            startStack();
            if (line.event() instanceof Packet p && !p.inbound()) {
                outbound(line, p);
            } else {
                long base = previousEventNanos;
                waitUntil(line.timing());
                previousEventNanos = time.nanoTime();
                if (line.event() instanceof Packet p) {
                    inbound(p);
                } else if (line.event() instanceof Syscall call) {
                    syscall(line, call, base);
                } else if (line.event() instanceof Code code) {
                    code(code);
                }
            }
            settle();
            collect();
            checkReturned();
        }
        if (running != null) {
            current = running.line;
            throw fail("the blocking call never returned (the script ended at "
                    + seconds(time == null ? 0 : time.nanoTime()) + ")");
        }
        if (strictSegments && !sent.isEmpty()) {
            current = script.lines().get(script.lines().size() - 1);
            List<String> extra = new ArrayList<>();
            for (WireSegment s : sent) {
                extra.add(describe(s));
            }
            throw fail("the stack sent " + sent.size() + " segment(s) by the script's end that no line expects:\n    "
                    + String.join("\n    ", extra));
        }
    }

    private void startStack() {
        if (peer != null) {
            return;
        }
        try {
            peer = new SegmentPeer(settings, 1500);
            if (ipVersion != IpVersion.IPV4) {
                peer.withIpv6();
            }
            // The algorithms a Linux kernel has built in: reno (TCP's own) and cubic, its default.
            peer.host().tcp().congestion().register(new Cubic(cubicParameters.options()));
        } catch (ErrnoException e) {
            throw new IllegalStateException("the test stack did not start", e);
        }
        api = peer.api();
        sockets = peer.host().socketLayer();
        time = peer.time();
        previousEventNanos = time.nanoTime();
    }

    // ==== time ==================================================================================

    /**
     * Runs the stack up to the line's time (inbound segments, calls and checks run then). A
     * line already past its time by more than the tolerance is late, as packetdrill's
     * {@code check_event_time} says: a call before it held the script beyond it.
     */
    private void waitUntil(Timing timing) {
        if (timing.any()) {
            return;
        }
        long due = timing.start().resolve(previousEventNanos);
        if (heldBy != null) {
            Line holder = heldBy;
            heldBy = null;
            if (time.nanoTime() - due > toleranceNanos) {
                throw fail("the line is late: due at " + seconds(due) + ", but the call at line " + holder.number()
                        + " (" + holder.text().strip() + ") blocked the script until " + seconds(time.nanoTime()));
            }
        }
        advanceTo(due, false);
    }

    /**
     * Advances virtual time to {@code target}, stopping at each timer deadline on the way so
     * that what the stack sends is stamped with the instant it was sent; with
     * {@code untilSent}, stops as soon as something was sent.
     */
    private void advanceTo(long target, boolean untilSent) {
        while (true) {
            settle();
            collect();
            checkReturned();
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
        if (ipVersion == IpVersion.IPV6) {
            peer.injectRaw6(tcp);
        } else {
            peer.injectRaw(tcp, false);
        }
        settle();
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
        if ((p.flags() & TcpPacket.SYN) != 0) {
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

    /**
     * The head of what was sent, merged with the segments right after it up to {@code length}
     * bytes, as packetdrill's {@code aggregate_packets}: the headers (flags, window) of the last
     * segment, the sequence number and CWR of the first.
     */
    private WireSegment takeMerged(int length, long latest) {
        WireSegment merged = sent.pollFirst();
        while (!strictSegments && merged.payloadLength() < length) {
            if (sent.isEmpty()) {
                advanceTo(latest, true);
            }
            WireSegment next = sent.peekFirst();
            if (next == null || next.seq() != ((merged.seq() + merged.payloadLength()) & 0xffffffffL)
                    || next.ack() != merged.ack() || next.payloadLength() == 0
                    || ((merged.flags() | next.flags()) & (TcpPacket.SYN | TcpPacket.RST)) != 0
                    || (merged.flags() & TcpPacket.FIN) != 0) {
                break;
            }
            sent.pollFirst();
            int flags = (next.flags() & ~TcpPacket.CWR) | (merged.flags() & TcpPacket.CWR);
            merged = new WireSegment(merged.sport(), merged.dport(), flags, merged.seq(),
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
            diffs.add("flags " + TcpPacket.flagsToString(actual.flags()) + ", expected " + TcpPacket.flagsToString(p.flags()));
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
                if (et.val() != null && tsTickMicros > 0 && tsValOffset != null) {
                    long live = (et.val() + tsValOffset) & 0xffffffffL;
                    long off = Math.abs((int) (at.val() - live));
                    if (off * tsTickMicros > toleranceNanos / 1000) {
                        return "TS val " + ((at.val() - tsValOffset) & 0xffffffffL) + ", expected " + et.val() + " ± "
                                + (toleranceNanos / 1000 / tsTickMicros) + " ticks of " + tsTickMicros + " us";
                    }
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

    /**
     * How a call ended: a value or an errno, and the virtual time it returned at (read by the
     * system call thread as the call returned: time moves only once that thread has settled).
     * {@code mismatch}: a getsockopt value other than the script's.
     */
    private record Outcome(long value, Errno errno, String message, String mismatch, long returnedNanos) {
        static Outcome of(long value) {
            return new Outcome(value, null, null, null, 0);
        }

        static Outcome error(ErrnoException e) {
            return new Outcome(-1, e.errno(), e.getMessage(), null, 0);
        }

        static Outcome mismatch(String what) {
            return new Outcome(-1, null, null, what, 0);
        }

        Outcome at(long nanos) {
            return new Outcome(value, errno, message, mismatch, nanos);
        }
    }

    @FunctionalInterface
    private interface Attempt {
        Outcome run() throws ErrnoException;
    }

    /** A call on the system call thread: its line, the time its line counts from, and its result to come. */
    private record Call(Line line, Syscall syscall, long baseNanos, Future<Outcome> result) {
    }

    /**
     * Runs a call on the system call thread and waits until it returns or sleeps in the socket
     * layer. A call timed {@code start...end} that sleeps goes on while the script does; any
     * other holds the script while the stack's timers run (packetdrill's main thread making a
     * call that blocks) until it returns.
     */
    private void syscall(Line line, Syscall syscall, long baseNanos) {
        if (running != null) {
            throw fail("a system call while the blocking call at line " + running.line.number() + " ("
                    + running.line.text().strip() + ") has not returned: one at a time, as packetdrill's system call thread");
        }
        Attempt attempt = attempt(syscall);
        Future<Outcome> result = syscallThread.submit(() -> {
            try {
                return attempt.run().at(time.nanoTime());
            } catch (ErrnoException e) {
                return Outcome.error(e).at(time.nanoTime());
            }
        });
        running = new Call(line, syscall, baseNanos, result);
        settle();
        if (syscall.name().equals("connect")) {
            learnLocalPort(fdArg(syscall.args().get(0)));
        }
        if (!result.isDone() && line.timing().returnAt() == null) {
            holdUntilReturned(running);
        }
        checkReturned();
    }

    /** The scripted peer's address for connect: 10.0.0.2, fd3d:fa7b:d17d::2, or ::ffff:10.0.0.2 by the IP version. */
    private SockAddr remoteAddress() {
        InetSockAddr v4 = new InetSockAddr(InetSockAddr.parseAddress(SegmentPeer.REMOTE), LOCAL_PORT);
        return switch (ipVersion) {
            case IPV4 -> v4;
            case IPV6 -> new Inet6SockAddr(SegmentPeer.REMOTE6.high(), SegmentPeer.REMOTE6.low(), LOCAL_PORT);
            case IPV4_MAPPED_IPV6 -> Inet6SockAddr.v4Mapped(v4);
        };
    }

    /** The port the stack bound {@code fd} to for its connect: the local port of the lines that follow. */
    private void learnLocalPort(int fd) {
        try {
            SockAddr name = api.getsockname(fd);
            localPort = name instanceof Inet6SockAddr v6 ? v6.port() : ((InetSockAddr) name).port();
        } catch (ErrnoException e) {
            // connect failed before binding (EBADF, ...): its result says so.
        }
    }

    /** A call that blocked without start...end timing: the stack's timers run until it returns, nothing else. */
    private void holdUntilReturned(Call call) {
        long limit = time.nanoTime() + ANY_TIME_LIMIT_NANOS;
        while (!call.result.isDone()) {
            long next = time.nextTimerNanos();
            if (next > limit) {
                throw fail(call.syscall.name() + " blocked, and no timer of the stack woke it by " + seconds(limit)
                        + " (a call that is to block while the script goes on takes packetdrill's start...end timing, "
                        + "e.g. +0...0.1)");
            }
            advanceTo(Math.max(next, time.nanoTime() + 1), false);
        }
        heldBy = call.line;
    }

    /**
     * Waits until the system call thread has settled: its call returned, or it sleeps in the
     * socket layer with no wake-up sent to it. Then nothing but the next step moves it, and
     * what it sent is there to collect. Tasks it queued for the network thread run here, and
     * may wake it again.
     */
    private void settle() {
        if (time == null) {
            return;
        }
        while (true) {
            if (running != null) {
                long deadline = System.nanoTime() + SETTLE_LIMIT_NANOS;
                while (!running.result.isDone() && sockets.parkedCallers() == 0) {
                    if (System.nanoTime() - deadline > 0) {
                        current = running.line;
                        throw fail(running.syscall.name() + " neither returned nor slept in the socket layer within "
                                + TimeUnit.NANOSECONDS.toSeconds(SETTLE_LIMIT_NANOS) + " s of wall-clock time");
                    }
                    LockSupport.parkNanos(50_000);
                }
            }
            if (time.pendingTasks() == 0) {
                return;
            }
            time.runPending();
        }
    }

    /** Checks the running call if it has returned: its return time (start...end) and its result. */
    private void checkReturned() {
        if (running == null || !running.result.isDone()) {
            return;
        }
        Call done = running;
        running = null;
        Outcome outcome;
        try {
            outcome = done.result.get(0, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException | TimeoutException e) {
            throw new IllegalStateException(e);
        }
        Line saved = current;
        current = done.line;
        if (done.line.timing().returnAt() != null) {
            long expected = done.line.timing().returnAt().resolve(done.baseNanos);
            if (Math.abs(outcome.returnedNanos() - expected) > toleranceNanos) {
                throw fail("the call returned at " + seconds(outcome.returnedNanos()) + ", expected at "
                        + seconds(expected) + " ± " + toleranceDescription());
            }
        }
        check(done.syscall, outcome);
        current = saved;
    }

    private void check(Syscall call, Outcome outcome) {
        if (outcome.mismatch() != null) {
            throw fail(outcome.mismatch());
        }
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
        boolean opensDescriptor = call.name().equals("socket") || call.name().startsWith("accept");
        if (outcome.value() != expected.value()) {
            if (!opensDescriptor && !call.name().startsWith("epoll_create")) {
                throw fail(call.name() + " returned " + got + ", expected " + expected.value());
            }
            // As packetdrill: a new descriptor is the script's number from here on, whatever the live one is.
            scriptFds.put((int) (long) expected.value(), (int) outcome.value());
        }
        if (opensDescriptor && (!call.name().equals("socket") || infoFd == null)) {
            infoFd = (int) outcome.value();
        }
    }

    /**
     * The call as the socket API makes it, on the descriptor numbers the script names (the
     * socket layer numbers descriptors from 3, lowest free first, as Linux does).
     */
    private Attempt attempt(Syscall call) {
        List<Arg> a = call.args();
        switch (call.name()) {
            case "socket" -> {
                arity(call, 3);
                int type = (int) intArg(a.get(1), SocketConstants.SOCK_STREAM);
                int protocol = (int) intArg(a.get(2), 0);
                int family = ipVersion == IpVersion.IPV4 ? AF_INET : AF_INET6;
                return () -> Outcome.of(api.socket(family, type, protocol));
            }
            case "bind" -> {
                arity(call, 3);
                int fd = fdArg(a.get(0));
                localPort = LOCAL_PORT;
                return () -> {
                    api.bind(fd, ipVersion == IpVersion.IPV4 ? new InetSockAddr(InetSockAddr.INADDR_ANY, LOCAL_PORT)
                            : new Inet6SockAddr(0, 0, LOCAL_PORT));
                    return Outcome.of(0);
                };
            }
            case "listen" -> {
                arity(call, 2);
                int fd = fdArg(a.get(0));
                int backlog = (int) intArg(a.get(1), 128);
                return () -> {
                    api.listen(fd, backlog);
                    return Outcome.of(0);
                };
            }
            case "accept", "accept4" -> {
                int fd = fdArg(a.get(0));
                int flags = call.name().equals("accept4") && a.size() > 3 ? (int) intArg(a.get(3), 0) : 0;
                return () -> Outcome.of(api.accept(fd, flags).fd());
            }
            case "connect" -> {
                arity(call, 3);
                int fd = fdArg(a.get(0));
                remotePort = LOCAL_PORT;
                return () -> {
                    api.connect(fd, remoteAddress());
                    return Outcome.of(0);
                };
            }
            case "write", "send", "sendto" -> {
                // sendto's address (a connected stream's is ignored, as Linux ignores it) is not read.
                int fd = fdArg(a.get(0));
                int length = (int) intArg(a.get(2), 0);
                int flags = a.size() > 3 ? (int) intArg(a.get(3), 0) : 0;
                ByteBuffer data = buffer(a.get(1), length);
                return () -> Outcome.of(api.send(fd, data, flags));
            }
            case "read", "recv", "recvfrom" -> {
                int fd = fdArg(a.get(0));
                int length = (int) intArg(a.get(2), 0);
                int flags = a.size() > 3 ? (int) intArg(a.get(3), 0) : 0;
                ByteBuffer data = buffer(a.get(1), length);
                return () -> Outcome.of(call.name().equals("recvfrom") ? api.recvfrom(fd, data, flags).bytes()
                        : api.recv(fd, data, flags));
            }
            case "close" -> {
                arity(call, 1);
                int fd = fdArg(a.get(0));
                return () -> {
                    api.close(fd);
                    return Outcome.of(0);
                };
            }
            case "shutdown" -> {
                arity(call, 2);
                int fd = fdArg(a.get(0));
                int how = (int) intArg(a.get(1), 0);
                return () -> {
                    api.shutdown(fd, how);
                    return Outcome.of(0);
                };
            }
            case "fcntl" -> {
                int fd = fdArg(a.get(0));
                int cmd = (int) intArg(a.get(1), 0);
                if (cmd == F_GETFL) {
                    return () -> Outcome.of(O_RDWR | (api.isNonBlocking(fd) ? O_NONBLOCK : 0));
                }
                if (cmd == F_SETFL) {
                    int flags = (int) intArg(a.get(2), 0);
                    return () -> {
                        api.setNonBlocking(fd, (flags & O_NONBLOCK) != 0);
                        return Outcome.of(0);
                    };
                }
                throw fail("fcntl supports F_GETFL and F_SETFL only");
            }
            case "setsockopt" -> {
                arity(call, 5);
                int fd = fdArg(a.get(0));
                int level = (int) intArg(a.get(1), 0);
                int name = (int) intArg(a.get(2), 0);
                Arg value = a.get(3);
                long number = value instanceof Str ? 0 : optionValue(value);
                return () -> {
                    if (value instanceof Str s) {
                        api.setsockopt(fd, level, name, s.value());
                    } else {
                        api.setsockopt(fd, level, name, (int) number);
                    }
                    return Outcome.of(0);
                };
            }
            case "getsockopt" -> {
                arity(call, 5);
                int fd = fdArg(a.get(0));
                int level = (int) intArg(a.get(1), 0);
                int name = (int) intArg(a.get(2), 0);
                Arg value = a.get(3);
                Long wanted = value instanceof Str || value instanceof Ellipsis ? null : optionValue(value);
                return () -> {
                    if (value instanceof Str s) {
                        String got = api.getsockoptString(fd, level, name);
                        return got.equals(s.value()) ? Outcome.of(0)
                                : Outcome.mismatch("getsockopt gave \"" + got + "\", expected \"" + s.value() + "\"");
                    }
                    int got = api.getsockopt(fd, level, name);
                    // An int option is 32 bits, as packetdrill compares it: [0xffffffff] is -1.
                    return wanted == null || got == wanted.intValue() ? Outcome.of(0)
                            : Outcome.mismatch("getsockopt gave " + got + ", expected " + wanted);
                };
            }
            case "sendmsg", "recvmsg" -> {
                arity(call, 3);
                int fd = fdArg(a.get(0));
                if (!(a.get(1) instanceof Struct msg)) {
                    throw fail(call.name() + " takes a msghdr {msg_name(...)=..., msg_iov(n)=[...], msg_flags=0}");
                }
                Arg control = msg.fields().get("msg_control");
                boolean anyControl = control != null && !(control instanceof Ellipsis)
                        && !(control instanceof Array empty && empty.items().isEmpty());
                if (anyControl && call.name().equals("sendmsg")) {
                    throw fail("sendmsg with control messages (msg_control): the socket API sends none");
                }
                // Without msg_control (or with ...), the control messages are not checked.
                List<long[]> wantControl = control != null && !(control instanceof Ellipsis) ? controlMessages(control) : null;
                int length = iovLength(msg.fields().get("msg_iov"));
                int flags = (int) intArg(a.get(2), 0);
                if (call.name().equals("sendmsg")) {
                    return () -> Outcome.of(api.send(fd, ByteBuffer.allocate(length), flags));
                }
                Arg wantFlags = msg.fields().get("msg_flags");
                return () -> {
                    MsgHeader header = new MsgHeader();
                    long got = api.sysRecv(fd, ByteBuffer.allocate(length), flags, header);
                    if (got < 0) {
                        throw new ErrnoException(Errno.ofResult(got), call.name());
                    }
                    if (wantFlags != null && !(wantFlags instanceof Ellipsis) && header.flags != intArg(wantFlags, 0)) {
                        return Outcome.mismatch("recvmsg gave msg_flags " + header.flags + ", expected " + wantFlags);
                    }
                    String controlMismatch = wantControl == null ? null : controlMismatch(header, wantControl);
                    return controlMismatch != null ? Outcome.mismatch(controlMismatch) : Outcome.of(got);
                };
            }
            case "ioctl" -> {
                // ioctl(fd, SIOCINQ, [N]) = 0: the count written through the pointer is checked
                // against N; ioctl(fd, FIONBIO, [1]) passes the value in.
                // ioctl(fd, REQUEST) = -1 E...: packetdrill's two-argument form, no value checked.
                if (a.size() != 2) {
                    arity(call, 3);
                }
                int fd = fdArg(a.get(0));
                int request = (int) intArg(a.get(1), 0);
                Arg value = a.size() == 3 ? a.get(2) : new Ellipsis();
                boolean passesValue = request == SocketConstants.FIONBIO;
                Long wanted = value instanceof Ellipsis || passesValue ? null : optionValue(value);
                int in = passesValue ? (int) optionValue(value) : 0;
                return () -> {
                    int got = api.ioctl(fd, request, in);
                    return wanted == null || got == wanted ? Outcome.of(0)
                            : Outcome.mismatch("ioctl(" + SocketConstants.ioctlName(request) + ") gave " + got
                                    + ", expected " + wanted);
                };
            }
            case "epoll_create", "epoll_create1" -> {
                arity(call, 1);
                return () -> Outcome.of(api.epollCreate());
            }
            case "epoll_ctl" -> {
                arity(call, 4);
                int epfd = fdArg(a.get(0));
                int op = (int) intArg(a.get(1), 0);
                int fd = fdArg(a.get(2));
                Struct event = a.get(3) instanceof Struct st ? st : new Struct(Map.of());
                int events = (int) intArg(event.fields().getOrDefault("events", new Num(0)), 0);
                long data = epollData(event);
                return () -> {
                    api.epollCtl(epfd, op, fd, events, data);
                    return Outcome.of(0);
                };
            }
            case "epoll_wait" -> {
                arity(call, 4);
                int epfd = fdArg(a.get(0));
                int max = (int) intArg(a.get(2), 1);
                int timeout = (int) intArg(a.get(3), 0);
                Struct want = a.get(1) instanceof Struct st ? st : null;
                return () -> {
                    EpollEvent[] ready = new EpollEvent[Math.max(max, 1)];
                    int n = api.epollWait(epfd, ready, timeout);
                    if (n > 0 && want != null) {
                        int events = (int) intArg(want.fields().getOrDefault("events", new Num(0)), 0);
                        long data = epollData(want);
                        if (ready[0].events() != events || ready[0].data() != data) {
                            return Outcome.mismatch("epoll_wait gave " + ready[0] + ", expected "
                                    + new EpollEvent(events, data));
                        }
                    }
                    return Outcome.of(n);
                };
            }
            case "poll" -> {
                arity(call, 3);
                if (!(a.get(0) instanceof Array fds) || fds.items().size() != 1 || !(fds.items().get(0) instanceof Struct pfd)) {
                    throw fail("poll takes one {fd=N, events=..., revents=...} in [ ]: the socket API polls one descriptor");
                }
                int fd = fdArg(pfd.fields().getOrDefault("fd", new Ellipsis()));
                int events = (int) intArg(pfd.fields().getOrDefault("events", new Num(0)), 0);
                Arg revents = pfd.fields().get("revents");
                int timeout = (int) intArg(a.get(2), 0);
                return () -> {
                    int got = api.poll(fd, events, timeout);
                    if (revents != null && !(revents instanceof Ellipsis) && got != intArg(revents, 0)) {
                        return Outcome.mismatch("poll gave revents " + SocketConstants.pollMaskToString(got)
                                + ", expected " + SocketConstants.pollMaskToString((int) intArg(revents, 0)));
                    }
                    return Outcome.of(got != 0 ? 1 : 0);
                };
            }
            default -> throw fail("unsupported system call " + call.name() + " (supported: socket, bind, listen, accept, "
                    + "connect, write, send, sendto, read, recv, recvfrom, sendmsg, recvmsg, close, shutdown, fcntl, ioctl, setsockopt, getsockopt, "
                    + "poll, epoll_create, epoll_ctl, epoll_wait)");
        }
    }

    /**
     * The buffer a call passes: {@code length} bytes (zeros), or none for {@code NULL}, which the
     * socket API answers with EFAULT as the kernel answers a bad pointer.
     */
    private ByteBuffer buffer(Arg arg, int length) {
        if (arg instanceof Sym s && s.names().equals(List.of("NULL"))) {
            return null;
        }
        return ByteBuffer.allocate(length);
    }

    /** The bytes of a msghdr's {@code msg_iov}: each iovec's {@code iov_len} (or its second value, {@code {..., N}}). */
    private int iovLength(Arg iov) {
        if (!(iov instanceof Array vectors)) {
            throw fail("msg_iov(n)=[{..., len}, ...] expected, not " + iov);
        }
        int total = 0;
        for (Arg vector : vectors.items()) {
            if (!(vector instanceof Struct v)) {
                throw fail("an iovec {iov_base=..., iov_len=N} or {..., N} expected, not " + vector);
            }
            Arg len = v.fields().getOrDefault("iov_len", v.fields().get("#1"));
            total += (int) intArg(len == null ? new Num(0) : len, 0);
        }
        return total;
    }

    /**
     * A msghdr's {@code msg_control=[{cmsg_level=L, cmsg_type=T, cmsg_data=V}, ...]}: each as
     * {level, type, value}.
     */
    private List<long[]> controlMessages(Arg control) {
        if (!(control instanceof Array messages)) {
            throw fail("msg_control=[{cmsg_level=..., cmsg_type=..., cmsg_data=...}] expected, not " + control);
        }
        List<long[]> out = new ArrayList<>();
        for (Arg m : messages.items()) {
            if (!(m instanceof Struct c) || !c.fields().containsKey("cmsg_level") || !c.fields().containsKey("cmsg_type")
                    || !c.fields().containsKey("cmsg_data")) {
                throw fail("a control message {cmsg_level=..., cmsg_type=..., cmsg_data=...} expected, not " + m);
            }
            out.add(new long[] {intArg(c.fields().get("cmsg_level"), 0), intArg(c.fields().get("cmsg_type"), 0),
                    optionValue(c.fields().get("cmsg_data"))});
        }
        return out;
    }

    /** What differs between the control messages a receive gave and those the script expects, or null. */
    private static String controlMismatch(MsgHeader header, List<long[]> want) {
        List<long[]> got = new ArrayList<>();
        for (int i = 0; i < header.controlCount(); i++) {
            got.add(new long[] {header.controlLevel(i), header.controlType(i), header.controlValue(i)});
        }
        boolean same = got.size() == want.size();
        for (int i = 0; same && i < got.size(); i++) {
            same = java.util.Arrays.equals(got.get(i), want.get(i));
        }
        return same ? null : "recvmsg gave control messages " + describeControl(got) + ", expected " + describeControl(want);
    }

    /** Control messages as {level, type, value} triples, in the failure's notation. */
    private static String describeControl(List<long[]> messages) {
        java.util.StringJoiner joined = new java.util.StringJoiner(", ", "[", "]");
        for (long[] m : messages) {
            joined.add("{level " + m[0] + ", type " + m[1] + ", data " + m[2] + "}");
        }
        return joined.toString();
    }

    /** An epoll event's user data: packetdrill's {@code fd=N}, {@code ptr=N} or {@code u64=N}. */
    private long epollData(Struct event) {
        for (String field : new String[] {"fd", "ptr", "u32", "u64"}) {
            Arg value = event.fields().get(field);
            if (value != null) {
                return intArg(value, 0);
            }
        }
        return 0;
    }

    private int fdArg(Arg arg) {
        if (arg instanceof Num n) {
            return scriptFds.getOrDefault((int) n.value(), (int) n.value());
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

    /**
     * An option's value: {@code [1]}, {@code 1}, or packetdrill's {@code {onoff=1, linger=0}}
     * ({@code l_onoff}/{@code l_linger} also read) for SO_LINGER: seconds, -1 off.
     */
    private long optionValue(Arg value) {
        if (value instanceof Array array && array.items().size() == 1) {
            return intArg(array.items().get(0), 0);
        }
        if (value instanceof Struct s) {
            Arg onoff = s.fields().getOrDefault("onoff", s.fields().get("l_onoff"));
            Arg linger = s.fields().getOrDefault("linger", s.fields().getOrDefault("l_linger", new Num(0)));
            if (onoff != null) {
                return intArg(onoff, 0) != 0 ? intArg(linger, 0) : -1;
            }
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
        // poll(2)'s bits are epoll's (Linux: POLLIN == EPOLLIN ...).
        for (String bit : new String[] {"IN", "PRI", "OUT", "ERR", "HUP", "RDHUP"}) {
            map.put("POLL" + bit, map.get("EPOLL" + bit));
        }
        return map;
    }

    // ==== %{ }% and shell =======================================================================

    private void code(Code code) {
        if (infoFd == null) {
            throw fail("no socket to read TCP_INFO from yet");
        }
        TcpInfo info;
        try {
            info = api.getsockopt(infoFd, SOL_TCP, TCP_INFO, TcpInfo.class);
        } catch (ErrnoException e) {
            throw fail("getsockopt(TCP_INFO) failed: " + e.getMessage());
        }
        String failed;
        try {
            Map<String, Double> vars = InfoExpression.variables(info);
            vars.putAll(codeVariables);
            List<String> printed = new ArrayList<>();
            failed = InfoExpression.run(code.source(), vars, printed);
            // A name the block assigned lives on for the blocks after it, as in packetdrill's one
            // Python program; the tcpi_* values are read afresh each time.
            vars.forEach((name, value) -> {
                if (!name.startsWith("tcpi_") && !InfoExpression.isConstant(name)) {
                    codeVariables.put(name, value);
                }
            });
            printed.forEach(line -> System.out.println(script.name() + ":" + current.number() + ": " + line));
        } catch (IllegalArgumentException e) {
            throw fail("cannot evaluate %{ " + code.source() + " }%: " + e.getMessage());
        }
        if (failed != null) {
            throw fail(failed);
        }
    }

    /**
     * {@code `sysctl -q net.ipv4.tcp_...=N`} (several {@code name=value} pairs, or several
     * commands joined by {@code ;}) before the stack starts: each sysctl becomes the Config Admin
     * property that stands for it ({@link SysctlSettings}), so the script runs in the
     * environment it states; {@code echo N > /sys/module/tcp_cubic/parameters/NAME} sets CUBIC's
     * option of that name ({@link CubicModuleParameters}). A sysctl or parameter Tern has no
     * setting for, and any other command, fails the script by name.
     */
    private void shell(Shell shell) {
        if (peer != null) {
            throw fail("sysctl settings must come before the first event that uses the stack");
        }
        for (String command : shell.command().split(";")) {
            List<String> words = shellWords(command);
            if (words.isEmpty()) {
                continue;
            }
            if (words.size() == 4 && words.get(0).equals("echo") && words.get(2).equals(">")
                    && words.get(3).startsWith(CubicModuleParameters.PREFIX)) {
                try {
                    cubicParameters.set(words.get(3).substring(CubicModuleParameters.PREFIX.length()), words.get(1));
                } catch (IllegalArgumentException e) {
                    throw fail(command.strip() + ": " + e.getMessage());
                }
                continue;
            }
            if (isSegmentationOffloadToggle(words)) {
                // Linux's TCP builds GSO packets whatever the device offers (GSO always on since
                // 4.19) and segments them in software for a device without TSO/GSO: the wire
                // carries the same segments and PSH bits, which is what TcpTso models.
                continue;
            }
            if (words.size() < 2 || !words.get(0).equals("sysctl")) {
                throw fail("unsupported shell command (only `sysctl -q name=value`, `echo N > "
                        + CubicModuleParameters.PREFIX + "NAME` and `ethtool -K tun0 tso|gso on|off`): "
                        + command.strip());
            }
            for (String word : words.subList(1, words.size())) {
                if (word.startsWith("-")) {
                    continue;
                }
                String[] kv = word.split("=", 2);
                if (kv.length != 2) {
                    throw fail("sysctl name=value expected, got " + word);
                }
                try {
                    sysctls.set(kv[0], kv[1]);
                } catch (IllegalArgumentException e) {
                    throw fail("sysctl " + word + ": " + e.getMessage());
                }
            }
        }
        settings = sysctls.settings();
        if (!settings.congestionControl().equals(Reno.NAME) && !settings.congestionControl().equals(Cubic.NAME)) {
            throw fail("tcp_congestion_control=" + settings.congestionControl() + ": the test stack has reno and cubic"
                    + " only");
        }
    }

    /** Whether every command of the line is a {@code tc qdisc} command ({@link #qdisc}). */
    static boolean isQdiscCommand(Shell shell) {
        boolean any = false;
        for (String command : shell.command().split(";")) {
            List<String> words = shellWords(command);
            if (words.isEmpty()) {
                continue;
            }
            if (words.size() < 2 || !words.get(0).equals("tc") || !words.get(1).equals("qdisc")) {
                return false;
            }
            any = true;
        }
        return any;
    }

    /**
     * {@code tc qdisc add|replace|change dev tun0 root pfifo limit N} or {@code ... root netem
     * WORDS}, and {@code tc qdisc del|delete dev tun0 root}, at the line's time: the root qdisc of
     * the device the script's segments cross, which is the link's impairment in Tern. A
     * {@code pfifo} is taken as its limit: with nothing waiting in Tern's queue (its device is
     * never busy), a FIFO of N packets drops only when N is 0, and then every packet, which
     * the sender is told ({@code NET_XMIT_DROP}): how the corpus makes the local host unable to
     * send. Redirections ({@code 2>/dev/null}) are ignored.
     */
    private void qdisc(Shell shell) {
        Link link = peer.host().link("tun0");
        for (String command : shell.command().split(";")) {
            List<String> words = new ArrayList<>(shellWords(command));
            words.removeIf(w -> w.matches("\\d?>.*"));
            if (words.isEmpty()) {
                continue;
            }
            if (words.size() < 6 || !words.get(3).equals("dev") || !words.get(4).equals("tun0")
                    || !words.get(5).equals("root")) {
                throw fail("unsupported tc command (only `tc qdisc add|replace|change|del dev tun0 root ...`): "
                        + command.strip());
            }
            String verb = words.get(2);
            List<String> kind = words.subList(6, words.size());
            Impairment impairment;
            try {
                if (verb.equals("del") || verb.equals("delete")) {
                    impairment = Impairment.NONE;
                } else if (!List.of("add", "replace", "change").contains(verb)) {
                    throw fail("tc qdisc " + verb + ": only add, replace, change and del");
                } else if (kind.size() == 3 && kind.get(0).equals("pfifo") && kind.get(1).equals("limit")) {
                    impairment = Impairment.parse(List.of("limit", kind.get(2)));
                } else if (!kind.isEmpty() && kind.get(0).equals("netem")) {
                    impairment = Impairment.parse(kind.subList(1, kind.size()));
                } else {
                    throw fail("tc qdisc " + verb + ": only `pfifo limit N` and `netem ...`, not " + kind);
                }
                link.setImpairment(impairment);
            } catch (IllegalArgumentException | ErrnoException e) {
                throw fail(command.strip() + ": " + e.getMessage());
            }
        }
    }

    /** {@code ethtool -K tun0 tso off gso off} and the like: the tun device's segmentation offloads on or off. */
    static boolean isSegmentationOffloadToggle(List<String> words) {
        if (words.size() < 5 || words.size() % 2 == 0 || !words.get(0).equals("ethtool") || !words.get(1).equals("-K")
                || !words.get(2).equals("tun0")) {
            return false;
        }
        for (int i = 3; i < words.size(); i += 2) {
            if (!(words.get(i).equals("tso") || words.get(i).equals("gso"))
                    || !(words.get(i + 1).equals("on") || words.get(i + 1).equals("off"))) {
                return false;
            }
        }
        return true;
    }

    /** A command's words as the shell splits them: blanks separate, quotes group and are removed. */
    static List<String> shellWords(String command) {
        List<String> words = new ArrayList<>();
        StringBuilder word = null;
        char quote = 0;
        for (char ch : command.toCharArray()) {
            if (quote != 0) {
                if (ch == quote) {
                    quote = 0;
                } else {
                    word.append(ch);
                }
            } else if (ch == '"' || ch == '\'') {
                quote = ch;
                word = word == null ? new StringBuilder() : word;
            } else if (Character.isWhitespace(ch)) {
                if (word != null) {
                    words.add(word.toString());
                    word = null;
                }
            } else {
                word = word == null ? new StringBuilder() : word;
                word.append(ch);
            }
        }
        if (word != null) {
            words.add(word.toString());
        }
        return words;
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
