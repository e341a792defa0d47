package net.tern.spi.net;

import java.util.concurrent.TimeUnit;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Protocol timers ({@code timer_list}): O(1) to add and to cancel, run on the
 * {@link NetworkThread} when the stack's {@link Clock} reaches their deadline. Resolution is
 * one wheel tick (a millisecond by default); a timer never runs early.
 */
@ProviderType
public interface TimerService {
    Timeout schedule(long delay, TimeUnit unit, Runnable task);
}
