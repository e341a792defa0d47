package net.tern.inet6.ip;

import net.tern.spi.net.Link;
import net.tern.wire.Ipv6Address;

/**
 * Where a packet goes ({@code struct dst_entry} of an {@code rt6_info}): the link, the next
 * hop (the destination itself on the link, or the route's gateway), the path MTU, and whether
 * the destination is this host (sent through the loopback link, as Linux's local routes are).
 */
public record Dst6(Link link, Ipv6Address nextHop, int mtu, boolean local) {
}
