package net.tern.socket;

import java.util.Arrays;

/**
 * The epoll items watching one file (the entries epoll sets put on its wait queue): a
 * copy-on-write array, since wake-ups far outnumber changes, that closes with its file.
 * Changes synchronize on the instance itself, which only its file holds (no lock object of
 * its own: one object less per socket).
 */
final class Watchers {
    private static final EpollItem[] NONE = {};

    private volatile EpollItem[] items = NONE;
    /** Guarded by this. */
    private boolean closed;

    /** Adds a watcher; false when the file is closed already. */
    boolean add(EpollItem item) {
        synchronized (this) {
            if (closed) {
                return false;
            }
            EpollItem[] grown = Arrays.copyOf(items, items.length + 1);
            grown[grown.length - 1] = item;
            items = grown;
            return true;
        }
    }

    void remove(EpollItem item) {
        synchronized (this) {
            EpollItem[] current = items;
            for (int i = 0; i < current.length; i++) {
                if (current[i] == item) {
                    EpollItem[] shrunk = new EpollItem[current.length - 1];
                    System.arraycopy(current, 0, shrunk, 0, i);
                    System.arraycopy(current, i + 1, shrunk, i, current.length - i - 1);
                    items = shrunk;
                    return;
                }
            }
        }
    }

    /** {@code ep_poll_callback} for each watcher: readiness changed in {@code mask} (0: unknown). */
    void wakeUp(int mask) {
        for (EpollItem item : items) {
            item.epoll.callback(item, mask);
        }
    }

    /** The file is closing: no watcher is added from now on; each it had leaves its set ({@code eventpoll_release}). */
    void close() {
        EpollItem[] watching;
        synchronized (this) {
            closed = true;
            watching = items;
            items = NONE;
        }
        for (EpollItem item : watching) {
            item.epoll.forget(item);
        }
    }
}
