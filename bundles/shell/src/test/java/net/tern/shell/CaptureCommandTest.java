package net.tern.shell;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBufUtil;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import net.tern.core.testing.PacketLeakCheck;
import net.tern.netlink.LinkMessage;
import net.tern.udp.testing.UdpTestBed;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(PacketLeakCheck.class)
class CaptureCommandTest {
    private UdpTestBed bed;
    private CaptureCommand command;

    @TempDir
    Path dir;

    @BeforeEach
    void setUp() throws Exception {
        bed = new UdpTestBed(); // lo and the socket layer, for net:ping's ping socket
        command = NetlinkBed.captureCommand(bed.stack(), ZoneOffset.UTC);
    }

    @AfterEach
    void close() {
        bed.close();
    }

    private void ping(int count) {
        assertThat(EchoPeer.pingThroughLo(bed, "-c", String.valueOf(count), "-i", "0.5", "127.0.0.1").received())
                .isEqualTo(count);
    }

    /** Starts a capture as the command would, runs {@code traffic}, and returns the report. */
    private String capture(Runnable traffic, String... args) {
        CaptureOptions options = CaptureOptions.parse(args);
        LinkMessage link = command.link(options);
        try (CaptureOutput output = command.open(options, link)) {
            CaptureRun run = command.start(options, link);
            traffic.run();
            return command.finish(run, output);
        }
    }

    @Test
    void printsEachLoopbackPacketOnceAsTcpdumpDoesWithItsReport() {
        String report = capture(() -> ping(2), "-i", "lo");

        assertThat(report.lines()).hasSize(8);
        assertThat(report.lines().toList().get(0))
                .isEqualTo("listening on lo, link-type RAW (Raw IP), snapshot length 262144 bytes");
        assertThat(report.lines().skip(1).limit(4).toList()).satisfiesExactly(
                l -> assertThat(l).matches("00:00:00\\.\\d{6} IP 127\\.0\\.0\\.1 > 127\\.0\\.0\\.1: "
                        + "ICMP echo request, id \\d+, seq 1, length 64"),
                l -> assertThat(l).matches("00:00:00\\.\\d{6} IP 127\\.0\\.0\\.1 > 127\\.0\\.0\\.1: "
                        + "ICMP echo reply, id \\d+, seq 1, length 64"),
                l -> assertThat(l).matches("00:00:00\\.5\\d{5} .*ICMP echo request, id \\d+, seq 2, length 64"),
                l -> assertThat(l).matches("00:00:00\\.5\\d{5} .*ICMP echo reply, id \\d+, seq 2, length 64"));
        assertThat(report).endsWith("4 packets captured\n4 packets received by filter\n0 packets dropped by kernel");
    }

    @Test
    void stopsAtTheCountGiven() {
        CaptureOptions options = CaptureOptions.parse("-i", "lo", "-c", "3");
        LinkMessage link = command.link(options);
        try (CaptureOutput output = command.open(options, link)) {
            CaptureRun run = command.start(options, link);
            ping(2);
            run.pump();

            assertThat(run.done()).isDone();
            assertThat(command.finish(run, output)).endsWith("3 packets captured\n3 packets received by filter\n"
                    + "0 packets dropped by kernel");
        }
    }

    @Test
    void stopsAfterTheTimeGivenOnTheStackClock() {
        CaptureOptions options = CaptureOptions.parse("-i", "lo", "-G", "1.5");
        CaptureRun run = command.start(options, command.link(options));

        bed.advance(1400, TimeUnit.MILLISECONDS);
        run.pump();
        assertThat(run.done()).isNotDone();
        bed.advance(200, TimeUnit.MILLISECONDS);
        run.pump();
        assertThat(run.done()).isDone();
        ping(1);
        run.pump();
        assertThat(run.captured()).as("the socket is closed").isZero();
    }

    @Test
    void endsAfterTenSecondsWhenNoBoundIsGiven() {
        CaptureOptions options = CaptureOptions.parse("-i", "lo");
        CaptureRun run = command.start(options, command.link(options));

        bed.advance(9999, TimeUnit.MILLISECONDS);
        run.pump();
        assertThat(run.done()).isNotDone();
        bed.advance(1, TimeUnit.MILLISECONDS);
        run.pump();
        assertThat(run.done()).isDone();
    }

    @Test
    void theFilterKeepsOnlyMatchingPackets() {
        assertThat(capture(() -> ping(1), "-i", "lo", "udp", "and", "port", "53"))
                .endsWith("0 packets captured\n0 packets received by filter\n0 packets dropped by kernel");
        assertThat(capture(() -> ping(1), "-i", "lo", "icmp", "and", "host", "127.0.0.1"))
                .endsWith("2 packets captured\n2 packets received by filter\n0 packets dropped by kernel");
    }

    @Test
    void writesAPcapFileWithRawIpRecordsAndStackWallClockTimestamps() throws Exception {
        Path file = dir.resolve("ping.pcap");
        bed.advance(3, TimeUnit.SECONDS);

        String report = capture(() -> ping(1), "-i", "lo", "-w", file.toString());

        assertThat(report).isEqualTo("listening on lo, link-type RAW (Raw IP), snapshot length 262144 bytes\n"
                + "2 packets captured\n2 packets received by filter\n0 packets dropped by kernel");
        byte[] bytes = Files.readAllBytes(file);
        String hex = ByteBufUtil.hexDump(bytes);
        assertThat(hex).startsWith("a1b2c3d4000200040000000000000000" + "00040000" + "00000065");
        // Two 84-byte datagrams (20 IP + 8 ICMP + 56 data), each behind a 16-byte record header.
        assertThat(bytes).hasSize(24 + 2 * (16 + 84));
        java.nio.ByteBuffer record = java.nio.ByteBuffer.wrap(bytes, 24, 16);
        long micros = record.getInt() * 1_000_000L + record.getInt();
        assertThat(micros).as("the virtual clock's wall time: 2024-01-01T00:00:03Z and on")
                .isBetween(1_704_067_203_000_000L, 1_704_067_204_000_000L);
        assertThat(record.getInt()).isEqualTo(84);
        assertThat(record.getInt()).isEqualTo(84);
        assertThat(bytes[40]).as("an IPv4 header follows").isEqualTo((byte) 0x45);
    }

    @Test
    void theWholeCommandWaitsForItsBoundAndReports() throws Exception {
        CompletableFuture<String> report = CompletableFuture.supplyAsync(() -> command.capture("-i", "lo", "-G", "1"));
        long realDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60); // generous, for a busy machine
        while (!report.isDone() && System.nanoTime() < realDeadline) {
            bed.advance(100, TimeUnit.MILLISECONDS);
            Thread.sleep(5);
        }

        assertThat(report).succeedsWithin(1, TimeUnit.SECONDS)
                .asString().endsWith("0 packets captured\n0 packets received by filter\n0 packets dropped by kernel");
    }

    @Test
    void badArgumentsAreRefusedAsTcpdumpRefusesThem() {
        assertThatThrownBy(() -> command.capture("-i", "eth9"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("capture: eth9: No such device exists");
        assertThatThrownBy(() -> command.capture("-c", "1"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("capture: no device given");
        assertThatThrownBy(() -> command.capture("-i", "lo", "-c", "0"))
                .hasMessageStartingWith("capture: invalid packet count '0' for -c");
        assertThatThrownBy(() -> command.capture("-i", "lo", "-G", "soon"))
                .hasMessageStartingWith("capture: invalid number of seconds 'soon' for -G");
        assertThatThrownBy(() -> command.capture("-i"))
                .hasMessageStartingWith("capture: option requires an argument -- 'i'");
        assertThatThrownBy(() -> command.capture("-i", "lo", "-x"))
                .hasMessageStartingWith("capture: invalid option -- '-x'");
        assertThatThrownBy(() -> command.capture("-i", "lo", "-w", dir.resolve("no/such/dir.pcap").toString()))
                .isInstanceOf(CommandFailedException.class).hasMessageEndingWith(": No such file or directory");
        assertThat(command.capture("-h")).isEqualTo(CaptureOptions.USAGE);
    }
}
