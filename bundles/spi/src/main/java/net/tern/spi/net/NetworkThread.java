package net.tern.spi.net;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The stack's network threads: the softirqs of Tern, one or more. Receive dispatch for
 * devices with a reader thread, and the timers, run on them; loopback input runs on the
 * sending thread ({@link Softnet}). Application threads enter protocol code through socket
 * calls under the socket's own lock (as process context does in Linux with
 * {@code lock_sock}); the rule for each protocol's state is written in its bundle's docs.
 */
@ProviderType
public interface NetworkThread {
    /** Runs {@code task} on a network thread (the caller's, if it is one), after the tasks queued there before it. */
    void execute(Runnable task);

    /**
     * Runs {@code task} on network thread {@code index} (modulo {@link #count()}), after the
     * tasks queued there before it: the thread of one flow or receive queue.
     *
     * @since 1.7
     */
    default void execute(int index, Runnable task) {
        execute(task);
    }

    /**
     * How many network threads there are.
     *
     * @since 1.7
     */
    default int count() {
        return 1;
    }

    /** Whether the caller is a network thread. */
    boolean inNetworkThread();
}
