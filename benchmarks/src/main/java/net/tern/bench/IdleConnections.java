package net.tern.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.ArrayList;
import java.util.List;

/**
 * Idle established connections held open in this JVM, both ends on one stack: connect,
 * accept, keep both descriptors, nothing sent. Measures the heap they cost (after GC, before
 * and after) and how many one heap holds, growing until a target, a time budget, a heap
 * limit or an error from the stack (EMFILE for the kernel's descriptor limit).
 */
final class IdleConnections implements AutoCloseable {
    /** Connections per listening port: below the 28,232 ephemeral ports towards one destination. */
    static final int PER_LISTENER = 20_000;
    /** Stop once the live heap after a collection exceeds this share of the maximum heap. */
    static final double HEAP_LIMIT = 0.85;

    private final Net net;
    private final int firstPort;
    private final List<Net.Listener> listeners = new ArrayList<>();
    private final List<Net.Conn> held = new ArrayList<>();
    private long connections;
    private String stopReason = "target reached";
    private long lastHeapCheck;

    /**
     * Listeners take ports {@code firstPort}, {@code firstPort + 1}, ... (0: ephemeral ports).
     * Past about 28,000 connections every ephemeral port is some client's local port, so a
     * listener binding port 0 would fail with EADDRINUSE, on Linux as on Tern: large runs
     * give ports below the ephemeral range.
     */
    IdleConnections(Net net, int firstPort) {
        this.net = net;
        this.firstPort = firstPort;
    }

    long connections() {
        return connections;
    }

    String stopReason() {
        return stopReason;
    }

    /** Opens connections until {@code target} are held, or a limit stops it; returns the count held. */
    long growTo(long target, long deadlineNanos) {
        Runtime runtime = Runtime.getRuntime();
        try {
            while (connections < target) {
                if (connections % PER_LISTENER == 0 && listeners.size() * (long) PER_LISTENER <= connections) {
                    listeners.add(net.listen(128, firstPort == 0 ? 0 : firstPort + listeners.size()));
                }
                Net.Listener listener = listeners.get(listeners.size() - 1);
                Net.Conn client = net.connect(listener.port());
                held.add(client);
                Net.Conn server = listener.accept();
                held.add(server);
                connections++;
                if ((connections & 1023) == 0) {
                    if (System.nanoTime() > deadlineNanos) {
                        stopReason = "time budget";
                        break;
                    }
                    long used = runtime.totalMemory() - runtime.freeMemory();
                    if (used > HEAP_LIMIT * runtime.maxMemory() && connections - lastHeapCheck >= 10_000) {
                        lastHeapCheck = connections;
                        if (heapAfterGc() > HEAP_LIMIT * runtime.maxMemory()) {
                            stopReason = "heap limit (" + (int) (HEAP_LIMIT * 100) + "% of -Xmx live)";
                            break;
                        }
                    }
                }
            }
        } catch (IOException e) {
            stopReason = e.getMessage();
        } catch (OutOfMemoryError e) {
            held.clear(); // let the rest go so the report can be printed
            stopReason = "OutOfMemoryError";
        }
        return connections;
    }

    /**
     * Heap in use after full collections: collects until two readings agree within 256 KiB
     * (garbage of a stack just closed can take more than one collection), at most 6 times.
     */
    static long heapAfterGc() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long previous = Long.MAX_VALUE;
        for (int i = 0; i < 6; i++) {
            System.gc();
            long now = memory.getHeapMemoryUsage().getUsed();
            if (Math.abs(previous - now) < 256 * 1024) {
                return Math.min(previous, now);
            }
            previous = now;
        }
        return previous;
    }

    @Override
    public void close() {
        for (Net.Conn conn : held) {
            try {
                conn.close();
            } catch (Exception e) {
                // the stack may already be withdrawing it
            }
        }
        held.clear();
        for (Net.Listener listener : listeners) {
            try {
                listener.close();
            } catch (Exception e) {
                // as above
            }
        }
        listeners.clear();
    }
}
