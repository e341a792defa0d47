package net.tern.spi.trace;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Receives every event fired while it is added to {@link Tracepoints}. Called on the thread
 * that fires, often the network thread and under a socket's lock: it must be quick and must
 * not call back into the stack (copy the event and return). What it throws is ignored.
 */
@ConsumerType
public interface TraceListener {
    void event(TraceEvent event);
}
