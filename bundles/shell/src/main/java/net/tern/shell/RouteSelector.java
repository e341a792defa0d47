package net.tern.shell;

import net.tern.netlink.RouteMessage;

/**
 * Which destinations {@code ip route show PREFIX} shows, as iproute2 reads its selector:
 * {@code exact} (the default) the prefix itself, {@code root} it and every longer prefix
 * inside it, {@code match} it and every shorter prefix that contains it.
 */
record RouteSelector(Kind kind, Inet4Prefix prefix) {
    enum Kind { ROOT, MATCH, EXACT }

    boolean selects(RouteMessage route) {
        int network = prefix.network();
        int length = prefix.length();
        return switch (kind) {
            case EXACT -> route.destination() == network && route.dstLen() == length;
            case ROOT -> route.dstLen() >= length
                    && (route.destination() & Inet4Prefix.netmask(length)) == network;
            case MATCH -> route.dstLen() <= length
                    && (network & Inet4Prefix.netmask(route.dstLen())) == route.destination();
        };
    }
}
