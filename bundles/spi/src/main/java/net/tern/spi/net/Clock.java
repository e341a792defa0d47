package net.tern.spi.net;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * The stack's time source. Protocol code reads time only from here, never from
 * {@code System}, so tests drive RTO, TIME-WAIT and keepalive in virtual time.
 */
@ConsumerType
public interface Clock {
    /** Monotonic nanoseconds, for intervals and timers. */
    long nanoTime();

    /** Wall-clock milliseconds since the epoch, for timestamps shown to people. */
    long currentTimeMillis();
}
