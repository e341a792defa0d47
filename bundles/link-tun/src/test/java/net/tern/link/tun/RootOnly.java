package net.tern.link.tun;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * For tests that need root (network namespaces, TUN devices). As root they run; otherwise
 * they fail saying why, unless {@code TERN_SKIP_ROOT_TESTS=1} is set, which skips them.
 * CI runs as root, so a skipped root test there would hide a broken driver.
 */
final class RootOnly {
    static final String SKIP_VARIABLE = "TERN_SKIP_ROOT_TESTS";

    private RootOnly() {
    }

    static void require(String... commands) {
        boolean skip = "1".equals(System.getenv(SKIP_VARIABLE));
        if (LibC.get().geteuid() != 0) {
            if (skip) {
                Assumptions.abort("not root, and " + SKIP_VARIABLE + "=1: TUN tests in a namespace skipped");
            }
            fail("these tests create a network namespace and a TUN device and need root (or CAP_NET_ADMIN and "
                    + "CAP_SYS_ADMIN); run them as root, or set " + SKIP_VARIABLE + "=1 to skip them");
        }
        for (String command : commands) {
            if (!onPath(command)) {
                if (skip) {
                    Assumptions.abort(command + " is not installed, and " + SKIP_VARIABLE + "=1: skipped");
                }
                fail(command + " is not installed (on Debian: apt-get install "
                        + ("ping".equals(command) ? "iputils-ping" : "iproute2")
                        + "); install it, or set " + SKIP_VARIABLE + "=1 to skip the root tests");
            }
        }
    }

    private static boolean onPath(String command) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin").split(":")) {
            if (new java.io.File(dir, command).canExecute()) {
                return true;
            }
        }
        return false;
    }

    /** What a command printed and how it ended. */
    record Result(int exitCode, String output) {
    }

    /** Runs {@code argv}, waiting at most {@code timeoutSeconds}; a command still running then is killed. */
    static Result run(int timeoutSeconds, String... argv) {
        Process process;
        try {
            process = new ProcessBuilder(List.of(argv)).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new AssertionError("cannot start " + String.join(" ", argv) + ": " + e.getMessage(), e);
        }
        return await(process, timeoutSeconds, argv, () -> { });
    }

    /** Starts {@code argv} without waiting; see {@link #await}. */
    static Process start(String... argv) {
        try {
            return new ProcessBuilder(List.of(argv)).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new AssertionError("cannot start " + String.join(" ", argv) + ": " + e.getMessage(), e);
        }
    }

    /**
     * Waits at most {@code timeoutSeconds} for {@code process}, calling {@code meanwhile}
     * every few milliseconds (to let the stack's network thread run); kills it on timeout.
     */
    static Result await(Process process, int timeoutSeconds, String[] argv, Runnable meanwhile) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        try {
            while (!process.waitFor(2, TimeUnit.MILLISECONDS)) {
                meanwhile.run();
                if (System.nanoTime() > deadline) {
                    process.destroyForcibly();
                    process.waitFor(5, TimeUnit.SECONDS);
                    throw new AssertionError(String.join(" ", argv) + " did not finish within " + timeoutSeconds + " s");
                }
            }
            meanwhile.run();
            return new Result(process.exitValue(), readAll(process.getInputStream()));
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted waiting for " + String.join(" ", argv), e);
        }
    }

    /** Runs {@code argv} and fails the test unless it exits 0. */
    static String check(int timeoutSeconds, String... argv) {
        Result r = run(timeoutSeconds, argv);
        if (r.exitCode() != 0) {
            throw new AssertionError(String.join(" ", argv) + " exited " + r.exitCode() + ": " + r.output());
        }
        return r.output();
    }

    private static String readAll(InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(output unreadable: " + e.getMessage() + ")";
        }
    }
}
