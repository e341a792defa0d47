package net.tern.core.testing;

import io.netty.util.concurrent.FastThreadLocalThread;
import java.lang.management.ManagementFactory;
import java.util.Objects;

/**
 * Measures what a path allocates on a thread
 * ({@code com.sun.management.ThreadMXBean#getThreadAllocatedBytes}): for a test that a path,
 * such as a non-blocking call that would block or the receive of a packet, allocates nothing.
 * No time is measured.
 *
 * <p>{@link #leastAllocated} makes a call in three measured rounds after a warm-up of as many
 * calls, and the least round counts: an allocation made by every call shows in every round (at
 * 16 bytes a call, 1.6 MB for 100,000), while the JIT's one-off work (a deoptimization that runs
 * a few calls in the interpreter) shows in one round only. {@link #bytes} reads a thread's count
 * for a test that measures around many packets itself, and {@link #onFastThread} runs such a
 * test on a thread like the stack's network thread.
 */
public final class AllocationMeter {

    /** A call whose result is checked. */
    @FunctionalInterface
    public interface Call {
        Object call() throws Exception;
    }

    /** A test's body, which may throw. */
    @FunctionalInterface
    public interface Body {
        void run() throws Exception;
    }

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private AllocationMeter() {
    }

    /** Bytes {@code thread} has allocated since it started. */
    public static long bytes(Thread thread) {
        return THREADS.getThreadAllocatedBytes(thread.getId());
    }

    /** Bytes the calling thread has allocated since it started. */
    public static long bytes() {
        return bytes(Thread.currentThread());
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
        long least = Long.MAX_VALUE;
        for (int round = 0; round < 3; round++) {
            int mismatches = 0;
            long before = bytes();
            for (int i = 0; i < calls; i++) {
                if (!Objects.equals(call.call(), expected)) {
                    mismatches++;
                }
            }
            least = Math.min(least, bytes() - before);
            if (mismatches > 0) {
                throw new AssertionError(what + ": " + mismatches + " of " + calls + " calls did not return " + expected);
            }
        }
        return least;
    }

    /**
     * Runs {@code body} on a Netty {@code FastThreadLocalThread} named {@code name}, as the
     * stack's network and driver threads are (the pooled allocator recycles buffer objects
     * only for those), waits for it, and throws what it threw.
     */
    public static void onFastThread(String name, Body body) throws Exception {
        Throwable[] failure = new Throwable[1];
        Thread thread = new FastThreadLocalThread(() -> {
            try {
                body.run();
            } catch (Throwable t) {
                failure[0] = t;
            }
        }, name);
        thread.start();
        thread.join();
        if (failure[0] instanceof Exception e) {
            throw e;
        }
        if (failure[0] instanceof Error e) {
            throw e;
        }
    }
}
