package net.tern.socket;

/**
 * A file an epoll set can watch ({@code f_op->poll} with a wait queue): a socket, or an
 * eventfd. An epoll set itself cannot be watched here.
 */
sealed interface Watchable extends OpenFile permits SocketFile, EventFile {

    /** The readiness mask as epoll sees it: {@code EPOLLIN}, {@code EPOLLOUT}, ...; 0 once closed. */
    int pollForEpoll();

    /** The epoll items watching this file. */
    Watchers watchers();
}
