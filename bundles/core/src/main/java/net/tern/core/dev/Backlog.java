package net.tern.core.dev;

import io.netty.util.internal.PlatformDependent;
import java.util.Queue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import net.tern.spi.net.NetworkThread;
import net.tern.spi.net.Packet;
import net.tern.spi.net.Softnet;

/**
 * One receive queue of a link: the queue {@code netif_rx} (enqueue_to_backlog) fills from any
 * thread and {@code process_backlog} drains on one network thread, NAPI-style; a link has one
 * per network thread, and each packet goes to its flow's (RSS).
 *
 * <p>Packets wait in a multi-producer queue; one drain task is on the network thread's
 * queue at a time, so a burst costs one task hand-off, not one per packet. A drain takes at
 * most {@value #BUDGET} packets (NAPI's weight), then queues itself again behind whatever
 * else waits, so one busy link cannot starve other links or timers. The backlog holds at
 * most {@code limit} packets ({@code netdev_max_backlog}); beyond that a packet is dropped
 * and counted, as Linux drops when its per-CPU backlog is full, rather than the queue growing
 * without bound under a flood.
 */
final class Backlog {
    /** {@code netdev_max_backlog}'s default. */
    static final int DEFAULT_LIMIT = 1000;
    /** Packets per drain before the task yields ({@code NAPI_POLL_WEIGHT} is 64). */
    static final int BUDGET = 64;

    private final NetworkThread networkThread;
    /** The network thread this backlog's drain runs on (its receive queue's CPU). */
    private final int thread;
    private final Consumer<Packet> deliver;
    private final Consumer<Packet> overflow;
    private final Consumer<Packet> stopped;
    private final int limit;
    private final Queue<Packet> queue = PlatformDependent.newMpscQueue();
    private final AtomicInteger length = new AtomicInteger();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final Runnable drain = this::drain;

    /**
     * {@code deliver} runs on the network thread for each packet in order; {@code overflow}
     * takes each packet that finds the backlog full, {@code stopped} each one left when the
     * network thread refuses work (both must count and release it).
     */
    Backlog(NetworkThread networkThread, int thread, int limit, Consumer<Packet> deliver, Consumer<Packet> overflow,
            Consumer<Packet> stopped) {
        this.networkThread = networkThread;
        this.thread = thread;
        this.limit = limit;
        this.deliver = deliver;
        this.overflow = overflow;
        this.stopped = stopped;
    }

    /** {@code enqueue_to_backlog}: queues {@code packet}, or drops it when the backlog is full. Any thread. */
    void enqueue(Packet packet) {
        if (length.incrementAndGet() > limit) {
            length.decrementAndGet();
            overflow.accept(packet);
            return;
        }
        queue.offer(packet);
        schedule();
    }

    /** Packets waiting now. */
    int length() {
        return length.get();
    }

    private void schedule() {
        if (!scheduled.get() && scheduled.compareAndSet(false, true)) {
            try {
                networkThread.execute(thread, drain);
            } catch (RejectedExecutionException e) {
                // The network thread is gone: nothing will drain what waits.
                Packet packet;
                while ((packet = queue.poll()) != null) {
                    length.decrementAndGet();
                    stopped.accept(packet);
                }
                scheduled.set(false);
            }
        }
    }

    /**
     * {@code process_backlog}: on the network thread, in a receive section, so what input
     * sends to a loopback device is received after the packet in hand, not inside it.
     */
    private void drain() {
        Packet packet;
        Softnet.enter();
        try {
            for (int n = 0; n < BUDGET && (packet = queue.poll()) != null; n++) {
                length.decrementAndGet();
                deliver.accept(packet);
            }
        } finally {
            Softnet.exit();
        }
        // Clear the flag before the last look, so a packet queued meanwhile is either seen
        // here or schedules a drain itself.
        scheduled.set(false);
        if (!queue.isEmpty()) {
            schedule();
        }
    }
}
