package net.tern.netty;

import io.netty.channel.IoEvent;

/**
 * The readiness epoll reported for a descriptor. One instance per handler, refilled for each
 * ready descriptor, so a wake-up allocates nothing.
 */
final class TernIoEvent implements IoEvent {
    private int events;

    void set(int events) {
        this.events = events;
    }

    /** The ready mask ({@code EPOLLIN}, {@code EPOLLOUT}, {@code EPOLLERR}, {@code EPOLLHUP}, {@code EPOLLRDHUP}). */
    int events() {
        return events;
    }

    @Override
    public String toString() {
        return "TernIoEvent(0x" + Integer.toHexString(events) + ")";
    }
}
