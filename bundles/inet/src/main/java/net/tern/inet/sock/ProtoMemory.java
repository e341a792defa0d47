package net.tern.inet.sock;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import net.tern.spi.net.Clock;

/**
 * A transport's share of the stack's memory, as Linux accounts it in {@code struct proto}
 * ({@code tcp_prot}, {@code udp_prot}): the pages its sockets hold now
 * ({@code memory_allocated}), the three limits of {@code tcp_mem} / {@code udp_mem}
 * ({@code sysctl_mem}: min, pressure, max, in pages of {@value #PAGE_SIZE} bytes), the
 * memory-pressure flag with the time it was raised ({@code tcp_memory_pressure}), and the
 * number of sockets sharing the pool ({@code sockets_allocated}).
 *
 * <p>Sockets charge it through their {@link SockMemory} account, in whole pages, as
 * {@code __sk_mem_schedule} does: a socket takes pages ahead ({@code sk_forward_alloc}) and
 * spends them on the buffers it queues at their true size, so the shared counter moves once
 * per page, not once per packet. Each time a socket asks for pages,
 * {@link #raiseAllocated} applies Linux's rules ({@code __sk_mem_raise_allocated},
 * {@code net/core/sock.c}):
 *
 * <ul>
 * <li>at or under {@code min}: granted, and memory pressure ends;</li>
 * <li>over {@code pressure}: memory pressure starts ({@code tcp_enter_memory_pressure}),
 *     which protocols read to stop growing windows and to prune sooner;</li>
 * <li>over {@code max}: refused, whatever the socket holds;</li>
 * <li>between {@code min} and {@code max}: granted while the socket holds less than its
 *     guaranteed minimum ({@code tcp_rmem[0]} / {@code tcp_wmem[0]}: {@link #rmemMin()},
 *     {@link #wmemMin()}), or while there is no pressure, or while its share is fair
 *     ({@code max} larger than the number of sockets times the pages this one holds);
 *     otherwise refused.</li>
 * </ul>
 * A protocol without a pressure state ({@link #withoutPressure}, UDP) never enters
 * pressure, and between {@code min} and {@code max} grants only the guaranteed minimum.
 *
 * <p>Pages given back ({@link #reduceAllocated}) end the pressure once the total falls under
 * {@code min} ({@code __sk_mem_reduce_allocated}). A stream protocol's sender whose charge
 * is refused waits for its queue to drain, as {@code sk_stream_wait_memory} does; a
 * receiver drops the packet and counts it. What to count and how to wait is the protocol's:
 * this class only keeps the books.
 *
 * <p>Thread-safe: the total, the pressure flag and the socket count are atomics (any
 * thread, any socket); limits are replaced whole ({@link #limits(Limits)}, a
 * {@code sysctl -w}) and read once per decision.
 */
public final class ProtoMemory {
    /** Linux's accounting unit ({@code PAGE_SHIFT} on x86; {@code SK_MEM_QUANTUM}). */
    public static final int PAGE_SHIFT = 12;
    public static final int PAGE_SIZE = 1 << PAGE_SHIFT;

    /** What a charge is for ({@code SK_MEM_RECV}, {@code SK_MEM_SEND}). */
    public enum Kind {
        RECV, SEND
    }

    /** Hears pressure start and end, to count them ({@code TCPMemoryPressures}, {@code TCPMemoryPressuresChrono}). */
    public interface PressureListener {
        /** Memory pressure started. */
        void entered();

        /** Memory pressure ended after {@code millis} milliseconds. */
        void left(long millis);
    }

    /**
     * The three limits in pages ({@code tcp_mem}): under {@code min} there is no pressure;
     * over {@code pressure} the protocol is under pressure; over {@code max} charges are
     * refused.
     */
    public record Limits(long min, long pressure, long max) {
        public Limits {
            if (min < 0 || pressure < min || max < pressure) {
                throw new IllegalArgumentException(
                        "memory limits must satisfy 0 <= min <= pressure <= max (pages): " + min + " " + pressure + " "
                                + max);
            }
        }

        /**
         * Linux's defaults for a machine of {@code memoryBytes} ({@code tcp_init_mem},
         * {@code udp_init}): a share of {@code 1/divisor} of it (at least 128 pages) is the
         * pressure point; min is three quarters of that and max twice min. TCP uses 16 of the
         * kernel's free pages (min 4.7 %, pressure 6.25 %, max 9.4 %), UDP 8.
         */
        public static Limits share(long memoryBytes, int divisor) {
            if (memoryBytes < 0 || divisor < 1) {
                throw new IllegalArgumentException("memory " + memoryBytes + " and divisor " + divisor);
            }
            long limit = Math.max((memoryBytes >>> PAGE_SHIFT) / divisor, 128);
            long min = limit / 4 * 3;
            return new Limits(min, limit, min * 2);
        }

        /** Parses {@code "min pressure max"} in pages, as {@code sysctl net.ipv4.tcp_mem} is written. */
        public static Limits parse(String text) {
            String[] words = Objects.requireNonNull(text, "text").trim().split("[\\s,]+");
            if (words.length != 3) {
                throw new IllegalArgumentException("expected \"min pressure max\" in pages, got \"" + text + "\"");
            }
            try {
                return new Limits(Long.parseLong(words[0]), Long.parseLong(words[1]), Long.parseLong(words[2]));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("expected \"min pressure max\" in pages, got \"" + text + "\"");
            }
        }

        /** {@code "min pressure max"}, as {@code sysctl} prints it. */
        @Override
        public String toString() {
            return min + " " + pressure + " " + max;
        }
    }

    /** {@code tcp_memory_pressure} when not under pressure; otherwise the time pressure started. */
    private static final long NO_PRESSURE = Long.MIN_VALUE;

    private final String name;
    /** Whether the protocol has a memory-pressure state ({@code prot->memory_pressure}): TCP does, UDP does not. */
    private final boolean memoryPressure;
    private final Clock clock;
    private final PressureListener listener;
    private final AtomicLong allocated = new AtomicLong();
    private final AtomicLong pressureSince = new AtomicLong(NO_PRESSURE);
    private final AtomicInteger sockets = new AtomicInteger();
    private volatile Limits limits;
    private volatile int rmemMin;
    private volatile int wmemMin;

    /**
     * The pool of protocol {@code name} ({@code "TCP"}), with {@code limits} and the per-socket
     * guarantees {@code rmemMin} / {@code wmemMin} in bytes ({@code tcp_rmem[0]},
     * {@code tcp_wmem[0]}); {@code listener} hears pressure start and end (may be null).
     */
    public ProtoMemory(String name, Clock clock, Limits limits, int rmemMin, int wmemMin, PressureListener listener) {
        this(name, true, Objects.requireNonNull(clock, "clock"), limits, rmemMin, wmemMin, listener);
    }

    private ProtoMemory(String name, boolean memoryPressure, Clock clock, Limits limits, int rmemMin, int wmemMin,
            PressureListener listener) {
        this.name = Objects.requireNonNull(name, "name");
        this.memoryPressure = memoryPressure;
        this.clock = clock;
        this.listener = listener;
        limits(limits);
        minimums(rmemMin, wmemMin);
    }

    /**
     * The pool of a protocol without a memory-pressure state, as {@code udp_prot} has no
     * {@code memory_pressure}: {@code __sk_mem_raise_allocated} then grants pages past
     * {@code min} only to a socket holding less than its guaranteed minimum ({@code rmemMin}
     * / {@code wmemMin}: {@code udp_rmem_min}, {@code udp_wmem_min}), and none past
     * {@code max}. So {@code min} is where the protocol's sockets stop growing their queues,
     * and {@code pressure} is kept only to read and write the three values as Linux does
     * ({@code udp_mem}).
     */
    public static ProtoMemory withoutPressure(String name, Limits limits, int rmemMin, int wmemMin) {
        return new ProtoMemory(name, false, null, limits, rmemMin, wmemMin, null);
    }

    /** {@code sk_mem_pages}: the pages {@code bytes} take, rounded up. */
    public static int pages(long bytes) {
        return (int) ((bytes + PAGE_SIZE - 1) >> PAGE_SHIFT);
    }

    public String name() {
        return name;
    }

    public Limits limits() {
        return limits;
    }

    /**
     * Replaces the limits ({@code sysctl -w net.ipv4.tcp_mem}). As in Linux, nothing is taken
     * back and the pressure state changes only at the next charge or release.
     */
    public void limits(Limits value) {
        this.limits = Objects.requireNonNull(value, "limits");
    }

    /** The receive memory each socket may hold even under pressure ({@code tcp_rmem[0]}). */
    public int rmemMin() {
        return rmemMin;
    }

    /** The send memory each socket may hold even under pressure ({@code tcp_wmem[0]}). */
    public int wmemMin() {
        return wmemMin;
    }

    /** Replaces the per-socket guarantees, in bytes. */
    public void minimums(int rmem, int wmem) {
        if (rmem < 0 || wmem < 0) {
            throw new IllegalArgumentException("per-socket minimums must not be negative: " + rmem + ", " + wmem);
        }
        this.rmemMin = rmem;
        this.wmemMin = wmem;
    }

    /** Pages charged now ({@code memory_allocated}). */
    public long allocatedPages() {
        return allocated.get();
    }

    /** Bytes charged now: {@link #allocatedPages()} in bytes. */
    public long allocatedBytes() {
        return allocated.get() << PAGE_SHIFT;
    }

    /** Whether the protocol is under memory pressure ({@code tcp_under_memory_pressure}). */
    public boolean underPressure() {
        return pressureSince.get() != NO_PRESSURE;
    }

    /** Sockets sharing the pool ({@code sockets_allocated}). */
    public int sockets() {
        return sockets.get();
    }

    /** {@code sk_sockets_allocated_inc}: a socket joined the pool. */
    public void socketOpened() {
        sockets.incrementAndGet();
    }

    /** {@code sk_sockets_allocated_dec}: a socket left the pool. */
    public void socketClosed() {
        sockets.decrementAndGet();
    }

    /**
     * {@code __sk_mem_raise_allocated}: adds {@code pages} for {@code sk}, which wants
     * {@code size} more bytes of {@code kind}; returns whether they are granted. A refused
     * charge is taken back at once.
     */
    boolean raiseAllocated(SockMemory sk, int size, int pages, Kind kind) {
        long total = allocated.addAndGet(pages);
        Limits l = limits;
        if (total <= l.min()) {
            leavePressure();
            return true;
        }
        if (memoryPressure && total > l.pressure()) {
            enterPressure();
        }
        if (total <= l.max()) {
            boolean underMinimum = kind == Kind.RECV ? sk.rmemAlloc() < rmemMin : sk.wmemQueued() < wmemMin;
            if (underMinimum || (memoryPressure && !underPressure())) {
                return true;
            }
            // Fair shares under pressure; a protocol without pressure has none to grant.
            long held = (long) sk.wmemQueued() + sk.rmemAlloc() + sk.forwardAlloc();
            if (memoryPressure && l.max() > (long) Math.max(1, sockets.get()) * pages(held)) {
                return true;
            }
        }
        allocated.addAndGet(-pages);
        return false;
    }

    /** {@code sk_forced_mem_schedule}'s charge: adds {@code pages} whatever the limits say. */
    void forceAllocated(int pages) {
        long total = allocated.addAndGet(pages);
        if (memoryPressure && total > limits.pressure()) {
            enterPressure();
        }
    }

    /** {@code __sk_mem_reduce_allocated}: gives {@code pages} back; pressure ends under {@code min}. */
    void reduceAllocated(int pages) {
        long total = allocated.addAndGet(-pages);
        if (total < limits.min() && underPressure()) {
            leavePressure();
        }
    }

    /** {@code tcp_enter_memory_pressure}: raises the flag once, stamped with the time, and counts it. */
    private void enterPressure() {
        if (pressureSince.get() != NO_PRESSURE) {
            return;
        }
        long now = clock.nanoTime();
        if (now == NO_PRESSURE) {
            now++;
        }
        if (pressureSince.compareAndSet(NO_PRESSURE, now) && listener != null) {
            listener.entered();
        }
    }

    /** {@code tcp_leave_memory_pressure}: lowers the flag and reports how long it was up. */
    private void leavePressure() {
        if (pressureSince.get() == NO_PRESSURE) {
            return;
        }
        long since = pressureSince.getAndSet(NO_PRESSURE);
        if (since != NO_PRESSURE && listener != null) {
            listener.left(Math.max(0, (clock.nanoTime() - since) / 1_000_000));
        }
    }

    @Override
    public String toString() {
        return name + " memory " + allocated.get() + " pages of " + limits + (underPressure() ? " (pressure)" : "")
                + ", " + sockets.get() + " sockets";
    }
}
