package net.tern.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.Test;

/**
 * The distribution as a user runs it: {@code bin/tern -c ...} starts the stack, runs the
 * commands and exits with their status. Each run is bounded; a run past its bound is killed
 * (it is a process this test started) and fails the test.
 */
public class DistributionLaunchIT {
    private static final Path HOME = Path.of(System.getProperty("tern.distribution", "../distribution/target/tern"));

    @Test
    public void netLinksAndNetFamiliesAnswerAndExitZero() throws Exception {
        Result r = tern("-c", "net:links", "-c", "net:families");
        assertEquals(r.toString(), 0, r.status);
        assertTrue(r.toString(), r.out.contains("1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 state UP"));
        assertTrue(r.toString(), r.out.contains("inet 127.0.0.1/8"));
        assertTrue(r.toString(), r.out.contains("FAMILY  NAME"));
        assertTrue(r.toString(), r.out.lines().anyMatch(line -> line.matches("2\\s+inet\\s+0\\s+SOCK_DGRAM\\s+17\\s+UDP\\*")));
    }

    @Test
    public void anUnknownCommandExitsOneAndSaysWhy() throws Exception {
        Result r = tern("-c", "net:nosuchcommand", "--wait", "2");
        assertEquals(r.toString(), 1, r.status);
        assertTrue(r.toString(), r.err.contains("net:nosuchcommand"));
    }

    @Test
    public void aBadOptionExitsTwoWithUsage() throws Exception {
        Result r = tern("--bogus");
        assertEquals(r.toString(), 2, r.status);
        assertTrue(r.toString(), r.err.contains("usage: tern"));
    }

    @Test
    public void servicesOptionStartsTheServicesBeforeTheCommandsRun() throws Exception {
        Path request = Files.createTempFile("tern-http", ".txt");
        try {
            Files.writeString(request, "GET /status.json HTTP/1.1\r\nHost: tern\r\nConnection: close\r\n\r\n");
            Result r = tern("--services", "echo,discard,chargen,http",
                    "-c", "net:nc 127.0.0.1 7 hello echo",
                    "-c", "net:nc -u 127.0.0.1 7 datagram",
                    "-c", "net:nc -c 148 127.0.0.1 19",
                    "-c", "net:nc 127.0.0.1 9 dropped",
                    "-c", "net:nc -i " + request + " 127.0.0.1 80");
            assertEquals(r.toString(), 0, r.status);
            assertTrue(r.toString(), r.out.contains("hello echo"));
            assertTrue(r.toString(), r.out.contains("datagram"));
            assertTrue(r.toString(), r.out.contains(
                    " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefg\r\n"
                    + "!\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefgh\r\n"));
            assertTrue(r.toString(), r.out.contains("HTTP/1.1 200 OK"));
            assertTrue(r.toString(), r.out.contains("\"service\":\"chargen\""));
        } finally {
            Files.deleteIfExists(request);
        }
    }

    @Test
    public void aClosedTcpPortIsRefusedAndAClosedUdpPortAnswersPortUnreachable() throws Exception {
        Result tcp = tern("--services", "echo", "-c", "net:nc -z 127.0.0.1 8");
        assertEquals(tcp.toString(), 1, tcp.status);
        assertTrue(tcp.toString(), tcp.err.contains("nc: connect to 127.0.0.1 port 8 (tcp) failed: Connection refused"));
        Result udp = tern("-c", "net:nc -u -w 5 127.0.0.1 8 anyone", "--wait", "20");
        assertEquals(udp.toString(), 1, udp.status);
        assertTrue(udp.toString(), udp.err.contains("(udp) failed: Connection refused"));
    }

    @Test
    public void aTunThatCannotBeOpenedFailsTheLaunchWithTheCause() throws Exception {
        // No clone device there, root or not: the launcher must say why and exit 1 before any command.
        Result r = tern("--tun", "terntest0", "--address", "10.99.0.2/24", "--tun-device", "/nonexistent/net/tun",
                "-c", "net:links");
        assertEquals(r.toString(), 1, r.status);
        assertTrue(r.toString(), r.err.contains("tern: cannot open TUN terntest0: "));
        assertTrue(r.toString(), r.err.contains("/nonexistent/net/tun is missing: load the tun module"));
        assertTrue(r.toString(), !r.out.contains("terntest0"));
    }

    private record Result(int status, String out, String err) {
        @Override
        public String toString() {
            return "exit " + status + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    private static Result tern(String... args) throws IOException, InterruptedException {
        File launcher = HOME.resolve("bin/tern").toFile();
        assertTrue("the distribution is built at " + HOME, launcher.canExecute());
        List<String> command = new ArrayList<>();
        command.add(launcher.getPath());
        command.addAll(List.of(args));
        Path out = Files.createTempFile("tern-out", ".txt");
        Path err = Files.createTempFile("tern-err", ".txt");
        try {
            Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                throw new AssertionError("bin/tern " + String.join(" ", args) + " did not exit within 60 s");
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
