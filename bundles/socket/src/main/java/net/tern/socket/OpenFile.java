package net.tern.socket;

/**
 * What a descriptor refers to ({@code struct file}): a socket, an epoll set or an eventfd. The
 * table holds these; each kind knows how to close itself.
 */
sealed interface OpenFile permits Watchable, EpollFile {

    /** The descriptor this file was installed at. */
    int fd();

    /**
     * The descriptor was closed (it is already out of the table): wake whoever waits on it,
     * detach it from everything that refers to it, and release what it holds.
     */
    void closeFile();

    /** Threads blocked on this file now. */
    int sleepers();
}
