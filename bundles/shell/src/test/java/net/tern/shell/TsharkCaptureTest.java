package net.tern.shell;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.tern.api.socket.InetSockAddr;
import net.tern.api.socket.RecvResult;
import net.tern.api.socket.SocketApi;
import net.tern.api.socket.SocketConstants;
import net.tern.core.testing.PacketLeakCheck;
import net.tern.inet6.impl.Inet6;
import net.tern.inet6.impl.Inet6Settings;
import net.tern.netlink.LinkMessage;
import net.tern.spi.net.EtherType;
import net.tern.udp.testing.UdpTestBed;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A capture on {@code lo} of a real stack (IPv4, ICMP, UDP, TCP and the socket layer, without
 * OSGi), written as pcap and read back by Wireshark's {@code tshark}: every packet decodes,
 * none is malformed, every IP, ICMP, UDP and TCP checksum verifies, and the echo pairs,
 * datagrams and TCP segments (handshake, data, FIN from each side) the stack exchanged are
 * all there. tshark is required: the test fails when it is
 * missing, rather than passing without having checked anything.
 */
@ExtendWith(PacketLeakCheck.class)
class TsharkCaptureTest {
    /** How long one tshark run may take before the test gives up on it. */
    private static final long TSHARK_TIMEOUT_SECONDS = 60;
    /** IP and UDP checksums are not verified by default; Wireshark always verifies ICMP's. */
    private static final List<String> CHECKSUMS = List.of("-o", "ip.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE",
            "-o", "tcp.check_checksum:TRUE");

    private final TcpUdpBed stack;
    private final UdpTestBed bed;

    @TempDir
    Path dir;

    TsharkCaptureTest() throws Exception {
        stack = new TcpUdpBed();
        bed = stack.bed;
    }

    @AfterEach
    void close() {
        stack.close();
    }

    @Test
    void tsharkReadsAPingAndAUdpExchangeWithoutErrors() throws Exception {
        String tshark = tshark();
        Path file = dir.resolve("lo.pcap");
        String report = captureOnLo(file, () -> {
            pingTwice();
            exchangeDatagrams();
        });
        assertThat(report).contains("6 packets captured");

        List<String> fields = run(tshark, file, "-T", "fields", "-E", "separator=|",
                "-e", "frame.protocols", "-e", "ip.src", "-e", "ip.dst", "-e", "icmp.type", "-e", "icmp.seq",
                "-e", "udp.srcport", "-e", "udp.dstport", "-e", "data.data",
                "-e", "ip.checksum.status", "-e", "icmp.checksum.status", "-e", "udp.checksum.status",
                "-e", "_ws.malformed", "-e", "_ws.expert.severity");
        // Status 1 is "Good"; 0 would be "Bad", 2 "Unverified". The echo data is ping's
        // pattern: bytes 0, 1, 2, ... for its 56 bytes, returned unchanged in the reply.
        StringBuilder pattern = new StringBuilder();
        for (int i = 0; i < 56; i++) {
            pattern.append(String.format("%02x", i));
        }
        String echoData = "|||" + pattern + "|1|1|||";
        assertThat(fields).containsExactly(
                "raw:ip:icmp:data|127.0.0.1|127.0.0.1|8|1" + echoData,
                "raw:ip:icmp:data|127.0.0.1|127.0.0.1|0|1" + echoData,
                "raw:ip:icmp:data|127.0.0.1|127.0.0.1|8|2" + echoData,
                "raw:ip:icmp:data|127.0.0.1|127.0.0.1|0|2" + echoData,
                "raw:ip:udp:data|127.0.0.1|127.0.0.1|||5000|5001|" + hex("hello") + "|1||1||",
                "raw:ip:udp:data|127.0.0.1|127.0.0.1|||5001|5000|" + hex("world!") + "|1||1||");

        String expert = String.join("\n", run(tshark, file, "-q", "-z", "expert"));
        assertThat(expert).doesNotContainIgnoringCase("malformed").doesNotContainIgnoringCase("bad checksum")
                .doesNotContain("Errors (").doesNotContain("Warnings (");
    }

    @Test
    void tsharkReadsAnIpv6PingWithGoodIcmpv6Checksums() throws Exception {
        String tshark = tshark();
        Inet6 inet6 = new Inet6(bed.stack().clock(), bed.stack().timers(), bed.stack().allocator(),
                Inet6Settings.defaults(), new java.util.Random(4));
        bed.stack().addPacketHandler(EtherType.IPV6, inet6.input());
        bed.stack().addLinkListener(inet6.addrconf());
        bed.socketLayer().bindFamily(inet6.family(), java.util.Map.of("family", 10));
        try {
            Path file = dir.resolve("lo6.pcap");
            String report = captureOnLo(file, () -> assertThat(EchoPeer.pingThroughLo(bed, "-6", "-c", "2", "-s",
                    "1400", "::1").report()).contains("2 packets transmitted, 2 received"));
            assertThat(report).contains("4 packets captured");
            // Type 128 request, 129 reply; checksum status 1 is Good.
            List<String> fields = run(tshark, file, "-T", "fields", "-E", "separator=|",
                    "-e", "frame.protocols", "-e", "ipv6.src", "-e", "ipv6.dst", "-e", "ipv6.plen", "-e", "icmpv6.type",
                    "-e", "icmpv6.echo.sequence_number", "-e", "icmpv6.checksum.status", "-e", "_ws.malformed");
            assertThat(fields).containsExactly(
                    "raw:ipv6:icmpv6:data|::1|::1|1408|128|1|1|",
                    "raw:ipv6:icmpv6:data|::1|::1|1408|129|1|1|",
                    "raw:ipv6:icmpv6:data|::1|::1|1408|128|2|1|",
                    "raw:ipv6:icmpv6:data|::1|::1|1408|129|2|1|");
            String expert = String.join("\n", run(tshark, file, "-q", "-z", "expert"));
            assertThat(expert).doesNotContainIgnoringCase("malformed").doesNotContainIgnoringCase("bad checksum")
                    .doesNotContain("Errors (").doesNotContain("Warnings (");
        } finally {
            inet6.close();
        }
    }

    /** What the capture's traffic does. */
    @FunctionalInterface
    private interface Traffic {
        void run() throws Exception;
    }

    /** {@code net:capture -i lo -w FILE} around {@code traffic}; its closing report. */
    private String captureOnLo(Path file, Traffic traffic) throws Exception {
        CaptureCommand command = NetlinkBed.captureCommand(bed.stack(), java.time.ZoneId.systemDefault());
        CaptureOptions options = CaptureOptions.parse("-i", "lo", "-w", file.toString());
        LinkMessage lo = command.link(options);
        try (CaptureOutput output = command.open(options, lo)) {
            CaptureRun run = command.start(options, lo);
            traffic.run();
            return command.finish(run, output);
        }
    }

    @Test
    void tsharkSeesTheTcpHandshakeDataAndBothFinsWithGoodChecksums() throws Exception {
        String tshark = tshark();
        Path file = dir.resolve("tcp.pcap");
        CaptureCommand command = NetlinkBed.captureCommand(bed.stack(), java.time.ZoneId.systemDefault());
        CaptureOptions options = CaptureOptions.parse("-i", "lo", "-w", file.toString(), "tcp");
        LinkMessage lo = command.link(options);
        int clientPort;
        try (CaptureOutput output = command.open(options, lo)) {
            CaptureRun run = command.start(options, lo);
            clientPort = transferAndClose();
            command.finish(run, output);
        }

        // One line per segment: source port, destination port, SYN, ACK, FIN, RST, payload length,
        // checksum status (1: Good), malformed, expert severity.
        List<String> segments = run(tshark, file, "-T", "fields", "-E", "separator=|",
                "-e", "tcp.srcport", "-e", "tcp.dstport", "-e", "tcp.flags.syn", "-e", "tcp.flags.ack",
                "-e", "tcp.flags.fin", "-e", "tcp.flags.reset", "-e", "tcp.len", "-e", "tcp.checksum.status",
                "-e", "_ws.malformed");
        String client = Integer.toString(clientPort);
        assertThat(segments).as("every segment's checksum is good and none is malformed")
                .allSatisfy(line -> assertThat(line).matches("\\d+\\|\\d+\\|[01]\\|[01]\\|[01]\\|0\\|\\d+\\|1\\|"));
        assertThat(segments.subList(0, 3)).as("the three-way handshake").containsExactly(
                client + "|7|1|0|0|0|0|1|",
                "7|" + client + "|1|1|0|0|0|1|",
                client + "|7|0|1|0|0|0|1|");
        assertThat(segments).as("data each way").contains(client + "|7|0|1|0|0|5|1|", "7|" + client + "|0|1|0|0|5|1|");
        assertThat(segments).as("a FIN from each side")
                .anySatisfy(line -> assertThat(line).startsWith(client + "|7|0|1|1|0|"))
                .anySatisfy(line -> assertThat(line).startsWith("7|" + client + "|0|1|1|0|"));
        assertThat(segments).last().as("the last ACK, of the server's FIN").isEqualTo(client + "|7|0|1|0|0|0|1|");

        String expert = String.join("\n", run(tshark, file, "-q", "-z", "expert"));
        assertThat(expert).doesNotContainIgnoringCase("malformed").doesNotContainIgnoringCase("bad checksum")
                .doesNotContain("Errors (").doesNotContain("Warnings (");
    }

    /** A connection to 127.0.0.1:7: handshake, 5 bytes each way, the client closes, then the server. */
    private int transferAndClose() throws Exception {
        SocketApi api = bed.api();
        int listener = stack.listen(7);
        int client = stack.connect(7);
        bed.runUntilIdle();
        int server = api.accept(listener, SocketConstants.SOCK_NONBLOCK).fd();
        api.send(client, ByteBuffer.wrap("hello".getBytes(StandardCharsets.US_ASCII)), 0);
        bed.runUntilIdle();
        ByteBuffer in = ByteBuffer.allocate(64);
        assertThat(api.recv(server, in, 0)).isEqualTo(5);
        api.send(server, ByteBuffer.wrap("world".getBytes(StandardCharsets.US_ASCII)), 0);
        bed.runUntilIdle();
        assertThat(api.recv(client, in.clear(), 0)).isEqualTo(5);
        int clientPort = ((InetSockAddr) api.getsockname(client)).port();
        api.close(client);
        bed.runUntilIdle();
        assertThat(api.recv(server, in.clear(), 0)).as("end of stream").isZero();
        api.close(server);
        bed.runUntilIdle();
        api.close(listener);
        return clientPort;
    }

    private void pingTwice() {
        assertThat(EchoPeer.pingThroughLo(bed, "-c", "2", "127.0.0.1").received()).isEqualTo(2);
    }

    private void exchangeDatagrams() throws Exception {
        SocketApi api = bed.api();
        int a = bed.udpSocket();
        int b = bed.udpSocket();
        InetSockAddr aAddr = new InetSockAddr(InetSockAddr.INADDR_LOOPBACK, 5000);
        InetSockAddr bAddr = new InetSockAddr(InetSockAddr.INADDR_LOOPBACK, 5001);
        api.bind(a, aAddr);
        api.bind(b, bAddr);
        api.sendto(a, ByteBuffer.wrap("hello".getBytes(StandardCharsets.US_ASCII)), 0, bAddr);
        bed.runUntilIdle();
        ByteBuffer in = ByteBuffer.allocate(64);
        RecvResult got = api.recvfrom(b, in, 0);
        assertThat(got.bytes()).isEqualTo(5);
        api.sendto(b, ByteBuffer.wrap("world!".getBytes(StandardCharsets.US_ASCII)), 0, aAddr);
        bed.runUntilIdle();
        assertThat(api.recvfrom(a, in.clear(), 0).bytes()).isEqualTo(6);
        api.close(a);
        api.close(b);
    }

    private static String hex(String ascii) {
        StringBuilder s = new StringBuilder();
        for (byte b : ascii.getBytes(StandardCharsets.US_ASCII)) {
            s.append(String.format("%02x", b));
        }
        return s.toString();
    }

    /** The tshark on the PATH; fails the test, saying how to install it, when there is none. */
    private static String tshark() {
        for (String entry : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            Path candidate = Path.of(entry, "tshark");
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        return fail("tshark is not installed, and this test needs it to check the capture: install it "
                + "(Debian/Ubuntu: apt-get install tshark; .ci/run does this in CI)");
    }

    /** Runs tshark, bounded in time, and returns its standard output's lines; fails on a non-zero exit. */
    private List<String> run(String tshark, Path file, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(tshark, "-r", file.toString()));
        command.addAll(CHECKSUMS);
        command.addAll(List.of(args));
        Path out = Files.createTempFile(dir, "tshark", ".out");
        Path err = Files.createTempFile(dir, "tshark", ".err");
        Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!process.waitFor(TSHARK_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail("tshark did not finish within " + TSHARK_TIMEOUT_SECONDS + " s: " + String.join(" ", command));
        }
        assertThat(process.exitValue()).as("tshark exit status; stderr: %s", Files.readString(err)).isZero();
        return new ArrayList<>(Files.readAllLines(out));
    }
}
