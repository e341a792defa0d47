package net.tern.shell;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import net.tern.core.testing.PacketLeakCheck;
import net.tern.spi.trace.Tracepoints;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code net:trace}: events streamed as they fire, filtered, bounded by count or stack time. */
@ExtendWith(PacketLeakCheck.class)
class TraceCommandTest {
    private final TcpUdpBed stack;
    private final TraceCommand command;
    private final ExecutorService shell = Executors.newSingleThreadExecutor();
    private final ByteArrayOutputStream printed = new ByteArrayOutputStream();

    TraceCommandTest() throws Exception {
        stack = new TcpUdpBed();
        command = new TraceCommand(stack.api());
    }

    @AfterEach
    void close() {
        shell.shutdownNow();
        stack.close();
    }

    /** Starts the command on the "shell" thread and waits (bounded) until its listener is in. */
    private Future<String> start(String... args) throws Exception {
        PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);
        Future<String> run = shell.submit(() -> command.run(TraceOptions.parse(args), out));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60); // generous, for a busy machine
        while (!Tracepoints.enabled() && System.nanoTime() - deadline < 0) {
            Thread.sleep(1);
        }
        assertThat(Tracepoints.enabled()).as("the trace listens").isTrue();
        return run;
    }

    private List<String> lines() {
        return printed.toString(StandardCharsets.UTF_8).lines().toList();
    }

    @Test
    void streamsTheHandshakeOfOnePortUntilTheCountThenStopsListening() throws Exception {
        int listener = stack.listen(7);
        Future<String> run = start("port", "7", "-c", "6");
        int client = stack.connect(7);
        stack.bed.runUntilIdle();

        assertThat(run.get(30, TimeUnit.SECONDS)).isEqualTo("6 events traced");
        assertThat(Tracepoints.enabled()).isFalse();
        List<String> lines = lines();
        assertThat(lines).hasSize(6);
        assertThat(lines.get(0)).matches("  0\\.000000 __sys_connect fd=\\d+ 127\\.0\\.0\\.1:7");
        assertThat(lines.get(1)).matches("  0\\.000000 inet_stream_connect fd=\\d+ 127\\.0\\.0\\.1:7");
        assertThat(lines.get(2)).startsWith("  0.000000 tcp_v4_connect fd=");
        assertThat(lines.get(3)).matches(
                "  0\\.000000 tcp_set_state fd=\\d+ 127\\.0\\.0\\.1:\\d+ > 127\\.0\\.0\\.1:7 CLOSE -> SYN_SENT");
        assertThat(lines.get(4)).matches(
                "  0\\.000000 tcp_conn_request fd=\\d+ 127\\.0\\.0\\.1:7 \\[S\\] seq \\d+ len 0");
        assertThat(lines.get(5)).contains("tcp_rcv_state_process", "[S.] seq ", "in SYN_SENT").doesNotContain(" -> ");
        stack.api().close(client);
        stack.api().close(listener);
    }

    @Test
    void anFdFilterKeepsOneSocketsEventsAndTheTimeLimitRunsOnTheStackClock() throws Exception {
        int listener = stack.listen(7);
        int client = stack.connect(7);
        stack.bed.runUntilIdle();
        Future<String> run = start("fd", Integer.toString(client), "-t", "0.5");
        stack.api().send(client, ByteBuffer.wrap(new byte[10]), 0);
        stack.api().close(client);
        stack.bed.runUntilIdle();
        stack.bed.advance(1, TimeUnit.SECONDS);

        assertThat(run.get(30, TimeUnit.SECONDS)).matches("\\d+ events traced");
        assertThat(lines()).isNotEmpty().allSatisfy(line -> assertThat(line).contains(" fd=" + client));
        assertThat(lines()).anySatisfy(line -> assertThat(line).contains("__sys_close"));
        stack.api().close(listener);
    }

    @Test
    void aFunctionGlobShowsTheSegmentsSentWithTheirWindows() throws Exception {
        int listener = stack.listen(7);
        Future<String> run = start("func", "tcp_transmit_*", "func", "tcp_v4_send_syn*", "port", "7", "-c", "3");
        int client = stack.connect(7);
        stack.bed.runUntilIdle();

        assertThat(run.get(30, TimeUnit.SECONDS)).isEqualTo("3 events traced");
        assertThat(lines()).hasSize(3);
        assertThat(lines().get(0)).matches(".* tcp_transmit_skb fd=\\d+ .* \\[S\\] seq \\d+ len 0 win \\d+");
        assertThat(lines().get(1)).contains(" tcp_v4_send_synack 127.0.0.1:7 > ", "[S.] seq ", " ack ", " win ");
        assertThat(lines().get(2)).contains(" tcp_transmit_skb fd=", "[.] seq ", " ack ", " win ");
        stack.api().close(client);
        stack.api().close(listener);
    }

    @Test
    void aSystemAndAConnectionSelectTheirEventsAndTheRateCapSaysWhatItDropped() throws Exception {
        int listener = stack.listen(7);
        int client = stack.connect(7);
        stack.bed.runUntilIdle();
        String clientEnd = "127.0.0.1:" + ((net.tern.api.socket.InetSockAddr) stack.api().getsockname(client)).port();
        Future<String> run = start("system", "tcp", "sock", "127.0.0.1:7", clientEnd, "-r", "4", "-t", "0.5");
        stack.api().send(client, ByteBuffer.wrap(new byte[100]), 0);
        stack.bed.runUntilIdle();
        stack.bed.advance(1, TimeUnit.SECONDS);

        assertThat(run.get(30, TimeUnit.SECONDS)).matches("4 events traced, \\d+ over the rate cap of 4/s");
        assertThat(lines()).hasSize(4).allSatisfy(line -> {
            assertThat(line).contains(" tcp_");
            assertThat(line).contains(clientEnd).contains("127.0.0.1:7");
        });
        stack.api().close(client);
        stack.api().close(listener);
    }

    @Test
    void minusOWritesJsonLinesWithTheSegmentAndTheProbe() throws Exception {
        java.nio.file.Path file = java.nio.file.Files.createTempFile("trace", ".jsonl");
        try {
            int listener = stack.listen(7);
            int client = stack.connect(7);
            stack.bed.runUntilIdle();
            Future<String> run = start("func", "tcp_probe", "func", "tcp_rcv_established", "-o", file.toString(),
                    "-c", "4");
            stack.api().send(client, ByteBuffer.wrap(new byte[100]), 0);
            stack.bed.runUntilIdle();
            stack.bed.advance(1, TimeUnit.SECONDS);

            assertThat(run.get(30, TimeUnit.SECONDS)).isEqualTo("4 events traced to " + file);
            assertThat(lines()).as("nothing printed").isEmpty();
            List<String> json = java.nio.file.Files.readAllLines(file);
            assertThat(json).hasSize(4).allSatisfy(line -> assertThat(line)
                    .matches("\\{\"time_ns\":\\d+,\"function\":\"tcp_(probe|rcv_established)\",\"system\":\"tcp\",.*\\}"));
            assertThat(json).anySatisfy(line -> assertThat(line).contains("\"segment\":{\"flags\":", "\"len\":100"));
            assertThat(json).anySatisfy(line -> assertThat(line).contains("\"probe\":{\"snd_nxt\":",
                    "\"snd_cwnd\":10,", "\"ca_state\":\"TCP_CA_Open\"}"));
            stack.api().close(client);
            stack.api().close(listener);
        } finally {
            java.nio.file.Files.deleteIfExists(file);
        }
    }

    @Test
    void badArgumentsSaySo() {
        assertThatThrownBy(() -> command.trace("port")).hasMessageStartingWith("trace: 'port' needs a value");
        assertThatThrownBy(() -> command.trace("port", "70000")).hasMessageStartingWith("trace: invalid port '70000'");
        assertThatThrownBy(() -> command.trace("-t", "0")).hasMessageStartingWith("trace: invalid -t '0'");
        assertThatThrownBy(() -> command.trace("bogus")).hasMessageStartingWith("trace: unknown argument 'bogus'");
        assertThatThrownBy(() -> command.trace("system", "tcpx")).hasMessageStartingWith("trace: unknown system 'tcpx'");
        assertThatThrownBy(() -> command.trace("sock", "1.2.3.4:5", "x")).hasMessageStartingWith("trace: invalid sock end 'x'");
        assertThatThrownBy(() -> command.trace("-r", "0")).hasMessageStartingWith("trace: invalid -r '0'");
        assertThat(Tracepoints.enabled()).isFalse();
    }
}
