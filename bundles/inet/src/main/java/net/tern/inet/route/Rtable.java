package net.tern.inet.route;

import net.tern.spi.net.Link;
import net.tern.wire.Ipv4Address;

/**
 * The result of an output route lookup ({@code struct rtable}): how a packet to
 * {@code destination} leaves. A local destination leaves through the loopback link, as
 * Linux sends it through {@code lo} ({@code RTN_LOCAL} output).
 *
 * @param type         {@link RouteType#UNICAST}, {@link RouteType#LOCAL} or {@link RouteType#BROADCAST}
 * @param destination  the packet's destination
 * @param source       the source address to use: the flow's, or the one the route chose
 * @param gateway      the next hop, or 0 when the destination is on the link
 * @param link         the output link
 * @param mtu          the path MTU for the route: the route's own, or the link's
 * @param route        the route that matched
 */
public record Rtable(RouteType type, int destination, int source, int gateway, Link link, int mtu, Route route) {
    /** Where the packet goes first: the gateway, or the destination itself ({@code rt_nexthop}). */
    public int nextHop() {
        return gateway != 0 ? gateway : destination;
    }

    @Override
    public String toString() {
        return type.keyword() + " " + Ipv4Address.format(destination)
                + (gateway != 0 ? " via " + Ipv4Address.format(gateway) : "")
                + " dev " + link.name() + " src " + Ipv4Address.format(source) + " mtu " + mtu;
    }
}
