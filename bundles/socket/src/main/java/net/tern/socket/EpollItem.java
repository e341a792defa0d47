package net.tern.socket;

/**
 * One file (a socket, an eventfd) registered in one epoll set ({@code struct epitem}): the interest mask (with
 * EPOLLET / EPOLLONESHOT), the user data, and whether it is on the set's ready list.
 */
final class EpollItem {
    final EpollFile epoll;
    final Watchable file;
    /** Interest, with the EPOLLET and EPOLLONESHOT bits. Written under the set's mutex. */
    volatile int events;
    volatile long data;
    /** An EPOLLONESHOT item that has reported: silent until EPOLL_CTL_MOD re-arms it. */
    volatile boolean disabled;
    /** Deleted from the set (or its socket closed); a stale ready-list entry is skipped. */
    volatile boolean removed;
    /** On the ready list; guarded by the set's ready lock. */
    boolean ready;

    EpollItem(EpollFile epoll, Watchable file, int events, long data) {
        this.epoll = epoll;
        this.file = file;
        this.events = events;
        this.data = data;
    }
}
