package net.tern.core.time;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import net.tern.spi.net.Clock;
import net.tern.spi.net.Timeout;
import net.tern.spi.net.TimerService;

/**
 * The stack's timers ({@code timer_list}, {@code kernel/time/timer.c}): a hashed timer wheel
 * (Varghese and Lauck, "Hashed and Hierarchical Timing Wheels", scheme 6).
 *
 * <p>Time since the wheel's origin is cut into ticks (1 ms by default). A timer's deadline is
 * rounded <em>up</em> to a tick, and the timer sits in the bucket {@code tick mod wheelSize}.
 * Buckets are doubly-linked lists, so {@link #schedule} and {@link Timeout#cancel()} are O(1).
 * A deadline more than one revolution away shares its bucket with nearer ones and is simply
 * passed over (its deadline tick is still ahead) until the revolution it falls due in.
 *
 * <p>The wheel has no thread of its own: whoever drives time calls {@link #expire(long)} with
 * the current time and the due timers run in that caller, in deadline order. The network
 * thread calls it on every turn of its loop; virtual time in tests calls it as it advances,
 * so production and tests exercise the same wheel. {@link #nextExpiryNanos()} tells the
 * driver how long it may sleep.
 *
 * <p>Threading: {@link #schedule} and {@code cancel} may be called from any thread (an
 * application thread in a socket call arms a timer). One thread at a time drives
 * {@link #expire}. Callbacks run without the wheel's lock held, so they may schedule and
 * cancel timers; a timer cancelled before its callback starts never runs, even when it falls
 * due in the same batch as the timer that cancels it.
 */
public final class HashedTimerWheel implements TimerService {
    /** One millisecond, the resolution protocol timers need (Linux runs HZ=1000 kernels). */
    public static final long DEFAULT_TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    /** 512 buckets of 1 ms: one revolution covers the common RTO and delayed-ACK range. */
    public static final int DEFAULT_WHEEL_SIZE = 512;

    /** Deadlines are capped so tick arithmetic cannot overflow (about 73 years). */
    private static final long MAX_DELAY_NANOS = Long.MAX_VALUE >>> 2;

    private static final Comparator<WheelTimeout> DEADLINE_ORDER =
            Comparator.comparingLong((WheelTimeout t) -> t.deadlineNanos).thenComparingLong(t -> t.sequence);

    /** Where a callback's exception goes; the wheel goes on with the next timer. */
    @FunctionalInterface
    public interface FailureHandler {
        void timerFailed(Runnable task, Throwable error);
    }

    private final Clock clock;
    private final long tickNanos;
    private final long originNanos;
    private final int mask;
    private final TimerBucket[] buckets;
    private final FailureHandler failureHandler;
    private final ReentrantLock lock = new ReentrantLock();

    // Guarded by lock.
    /** Every tick up to and including this one has been expired. */
    private long processedTick;
    /** Timers whose deadline tick had already been processed when they were scheduled. */
    private final TimerBucket overdue = new TimerBucket();
    private int pending;
    private long sequence;
    /**
     * The earliest deadline tick of any pending timer, or a tick before it (a cancel leaves it
     * stale, which only costs an early wake-up); valid while {@link #earliestTickKnown}.
     */
    private long earliestTick;
    private boolean earliestTickKnown;

    /** A wheel with the default 1 ms tick and 512 buckets. */
    public HashedTimerWheel(Clock clock, FailureHandler failureHandler) {
        this(clock, DEFAULT_TICK_NANOS, DEFAULT_WHEEL_SIZE, failureHandler);
    }

    /**
     * @param clock          the time deadlines are measured on
     * @param tickNanos      the resolution; a deadline is rounded up to a tick
     * @param wheelSize      the number of buckets, rounded up to a power of two
     * @param failureHandler told about callbacks that throw
     */
    public HashedTimerWheel(Clock clock, long tickNanos, int wheelSize, FailureHandler failureHandler) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.failureHandler = Objects.requireNonNull(failureHandler, "failureHandler");
        if (tickNanos <= 0) {
            throw new IllegalArgumentException("tick must be positive: " + tickNanos + " ns");
        }
        if (wheelSize <= 0 || wheelSize > (1 << 24)) {
            throw new IllegalArgumentException("wheel size out of range 1..2^24: " + wheelSize);
        }
        int size = Integer.highestOneBit(wheelSize);
        if (size < wheelSize) {
            size <<= 1;
        }
        this.tickNanos = tickNanos;
        this.mask = size - 1;
        this.buckets = new TimerBucket[size];
        for (int i = 0; i < size; i++) {
            buckets[i] = new TimerBucket();
        }
        this.originNanos = clock.nanoTime();
    }

    public long tickNanos() {
        return tickNanos;
    }

    public int wheelSize() {
        return buckets.length;
    }

    /**
     * {@code mod_timer}: runs {@code task} once, no earlier than {@code delay} from now. A
     * negative delay counts as zero: the timer runs on the next {@link #expire}.
     */
    @Override
    public Timeout schedule(long delay, TimeUnit unit, Runnable task) {
        Objects.requireNonNull(task, "task");
        long delayNanos = Math.min(Math.max(0, unit.toNanos(delay)), MAX_DELAY_NANOS);
        long deadline = clock.nanoTime() + delayNanos;
        long sinceOrigin = deadline - originNanos;
        long tick = sinceOrigin <= 0 ? 0 : (sinceOrigin + tickNanos - 1) / tickNanos;
        lock.lock();
        try {
            WheelTimeout timeout = new WheelTimeout(this, task, deadline, tick, sequence++);
            if (tick <= processedTick) {
                overdue.append(timeout);
            } else {
                buckets[(int) (tick & mask)].append(timeout);
                if (earliestTickKnown && tick < earliestTick) {
                    earliestTick = tick;
                }
            }
            pending++;
            return timeout;
        } finally {
            lock.unlock();
        }
    }

    /** {@code del_timer}: O(1), unlinks the timer from its bucket. */
    boolean cancel(WheelTimeout timeout) {
        lock.lock();
        try {
            if (timeout.state != WheelTimeout.PENDING) {
                return false;
            }
            timeout.state = WheelTimeout.CANCELLED;
            pending--;
            if (timeout.bucket != null) {
                timeout.bucket.remove(timeout);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    int stateOf(WheelTimeout timeout) {
        lock.lock();
        try {
            return timeout.state;
        } finally {
            lock.unlock();
        }
    }

    /** Timers scheduled and neither run nor cancelled yet. */
    public int pending() {
        lock.lock();
        try {
            return pending;
        } finally {
            lock.unlock();
        }
    }

    /**
     * {@code run_timer_softirq}: runs, in the calling thread and in deadline order, every
     * timer whose deadline is at or before {@code nowNanos}. Returns how many ran.
     */
    public int expire(long nowNanos) {
        List<WheelTimeout> due = collectDue(nowNanos);
        if (due == null) {
            return 0;
        }
        if (due.size() > 1) {
            due.sort(DEADLINE_ORDER);
        }
        int ran = 0;
        for (WheelTimeout timeout : due) {
            if (!claim(timeout)) {
                continue; // cancelled by a callback that ran before it in this batch
            }
            ran++;
            try {
                timeout.task.run();
            } catch (VirtualMachineError fatal) {
                throw fatal;
            } catch (Throwable error) {
                failureHandler.timerFailed(timeout.task, error);
            }
        }
        return ran;
    }

    /**
     * Unlinks every timer due at {@code nowNanos}, leaving them PENDING so that a callback
     * earlier in the batch can still cancel them.
     */
    private List<WheelTimeout> collectDue(long nowNanos) {
        long sinceOrigin = nowNanos - originNanos;
        long targetTick = sinceOrigin <= 0 ? 0 : sinceOrigin / tickNanos;
        lock.lock();
        try {
            List<WheelTimeout> due = drain(overdue, Long.MAX_VALUE, null);
            while (processedTick < targetTick) {
                int onWheel = pending - (due == null ? 0 : due.size());
                if (onWheel == 0) {
                    // Nothing left on the wheel: jump, and forget the earliest tick, which
                    // is now behind us (kept, it would make the next timer look overdue).
                    processedTick = targetTick;
                    earliestTickKnown = false;
                    break;
                }
                if (!earliestTickKnown && targetTick - processedTick > buckets.length) {
                    // A long way to go: one scan is cheaper than visiting every tick.
                    earliestTick = findEarliestTick();
                    earliestTickKnown = true;
                }
                if (earliestTickKnown && earliestTick > processedTick + 1) {
                    // Nothing falls due before earliestTick: skip the empty ticks.
                    processedTick = Math.min(targetTick, earliestTick - 1);
                    continue;
                }
                processedTick++;
                TimerBucket bucket = buckets[(int) (processedTick & mask)];
                if (!bucket.isEmpty()) {
                    due = drain(bucket, processedTick, due);
                }
                if (earliestTickKnown && processedTick >= earliestTick) {
                    earliestTickKnown = false;
                }
            }
            return due;
        } finally {
            lock.unlock();
        }
    }

    private static List<WheelTimeout> drain(TimerBucket bucket, long tick, List<WheelTimeout> into) {
        if (bucket.earliestTick > tick) {
            return into; // Only later revolutions' timers here.
        }
        long earliestLeft = Long.MAX_VALUE;
        WheelTimeout t = bucket.head;
        while (t != null) {
            WheelTimeout next = t.next;
            if (t.deadlineTick <= tick) {
                bucket.remove(t);
                if (into == null) {
                    into = new ArrayList<>();
                }
                into.add(t);
            } else {
                earliestLeft = Math.min(earliestLeft, t.deadlineTick);
            }
            t = next;
        }
        bucket.earliestTick = earliestLeft;
        return into;
    }

    /** Moves a collected timer from PENDING to EXPIRED; false if it was cancelled meanwhile. */
    private boolean claim(WheelTimeout timeout) {
        lock.lock();
        try {
            if (timeout.state != WheelTimeout.PENDING) {
                return false;
            }
            timeout.state = WheelTimeout.EXPIRED;
            pending--;
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * When the driver must next call {@link #expire} for no timer to be late: the time of the
     * tick at which the earliest pending timer falls due (at or before now if one is already
     * due), or {@link Long#MAX_VALUE} when no timer is pending. Never later than the truth; it
     * may be earlier after a cancel, which costs only an idle {@code expire}.
     */
    public long nextExpiryNanos() {
        lock.lock();
        try {
            if (pending == 0) {
                return Long.MAX_VALUE;
            }
            if (!overdue.isEmpty()) {
                return originNanos + processedTick * tickNanos;
            }
            if (!earliestTickKnown) {
                earliestTick = findEarliestTick();
                earliestTickKnown = earliestTick != Long.MAX_VALUE;
                if (!earliestTickKnown) {
                    return Long.MAX_VALUE;
                }
            }
            return originNanos + earliestTick * tickNanos;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Scans one revolution ahead of the processed tick. Every pending timer sits in some
     * bucket; the first bucket holding a timer due in the revolution being scanned holds the
     * earliest one. If none falls due within the revolution, the earliest is the smallest
     * deadline seen on the way round. A bucket whose {@link TimerBucket#earliestTick} is past
     * the tick being scanned is not walked: its bound stands for its timers (never later than
     * the truth, as {@link #nextExpiryNanos} promises).
     */
    private long findEarliestTick() {
        long smallest = Long.MAX_VALUE;
        for (int i = 1; i <= buckets.length; i++) {
            long tick = processedTick + i;
            TimerBucket bucket = buckets[(int) (tick & mask)];
            if (bucket.earliestTick > tick) {
                smallest = Math.min(smallest, bucket.earliestTick);
                continue;
            }
            long exact = Long.MAX_VALUE;
            for (WheelTimeout t = bucket.head; t != null; t = t.next) {
                exact = Math.min(exact, t.deadlineTick);
            }
            bucket.earliestTick = exact;
            if (exact == tick) {
                return tick;
            }
            smallest = Math.min(smallest, exact);
        }
        return smallest;
    }
}
