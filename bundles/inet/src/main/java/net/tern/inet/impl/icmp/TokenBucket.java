package net.tern.inet.impl.icmp;

/**
 * A token bucket measured in time, as Linux's {@code inet_peer_xrlim_allow} and
 * {@code icmp_global_allow} keep theirs: credit accrues with elapsed time up to
 * {@code burst} messages' worth, and each message spends one {@code interval}. Starts full.
 * Not thread-safe; its owner locks.
 */
final class TokenBucket {
    private final long intervalNanos;
    private final long capacityNanos;
    private long credit;
    private long last;

    TokenBucket(long intervalNanos, int burst, long nowNanos) {
        this.intervalNanos = intervalNanos;
        this.capacityNanos = intervalNanos * Math.max(1, burst);
        this.credit = capacityNanos;
        this.last = nowNanos;
    }

    /** Spends one message's credit if there is enough; false if the message must not go. */
    boolean tryAcquire(long nowNanos) {
        long elapsed = nowNanos - last;
        if (elapsed > 0) {
            credit = Math.min(capacityNanos, credit + elapsed);
            last = nowNanos;
        }
        if (credit >= intervalNanos) {
            credit -= intervalNanos;
            return true;
        }
        return false;
    }
}
