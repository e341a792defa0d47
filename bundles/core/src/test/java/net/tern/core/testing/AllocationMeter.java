package net.tern.core.testing;

import java.lang.management.ManagementFactory;
import java.util.Objects;

/**
 * Measures what a call allocates on the calling thread
 * ({@code com.sun.management.ThreadMXBean#getThreadAllocatedBytes}): for a test that a path,
 * such as a non-blocking call that would block, allocates nothing. No time is measured.
 *
 * <p>After a warm-up of as many calls, the call is made in three measured rounds and the least
 * round counts: an allocation made by every call shows in every round (at 16 bytes a call, 1.6
 * MB for 100,000), while the JIT's one-off work (a deoptimization that runs a few calls in the
 * interpreter) shows in one round only.
 */
public final class AllocationMeter {

    /** A call whose result is checked. */
    @FunctionalInterface
    public interface Call {
        Object call() throws Exception;
    }

    private AllocationMeter() {
    }

    /**
     * Makes {@code call} {@code calls} times to warm up and then three rounds of {@code calls}
     * times, each returning {@code expected} (else an AssertionError naming {@code what}), and
     * returns the bytes the least round allocated.
     */
    public static long leastAllocated(String what, int calls, Object expected, Call call) throws Exception {
        for (int i = 0; i < calls; i++) {
            Object result = call.call();
            if (!Objects.equals(result, expected)) {
                throw new AssertionError(what + ": returned " + result + ", expected " + expected);
            }
        }
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().getId();
        long least = Long.MAX_VALUE;
        for (int round = 0; round < 3; round++) {
            int mismatches = 0;
            long before = threads.getThreadAllocatedBytes(id);
            for (int i = 0; i < calls; i++) {
                if (!Objects.equals(call.call(), expected)) {
                    mismatches++;
                }
            }
            least = Math.min(least, threads.getThreadAllocatedBytes(id) - before);
            if (mismatches > 0) {
                throw new AssertionError(what + ": " + mismatches + " of " + calls + " calls did not return " + expected);
            }
        }
        return least;
    }
}
