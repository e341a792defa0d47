package net.tern.api.socket;

/**
 * One ready descriptor reported by {@link SocketApi#epollWait}: the events that are ready
 * and the user data given when the descriptor was registered ({@code struct epoll_event}).
 */
public record EpollEvent(int events, long data) {
    @Override
    public String toString() {
        return "EpollEvent[" + SocketConstants.pollMaskToString(events) + ", data=" + data + "]";
    }
}
