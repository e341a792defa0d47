package net.tern.services;

import static net.tern.api.socket.SocketConstants.EPOLL_CTL_ADD;
import static net.tern.api.socket.SocketConstants.EPOLL_CTL_DEL;
import static net.tern.api.socket.SocketConstants.EPOLL_CTL_MOD;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.SocketApi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One epoll set and the handlers of its descriptors: the event loop every service runs on.
 * {@link #runOnce} waits for readiness and calls each ready descriptor's {@link Handler};
 * {@link #start} runs it on a thread of its own until {@link #close}. Tests call
 * {@link #runOnce} with a zero timeout between steps of virtual time instead.
 *
 * <p>All handlers run on the loop's thread, so they take no locks; {@link #sockets()} is
 * the only call made from elsewhere (a status page renders on the loop thread too, but
 * the method is synchronised so any thread may ask).
 *
 * <p>What a handler holds per descriptor is kept small, so that tens of thousands of idle
 * connections cost little beyond the stack's own state: handlers are found by descriptor in
 * an array (descriptors are allocated lowest first, so it stays dense), bytes whose content
 * does not matter (discarded input) go through one {@link #scratch()} buffer shared by all,
 * and bytes in flight go into buffers {@link #buffers(int) taken from a pool} only while
 * they are there.
 */
final class ServiceLoop implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ServiceLoop.class);
    /** How long one wait lasts, so the thread sees {@link #close} soon without a wake-up. */
    static final int WAIT_MILLIS = 200;

    /** What a descriptor in the loop does when it is ready. */
    interface Handler {
        /** Handles readiness {@code events}; a thrown error closes the handler. */
        void ready(int events) throws ErrnoException;

        /** Releases the descriptor; called once, from the loop. */
        void close();

        /** One row of the status page's socket table. */
        SocketRow row();
    }

    private final SocketApi api;
    private final int epfd;
    /** By descriptor; null where the loop has none. */
    private Handler[] handlers = new Handler[64];
    private int size;
    private final int[] readyEvents = new int[64];
    private final long[] readyData = new long[64];
    /** Free buffers kept per size: enough for a burst of busy connections, bounded whatever their number. */
    static final int POOL_KEEP = 8;
    /** Loop-thread only. */
    private final Map<Integer, BufferPool> pools = new HashMap<>();
    private final ByteBuffer scratch = ByteBuffer.allocate(64 * 1024);
    /** Tasks for after the next wait (loop thread only). */
    private List<Runnable> afterNextWait = new ArrayList<>();
    /** Run after every wait, the loop's own (set once, before the loop's thread starts). */
    private Runnable everyWait = () -> { };
    private volatile boolean closed;
    private Thread thread;

    ServiceLoop(SocketApi api) throws ErrnoException {
        this.api = api;
        this.epfd = api.epollCreate();
    }

    SocketApi api() {
        return api;
    }

    /**
     * A buffer for bytes that are read only to be dropped (discard, chargen's input, a
     * lingering close), shared by every handler: they run one at a time on the loop's thread
     * and none keeps bytes in it between calls. Cleared for each use.
     */
    ByteBuffer scratch() {
        return scratch.clear();
    }

    /** The pool of {@code size}-byte buffers for bytes in flight (loop thread only). */
    BufferPool buffers(int size) {
        return pools.computeIfAbsent(size, s -> new BufferPool(s, POOL_KEEP));
    }

    /** Pooled buffers held by handlers now, of every size: one per connection with bytes in flight (loop thread only). */
    int buffersTaken() {
        int taken = 0;
        for (BufferPool p : pools.values()) {
            taken += p.taken();
        }
        return taken;
    }

    /** Adds {@code fd} with interest in {@code interest}. */
    synchronized void add(int fd, int interest, Handler handler) throws ErrnoException {
        api.epollCtl(epfd, EPOLL_CTL_ADD, fd, interest, fd);
        if (fd >= handlers.length) {
            handlers = Arrays.copyOf(handlers, Math.max(fd + 1, handlers.length * 2));
        }
        handlers[fd] = handler;
        size++;
    }

    private Handler handler(int fd) {
        return fd >= 0 && fd < handlers.length ? handlers[fd] : null;
    }

    /** Changes the interest of a descriptor already added. */
    void modify(int fd, int interest) throws ErrnoException {
        int result = api.sysEpollCtl(epfd, EPOLL_CTL_MOD, fd, interest, fd);
        if (result < 0) {
            throw ErrnoException.of(result, "epollCtl(MOD, fd " + fd + ")");
        }
    }

    /** Takes {@code fd} out of the loop and closes it; the handler's own {@code close} calls this. */
    synchronized void remove(int fd) {
        if (handler(fd) == null) {
            return;
        }
        handlers[fd] = null;
        size--;
        try {
            api.epollCtl(epfd, EPOLL_CTL_DEL, fd, 0, 0);
        } catch (ErrnoException e) {
            // The descriptor is going anyway; closing it drops it from the set.
        }
        try {
            api.close(fd);
        } catch (ErrnoException e) {
            LOG.debug("closing {}: {}", fd, e.getMessage());
        }
    }

    /** The number of descriptors in the loop (listeners, connections, datagram sockets). */
    synchronized int size() {
        return size;
    }

    /** Rows of the status page's services table: the first ones, and how many there are in all. */
    record Rows(List<SocketRow> shown, int total) {
    }

    /** A row per descriptor in the loop, by descriptor (the services' own sockets first: they were opened first). */
    List<SocketRow> sockets() {
        return sockets(Integer.MAX_VALUE).shown();
    }

    /** The rows of the first {@code max} descriptors, by descriptor, and the number of descriptors in the loop. */
    synchronized Rows sockets(int max) {
        List<SocketRow> rows = new ArrayList<>(Math.min(size, max));
        for (int fd = 0; fd < handlers.length && rows.size() < max; fd++) {
            if (handlers[fd] != null) {
                rows.add(handlers[fd].row());
            }
        }
        return new Rows(rows, size);
    }

    private synchronized List<Handler> all() {
        List<Handler> all = new ArrayList<>(size);
        for (Handler h : handlers) {
            if (h != null) {
                all.add(h);
            }
        }
        return all;
    }

    /**
     * Waits up to {@code timeoutMillis} for readiness and handles what is ready. Returns how
     * many descriptors were handled (0 when none was ready).
     */
    int runOnce(int timeoutMillis) throws ErrnoException {
        // Tasks queued before this wait run after it; those queued during it wait for the next.
        // With none due the list is kept (nothing to run now), so an idle loop allocates nothing.
        List<Runnable> due = afterNextWait;
        afterNextWait = due.isEmpty() ? due : new ArrayList<>();
        // Masks and data into arrays: a wait allocates nothing, whether or not something is ready.
        int n = api.sysEpollWait(epfd, readyEvents, readyData, timeoutMillis);
        if (n == Errno.EINTR.negative()) {
            return 0;
        }
        if (n < 0) {
            throw ErrnoException.of(n, "epollWait(epfd " + epfd + ")");
        }
        for (int i = 0; i < n; i++) {
            Handler h;
            synchronized (this) {
                h = handler((int) readyData[i]);
            }
            if (h == null) {
                continue; // closed by an earlier handler in this round
            }
            try {
                h.ready(readyEvents[i]);
            } catch (ErrnoException | RuntimeException e) {
                LOG.debug("{} failed: {}", h.row(), e.getMessage());
                h.close();
            }
        }
        if (due != afterNextWait) {
            for (Runnable task : due) {
                task.run();
            }
        }
        everyWait.run();
        return n;
    }

    /**
     * Runs {@code task} on the loop's thread after every wait; it must cost nothing when it has
     * nothing to do (an idle round allocates nothing). One task; set before the loop starts.
     */
    void everyWait(Runnable task) {
        this.everyWait = task;
    }

    /**
     * Runs {@code task} on the loop's thread after its next wait for readiness (a whole
     * {@link #WAIT_MILLIS} when nothing else happens): for a handler that must stay quiet
     * for a while, such as a listener that cannot accept for want of descriptors.
     */
    void afterNextWait(Runnable task) {
        afterNextWait.add(task);
    }

    /** Runs the loop on thread {@code name} until {@link #close}. */
    synchronized void start(String name) {
        thread = new Thread(() -> {
            while (!closed) {
                try {
                    runOnce(WAIT_MILLIS);
                } catch (ErrnoException e) {
                    if (!closed) {
                        LOG.error("service loop stops: {}", e.getMessage());
                    }
                    return;
                }
            }
        }, name);
        thread.setDaemon(true);
        thread.start();
    }

    /** Stops the thread (within one wait) and closes every descriptor and the epoll set. */
    @Override
    public void close() {
        closed = true;
        Thread t;
        synchronized (this) {
            t = thread;
        }
        if (t != null && t != Thread.currentThread()) {
            try {
                t.join(WAIT_MILLIS * 10L);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (Handler h : all()) {
            h.close();
        }
        try {
            api.close(epfd);
        } catch (ErrnoException e) {
            LOG.debug("closing the epoll set: {}", e.getMessage());
        }
    }
}
