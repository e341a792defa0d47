package net.tern.itests;

import static net.tern.itests.HostCommands.run;
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

    /**
     * {@code net:demo handshake} on a fresh start: both sides' tracepoints through the
     * handshake, the four-way close and the end of the client's (shortened) TIME-WAIT.
     */
    @Test
    public void theHandshakeDemoPrintsTheWholeLifeOfAConnection() throws Exception {
        Result r = tern("-c", "net:demo handshake");
        assertEquals(r.toString(), 0, r.status);
        // Each side's own order, then what one side causes in the other: the shell's thread
        // and the network thread interleave the two sides' other events as they will.
        String[][] server = {
            {"server", "tcp_set_state", "CLOSE -> LISTEN"},
            {"server", "tcp_conn_request", "[S]"},
            {"server", "tcp_set_state", "CLOSE -> SYN_RECV"},
            {"server", "tcp_set_state", "SYN_RECV -> ESTABLISHED"},
            {"server", "tcp_set_state", "ESTABLISHED -> CLOSE_WAIT"},
            {"server", "tcp_set_state", "CLOSE_WAIT -> LAST_ACK"},
            {"server", "tcp_set_state", "LAST_ACK -> CLOSE"},
        };
        String[][] client = {
            {"client", "tcp_set_state", "CLOSE -> SYN_SENT"},
            {"client", "tcp_set_state", "SYN_SENT -> ESTABLISHED"},
            {"client", "tcp_set_state", "ESTABLISHED -> FIN_WAIT1"},
            {"client", "tcp_set_state", "FIN_WAIT1 -> FIN_WAIT2"},
            {"client", "tcp_time_wait", "FIN_WAIT2 -> TIME_WAIT"},
            {"client", "inet_twsk_kill", "TIME_WAIT -> CLOSE"},
        };
        String[][] causal = {
            {"client", "tcp_set_state", "CLOSE -> SYN_SENT"},
            {"server", "tcp_conn_request", "[S]"},
            {"client", "tcp_set_state", "SYN_SENT -> ESTABLISHED"},
            {"server", "tcp_set_state", "SYN_RECV -> ESTABLISHED"},
            {"server", "tcp_set_state", "ESTABLISHED -> CLOSE_WAIT"},
            {"client", "tcp_time_wait", "FIN_WAIT2 -> TIME_WAIT"},
            {"server", "tcp_set_state", "LAST_ACK -> CLOSE"},
            {"client", "inet_twsk_kill", "TIME_WAIT -> CLOSE"},
        };
        List<String> lines = r.out.lines().toList();
        assertInOrder(r, lines, server);
        assertInOrder(r, lines, client);
        assertInOrder(r, lines, causal);
    }

    /** Each expected line in this order (others between): its side first, its function, and its state words. */
    private static void assertInOrder(Result r, List<String> lines, String[][] expected) {
        int at = 0;
        for (String[] words : expected) {
            int found = -1;
            for (int i = at; i < lines.size() && found < 0; i++) {
                String line = lines.get(i);
                if (line.startsWith(words[0] + " ") && line.contains(" " + words[1] + " ") && line.contains(words[2])) {
                    found = i;
                }
            }
            assertTrue("a line with " + String.join(" ", words) + " after line " + at + "\n" + r, found >= 0);
            at = found + 1;
        }
    }

    /**
     * A copy of the distribution with an interface and a route configured in {@code etc/}:
     * fileinstall hands them to Config Admin at start and the stack applies them. The ping
     * gives the configuration, applied asynchronously, time to arrive before it is looked at.
     * Then the interop script's own line, with netem's {@code %} signs, through the launcher.
     */
    @Test
    public void configurationFilesInEtcAreAppliedAndNetImpairTakesNetemWords() throws Exception {
        Path copy = Files.createTempDirectory("tern-dist-");
        try {
            copyTree(HOME, copy);
            Files.writeString(copy.resolve("etc/net.tern.interface-lo.cfg"),
                    "device = lo\naddresses = 10.9.0.1/24\nimpair = duplicate 100% seed 5\n");
            Files.writeString(copy.resolve("etc/net.tern.route-test.cfg"), "destination = 10.20.0.0/16\ndevice = lo\n");

            Result r = tern(copy, "-c", "net:ping -c 10 -i 0.2 -q 127.0.0.1", "-c", "net:impair lo",
                    "-c", "net:ip address show dev lo", "-c", "net:ip route",
                    "-c", "net:impair lo loss 2% duplicate 1% reorder 5% seed 1", "-c", "net:impair");
            assertEquals(r.toString(), 0, r.status);
            assertTrue(r.toString(), r.out.lines().anyMatch(l -> l.matches("lo\\s+duplicate 100% seed 5\\s+.*")));
            assertTrue(r.toString(), r.out.contains("inet 10.9.0.1/24 scope global lo"));
            assertTrue(r.toString(), r.out.contains("10.20.0.0/16 dev lo scope link"));
            assertTrue(r.toString(), r.out.lines().anyMatch(l -> l.matches("lo\\s+loss 2% duplicate 1% reorder 5% seed 1\\s+.*")));
        } finally {
            deleteTree(copy);
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (var walk = Files.walk(from)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
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

    /**
     * As root (skipped with {@code TERN_SKIP_ROOT_TESTS=1}, failing otherwise, as link-tun's
     * root tests do): in a namespace of its own, a persistent TUN with the kernel at
     * 10.98.0.1/24; {@code bin/tern --tun ... --gateway ... --mtu ...} inside it routes the
     * subnet and the default through the TUN and reaches the kernel with net:ping.
     */
    @Test
    public void tunOptionsAttachTheStackToTheKernelAsRoot() throws Exception {
        HostCommands.requireRoot("ip");
        String ns = "terntl" + ProcessHandle.current().pid();
        run(10, "ip", "netns", "add", ns);
        try {
            HostCommands.addTun(ns, "terntun1", "10.98.0.1/24");
            Result r = tern(List.of("ip", "netns", "exec", ns), "--tun", "terntun1", "--address", "10.98.0.2/24",
                    "--gateway", "10.98.0.1", "--mtu", "1400", "-c", "net:ip route", "-c", "net:links",
                    "-c", "net:ping -c 2 -i 0.2 -W 5 10.98.0.1");
            assertEquals(r.toString(), 0, r.status);
            assertTrue(r.toString(), r.out.contains("default via 10.98.0.1 dev terntun1"));
            assertTrue(r.toString(), r.out.contains("10.98.0.0/24 dev terntun1 proto kernel scope link src 10.98.0.2"));
            assertTrue(r.toString(), r.out.contains("terntun1: <") && r.out.contains("mtu 1400 state UP"));
            assertTrue(r.toString(), r.out.contains("2 packets transmitted, 2 received"));
        } finally {
            run(10, "ip", "netns", "del", ns);
        }
    }

    /**
     * bin/tern starts the JVM with conf/jvm.options' limits, the environment's overriding them;
     * the JVM itself reports what it runs under in --help. An option line with blanks in it
     * stays one argument.
     */
    @Test
    public void memoryLimitsComeFromJvmOptionsAndTheEnvironmentOverridesThem() throws Exception {
        Result defaults = tern("--help");
        assertEquals(defaults.toString(), 0, defaults.status);
        assertTrue(defaults.toString(), defaults.out.contains("This JVM: heap 256 MiB, direct memory 256 MiB, "
                + "metaspace 96 MiB, code cache 64 MiB, collector G1."));
        Result overridden = tern(HOME, List.of("env", "TERN_HEAP=96m", "TERN_DIRECT_MEMORY=48m"), "--help");
        assertEquals(overridden.toString(), 0, overridden.status);
        assertTrue(overridden.toString(), overridden.out.contains("This JVM: heap 96 MiB, direct memory 48 MiB, "));

        Path copy = Files.createTempDirectory("tern-dist-");
        try {
            copyTree(HOME, copy);
            Path options = copy.resolve("conf/jvm.options");
            String edited = Files.readString(options).replace("-Xmx256m", "-Xmx200m").replace("-XX:+UseG1GC",
                    "-XX:+UseSerialGC") + "\n   -Dtern.test.words=two words   \n# -Xmx1m commented out";
            Files.writeString(options, edited);
            Result r = tern(copy, List.of(), "--help");
            assertEquals(r.toString(), 0, r.status);
            assertTrue(r.toString(), r.out.contains("This JVM: heap 200 MiB, direct memory 256 MiB, metaspace 96 MiB, "
                    + "code cache 64 MiB, collector Serial."));
        } finally {
            deleteTree(copy);
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (var walk = Files.walk(root)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private record Result(int status, String out, String err) {
        @Override
        public String toString() {
            return "exit " + status + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    private static Result tern(String... args) throws IOException, InterruptedException {
        return tern(HOME, List.of(), args);
    }

    /** Runs bin/tern with {@code args}, under {@code prefix} ({@code ip netns exec NS}, say). */
    private static Result tern(List<String> prefix, String... args) throws IOException, InterruptedException {
        return tern(HOME, prefix, args);
    }

    /** Runs the bin/tern of the installation at {@code home}. */
    private static Result tern(Path home, String... args) throws IOException, InterruptedException {
        return tern(home, List.of(), args);
    }

    private static Result tern(Path home, List<String> prefix, String... args) throws IOException, InterruptedException {
        File launcher = home.resolve("bin/tern").toFile();
        assertTrue("the distribution is built at " + home, launcher.canExecute());
        List<String> command = new ArrayList<>(prefix);
        command.add(launcher.getAbsolutePath());
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
