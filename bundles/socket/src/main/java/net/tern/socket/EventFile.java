package net.tern.socket;

import static net.tern.api.socket.SocketConstants.EPOLLIN;
import static net.tern.api.socket.SocketConstants.EPOLLOUT;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import net.tern.api.socket.Errno;

/**
 * An eventfd ({@code fs/eventfd.c}): a 64-bit counter as a descriptor. A write adds to it, a
 * read takes it whole and leaves 0; it polls readable while the counter is not 0 and writable
 * while one more can be added. Its use is to wake a thread waiting in an epoll set from any
 * other thread, without a protocol.
 */
final class EventFile implements Watchable {
    /**
     * The most the counter holds; a write that would pass it waits. Linux's is
     * {@code ULLONG_MAX - 1}; here a read returns the counter as a non-negative {@code long}, so
     * that a negative value stays an errno.
     */
    static final long MAX = Long.MAX_VALUE;

    private final int fd;
    final WaitQueue waitQueue;
    private final Watchers watchers = new Watchers();
    private final AtomicLong counter;
    volatile boolean nonBlocking;
    private volatile boolean closed;

    EventFile(int fd, long initial, AtomicInteger layerParked) {
        this.fd = fd;
        this.counter = new AtomicLong(initial);
        this.waitQueue = new WaitQueue(layerParked);
    }

    @Override
    public int fd() {
        return fd;
    }

    @Override
    public int sleepers() {
        return waitQueue.sleepers();
    }

    boolean isClosed() {
        return closed;
    }

    @Override
    public int pollForEpoll() {
        if (closed) {
            return 0;
        }
        long value = counter.get();
        return (value != 0 ? EPOLLIN : 0) | (value < MAX ? EPOLLOUT : 0);
    }

    @Override
    public Watchers watchers() {
        return watchers;
    }

    /** {@code eventfd_write} once: 0 with {@code value} added, or {@code -EAGAIN} when it does not fit now. */
    int tryWrite(long value) {
        while (true) {
            long now = counter.get();
            if (value > MAX - now) {
                return Errno.EAGAIN.negative();
            }
            if (counter.compareAndSet(now, now + value)) {
                if (value != 0) {
                    waitQueue.wakeAll();
                    watchers.wakeUp(EPOLLIN);
                }
                return 0;
            }
        }
    }

    /** {@code eventfd_read} once: the counter, left at 0, or {@code -EAGAIN} while it is 0. */
    long tryRead() {
        long value = counter.getAndSet(0);
        if (value == 0) {
            return Errno.EAGAIN.negative();
        }
        waitQueue.wakeAll();
        watchers.wakeUp(EPOLLOUT);
        return value;
    }

    @Override
    public void closeFile() {
        closed = true;
        watchers.close();
        waitQueue.wakeAll();
    }

    @Override
    public String toString() {
        return "eventfd " + fd;
    }
}
