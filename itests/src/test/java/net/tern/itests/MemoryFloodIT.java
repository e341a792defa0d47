package net.tern.itests;

import static net.tern.itests.HostCommands.output;
import static net.tern.itests.HostCommands.run;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.Test;

/**
 * The distribution's memory bound holds under floods. As root (skipped with
 * {@code TERN_SKIP_ROOT_TESTS=1}, failing otherwise): in a namespace of its own, a TUN with
 * the kernel at 10.96.0.1/24 and {@code bin/tern --tun ... --services echo,discard,http
 * --headless} at 10.96.0.2, started with a small bound through the launcher's settings
 * ({@code TERN_HEAP}, {@code TERN_DIRECT_MEMORY}, and metaspace and code cache through
 * {@code TERN_OPTS}). From the kernel's side, {@code interop/flood.py} sends 200 MB of TCP
 * segments inside the window but past a hole that is never filled, on one connection to
 * discard, then 140 MB of UDP to echo, a reader slower than the flood. All the while the
 * Tern process's resident memory ({@code VmRSS}) is sampled; its peak must stay within the
 * bound (the four maxima plus the JVM's own {@link #JVM_OVERHEAD}), and it must grow by no
 * more than the heap's and direct memory's maxima during each flood. The counters on Tern's
 * status page say the floods arrived and where they went.
 */
public class MemoryFloodIT {
    private static final Path HOME = Path.of(System.getProperty("tern.distribution", "../distribution/target/tern"));
    private static final Path FLOOD = Path.of(System.getProperty("tern.interop", "../interop"), "flood.py");
    private static final long MIB = 1 << 20;
    private static final long HEAP = 64 * MIB;
    private static final long DIRECT = 32 * MIB;
    private static final long METASPACE = 48 * MIB;
    private static final long CODE_CACHE = 32 * MIB;
    /**
     * What the JVM needs beyond the four maxima: the collector's structures (G1 commits about
     * 40 MB at this heap size, little of it touched), thread stacks, the class-data archive and
     * the JVM's and JNA's libraries (about 24 MB mapped from files), symbols, compiler arenas.
     * Measured peak with these settings: about 155 MB, under the maxima alone.
     */
    private static final long JVM_OVERHEAD = 64 * MIB;
    private static final long BOUND = HEAP + DIRECT + METASPACE + CODE_CACHE + JVM_OVERHEAD;
    private static final long TCP_BYTES = 200_000_000;
    private static final long UDP_BYTES = 140_000_000;
    private static final String TUN = "terntun8";
    private static final String KERNEL = "10.96.0.1";
    private static final String TERN = "10.96.0.2";
    /** In the TUN's subnet, not the kernel's: Tern's answers to it are dropped by the kernel, without a reset. */
    private static final String FLOODER = "10.96.0.77";

    @Test
    public void outOfOrderTcpAndUdpFloodsLeaveTheProcessWithinItsMemoryBound() throws Exception {
        HostCommands.requireRoot("ip", "python3");
        assertTrue("the distribution is built at " + HOME, HOME.resolve("bin/tern").toFile().canExecute());
        String ns = "terntm" + ProcessHandle.current().pid();
        Path log = Files.createTempFile("tern-flood", ".log");
        Process tern = null;
        run(10, "ip", "netns", "add", ns);
        try {
            HostCommands.addTun(ns, TUN, KERNEL + "/24");

            ProcessBuilder pb = new ProcessBuilder("ip", "netns", "exec", ns, HOME.resolve("bin/tern").toString(),
                    "--tun", TUN, "--address", TERN + "/24", "--services", "echo,discard,http", "--headless")
                    .redirectErrorStream(true).redirectOutput(log.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            pb.environment().put("TERN_HEAP", "64m");
            pb.environment().put("TERN_DIRECT_MEMORY", "32m");
            pb.environment().put("TERN_OPTS", "-XX:MaxMetaspaceSize=48m -XX:ReservedCodeCacheSize=32m");
            // ip netns exec execs the launcher, which execs java: the process is the JVM.
            tern = pb.start();
            awaitHeadless(tern, log);
            String bound = Files.readString(log).lines().filter(l -> l.startsWith("tern: memory bound: ")).findFirst()
                    .orElse("");
            assertTrue("the JVM runs under the bound the launcher was given:\n" + Files.readString(log), bound.startsWith(
                    "tern: memory bound: heap 64 MiB, direct memory 32 MiB, metaspace 48 MiB, code cache 32 MiB"));

            ResidentMemory rss = new ResidentMemory(tern.pid());
            Map<String, Long> before = status(ns);
            long tcpStart = rss.now();
            rss.resetPeak();
            Map<String, Long> tcpFlood = flood(ns, "tcp-ooo", 9, TCP_BYTES);
            Map<String, Long> afterTcp = status(ns);
            long tcpPeak = rss.peak();
            long udpStart = rss.now();
            rss.resetPeak();
            Map<String, Long> udpFlood = flood(ns, "udp", 7, UDP_BYTES);
            Map<String, Long> afterUdp = udpSettled(ns, afterTcp, udpFlood.get("packets"));
            long udpPeak = rss.peak();
            rss.stop();
            assertTrue("Tern is still running after the floods\n" + Files.readString(log), tern.isAlive());

            String figures = String.format("bound %d MiB; TCP out-of-order flood: %d MiB sent, RSS %d -> peak %d MiB"
                    + " (+%d); UDP flood: %d MiB sent, RSS %d -> peak %d MiB (+%d)", BOUND / MIB,
                    tcpFlood.get("bytes") / MIB, tcpStart / MIB, tcpPeak / MIB, (tcpPeak - tcpStart) / MIB,
                    udpFlood.get("bytes") / MIB, udpStart / MIB, udpPeak / MIB, (udpPeak - udpStart) / MIB);
            System.out.println("MemoryFloodIT: " + figures);
            String report = figures + "\n" + output(30, "jcmd", String.valueOf(tern.pid()), "GC.heap_info");

            // What arrived, and where it went.
            long tcpSegments = tcpFlood.get("packets");
            assertTrue(report, delta(before, afterTcp, "link." + TUN + ".rx.packets") >= tcpSegments);
            assertTrue("out-of-order segments queued: " + report, delta(before, afterTcp, "TcpExt.TCPOFOQueue") > 0);
            long datagrams = udpFlood.get("packets");
            assertTrue(report, delta(afterTcp, afterUdp, "link." + TUN + ".rx.packets") >= datagrams);
            long read = delta(afterTcp, afterUdp, "Udp.InDatagrams");
            long overflowed = delta(afterTcp, afterUdp, "Udp.RcvbufErrors");
            long backlogDrops = delta(afterTcp, afterUdp, "link." + TUN + ".rx.dropped");
            assertTrue("echo read datagrams: " + report, read > 0);
            assertTrue("echo's receive queue overflowed and the drops were counted (RcvbufErrors): " + report,
                    overflowed > 0);
            assertEquals("each datagram read, dropped at the socket or dropped in the backlog: " + report, datagrams,
                    read + overflowed + backlogDrops);
            assertEquals("Udp InErrors counts the receive-queue drops: " + report, overflowed,
                    delta(afterTcp, afterUdp, "Udp.InErrors"));

            // The bound.
            assertTrue("peak RSS within the bound: " + report, Math.max(tcpPeak, udpPeak) <= BOUND);
            assertTrue("RSS grew by at most the heap's and direct memory's maxima: " + report,
                    tcpPeak - tcpStart <= HEAP + DIRECT && udpPeak - udpStart <= HEAP + DIRECT);
        } finally {
            HostCommands.stop(tern);
            run(10, "ip", "netns", "del", ns);
            Files.deleteIfExists(log);
        }
    }

    private static void awaitHeadless(Process tern, Path log) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            String text = Files.readString(log);
            if (text.contains("running headless")) {
                return;
            }
            if (!tern.isAlive()) {
                throw new AssertionError("bin/tern exited with " + tern.exitValue() + ":\n" + text);
            }
            Thread.sleep(100);
        }
        throw new AssertionError("bin/tern did not say it runs headless within 60 s:\n" + Files.readString(log));
    }

    /** Runs flood.py in the namespace (bounded) and returns the numbers of its JSON line. */
    private static Map<String, Long> flood(String ns, String mode, int port, long bytes)
            throws IOException, InterruptedException {
        String out = run(90, "ip", "netns", "exec", ns, "python3", FLOOD.toString(), mode, "--dev", TUN, "--src",
                FLOODER, "--dst", TERN, "--port", String.valueOf(port), "--bytes", String.valueOf(bytes));
        Map<String, Long> numbers = new HashMap<>();
        Matcher m = Pattern.compile("\"(\\w+)\": (\\d+)").matcher(out);
        while (m.find()) {
            numbers.put(m.group(1), Long.parseLong(m.group(2)));
        }
        assertTrue(mode + " flood reported what it sent: " + out, numbers.containsKey("packets"));
        assertTrue(mode + " flood delivered " + bytes + " bytes: " + out, numbers.get("bytes") >= bytes);
        return numbers;
    }

    /** Tern's links and counters, read from its status page over the TUN. */
    private static Map<String, Long> status(String ns) throws IOException, InterruptedException {
        Map<String, Long> values = new HashMap<>();
        for (String line : run(30, "ip", "netns", "exec", ns, "python3", FLOOD.toString(), "status", "--dst", TERN)
                .split("\n")) {
            String[] words = line.trim().split(" ");
            if (words.length == 2) {
                values.put(words[0], Long.parseLong(words[1]));
            }
        }
        assertTrue("the status page lists " + TUN + ": " + values, values.containsKey("link." + TUN + ".rx.packets"));
        return values;
    }

    /**
     * The status once every datagram of the UDP flood has been read by echo or dropped (at
     * the socket or in the backlog), or after 10 s: echo may still be reading its queue when
     * the flood ends.
     */
    private static Map<String, Long> udpSettled(String ns, Map<String, Long> from, long datagrams)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        Map<String, Long> now = status(ns);
        while (udpAccounted(from, now) < datagrams && System.nanoTime() < deadline) {
            Thread.sleep(200);
            now = status(ns);
        }
        return now;
    }

    private static long udpAccounted(Map<String, Long> from, Map<String, Long> to) {
        return delta(from, to, "Udp.InDatagrams") + delta(from, to, "Udp.RcvbufErrors")
                + delta(from, to, "link." + TUN + ".rx.dropped");
    }

    private static long delta(Map<String, Long> from, Map<String, Long> to, String name) {
        assertTrue("the status page has " + name, to.containsKey(name));
        return to.get(name) - from.getOrDefault(name, 0L);
    }

    /** Samples a process's VmRSS from /proc every 20 ms on a thread of its own, keeping the peak. */
    private static final class ResidentMemory {
        private static final Pattern VM_RSS = Pattern.compile("VmRSS:\\s+(\\d+) kB");
        private final Path status;
        private final Thread sampler;
        private volatile long peak;
        private volatile boolean running = true;

        ResidentMemory(long pid) {
            this.status = Path.of("/proc", String.valueOf(pid), "status");
            this.sampler = new Thread(() -> {
                while (running) {
                    sample();
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "rss-sampler");
            sampler.setDaemon(true);
            sampler.start();
        }

        long now() {
            return sample();
        }

        synchronized void resetPeak() {
            peak = now();
        }

        long peak() {
            return Math.max(peak, sample());
        }

        private synchronized long sample() {
            try {
                Matcher m = VM_RSS.matcher(Files.readString(status, StandardCharsets.UTF_8));
                if (!m.find()) {
                    throw new AssertionError("no VmRSS in " + status);
                }
                long bytes = Long.parseLong(m.group(1)) * 1024;
                peak = Math.max(peak, bytes);
                return bytes;
            } catch (IOException e) {
                throw new AssertionError("cannot read " + status + ": " + e);
            }
        }

        void stop() throws InterruptedException {
            running = false;
            sampler.interrupt();
            sampler.join(1000);
        }
    }

}
