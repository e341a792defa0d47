package net.tern.core.time;

import net.tern.spi.net.Timeout;

/**
 * One timer on a {@link HashedTimerWheel} ({@code struct timer_list}): a node of its bucket's
 * doubly-linked list, so cancelling unlinks it in O(1) without searching the bucket.
 *
 * <p>All fields except {@link #task} are guarded by the wheel's lock.
 */
final class WheelTimeout implements Timeout {
    static final int PENDING = 0;
    static final int CANCELLED = 1;
    static final int EXPIRED = 2;

    private final HashedTimerWheel wheel;
    final Runnable task;
    /** The absolute deadline on the wheel's clock; the timer never runs before it. */
    final long deadlineNanos;
    /** The wheel tick at whose processing the timer falls due: the deadline rounded up to a tick. */
    final long deadlineTick;
    /** Schedule order, so timers with equal deadlines run in the order they were added. */
    final long sequence;

    int state = PENDING;
    TimerBucket bucket;
    WheelTimeout prev;
    WheelTimeout next;

    WheelTimeout(HashedTimerWheel wheel, Runnable task, long deadlineNanos, long deadlineTick, long sequence) {
        this.wheel = wheel;
        this.task = task;
        this.deadlineNanos = deadlineNanos;
        this.deadlineTick = deadlineTick;
        this.sequence = sequence;
    }

    @Override
    public boolean cancel() {
        return wheel.cancel(this);
    }

    @Override
    public boolean isCancelled() {
        return wheel.stateOf(this) == CANCELLED;
    }

    @Override
    public boolean isExpired() {
        return wheel.stateOf(this) == EXPIRED;
    }

    @Override
    public String toString() {
        return "Timeout[deadline=" + deadlineNanos + "ns, tick=" + deadlineTick + ", task=" + task + "]";
    }
}
