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
 * of two levels (Varghese and Lauck, "Hashed and Hierarchical Timing Wheels", schemes 6 and 7).
 *
 * <p>Time since the wheel's origin is cut into ticks (1 ms by default). A timer's deadline is
 * rounded <em>up</em> to a tick, and the timer sits in the bucket {@code tick mod wheelSize}.
 * Buckets are doubly-linked lists, so {@link #schedule} and {@link Timeout#cancel()} are O(1).
 * A bucket may hold timers of this revolution and the next; a tick passes over those whose
 * deadline tick is still ahead.
 *
 * <p>Timers due beyond the next revolution (TIME-WAIT's 60 s, keepalive) wait on a second,
 * coarser level of as many buckets, one per revolution of the first, and move down to the
 * first level as the revolution before theirs begins (scheme 7, the cascading the kernel's
 * wheel did before 4.8; a timer beyond the second level's 512 revolutions stays there, passed
 * over, until its own comes round). A first-level bucket thus holds timers of two revolutions at most,
 * and a tick's drain walks a few timers, not every TIME-WAIT entry of a busy server that
 * hashed to it. Unlike today's kernel, which leaves far timers on coarse levels and lets them
 * run late, a timer still runs at its own tick.
 *
 * <p>A bitmap marks the buckets that hold a timer (the kernel's {@code pending_map}, searched
 * as {@code next_pending_bucket} searches it), so finding the earliest timer looks at one word
 * per 64 buckets and walks only the buckets that are not empty, instead of every bucket of a
 * revolution: the network thread does that search with the wheel's lock held on most turns of
 * its loop, while application threads wait on the same lock to arm their timers.
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
    /** log2 of the wheel's size: a tick's revolution is {@code tick >>> revolutionShift}. */
    private final int revolutionShift;
    /** The second level: {@code farBuckets[r & mask]} holds timers of revolution r, two or more ahead. */
    private final TimerBucket[] farBuckets;
    /**
     * Bit {@code i} is set while {@code buckets[i]} holds a timer, bit {@code size + i} while
     * {@code farBuckets[i]} does. Guarded by lock.
     */
    private final long[] pendingMap;
    private final FailureHandler failureHandler;
    private final ReentrantLock lock = new ReentrantLock();

    // Guarded by lock.
    /** Every tick up to and including this one has been expired. */
    private long processedTick;
    /** Timers whose deadline tick had already been processed when they were scheduled. */
    private final TimerBucket overdue = new TimerBucket(-1);
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
        this.farBuckets = new TimerBucket[size];
        for (int i = 0; i < size; i++) {
            buckets[i] = new TimerBucket(i);
            farBuckets[i] = new TimerBucket(size + i);
        }
        this.revolutionShift = Integer.numberOfTrailingZeros(size);
        this.pendingMap = new long[(2 * size + Long.SIZE - 1) / Long.SIZE];
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
                place(timeout);
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
            TimerBucket bucket = timeout.bucket;
            if (bucket != null) {
                bucket.remove(timeout);
                noteIfEmptied(bucket);
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
                    advanceTo(targetTick);
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
                    advanceTo(Math.min(targetTick, earliestTick - 1));
                    continue;
                }
                advanceTo(processedTick + 1);
                TimerBucket bucket = buckets[(int) (processedTick & mask)];
                if (!overdue.isEmpty()) {
                    due = drain(overdue, Long.MAX_VALUE, due); // cascaded when already due
                }
                if (!bucket.isEmpty()) {
                    due = drain(bucket, processedTick, due);
                    noteIfEmptied(bucket);
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

    /**
     * Puts a timer due after the processed tick on the first level if it falls due in this
     * revolution or the next, else on the second.
     */
    private void place(WheelTimeout timeout) {
        long tick = timeout.deadlineTick;
        int index;
        TimerBucket bucket;
        if ((tick >>> revolutionShift) <= (processedTick >>> revolutionShift) + 1) {
            index = (int) (tick & mask);
            bucket = buckets[index];
        } else {
            index = (int) ((tick >>> revolutionShift) & mask);
            bucket = farBuckets[index];
            index += buckets.length;
        }
        bucket.append(timeout);
        pendingMap[index >>> 6] |= 1L << index;
    }

    /**
     * Moves the processed tick forward to {@code tick}. Each revolution it enters brings the
     * one after it down from the second level, so the first holds every timer due within the
     * next revolution before any of its ticks is processed.
     */
    private void advanceTo(long tick) {
        long fromRevolution = processedTick >>> revolutionShift;
        long toRevolution = tick >>> revolutionShift;
        processedTick = tick;
        if (toRevolution == fromRevolution) {
            return;
        }
        if (toRevolution - fromRevolution >= farBuckets.length) {
            // A jump of a whole second-level revolution or more: every far bucket may hold
            // timers now due within the next revolution.
            for (int index = nextPending(buckets.length, 2 * buckets.length); index >= 0;
                    index = nextPending(index + 1, 2 * buckets.length)) {
                cascade(farBuckets[index - buckets.length], toRevolution + 1);
            }
            return;
        }
        for (long revolution = fromRevolution + 2; revolution <= toRevolution + 1; revolution++) {
            TimerBucket far = farBuckets[(int) (revolution & mask)];
            if (!far.isEmpty()) {
                cascade(far, revolution);
            }
        }
    }

    /** Moves the timers of {@code far} due in revolution {@code upTo} or before to the first level. */
    private void cascade(TimerBucket far, long upTo) {
        long earliestLeft = Long.MAX_VALUE;
        WheelTimeout t = far.head;
        while (t != null) {
            WheelTimeout next = t.next;
            if ((t.deadlineTick >>> revolutionShift) <= upTo) {
                far.remove(t);
                if (t.deadlineTick <= processedTick) {
                    overdue.append(t);
                } else {
                    place(t);
                }
            } else {
                earliestLeft = Math.min(earliestLeft, t.deadlineTick);
            }
            t = next;
        }
        far.earliestTick = earliestLeft;
        noteIfEmptied(far);
    }

    /** Clears a wheel bucket's bit in {@link #pendingMap} once its last timer has left it. */
    private void noteIfEmptied(TimerBucket bucket) {
        if (bucket.index >= 0 && bucket.isEmpty()) {
            pendingMap[bucket.index >>> 6] &= ~(1L << bucket.index);
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
     * deadline seen on the way round. Only the buckets {@link #pendingMap} marks are visited,
     * in tick order from the one after the processed tick round to the processed tick's own. A
     * bucket whose {@link TimerBucket#earliestTick} is past the tick being scanned is not
     * walked: its bound stands for its timers (never later than the truth, as
     * {@link #nextExpiryNanos} promises).
     */
    private long findEarliestTick() {
        int start = (int) ((processedTick + 1) & mask);
        long smallest = Long.MAX_VALUE;
        if (nextPending(0, buckets.length) < 0) {
            // Nothing on the first level: the earliest is on the second, where every timer
            // falls due after any first-level one. Its buckets' bounds are never late.
            for (int index = nextPending(buckets.length, 2 * buckets.length); index >= 0;
                    index = nextPending(index + 1, 2 * buckets.length)) {
                smallest = Math.min(smallest, farBuckets[index - buckets.length].earliestTick);
            }
            return smallest;
        }
        for (int pass = 0; pass < 2; pass++) {
            int from = pass == 0 ? start : 0;
            int limit = pass == 0 ? buckets.length : start;
            for (int index = nextPending(from, limit); index >= 0; index = nextPending(index + 1, limit)) {
                long tick = processedTick + 1 + ((index - start) & mask);
                TimerBucket bucket = buckets[index];
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
        }
        return smallest;
    }

    /** The first bucket index in {@code [from, limit)} whose bit is set, or -1. */
    private int nextPending(int from, int limit) {
        if (from >= limit) {
            return -1;
        }
        int word = from >>> 6;
        long bits = pendingMap[word] & (-1L << from); // a shift by from mod 64: the bits from 'from' on
        while (bits == 0) {
            word++;
            if (word >= pendingMap.length || (word << 6) >= limit) {
                return -1;
            }
            bits = pendingMap[word];
        }
        int index = (word << 6) + Long.numberOfTrailingZeros(bits);
        return index < limit ? index : -1;
    }

    /**
     * For tests: whether every timer on the second level falls due at least two revolutions
     * after the processed tick's, so that none is missed by a tick of the first level.
     */
    boolean farTimersAreFar() {
        lock.lock();
        try {
            long current = processedTick >>> revolutionShift;
            for (TimerBucket far : farBuckets) {
                for (WheelTimeout t = far.head; t != null; t = t.next) {
                    if ((t.deadlineTick >>> revolutionShift) < current + 2) {
                        return false;
                    }
                }
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** For tests: whether each bucket's bit says truly whether it holds a timer. */
    boolean pendingMapMatchesBuckets() {
        lock.lock();
        try {
            for (int i = 0; i < 2 * buckets.length; i++) {
                boolean marked = (pendingMap[i >>> 6] & (1L << i)) != 0;
                TimerBucket bucket = i < buckets.length ? buckets[i] : farBuckets[i - buckets.length];
                if (marked == bucket.isEmpty()) {
                    return false;
                }
            }
            return true;
        } finally {
            lock.unlock();
        }
    }
}
