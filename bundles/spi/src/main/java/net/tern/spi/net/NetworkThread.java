package net.tern.spi.net;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The stack's network thread: the softirq of Tern. Receive dispatch, protocol input and
 * timers run here, one task at a time, so protocol code reached from the wire never runs
 * concurrently with itself. Application threads enter protocol code through socket calls
 * under the socket's own lock (as process context does in Linux with {@code lock_sock});
 * the rule for each protocol's state is written in its bundle's docs.
 */
@ProviderType
public interface NetworkThread {
    /** Runs {@code task} on the network thread, after the tasks queued before it. */
    void execute(Runnable task);

    /** Whether the caller is the network thread. */
    boolean inNetworkThread();
}
