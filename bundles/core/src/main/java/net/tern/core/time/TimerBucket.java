package net.tern.core.time;

/**
 * One slot of the {@link HashedTimerWheel}: a doubly-linked list of timers whose deadline
 * tick maps to this slot, in the order they were added. Guarded by the wheel's lock.
 */
final class TimerBucket {
    /** This bucket's slot on the wheel, or -1 for the wheel's list of overdue timers. */
    final int index;
    WheelTimeout head;
    WheelTimeout tail;
    /**
     * No timer here falls due before this tick ({@link Long#MAX_VALUE} when empty). A lower
     * bound: a cancel leaves it as it was, and a walk through the bucket makes it exact again.
     * It lets a scan for the earliest timer pass over a bucket holding only later
     * revolutions' timers (thousands of TIME-WAIT entries) without walking its list.
     */
    long earliestTick = Long.MAX_VALUE;

    TimerBucket(int index) {
        this.index = index;
    }

    boolean isEmpty() {
        return head == null;
    }

    void append(WheelTimeout timeout) {
        timeout.bucket = this;
        timeout.prev = tail;
        timeout.next = null;
        if (tail == null) {
            head = timeout;
        } else {
            tail.next = timeout;
        }
        tail = timeout;
        earliestTick = Math.min(earliestTick, timeout.deadlineTick);
    }

    /** Unlinks {@code timeout}, which must be in this bucket, in O(1). */
    void remove(WheelTimeout timeout) {
        if (timeout.prev == null) {
            head = timeout.next;
        } else {
            timeout.prev.next = timeout.next;
        }
        if (timeout.next == null) {
            tail = timeout.prev;
        } else {
            timeout.next.prev = timeout.prev;
        }
        timeout.prev = null;
        timeout.next = null;
        timeout.bucket = null;
        if (head == null) {
            earliestTick = Long.MAX_VALUE;
        }
    }
}
