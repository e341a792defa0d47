package net.tern.shell;

import net.tern.inet.route.Route;
import net.tern.inet.wire.Ipv4Address;

/**
 * Which destinations {@code ip route show PREFIX} shows, as iproute2 reads its selector:
 * {@code exact} (the default) the prefix itself, {@code root} it and every longer prefix
 * inside it, {@code match} it and every shorter prefix that contains it.
 */
record RouteSelector(Kind kind, Inet4Prefix prefix) {
    enum Kind { ROOT, MATCH, EXACT }

    boolean selects(Route route) {
        int network = prefix.network();
        int length = prefix.length();
        return switch (kind) {
            case EXACT -> route.destination() == network && route.prefixLength() == length;
            case ROOT -> route.prefixLength() >= length
                    && (route.destination() & Ipv4Address.netmask(length)) == network;
            case MATCH -> route.prefixLength() <= length
                    && (network & Ipv4Address.netmask(route.prefixLength())) == route.destination();
        };
    }
}
