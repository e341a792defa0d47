package net.tern.spi.proto;

import net.tern.api.socket.SockAddr;

/**
 * The parts of {@code struct msghdr} a receive fills in besides the data: the sender's
 * address ({@code msg_name}) and the result flags ({@code msg_flags}, e.g. MSG_TRUNC).
 * Reusable by a caller across receives.
 */
public final class MsgHeader {
    public SockAddr from;
    public int flags;

    public MsgHeader reset() {
        from = null;
        flags = 0;
        return this;
    }
}
