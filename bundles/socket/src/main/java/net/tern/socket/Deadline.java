package net.tern.socket;

import java.util.concurrent.TimeUnit;
import net.tern.spi.net.Clock;
import net.tern.spi.net.Timeout;
import net.tern.spi.net.TimerService;

/**
 * The end of a blocking call's patience ({@code SO_RCVTIMEO}, {@code SO_SNDTIMEO}, a poll
 * timeout). A timer from the stack's {@link TimerService} fires at the deadline and wakes
 * the sleeper, so the wait follows the stack's {@link Clock} — virtual time in tests.
 */
final class Deadline {
    private final Clock clock;
    private final long deadlineNanos;
    private final long millis;
    private final Timeout timer;
    private volatile boolean fired;

    private Deadline(Clock clock, TimerService timers, WaitQueue queue, long nanos) {
        this.clock = clock;
        this.millis = TimeUnit.NANOSECONDS.toMillis(nanos);
        this.deadlineNanos = clock.nanoTime() + nanos;
        this.timer = timers.schedule(nanos, TimeUnit.NANOSECONDS, () -> {
            fired = true;
            queue.signalSleepers();
        });
    }

    /** A deadline {@code millis} from now that wakes {@code queue} when it passes. */
    static Deadline after(Clock clock, TimerService timers, WaitQueue queue, long millis) {
        return new Deadline(clock, timers, queue, TimeUnit.MILLISECONDS.toNanos(millis));
    }

    /** A deadline {@code nanos} from now ({@code ppoll}'s timespec) that wakes {@code queue} when it passes. */
    static Deadline afterNanos(Clock clock, TimerService timers, WaitQueue queue, long nanos) {
        return new Deadline(clock, timers, queue, nanos);
    }

    /** Whether the deadline's timer has run (a plain volatile read: safe under any lock). */
    boolean fired() {
        return fired;
    }

    /** Whether the deadline has passed, by its timer or by the clock. Not to be called under a wait-queue lock. */
    boolean expired() {
        return fired || clock.nanoTime() - deadlineNanos >= 0;
    }

    long millis() {
        return millis;
    }

    /** The call ended before the deadline: the timer is no longer needed. */
    void cancel() {
        timer.cancel();
    }
}
