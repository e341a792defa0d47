package net.tern.itests;

import static net.tern.itests.HostCommands.requireRoot;
import static net.tern.itests.HostCommands.run;
import static net.tern.itests.HostCommands.stop;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.Test;

/**
 * The standard services under a crowd, as a busy server meets one: {@code bin/tern --tun ...
 * --services echo,chargen} (the default connection limit) in a network namespace the test
 * creates, with the Linux kernel's clients on the other side of the TUN, from one Python
 * process with non-blocking sockets and a selector ({@code crowd_client.py}, run with
 * {@code ip netns exec}):
 * <ol>
 * <li>5,000 echo connections open at once, each sending its own line: every one is echoed
 *     intact (before the limit was raised and made back-pressure, 256 were served and the
 *     other 4,744 closed right after accept);</li>
 * <li>then 500 chargen clients that never read, with the echo connections still open: all
 *     500 ESTABLISHED on both sides (the kernel's {@code ss} in the namespace, with data
 *     waiting unread in each, and Tern's {@code net:ss});</li>
 * <li>the Tern process's resident memory (VmRSS, sampled through both steps) grows by at
 *     most {@value #RSS_GROWTH_BOUND_MB} MiB over its value once the services listen.</li>
 * </ol>
 * Tern's first shell command ({@code net:nc} to the client's control port) holds its later
 * ones ({@code net:ss}) until the test has the client release it, so Tern's own view is
 * taken while every client is connected. Figures are printed.
 *
 * <p>As root with {@code ip}, {@code ss} and {@code python3} (skipped with
 * {@code TERN_SKIP_ROOT_TESTS=1}, failing otherwise, as the other root tests); the namespace
 * is deleted and both processes stopped whatever the outcome. Every wait is bounded.
 */
public class ServicesCrowdIT {
    private static final Path HOME = Path.of(System.getProperty("tern.distribution", "../distribution/target/tern"));
    private static final String TUN = "terntun9";
    private static final String KERNEL = "10.95.0.1";
    private static final String TERN = "10.95.0.2";
    private static final int CONTROL_PORT = 9999;
    private static final int ECHO_CLIENTS = 5000;
    private static final int CHARGEN_CLIENTS = 500;
    /**
     * What the crowd may add to Tern's resident memory: 500 chargen send buffers of 128 KiB
     * ({@code tcpWmemDefault}, full since nobody reads) are 62.5 MiB, 5,500 connections' state
     * about 10 MiB, the rest is the collector's slack. 5,000 idle connections alone cost
     * 438 MB when each held its own 64 KiB buffer.
     */
    static final int RSS_GROWTH_BOUND_MB = 192;
    private static final int STEP_SECONDS = 300;

    @Test
    public void fiveThousandEchoClientsAreServedAndFiveHundredNonReadingChargenClientsStayConnected() throws Exception {
        requireRoot("ip", "ss", "python3");
        String ns = "terncrowd" + ProcessHandle.current().pid();
        Path script = Files.createTempFile("crowd_client", ".py");
        Path ternOut = Files.createTempFile("tern-crowd-out", ".txt");
        Path ternErr = Files.createTempFile("tern-crowd-err", ".txt");
        Process client = null;
        Process tern = null;
        run(10, "ip", "netns", "add", ns);
        try (InputStream in = ServicesCrowdIT.class.getResourceAsStream("/crowd_client.py")) {
            Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
            run(10, "ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up");
            run(10, "ip", "netns", "exec", ns, "ip", "tuntap", "add", "dev", TUN, "mode", "tun");
            run(10, "ip", "netns", "exec", ns, "ip", "addr", "add", KERNEL + "/24", "dev", TUN);
            run(10, "ip", "netns", "exec", ns, "ip", "link", "set", TUN, "up");

            client = new ProcessBuilder("ip", "netns", "exec", ns, "python3", script.toString(), "--target", TERN,
                    "--control", KERNEL + ":" + CONTROL_PORT, "--timeout", String.valueOf(STEP_SECONDS))
                    .redirectErrorStream(true).start();
            Lines said = new Lines(client.getInputStream(), ternOut, ternErr);
            Writer tell = new java.io.OutputStreamWriter(client.getOutputStream(), StandardCharsets.US_ASCII);
            said.expect("listening", 30);

            File launcher = HOME.resolve("bin/tern").toFile();
            assertTrue("the distribution is built at " + HOME, launcher.canExecute());
            tern = new ProcessBuilder("ip", "netns", "exec", ns, launcher.getAbsolutePath(), "--tun", TUN,
                    "--address", TERN + "/24", "--services", "echo,chargen",
                    "-c", "net:nc -w " + 2 * STEP_SECONDS + " " + KERNEL + " " + CONTROL_PORT,
                    "-c", "net:ss -tn state established")
                    .redirectOutput(ternOut.toFile()).redirectError(ternErr.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            long pid = javaPid(tern);
            said.watch(tern);
            said.expect("ready", 120);
            long rssAtStart = rssKiB(pid);

            long echoStart = System.nanoTime();
            say(tell, "echo " + ECHO_CLIENTS);
            int[] connected = said.numbers("echo connected (\\d+) failed (\\d+)", STEP_SECONDS);
            int served = said.numbers("echo served (\\d+) of \\d+", STEP_SECONDS)[0];
            long echoMillis = (System.nanoTime() - echoStart) / 1_000_000;
            long rssWithEcho = rssKiB(pid);
            long rssMax = Math.max(rssAtStart, rssWithEcho);

            say(tell, "chargen " + CHARGEN_CLIENTS);
            int[] chargenConnected = said.numbers("chargen connected (\\d+) failed (\\d+)", STEP_SECONDS);
            // The kernel's view: every chargen client ESTABLISHED, with Tern's text waiting unread.
            int kernelChargen = 0;
            int kernelChargenWithData = 0;
            int kernelEcho = 0;
            for (int i = 0; i < 60 && kernelChargenWithData < CHARGEN_CLIENTS; i++) {
                rssMax = Math.max(rssMax, rssKiB(pid));
                List<String> chargen = ss(ns, "( dport = :19 )");
                kernelChargen = chargen.size();
                kernelChargenWithData = (int) chargen.stream().filter(l -> !l.split("\\s+")[0].equals("0")).count();
                kernelEcho = ss(ns, "( dport = :7 )").size();
                Thread.sleep(500);
            }
            for (int i = 0; i < 10; i++) { // a few more seconds of a full, unread crowd
                rssMax = Math.max(rssMax, rssKiB(pid));
                Thread.sleep(500);
            }
            long rssWithChargen = rssKiB(pid);
            rssMax = Math.max(rssMax, rssWithChargen);

            said.watch(null); // bin/tern ends by itself once released
            say(tell, "release");
            said.expect("released", 30);
            if (!tern.waitFor(120, TimeUnit.SECONDS)) {
                throw new AssertionError("bin/tern did not finish its commands within 120 s after the release\n"
                        + report(ternOut, ternErr));
            }
            String ternSays = Files.readString(ternOut, StandardCharsets.UTF_8);
            long ternChargen = ternSays.lines().filter(l -> l.matches("ESTAB\\s+\\d+\\s+\\d+\\s+" + Pattern.quote(TERN)
                    + ":19\\s.*")).count();
            long ternEcho = ternSays.lines().filter(l -> l.matches("ESTAB\\s+\\d+\\s+\\d+\\s+" + Pattern.quote(TERN)
                    + ":7\\s.*")).count();

            System.out.printf("ServicesCrowdIT: %d of %d echo clients connected (%d failed), %d served, in %d ms; "
                    + "%d of %d chargen clients connected, ESTABLISHED in the kernel %d (%d with unread data), in Tern "
                    + "%d; echo ESTABLISHED in the kernel %d, in Tern %d; Tern's RSS %d MiB once listening, %d MiB with "
                    + "%d idle echo connections (%+.1f KiB each), %d MiB with the chargen crowd too, at most %d MiB "
                    + "(growth %d MiB, bound %d MiB)%n",
                    connected[0], ECHO_CLIENTS, connected[1], served, echoMillis, chargenConnected[0], CHARGEN_CLIENTS,
                    kernelChargen, kernelChargenWithData, ternChargen, kernelEcho, ternEcho, rssAtStart >> 10,
                    rssWithEcho >> 10, ECHO_CLIENTS, (rssWithEcho - rssAtStart) / (double) ECHO_CLIENTS,
                    rssWithChargen >> 10, rssMax >> 10, (rssMax - rssAtStart) >> 10, RSS_GROWTH_BOUND_MB);

            String context = "\n" + String.join("\n", said.all()) + "\n" + report(ternOut, ternErr);
            assertEquals("echo clients connected" + context, ECHO_CLIENTS, connected[0]);
            assertEquals("echo clients served, each its own line back" + context, ECHO_CLIENTS, served);
            assertEquals("chargen clients connected" + context, CHARGEN_CLIENTS, chargenConnected[0]);
            assertEquals("chargen clients ESTABLISHED in the kernel (ss)" + context, CHARGEN_CLIENTS, kernelChargen);
            assertEquals("chargen clients with Tern's text waiting unread" + context, CHARGEN_CLIENTS,
                    kernelChargenWithData);
            assertEquals("echo clients still ESTABLISHED in the kernel (ss)" + context, ECHO_CLIENTS, kernelEcho);
            assertEquals("chargen connections ESTABLISHED in Tern (net:ss)" + context, CHARGEN_CLIENTS, ternChargen);
            assertEquals("echo connections ESTABLISHED in Tern (net:ss)" + context, ECHO_CLIENTS, ternEcho);
            assertTrue("Tern's resident memory grew by " + ((rssMax - rssAtStart) >> 10) + " MiB, more than "
                    + RSS_GROWTH_BOUND_MB + " MiB" + context, rssMax - rssAtStart <= RSS_GROWTH_BOUND_MB << 10);
        } finally {
            try {
                stop(tern);
                stop(client);
            } finally {
                run(10, "ip", "netns", "del", ns);
                Files.deleteIfExists(script);
                Files.deleteIfExists(ternOut);
                Files.deleteIfExists(ternErr);
            }
        }
    }

    private static void say(Writer to, String line) throws IOException {
        to.write(line + "\n");
        to.flush();
    }

    /**
     * The kernel's ESTABLISHED TCP sockets in {@code ns} matching {@code filter}, one line each
     * (Recv-Q first). Thousands of lines outgrow a pipe, so they go through a file.
     */
    private static List<String> ss(String ns, String filter) throws IOException, InterruptedException {
        Path out = Files.createTempFile("crowd-ss", ".txt");
        try {
            Process p = new ProcessBuilder("ip", "netns", "exec", ns, "ss", "-Htn", "state", "established", filter)
                    .redirectErrorStream(true).redirectOutput(out.toFile()).start();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                stop(p);
                throw new AssertionError("ss in " + ns + " did not finish within 30 s");
            }
            return Files.readAllLines(out).stream().filter(l -> !l.isBlank()).toList();
        } finally {
            Files.deleteIfExists(out);
        }
    }

    /**
     * The Java process {@code bin/tern} became: {@code ip netns exec} and {@code bin/tern}
     * both exec, so normally the process itself; else its Java descendant.
     */
    private static long javaPid(Process p) throws Exception {
        for (int i = 0; i < 100; i++) {
            if (comm(p.pid()).equals("java")) {
                return p.pid();
            }
            for (ProcessHandle h : p.descendants().toList()) {
                if (comm(h.pid()).equals("java")) {
                    return h.pid();
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no java process under bin/tern (pid " + p.pid() + ")");
    }

    private static String comm(long pid) {
        try {
            return Files.readString(Path.of("/proc/" + pid + "/comm")).strip();
        } catch (IOException e) {
            return "";
        }
    }

    /** VmRSS of {@code pid}, in KiB. */
    private static long rssKiB(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new AssertionError("no VmRSS for pid " + pid);
    }

    private static String report(Path out, Path err) throws IOException {
        String o = Files.readString(out, StandardCharsets.UTF_8);
        String e = Files.readString(err, StandardCharsets.UTF_8);
        return "--- bin/tern stdout (first 40 lines)\n" + o.lines().limit(40).reduce("", (a, b) -> a + b + "\n")
                + "--- bin/tern stderr (last 40 lines)\n"
                + e.lines().skip(Math.max(0, e.lines().count() - 40)).reduce("", (a, b) -> a + b + "\n");
    }

    /** The client's output lines, read on a thread of their own, waited for with a bound. */
    private static final class Lines {
        private final BlockingQueue<String> queue = new LinkedBlockingQueue<>();
        private final List<String> all = new java.util.concurrent.CopyOnWriteArrayList<>();
        private final Path ternOut;
        private final Path ternErr;
        private volatile Process tern;

        Lines(InputStream in, Path ternOut, Path ternErr) {
            this.ternOut = ternOut;
            this.ternErr = ternErr;
            Thread reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                    for (String line = r.readLine(); line != null; line = r.readLine()) {
                        all.add(line);
                        queue.add(line);
                    }
                } catch (IOException e) {
                    all.add("(reading the client: " + e + ")");
                }
            }, "crowd-client-output");
            reader.setDaemon(true);
            reader.start();
        }

        List<String> all() {
            return all;
        }

        /** From now on a wait fails as soon as {@code process} (bin/tern) has exited. */
        void watch(Process process) {
            this.tern = process;
        }

        /** Waits for the next line matching {@code regex}; its numbered groups as numbers. */
        int[] numbers(String regex, int seconds) throws InterruptedException, IOException {
            Matcher m = expect(regex, seconds);
            int[] values = new int[m.groupCount()];
            for (int i = 0; i < values.length; i++) {
                values[i] = Integer.parseInt(m.group(i + 1));
            }
            return values;
        }

        Matcher expect(String regex, int seconds) throws InterruptedException, IOException {
            Pattern p = Pattern.compile(regex);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (true) {
                long left = deadline - System.nanoTime();
                String line = left > 0 ? queue.poll(Math.min(left, TimeUnit.SECONDS.toNanos(1)), TimeUnit.NANOSECONDS)
                        : null;
                Process t = tern;
                if (line == null && t != null && !t.isAlive()) {
                    throw new AssertionError("bin/tern exited (status " + t.exitValue() + ") while the test waited for"
                            + " the crowd client to say '" + regex + "'; the client said:\n" + String.join("\n", all)
                            + "\n" + report(ternOut, ternErr));
                }
                if (line == null && left > 0) {
                    continue;
                }
                if (line == null) {
                    throw new AssertionError("the crowd client did not say '" + regex + "' within " + seconds
                            + " s; it said:\n" + String.join("\n", all));
                }
                Matcher m = p.matcher(line);
                if (m.matches()) {
                    return m;
                }
                if (line.startsWith("error")) {
                    throw new AssertionError("the crowd client failed: " + line + "\n" + String.join("\n", all));
                }
            }
        }
    }
}
