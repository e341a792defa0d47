package net.tern.itests;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.Assume;

/**
 * Commands run on the host for tests that set up the kernel's side (network namespaces, TUN
 * interfaces, a kernel echo server), and the rule for tests that need root: as root they run;
 * otherwise they fail saying why, unless {@code TERN_SKIP_ROOT_TESTS=1} is set, which skips
 * them (as link-tun's root tests do). CI runs as root, so a skipped root test there would hide
 * a broken driver. Every wait is bounded; only processes a test started are stopped.
 */
final class HostCommands {
    static final String SKIP_VARIABLE = "TERN_SKIP_ROOT_TESTS";

    private HostCommands() {
    }

    /**
     * Fails the calling test unless it runs as root with {@code /dev/net/tun} and {@code tools}
     * on the path; skips it instead with {@code TERN_SKIP_ROOT_TESTS=1}.
     */
    static void requireRoot(String... tools) throws IOException, InterruptedException {
        String missing = null;
        if (!"0".equals(output(10, "id", "-u").strip())) {
            missing = "root (it creates a network namespace and a TUN device)";
        } else if (!new File("/dev/net/tun").exists()) {
            missing = "/dev/net/tun (load the tun module)";
        } else {
            for (String tool : tools) {
                if (!onPath(tool)) {
                    missing = tool + " (on Debian: apt-get install " + ("ip".equals(tool) ? "iproute2" : tool) + ")";
                    break;
                }
            }
        }
        if (missing != null) {
            Assume.assumeFalse("needs " + missing + ", and " + SKIP_VARIABLE + "=1", "1".equals(System.getenv(SKIP_VARIABLE)));
            throw new AssertionError("this test needs " + missing + "; run it as root with the tools installed, or set "
                    + SKIP_VARIABLE + "=1 to skip it");
        }
    }

    private static boolean onPath(String command) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin").split(":")) {
            if (new File(dir, command).canExecute()) {
                return true;
            }
        }
        return false;
    }

    /**
     * In network namespace {@code ns} (created by the caller, who deletes it, and with it
     * what is made here): {@code lo} up, and a persistent TUN {@code tun} with the kernel's
     * side at {@code kernelAddress} ({@code A.B.C.D/N}), up, for Tern to attach to.
     */
    static void addTun(String ns, String tun, String kernelAddress) throws IOException, InterruptedException {
        addTun(ns, tun, kernelAddress, false);
    }

    /**
     * As {@link #addTun(String, String, String)}; with {@code multiQueue} the TUN takes several
     * queues ({@code IFF_MULTI_QUEUE}): Tern's driver attaches one file per queue.
     */
    static void addTun(String ns, String tun, String kernelAddress, boolean multiQueue)
            throws IOException, InterruptedException {
        run(10, "ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up");
        if (multiQueue) {
            run(10, "ip", "netns", "exec", ns, "ip", "tuntap", "add", "dev", tun, "mode", "tun", "multi_queue");
        } else {
            run(10, "ip", "netns", "exec", ns, "ip", "tuntap", "add", "dev", tun, "mode", "tun");
        }
        // No IPv6 on the kernel's end: its router solicitations and MLD reports would reach Tern,
        // which has no IPv6 and counts them as receive drops, at times no test chooses (a flood
        // test that accounts for every packet the link dropped once saw one too many).
        String disableIpv6 = "/proc/sys/net/ipv6/conf/" + tun + "/disable_ipv6";
        run(10, "ip", "netns", "exec", ns, "sh", "-c",
                "if [ -e " + disableIpv6 + " ]; then echo 1 > " + disableIpv6 + "; fi");
        run(10, "ip", "netns", "exec", ns, "ip", "addr", "add", kernelAddress, "dev", tun);
        run(10, "ip", "netns", "exec", ns, "ip", "link", "set", tun, "up");
    }

    /**
     * The transmit queues of TUN {@code tun} in namespace {@code ns} that have a file attached
     * ({@code tx-0}, {@code tx-1}, ... under {@code /sys/class/net/TUN/queues}, which
     * {@code tun_attach} and {@code tun_detach} keep to the files attached).
     */
    static List<String> tunQueues(String ns, String tun) {
        return java.util.Arrays.stream(output(5, "ip", "netns", "exec", ns, "ls", "/sys/class/net/" + tun + "/queues")
                .trim().split("\\s+")).filter(q -> q.startsWith("tx-")).sorted().collect(java.util.stream.Collectors.toList());
    }

    /** Runs a command the test needs, waiting at most {@code seconds}, and returns its output; a failure fails the test. */
    static String run(int seconds, String... argv) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(List.of(argv)).redirectErrorStream(true).start();
        String out = finish(p, seconds, argv);
        if (p.exitValue() != 0) {
            throw new AssertionError(String.join(" ", argv) + " failed (" + p.exitValue() + "): " + out);
        }
        return out;
    }

    /** Runs a command (bounded) for what it prints, whatever its exit status: for polling and diagnostics. */
    static String output(int seconds, String... argv) {
        try {
            return finish(new ProcessBuilder(List.of(argv)).redirectErrorStream(true).start(), seconds, argv);
        } catch (IOException | InterruptedException e) {
            return String.join(" ", argv) + ": " + e;
        }
    }

    private static String finish(Process p, int seconds, String... argv) throws IOException, InterruptedException {
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            stop(p);
            throw new AssertionError(String.join(" ", argv) + " did not finish within " + seconds + " s");
        }
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    /**
     * Stops a process the test started and whatever it started in turn ({@code ip netns exec}
     * execs its command, which may run others): TERM, a bounded wait, then KILL.
     */
    static void stop(Process process) throws InterruptedException {
        if (process == null) {
            return;
        }
        List<ProcessHandle> started = process.descendants().toList();
        process.destroy();
        started.forEach(ProcessHandle::destroy);
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
        started.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }

    /**
     * Waits up to {@code seconds} for Tern's status page at {@code address}, read with curl in
     * namespace {@code ns}; fails with {@code log} when {@code tern} exits first or time runs out.
     */
    static void awaitStatusPage(String ns, String address, Process tern, Path log, long seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            String page = output(10, "ip", "netns", "exec", ns, "curl", "-sS", "--max-time", "2", "http://" + address + "/");
            if (page.contains("Tern status")) {
                return;
            }
            if (!tern.isAlive()) {
                throw new AssertionError("bin/tern exited:\n" + Files.readString(log));
            }
            Thread.sleep(500);
        }
        throw new AssertionError("no status page within " + seconds + " s:\n" + Files.readString(log));
    }

    /** How many times {@code regex} matches in {@code text}. */
    static long count(String text, String regex) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(regex).matcher(text);
        long n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    /** After a test: stops {@code tern}, then deletes namespace {@code ns} and directory {@code dir} (each if made). */
    static void stopAndRemove(Process tern, String ns, Path dir) throws Exception {
        try {
            stop(tern);
        } finally {
            if (ns != null) {
                run(10, "ip", "netns", "del", ns);
            }
            if (dir != null) {
                try (var files = Files.walk(dir)) {
                    files.sorted(java.util.Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
                }
            }
        }
    }
}
