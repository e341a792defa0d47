package net.tern.nio;

/**
 * A channel of this provider as {@link TernSelector} sees it (the JDK's {@code SelChImpl}): its
 * descriptor, how interest becomes epoll events and epoll events readiness, and the deferred
 * close a selector finishes when it lets the channel's last key go.
 */
interface TernSelectable {

    /** The channel's descriptor; it stays open while any selector holds a key of the channel. */
    ChannelDescriptor descriptor();

    /** The epoll events that serve {@code ops} ({@code OP_READ}/{@code OP_ACCEPT}: EPOLLIN, {@code OP_WRITE}/{@code OP_CONNECT}: EPOLLOUT). */
    static int epollEvents(int ops) {
        int events = 0;
        if ((ops & (java.nio.channels.SelectionKey.OP_READ | java.nio.channels.SelectionKey.OP_ACCEPT)) != 0) {
            events |= net.tern.api.socket.SocketConstants.EPOLLIN;
        }
        if ((ops & (java.nio.channels.SelectionKey.OP_WRITE | java.nio.channels.SelectionKey.OP_CONNECT)) != 0) {
            events |= net.tern.api.socket.SocketConstants.EPOLLOUT;
        }
        return events;
    }

    /**
     * The operations of {@code interestOps} that the epoll {@code events} make ready (the JDK's
     * {@code translateReadyOps}); an error or hang-up makes every interest ready, so that the
     * next call reports it.
     */
    int readyOps(int events, int interestOps);
}
