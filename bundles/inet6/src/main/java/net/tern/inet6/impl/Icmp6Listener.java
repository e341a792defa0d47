package net.tern.inet6.impl;

import io.netty.buffer.ByteBuf;
import net.tern.wire.Ipv6Address;

/**
 * Hears what ICMPv6 receives for local users: echo replies (for ping sockets) and errors
 * quoting a packet this host sent ({@code icmpv6_notify}). Called on the network thread; the
 * bytes are valid only during the call.
 */
public interface Icmp6Listener {
    Icmp6Listener NONE = new Icmp6Listener() {
    };

    /** An echo reply with {@code length} data bytes at absolute {@code offset}, which came with {@code hopLimit}. */
    default void echoReply(int identifier, int sequence, ByteBuf buf, int offset, int length, Ipv6Address from,
            Ipv6Address to, int hopLimit) {
    }

    /** An error; the quoted packet's IPv6 header is at absolute {@code offset}, {@code length} bytes in all. */
    default void error(int type, int code, int info, ByteBuf buf, int offset, int length) {
    }
}
