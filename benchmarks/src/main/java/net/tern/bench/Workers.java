package net.tern.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/** Threads of one benchmark round: started together, joined with a bound, the first failure rethrown. */
final class Workers {
    interface Body {
        void run() throws Exception;
    }

    private final List<Thread> threads = new ArrayList<>();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    void start(String name, Body body) {
        Thread thread = new Thread(() -> {
            try {
                body.run();
            } catch (Throwable e) {
                failure.compareAndSet(null, e);
            }
        }, name);
        thread.setDaemon(true);
        threads.add(thread);
        thread.start();
    }

    /** Waits for every thread, at most {@code millis} in all; fails if one threw or is still running. */
    void join(long millis) throws Exception {
        long deadline = System.nanoTime() + millis * 1_000_000;
        for (Thread thread : threads) {
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (left > 0) {
                thread.join(left);
            }
        }
        Throwable error = failure.get();
        if (error != null) {
            throw new IllegalStateException("a benchmark thread failed: " + error, error);
        }
        for (Thread thread : threads) {
            if (thread.isAlive()) {
                throw new IllegalStateException(thread.getName() + " did not finish within " + millis + " ms");
            }
        }
    }

    Throwable failure() {
        return failure.get();
    }
}
