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

    /**
     * The timers of the flow whose {@link FlowHash} is {@code flowHash}: they run on the
     * network thread that receives that flow, so a connection's input and its timers share a
     * thread. A service with one thread returns itself.
     *
     * @since 1.7
     */
    default TimerService forFlow(int flowHash) {
        return this;
    }
}
