package net.tern.shell;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import net.tern.core.testing.PacketLeakCheck;
import net.tern.udp.testing.UdpTestBed;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code net:ping} as the shell calls it: the command blocks its thread until the run ends,
 * while this test's thread drives the stack's virtual time. Every wait is bounded.
 */
@ExtendWith(PacketLeakCheck.class)
class PingCommandBlockingTest {
    private static final long WAIT_SECONDS = 60;

    private UdpTestBed bed;
    private EchoPeer silent;
    private final ExecutorService shell = Executors.newSingleThreadExecutor();
    private PingCommand ping;

    @BeforeEach
    void start() throws Exception {
        bed = new UdpTestBed();
        silent = new EchoPeer(bed, bed.fake("eth0", 1500, "10.0.0.1/24"), sequence -> java.util.List.of());
        ping = new PingCommand(bed.api());
    }

    @AfterEach
    void stop() throws InterruptedException {
        shell.shutdownNow();
        assertThat(shell.awaitTermination(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
        bed.close();
    }

    /** Waits, for at most {@link #WAIT_SECONDS} of real time, until the command's thread has done its part. */
    private static void awaitCondition(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.onSpinWait();
        }
    }

    /** Waits until the command has opened its socket, sent its first request and gone to sleep. */
    private void awaitRunStarted() {
        awaitCondition("the first request to be sent",
                () -> bed.inet().icmp().pingSockets() == 1 && bed.socketLayer().parkedCallers() == 1);
    }

    @Test
    void theCommandReturnsTheReportOnceTheRunEnds() throws Exception {
        Future<String> report = shell.submit(() -> ping.ping("-c", "2", "127.0.0.1"));
        awaitRunStarted();

        silent.drive(report::isDone, TimeUnit.SECONDS.toNanos(2));

        assertThat(report.get(WAIT_SECONDS, TimeUnit.SECONDS)).startsWith("PING 127.0.0.1")
                .endsWith(String.join("\n",
                        "2 packets transmitted, 2 received, 0% packet loss, time 1000ms",
                        "rtt min/avg/max/mdev = 0.000/0.000/0.000/0.000 ms"));
    }

    @Test
    void noReplyThrowsTheReportAsPingExitsOne() throws Exception {
        Future<String> report = shell.submit(() -> ping.ping("-c", "1", "-W", "1", "10.0.0.2"));
        awaitRunStarted();

        silent.drive(report::isDone, TimeUnit.SECONDS.toNanos(2));

        assertThatThrownBy(() -> report.get(WAIT_SECONDS, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).cause()
                .isInstanceOf(CommandFailedException.class)
                .hasMessage(String.join("\n",
                        "PING 10.0.0.2 (10.0.0.2) 56(84) bytes of data.",
                        "",
                        "--- 10.0.0.2 ping statistics ---",
                        "1 packets transmitted, 0 received, 100% packet loss, time 0ms"));
    }

    @Test
    void anInterruptedCommandEndsTheRunWithTheStatisticsSoFarAndKeepsTheInterrupt() throws Exception {
        CompletableFuture<String> report = new CompletableFuture<>();
        Thread command = new Thread(() -> {
            try {
                String text = ping.ping("-c", "5", "127.0.0.1");
                report.complete(text + "\ninterrupted=" + Thread.currentThread().isInterrupted());
            } catch (RuntimeException e) {
                report.completeExceptionally(e);
            }
        }, "net:ping");
        command.start();
        awaitRunStarted();
        silent.drive(() -> bed.icmp("InEchoReps") == 1 && bed.socketLayer().parkedCallers() == 1, 0);
        // the first request went out and came back at once through lo; the command sleeps until the next

        command.interrupt(); // as Ctrl-C does in the shell: its ppoll ends with EINTR

        assertThat(report.get(WAIT_SECONDS, TimeUnit.SECONDS).lines()).containsExactly(
                "PING 127.0.0.1 (127.0.0.1) 56(84) bytes of data.",
                "64 bytes from 127.0.0.1: icmp_seq=1 ttl=64 time=0.000 ms",
                "",
                "--- 127.0.0.1 ping statistics ---",
                "1 packets transmitted, 1 received, 0% packet loss, time 0ms",
                "rtt min/avg/max/mdev = 0.000/0.000/0.000/0.000 ms",
                "interrupted=true");
        command.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
        assertThat(bed.inet().icmp().pingSockets()).isZero();
        assertThat(bed.stack().time().pendingTimers()).as("the command's wait was called off").isZero();
    }
}
