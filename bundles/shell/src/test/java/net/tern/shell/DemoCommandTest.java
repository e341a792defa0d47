package net.tern.shell;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import net.tern.core.testing.PacketLeakCheck;
import net.tern.inet.impl.route.Fib;
import net.tern.netlink.testing.NetlinkWiring;
import net.tern.spi.trace.TraceBuffer;
import net.tern.spi.trace.TraceEvent;
import net.tern.spi.trace.Tracepoints;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code net:demo handshake} over a whole stack in virtual time: the demo blocks in socket
 * calls on its own thread while this thread lets the stack's time run, as the network
 * thread would.
 */
@ExtendWith(PacketLeakCheck.class)
class DemoCommandTest {
    /** Real time the demo may take on a busy machine; it needs well under a second idle. */
    private static final long WALL_BOUND_SECONDS = 120;
    /** Stack time the demo may take: its client's TIME-WAIT is 500 ms, the rest a few milliseconds. */
    private static final long VIRTUAL_BOUND_SECONDS = 20;
    private final TcpUdpBed stack;
    private final ExecutorService shell = Executors.newSingleThreadExecutor();

    DemoCommandTest() throws Exception {
        stack = new TcpUdpBed();
    }

    @AfterEach
    void close() {
        shell.shutdownNow();
        stack.close();
    }

    @Test
    void printsBothSidesOfTheHandshakeTheCloseAndTheEndOfTimeWaitInOrder() throws Exception {
        DemoCommand demo = new DemoCommand(stack.api());
        AtomicReference<Thread> demoThread = new AtomicReference<>();
        Future<String> run = shell.submit(() -> {
            demoThread.set(Thread.currentThread());
            return demo.demo("handshake");
        });
        driveTimeUntilDone(run, demoThread);
        String report = run.get(WALL_BOUND_SECONDS, TimeUnit.SECONDS);
        List<String> lines = report.lines().toList();

        java.util.regex.Matcher head = java.util.regex.Pattern.compile("TCP over lo: server (127\\.0\\.0\\.1:\\d+), "
                + "client (127\\.0\\.0\\.1:\\d+) \\(TIME-WAIT 500 ms by TCP_TERN_TIMEWAIT_MSECS\\)").matcher(lines.get(0));
        assertThat(head.matches()).as(lines.get(0)).isTrue();
        assertThat(lines.get(lines.size() - 2)).matches("\\d+ events");
        // The trace ring kept the connection for the status page's live view, which the last line names.
        assertThat(lines).last().isEqualTo("watch it on the status page: /conn.html?a=" + head.group(2) + "&b="
                + head.group(1));
        // Each side in its own order; between the sides only what one causes in the other, since
        // the demo's thread and the network thread interleave as they will.
        assertInOrder(lines,
                w("server", "__sys_bind", "127.0.0.1:0"),
                w("server", "__sys_listen"),
                w("server", "tcp_set_state", "CLOSE -> LISTEN"),
                w("server", "tcp_conn_request", "[S]"),
                w("server", "tcp_check_req", "[.]"),
                w("server", "tcp_set_state", "CLOSE -> SYN_RECV", "[.]"),
                w("server", "tcp_set_state", "SYN_RECV -> ESTABLISHED", "[.]"),
                w("server", "inet_csk_accept"),
                w("server", "tcp_fin", "[F.]"),
                w("server", "tcp_set_state", "ESTABLISHED -> CLOSE_WAIT", "[F.]"),
                w("server", "tcp_close"),
                w("server", "tcp_set_state", "CLOSE_WAIT -> LAST_ACK"),
                w("server", "tcp_send_fin"),
                w("server", "tcp_set_state", "LAST_ACK -> CLOSE", "[.]"));
        assertInOrder(lines,
                w("client", "__sys_connect"),
                w("client", "inet_stream_connect"),
                w("client", "tcp_v4_connect"),
                w("client", "tcp_set_state", "CLOSE -> SYN_SENT"),
                w("client", "tcp_set_state", "SYN_SENT -> ESTABLISHED", "[S.]"),
                w("client", "tcp_close"),
                w("client", "tcp_set_state", "ESTABLISHED -> FIN_WAIT1"),
                w("client", "tcp_send_fin"),
                // The server owes the ACK of this FIN (tcp_fin's delayed ACK): its own FIN carries
                // it when the server closes first ([F.]), else the ACK goes alone ([.]).
                w("client", "tcp_set_state", "FIN_WAIT1 -> FIN_WAIT2"),
                w("client", "tcp_fin", "[F.]"),
                w("client", "tcp_time_wait", "FIN_WAIT2 -> TIME_WAIT"),
                w("client", "inet_twsk_kill", "TIME_WAIT -> CLOSE"));
        assertInOrder(lines,
                w("client", "tcp_set_state", "CLOSE -> SYN_SENT"),
                w("server", "tcp_conn_request", "[S]"),
                w("client", "tcp_set_state", "SYN_SENT -> ESTABLISHED", "[S.]"),
                w("server", "tcp_check_req", "[.]"),
                w("server", "tcp_fin", "[F.]"),
                w("client", "tcp_fin", "[F.]"),
                w("server", "tcp_set_state", "LAST_ACK -> CLOSE", "[.]"),
                w("client", "inet_twsk_kill", "TIME_WAIT -> CLOSE"));
        assertThat(Tracepoints.enabled()).as("the demo stopped listening").isFalse();
    }

    /**
     * Moves the stack's time, a millisecond a step, while the demo runs, and only when the
     * demo waits for it: asleep in a socket call with no wake-up sent to it
     * ({@code parkedCallers}), or waiting for its client's TIME-WAIT to end. While the demo's
     * thread has work to do (running, or woken and not yet back), time stands still, so that a
     * slow thread on a busy machine cannot see timers fire early (a FIN-WAIT-2 timeout, a
     * call's SO_RCVTIMEO) that it would never see on time. A demo that sleeps outside a socket
     * call may just have been woken; there each step also waits a millisecond of real time.
     */
    private void driveTimeUntilDone(Future<String> run, AtomicReference<Thread> demoThread)
            throws InterruptedException {
        long wallDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WALL_BOUND_SECONDS);
        while (!run.isDone()) {
            assertThat(System.nanoTime() - wallDeadline).as("the demo ran for %d s of real time without ending; %s",
                    WALL_BOUND_SECONDS, stack.bed.stack().time()).isNegative();
            assertThat(stack.bed.stack().clock().nanoTime()).as("the demo ends within %d s of the stack's time",
                    VIRTUAL_BOUND_SECONDS).isLessThan(TimeUnit.SECONDS.toNanos(VIRTUAL_BOUND_SECONDS));
            stack.bed.stack().time().runPending(); // what the demo's calls queued for the network thread
            Thread thread = demoThread.get();
            Thread.State state = thread == null ? Thread.State.NEW : thread.getState();
            if (stack.bed.socketLayer().parkedCallers() > 0) {
                stack.bed.advance(1, TimeUnit.MILLISECONDS);
            } else if (state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING) {
                stack.bed.advance(1, TimeUnit.MILLISECONDS);
                Thread.sleep(1);
            } else {
                LockSupport.parkNanos(50_000);
            }
        }
    }

    private static String[] w(String... words) {
        return words;
    }

    /**
     * Each expected line, in this order (others may come between): one that starts with its
     * side and has its function and the other words.
     */
    private static void assertInOrder(List<String> lines, String[]... expected) {
        int at = 0;
        for (String[] words : expected) {
            int found = -1;
            for (int i = at; i < lines.size() && found < 0; i++) {
                String line = lines.get(i);
                boolean all = line.startsWith(words[0] + " ") && line.contains(" " + words[1] + " ");
                for (int k = 2; k < words.length && all; k++) {
                    all = line.contains(words[k]);
                }
                if (all) {
                    found = i;
                }
            }
            assertThat(found).as("a line with %s after line %d of:%n%s", Arrays.toString(words), at,
                    String.join("\n", lines)).isNotNegative();
            at = found + 1;
        }
    }

    @Test
    void onlyTheThreeScenariosAreDemos() {
        DemoCommand demo = new DemoCommand(stack.api());
        assertThatThrownBy(() -> demo.demo()).hasMessage(DemoCommand.USAGE);
        assertThatThrownBy(() -> demo.demo("bogus")).hasMessage(DemoCommand.USAGE);
        assertThat(DemoCommand.USAGE).isEqualTo("Usage: net:demo handshake | slowstart | loss");
    }

    @Test
    void lossSendsAMebibyteOverAnImpairedLoAndLeavesTheConnectionInTheTraceBuffer() throws Exception {
        NetlinkWiring.attach(stack.bed.socketLayer(), stack.bed.stack(), new Fib()); // net:impair's netlink
        DemoCommand demo = new DemoCommand(stack.api());
        long before = TraceBuffer.next();
        AtomicReference<Thread> demoThread = new AtomicReference<>();
        Future<String> run = shell.submit(() -> {
            demoThread.set(Thread.currentThread());
            return demo.demo("loss");
        });
        driveTimeUntilDone(run, demoThread);
        List<String> lines = run.get(WALL_BOUND_SECONDS, TimeUnit.SECONDS).lines().toList();

        java.util.regex.Matcher head = java.util.regex.Pattern.compile("TCP over lo with netem 'loss 2% delay 10ms "
                + "seed 7': (127\\.0\\.0\\.1:\\d+) -> (127\\.0\\.0\\.1:\\d+), 1048576 bytes in [0-9.]+ s")
                .matcher(lines.get(0));
        assertThat(head.matches()).as(lines.get(0)).isTrue();
        java.util.regex.Matcher sent = java.util.regex.Pattern.compile(
                "client sent (\\d+) segments \\((\\d+) with data, (\\d+) sent again\\), server (\\d+)")
                .matcher(lines.get(1));
        assertThat(sent.matches()).as(lines.get(1)).isTrue();
        long withData = Long.parseLong(sent.group(2));
        long again = Long.parseLong(sent.group(3));
        assertThat(withData - again).as("segments of at most 1448 bytes").isGreaterThanOrEqualTo((1048576 + 1447) / 1448);
        assertThat(again).as("2% loss costs retransmissions").isPositive();
        assertThat(lines.get(2)).matches("client's cwnd: 10 segments at first, \\d+ at most; [1-9]\\d* fast recoveries, .*");
        assertThat(lines.get(3)).isEqualTo("watch it on the status page: /conn.html?a=" + head.group(1) + "&b="
                + head.group(2));

        // The trace buffer keeps the connection for the live view: its segments and its probes.
        TraceEvent[] kept = new TraceEvent[TraceBuffer.CAPACITY];
        TraceBuffer.Batch batch = TraceBuffer.read(before, kept);
        long transmitted = 0;
        long bytes = 0;
        long probes = 0;
        for (int i = 0; i < batch.count(); i++) {
            TraceEvent e = kept[i];
            if (e.local() != null && e.local().toString().equals(head.group(1))) {
                boolean data = e.segment() != null && e.segment().length() > 0;
                transmitted += e.function().equals("tcp_transmit_skb") && data ? 1 : 0;
                bytes += e.function().equals("tcp_transmit_skb") && data ? e.segment().length() : 0;
                bytes -= e.function().equals("tcp_retransmit_skb") ? e.segment().length() : 0;
                probes += e.function().equals("tcp_probe") ? 1 : 0;
            }
        }
        assertThat(transmitted).isEqualTo(withData);
        assertThat(bytes).as("every byte once, besides the retransmissions").isEqualTo(1048576);
        assertThat(probes).isPositive();
        assertThat(TraceBuffer.recording()).isFalse();
        assertThat(Tracepoints.enabled()).as("the demo stopped listening").isFalse();
    }
}
