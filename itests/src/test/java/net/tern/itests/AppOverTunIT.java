package net.tern.itests;

import static net.tern.itests.HostCommands.requireRoot;
import static net.tern.itests.HostCommands.run;
import static net.tern.itests.HostCommands.stop;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * Real applications, unmodified, on Tern over a TUN with the Linux kernel on the other side:
 * {@code bin/tern --tun ... --app APP.jar} in a network namespace the test creates, the
 * kernel's tools in the same namespace.
 * <ul>
 * <li>A static file server on Jetty 12 ({@code ResourceHandler}, bound to Tern's address) and
 *     one on Netty 4.2's NIO transport and HTTP codec ({@code FileRegion} bodies, bound to
 *     the wildcard), each serving a page and a 10 MiB file of random bytes to {@code curl}:
 *     status and bytes (SHA-256) checked, and the connection curl used found ESTABLISHED in
 *     Tern's own socket table (the status page of {@code --services http}, taken while curl
 *     keeps the connection) and counted by Tern's {@code net:nstat} once the server stopped.</li>
 * <li>The JDK's {@code HttpClient} downloading 10 MiB from the kernel's
 *     {@code python3 -m http.server}: bytes compared, the request seen by the kernel's server
 *     from Tern's address, and counted by Tern.</li>
 * </ul>
 * The applications' sources are in {@code src/test/apps}: none mentions Tern; their libraries
 * are the published jars (copied by the build to {@code target/app-lib} and
 * {@code target/netty-app-lib}), on the jar's {@code Class-Path} as an application ships them.
 * As root with {@code ip}, {@code ss}, {@code curl} and {@code python3} (skipped with
 * {@code TERN_SKIP_ROOT_TESTS=1}, failing otherwise, as the other root tests); the namespace
 * is deleted and every process the test started stopped, whatever the outcome.
 */
public class AppOverTunIT {
    private static final Path HOME = Path.of(System.getProperty("tern.distribution", "../distribution/target/tern"));
    private static final Path APPS = Path.of(System.getProperty("basedir", "."), "src/test/apps/demo");
    private static final Path JETTY_LIB = Path.of(System.getProperty("tern.appLib", "target/app-lib"));
    private static final Path NETTY_LIB = Path.of(System.getProperty("tern.nettyAppLib", "target/netty-app-lib"));
    private static final String TUN = "ternapp0";
    private static final String KERNEL = "10.94.0.1";
    private static final String TERN = "10.94.0.2";
    private static final int APP_PORT = 8080;
    private static final int KERNEL_HTTP_PORT = 8000;
    private static final int MIB = 1 << 20;
    private static final int BIG = 10 * MIB;
    /** The fewest segments 10 MiB can take with a 1500-byte MTU. */
    private static final long BIG_SEGMENTS = BIG / (1500 - 40);
    /** bin/tern's boot, the application and its end, on a loaded machine. */
    private static final int APP_SECONDS = 180;
    private static final Pattern NSTAT = Pattern.compile("(?m)^(\\w+)\\s+(\\d+)\\s*$");

    private String ns;
    private Path dir;
    private Path www;
    private final List<Process> started = new ArrayList<>();

    @Before
    public void namespaceWithATun() throws Exception {
        requireRoot("ip", "ss", "curl", "python3");
        assertTrue("the distribution is built at " + HOME, HOME.resolve("bin/tern").toFile().canExecute());
        dir = Files.createTempDirectory("tern-apps");
        www = Files.createDirectories(dir.resolve("www"));
        ns = "ternapp" + ProcessHandle.current().pid();
        run(10, "ip", "netns", "add", ns);
        HostCommands.addTun(ns, TUN, KERNEL + "/24");
    }

    @After
    public void cleanUp() throws Exception {
        try {
            for (Process p : started) {
                stop(p);
            }
        } finally {
            if (ns != null) {
                run(10, "ip", "netns", "del", ns);
            }
            AppJars.delete(dir);
        }
    }

    @Test
    public void jettyServesAPageAndTenMebibytesToTheKernelsCurl() throws Exception {
        Path app = AppJars.applicationJar(dir, "JettyFileServer", source("JettyFileServer"), AppJars.jars(JETTY_LIB));
        Tern tern = startApp(app, TERN, String.valueOf(APP_PORT), www.toString());
        String listening = tern.awaitLine("listening on .*");
        assertTrue(listening + "\n" + tern, listening.endsWith("through net.tern.nio.TernServerSocketChannel"));
        servesThePageAndTheFile(tern);
    }

    @Test
    public void nettyServesAPageAndTenMebibytesToTheKernelsCurl() throws Exception {
        Path app = AppJars.applicationJar(dir, "NettyFileServer", source("NettyFileServer"), AppJars.jars(NETTY_LIB));
        Tern tern = startApp(app, String.valueOf(APP_PORT), www.toString());
        String listening = tern.awaitLine("listening on .*");
        // Tern has IPv4 only: the wildcard Netty binds (the IPv6 one on a JVM with IPv6) is Tern's 0.0.0.0.
        assertTrue(listening + "\n" + tern, listening.startsWith("listening on /0.0.0.0:" + APP_PORT + " through "));
        servesThePageAndTheFile(tern);
    }

    @Test
    public void httpClientDownloadsTenMebibytesFromTheKernelsHttpServer() throws Exception {
        byte[] big = randomFile("big.bin", BIG);
        Path log = dir.resolve("http-server.log");
        started.add(new ProcessBuilder("ip", "netns", "exec", ns, "python3", "-m", "http.server",
                String.valueOf(KERNEL_HTTP_PORT), "--bind", KERNEL, "--directory", www.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start());
        awaitKernelListener(KERNEL_HTTP_PORT);

        Path app = AppJars.applicationJar(dir, "Fetch", source("Fetch"), List.of());
        Path fetched = dir.resolve("fetched.bin");
        Tern tern = startApp(app, "http://" + KERNEL + ":" + KERNEL_HTTP_PORT + "/big.bin", fetched.toString());
        tern.awaitExit();
        assertTrue(tern.toString(), tern.out().contains("status 200 version HTTP_1_1 bytes " + BIG));
        assertEquals("the downloaded file's SHA-256", sha256(big), sha256(Files.readAllBytes(fetched)));
        // The kernel's server saw the request come from Tern's address, through the TUN.
        String served = Files.readString(log, StandardCharsets.UTF_8);
        assertTrue("the kernel's HTTP server's log:\n" + served,
                served.contains(TERN + " - - [") && served.contains("\"GET /big.bin HTTP/1.1\" 200"));
        // Tern's counters: the client's one connection, and the file's packets received. With
        // the TUN's offload the kernel sends TCP packets of up to 64 KiB, each counted once, as
        // tcp_v4_rcv counts an skb (a GRO packet once): at least the 64 KiB packets the file fills.
        assertEquals(tern.toString(), 1, tern.counter("TcpActiveOpens"));
        assertTrue(tern.toString(), tern.counter("TcpInSegs") >= BIG / 65536);
    }

    /**
     * curl, in the kernel, fetches the page, the file and a missing path on one connection,
     * then Tern's status page while that connection is still open, then {@code /stop}.
     */
    private void servesThePageAndTheFile(Tern tern) throws Exception {
        byte[] page = ("<!DOCTYPE html>\n<html><head><title>on Tern</title></head><body><p>a page served "
                + System.nanoTime() + "</p></body></html>\n").getBytes(StandardCharsets.UTF_8);
        Files.write(www.resolve("index.html"), page);
        byte[] big = randomFile("big.bin", BIG);
        Path pageOut = dir.resolve("page.out");
        Path bigOut = dir.resolve("big.out");
        Path status = dir.resolve("status.json");
        String base = "http://" + TERN + ":" + APP_PORT;
        List<Transfer> transfers = curl("-o", pageOut.toString(), base + "/index.html", "-o", bigOut.toString(),
                base + "/big.bin", "-o", "/dev/null", base + "/no-such-file", "-o", status.toString(),
                "http://" + TERN + "/status.json");
        transfers.addAll(curl(base + "/stop"));
        tern.awaitExit();
        String context = transfers + "\n" + tern;
        assertEquals(context, 5, transfers.size());
        assertEquals("the page's status " + context, 200, transfers.get(0).status);
        assertArrayEquals("the page's bytes", page, Files.readAllBytes(pageOut));
        assertEquals("the file's status " + context, 200, transfers.get(1).status);
        assertEquals("the file's length " + context, BIG, transfers.get(1).bytes);
        assertEquals("the file's SHA-256", sha256(big), sha256(Files.readAllBytes(bigOut)));
        assertEquals("a missing file " + context, 404, transfers.get(2).status);
        assertEquals("the status page " + context, 200, transfers.get(3).status);
        assertEquals("the stop " + context, 200, transfers.get(4).status);
        assertTrue(context, tern.out().contains("stopped"));

        // Tern's socket table, taken while curl held the connection that carried the file.
        String sockets = Files.readString(status, StandardCharsets.UTF_8);
        String connection = "\"state\":\"ESTAB\",\"recvQ\":\\d+,\"sendQ\":\\d+,\"local\":\"" + Pattern.quote(TERN + ":"
                + APP_PORT) + "\",\"peer\":\"" + Pattern.quote(KERNEL + ":" + transfers.get(1).localPort) + "\"";
        assertTrue("curl's connection ESTABLISHED in Tern's socket table: " + sockets + "\n" + context,
                Pattern.compile(connection).matcher(sockets).find());
        // Tern's counters: one passive open for each connection curl made, and the file's segments.
        Set<Integer> connections = new LinkedHashSet<>();
        transfers.forEach(t -> connections.add(t.localPort));
        assertEquals("Tern's passive opens, curl's connections " + connections + "\n" + context, connections.size(),
                tern.counter("TcpPassiveOpens"));
        assertTrue(context, tern.counter("TcpOutSegs") >= BIG_SEGMENTS);
    }

    /** One transfer as curl's {@code -w} reports it. */
    private record Transfer(int status, int localPort, long bytes) {
    }

    private static final Pattern TRANSFER = Pattern.compile("transfer (\\d+) (\\d+) (\\d+)");

    /** curl in the namespace, one line per URL: status, local port, bytes. */
    private List<Transfer> curl(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", ns, "curl", "-sS", "--max-time", "60",
                "-w", "transfer %{http_code} %{local_port} %{size_download}\\n"));
        command.addAll(List.of(args));
        String out = run(90, command.toArray(new String[0]));
        List<Transfer> transfers = new ArrayList<>();
        Matcher m = TRANSFER.matcher(out);
        while (m.find()) {
            transfers.add(new Transfer(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                    Long.parseLong(m.group(3))));
        }
        return transfers;
    }

    private byte[] randomFile(String name, int size) throws IOException {
        byte[] data = new byte[size];
        new SplittableRandom(System.nanoTime()).nextBytes(data);
        Files.write(www.resolve(name), data);
        return data;
    }

    private void awaitKernelListener(int port) throws Exception {
        for (int i = 0; i < 100; i++) {
            String ss = HostCommands.output(5, "ip", "netns", "exec", ns, "ss", "-Htln", "sport = :" + port);
            if (ss.contains("LISTEN")) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no kernel listener on port " + port + " in " + ns + " after 10 s");
    }

    private static String source(String name) throws IOException {
        return Files.readString(APPS.resolve(name + ".java"), StandardCharsets.UTF_8);
    }

    private static String sha256(byte[] data) throws NoSuchAlgorithmException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }

    /**
     * {@code bin/tern --tun --app} in the namespace, with the HTTP status service, and the
     * counters printed once the application has ended.
     */
    private Tern startApp(Path app, String... args) throws IOException {
        Path out = dir.resolve("tern-" + started.size() + ".out");
        Path err = dir.resolve("tern-" + started.size() + ".err");
        List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", ns, HOME.resolve("bin/tern").toString(),
                "--tun", TUN, "--address", TERN + "/24", "--services", "http",
                "-c", "net:nstat -az TcpActiveOpens TcpPassiveOpens TcpInSegs TcpOutSegs", "--app", app.toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        started.add(p);
        return new Tern(p, out, err);
    }

    /** A running {@code bin/tern --app}: its output, read from the files it writes. */
    private record Tern(Process process, Path outFile, Path errFile) {
        String out() {
            return read(outFile);
        }

        /** Waits (bounded) for a whole line of the application's output matching {@code regex}. */
        String awaitLine(String regex) throws InterruptedException {
            Pattern p = Pattern.compile("(?m)^" + regex + "$");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(APP_SECONDS);
            while (System.nanoTime() < deadline) {
                Matcher m = p.matcher(out());
                if (m.find()) {
                    return m.group();
                }
                if (!process.isAlive()) {
                    throw new AssertionError("bin/tern exited (" + process.exitValue() + ") before printing '" + regex
                            + "'\n" + this);
                }
                Thread.sleep(200);
            }
            throw new AssertionError("no line '" + regex + "' within " + APP_SECONDS + " s\n" + this);
        }

        /** Waits (bounded) for bin/tern to exit, and asserts the application's status 0. */
        void awaitExit() throws InterruptedException {
            if (!process.waitFor(APP_SECONDS, TimeUnit.SECONDS)) {
                throw new AssertionError("bin/tern did not exit within " + APP_SECONDS + " s\n" + this);
            }
            assertEquals(toString(), 0, process.exitValue());
        }

        /** A counter {@code net:nstat} printed after the application. */
        long counter(String name) {
            Matcher m = NSTAT.matcher(out());
            while (m.find()) {
                if (m.group(1).equals(name)) {
                    return Long.parseLong(m.group(2));
                }
            }
            throw new AssertionError("no counter " + name + " in bin/tern's output\n" + this);
        }

        private static String read(Path file) {
            try {
                return Files.readString(file, StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "(" + file + ": " + e + ")";
            }
        }

        @Override
        public String toString() {
            String err = read(errFile);
            return "--- bin/tern stdout\n" + out() + "--- bin/tern stderr (last 40 lines)\n"
                    + String.join("\n", err.lines().skip(Math.max(0, err.lines().count() - 40)).toList());
        }
    }
}
