package net.tern.core.testing;

import io.netty.util.concurrent.FastThreadLocalThread;
import java.lang.management.ManagementFactory;

/**
 * For tests that a path allocates nothing per packet: the bytes a thread has allocated so far
 * ({@code com.sun.management.ThreadMXBean#getThreadAllocatedBytes}), read before and after
 * many packets, and a way to run the path on a thread like the network thread. Nothing here
 * times anything.
 */
public final class ThreadAllocation {
    /** A test's body, which may throw. */
    @FunctionalInterface
    public interface Body {
        void run() throws Exception;
    }

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private ThreadAllocation() {
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
