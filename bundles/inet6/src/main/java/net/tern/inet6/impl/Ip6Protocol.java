package net.tern.inet6.impl;

import net.tern.spi.net.Packet;
import net.tern.wire.Ipv6Address;

/**
 * An upper-layer protocol over IPv6 ({@code struct inet6_protocol}, {@code inet6_add_protocol}):
 * receives the packets whose extension headers lead to its number.
 */
@FunctionalInterface
public interface Ip6Protocol {
    /** The packet's IPv6 header is at absolute {@code header}, the protocol's at {@code transport}. Owns the packet. */
    void receive(Packet packet, int header, int transport, Ipv6Address source, Ipv6Address destination);
}
