package net.tern.socket;

import static net.tern.api.socket.SocketConstants.EPOLLERR;
import static net.tern.api.socket.SocketConstants.EPOLLET;
import static net.tern.api.socket.SocketConstants.EPOLLHUP;
import static net.tern.api.socket.SocketConstants.EPOLLONESHOT;
import static net.tern.api.socket.SocketConstants.EPOLL_CTL_ADD;
import static net.tern.api.socket.SocketConstants.EPOLL_CTL_MOD;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import net.tern.api.socket.EpollEvent;
import net.tern.api.socket.Errno;

/**
 * An epoll set ({@code struct eventpoll}, {@code fs/eventpoll.c}), itself a descriptor.
 *
 * <p>Two locks, as in Linux: the {@code mutex} ({@code ep->mtx}) serialises control
 * operations and the collection of events, and may call into the protocol ({@code poll});
 * the {@code readyLock} ({@code ep->lock}) guards only the ready list and is what a
 * protocol's wake-up takes, so wake-ups never wait for a poll in progress. Nothing is ever
 * taken while holding the ready lock.
 *
 * <p>A wake-up puts the item on the ready list when its interest (plus EPOLLERR|EPOLLHUP,
 * always reported) matches ({@code ep_poll_callback}). Collecting ({@code ep_send_events})
 * re-polls each ready item for its current mask: level-triggered items that are still ready
 * go back on the list; EPOLLET items leave it until the next wake-up; EPOLLONESHOT items are
 * disabled until EPOLL_CTL_MOD.
 */
final class EpollFile implements OpenFile {
    private static final int ALWAYS = EPOLLERR | EPOLLHUP;
    private static final int MODE_BITS = EPOLLET | EPOLLONESHOT;

    private final int fd;
    final WaitQueue waitQueue;
    private final ReentrantLock mutex = new ReentrantLock();
    /** Guarded by mutex. */
    private final Map<Watchable, EpollItem> items = new HashMap<>();
    private final Object readyLock = new Object();
    /** Guarded by readyLock. */
    private final ArrayDeque<EpollItem> readyList = new ArrayDeque<>();
    /** {@link #collect}'s working lists (the items taken off the ready list, those to put back); guarded by mutex. */
    private final ArrayDeque<EpollItem> transfer = new ArrayDeque<>();
    private final ArrayDeque<EpollItem> requeue = new ArrayDeque<>();
    private volatile boolean closed;

    EpollFile(int fd, AtomicInteger layerParked) {
        this.fd = fd;
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

    // ---- epoll_ctl ----------------------------------------------------------------------

    /**
     * {@code epoll_ctl} on this set: {@code ep_insert} (ADD), {@code ep_modify} (MOD: new
     * interest and data; re-arms a disabled one-shot item) or {@code ep_remove} (DEL). Returns 0,
     * or a negative errno: {@code -EBADF} once the set (or, for ADD, the file) is closed,
     * {@code -EEXIST} for an ADD of a member, {@code -ENOENT} for a MOD or DEL of a stranger.
     */
    int control(int op, Watchable file, int events, long data) {
        mutex.lock();
        try {
            if (closed) {
                return Errno.EBADF.negative();
            }
            EpollItem item = items.get(file);
            if (op == EPOLL_CTL_ADD) {
                if (item != null) {
                    return Errno.EEXIST.negative();
                }
                item = new EpollItem(this, file, events, data);
                if (!file.watchers().add(item)) {
                    return Errno.EBADF.negative();
                }
                items.put(file, item);
                queueIfReady(item);
                return 0;
            }
            if (item == null) {
                return Errno.ENOENT.negative();
            }
            if (op == EPOLL_CTL_MOD) {
                item.events = events;
                item.data = data;
                item.disabled = false;
                queueIfReady(item);
            } else {
                items.remove(file);
                item.removed = true;
                file.watchers().remove(item);
            }
            return 0;
        } finally {
            mutex.unlock();
        }
    }

    /** Polls the item now (under the mutex, not the ready lock) and queues it if it is ready. */
    private void queueIfReady(EpollItem item) {
        int interest = item.events & ~MODE_BITS | ALWAYS;
        if ((item.file.pollForEpoll() & interest) != 0) {
            enqueue(item);
        }
    }

    // ---- wake-ups -------------------------------------------------------------------------

    /** {@code ep_poll_callback}: the socket's readiness changed in {@code mask} (0: unknown). */
    void callback(EpollItem item, int mask) {
        if (item.removed || item.disabled) {
            return;
        }
        int interest = item.events & ~MODE_BITS | ALWAYS;
        if (mask != 0 && (mask & interest) == 0) {
            return;
        }
        enqueue(item);
    }

    private void enqueue(EpollItem item) {
        synchronized (readyLock) {
            if (item.ready || item.removed) {
                return;
            }
            item.ready = true;
            readyList.addLast(item);
        }
        waitQueue.wakeAll();
    }

    /** A watched socket is closing: it leaves the set ({@code eventpoll_release}). */
    void forget(EpollItem item) {
        mutex.lock();
        try {
            item.removed = true;
            items.remove(item.file, item);
        } finally {
            mutex.unlock();
        }
    }

    // ---- epoll_wait -------------------------------------------------------------------------

    /**
     * {@code ep_send_events}: stores events from the ready list, each re-polled for its
     * current mask, as {@link EpollEvent}s into {@code out} or, when {@code out} is null, as
     * masks into {@code events} and data into {@code data} (up to the shorter's length, with
     * nothing allocated once the lists have grown to the set's size). Returns how many were stored.
     */
    int collect(EpollEvent[] out, int[] events, long[] data) {
        int room = out != null ? out.length : Math.min(events.length, data.length);
        mutex.lock();
        try {
            ArrayDeque<EpollItem> batch = transfer;
            synchronized (readyLock) {
                EpollItem item;
                while ((item = readyList.pollFirst()) != null) {
                    item.ready = false;
                    batch.addLast(item);
                }
            }
            int stored = 0;
            ArrayDeque<EpollItem> stillReady = requeue;
            while (stored < room) {
                EpollItem item = batch.pollFirst();
                if (item == null) {
                    break;
                }
                if (item.removed || item.disabled) {
                    continue;
                }
                int interest = item.events;
                int revents = item.file.pollForEpoll() & (interest & ~MODE_BITS | ALWAYS);
                if (revents == 0) {
                    continue;
                }
                if (out != null) {
                    out[stored] = new EpollEvent(revents, item.data);
                } else {
                    events[stored] = revents;
                    data[stored] = item.data;
                }
                stored++;
                if ((interest & EPOLLONESHOT) != 0) {
                    item.disabled = true;
                } else if ((interest & EPOLLET) == 0) {
                    stillReady.addLast(item);
                }
            }
            synchronized (readyLock) {
                // Items not reached (the room was full) keep their place at the front.
                EpollItem item;
                while ((item = batch.pollLast()) != null) {
                    if (!item.ready && !item.removed) {
                        item.ready = true;
                        readyList.addFirst(item);
                    }
                }
                // Level-triggered items that reported go to the back, so every ready socket gets a turn.
                while ((item = stillReady.pollFirst()) != null) {
                    if (!item.ready && !item.removed) {
                        item.ready = true;
                        readyList.addLast(item);
                    }
                }
            }
            return stored;
        } finally {
            mutex.unlock();
        }
    }

    // ---- close ------------------------------------------------------------------------------

    @Override
    public void closeFile() {
        List<EpollItem> all;
        mutex.lock();
        try {
            closed = true;
            all = new ArrayList<>(items.values());
            items.clear();
            for (EpollItem item : all) {
                item.removed = true;
            }
        } finally {
            mutex.unlock();
        }
        for (EpollItem item : all) {
            item.file.watchers().remove(item);
        }
        synchronized (readyLock) {
            readyList.clear();
        }
        waitQueue.wakeAll();
    }

    @Override
    public String toString() {
        return "epoll fd " + fd;
    }
}
