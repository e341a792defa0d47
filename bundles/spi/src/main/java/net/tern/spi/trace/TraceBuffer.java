package net.tern.spi.trace;

/**
 * The stack's trace ring buffer, as Linux's ftrace keeps one ({@code tracing_on}, the
 * {@code trace} file): while anyone {@linkplain #record() records}, the events of TCP and of
 * the socket calls go into a ring of the last {@value #CAPACITY}, numbered from 0 as they
 * come, where readers find them later, by number ({@link #read}). A tool that shows a
 * connection after the fact ({@code net:demo} leaves its transfer here; the status page's
 * live view reads it) records while the connection runs; when the last recorder stops, the
 * listener goes (tracepoints cost one volatile read again) and the ring keeps what it holds.
 *
 * <p>IP, UDP and device events are not kept: a connection's segments are TCP's events
 * already, and the ring holds more of them this way.
 */
public final class TraceBuffer {
    /** Events kept: the oldest is overwritten by the next. */
    public static final int CAPACITY = 1 << 16;
    private static final TraceEvent[] RING = new TraceEvent[CAPACITY];
    /** The number the next event gets; guarded by the class. */
    private static long next;
    private static int recorders;
    private static AutoCloseable listening;

    private TraceBuffer() {
    }

    /** Records until the returned handle is closed (once); recorders nest. */
    public static synchronized AutoCloseable record() {
        if (recorders++ == 0) {
            listening = Tracepoints.add(TraceBuffer::append);
        }
        boolean[] closed = {false};
        return () -> stop(closed);
    }

    private static synchronized void stop(boolean[] closed) throws Exception {
        if (closed[0]) {
            return;
        }
        closed[0] = true;
        if (--recorders == 0) {
            listening.close();
            listening = null;
        }
    }

    /** Whether anyone records now. */
    public static synchronized boolean recording() {
        return recorders > 0;
    }

    private static void append(TraceEvent event) {
        String system = event.system();
        if (!system.equals("tcp") && !system.equals("sock") && !system.equals("syscalls")) {
            return;
        }
        synchronized (TraceBuffer.class) {
            RING[(int) (next % CAPACITY)] = event;
            next++;
        }
    }

    /** The number the next event will get: every event before it was recorded (the oldest may be gone). */
    public static synchronized long next() {
        return next;
    }

    /** The number of the oldest event still kept. */
    public static synchronized long oldest() {
        return Math.max(0, next - CAPACITY);
    }

    /** What {@link #read} copied: {@code count} events numbered from {@code first}; read on from {@link #next()}. */
    public record Batch(long first, int count) {
        public long next() {
            return first + count;
        }
    }

    /**
     * Copies into {@code into} the events from number {@code from} on (from the oldest kept,
     * when {@code from} is older: those between were overwritten), as many as fit.
     */
    public static synchronized Batch read(long from, TraceEvent[] into) {
        long start = Math.max(from, Math.max(0, next - CAPACITY));
        int count = (int) Math.max(0, Math.min(next - start, into.length));
        for (int i = 0; i < count; i++) {
            into[i] = RING[(int) ((start + i) % CAPACITY)];
        }
        return new Batch(start, count);
    }
}
