package net.tern.spi.net;

import org.osgi.annotation.versioning.ProviderType;

/** A scheduled timer, as returned by {@link TimerService#schedule}. */
@ProviderType
public interface Timeout {
    /** Cancels the timer in O(1); returns false if it already ran or was cancelled. */
    boolean cancel();

    boolean isCancelled();

    boolean isExpired();
}
