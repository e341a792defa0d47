package net.tern.inet.route;

import net.tern.wire.Ipv4Address;

/**
 * What {@code ip route add} and {@code ip route del} say: a prefix and, optionally, the
 * route's type, gateway, device, source, metric and MTU. For {@code del}, fields left at
 * their "any" value (0, empty, null type) match every route.
 *
 * @param destination     the prefix, host bits zero
 * @param prefixLength    0..32
 * @param type            the route type; null means unicast on add, any on delete
 * @param gateway         next hop ({@code via}), or 0
 * @param device          output link's name ({@code dev}), or empty
 * @param preferredSource {@code src}, or 0
 * @param metric          {@code metric}; -1 means 0 on add, any on delete
 * @param mtu             {@code mtu lock}, or 0
 */
public record RouteRequest(int destination, int prefixLength, RouteType type, int gateway, String device,
        int preferredSource, int metric, int mtu) {

    public RouteRequest {
        device = device == null ? "" : device;
    }

    /** {@code ip route add PREFIX}: the prefix, everything else unset. */
    public static RouteRequest to(int destination, int prefixLength) {
        return new RouteRequest(destination, prefixLength, null, 0, "", 0, -1, 0);
    }

    /** {@code ip route add default}. */
    public static RouteRequest defaultRoute() {
        return to(0, 0);
    }

    /** Parses {@code "default"}, {@code "a.b.c.d"} (a /32) or {@code "a.b.c.d/n"} into a request for that prefix. */
    public static RouteRequest parsePrefix(String prefix) {
        if (prefix.equals("default")) {
            return defaultRoute();
        }
        int slash = prefix.indexOf('/');
        if (slash < 0) {
            return to(Ipv4Address.parse(prefix), 32);
        }
        int length;
        try {
            length = Integer.parseInt(prefix.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad prefix length in '" + prefix + "'");
        }
        return to(Ipv4Address.parse(prefix.substring(0, slash)), length);
    }

    public RouteRequest via(int gatewayAddress) {
        return new RouteRequest(destination, prefixLength, type, gatewayAddress, device, preferredSource, metric, mtu);
    }

    public RouteRequest dev(String name) {
        return new RouteRequest(destination, prefixLength, type, gateway, name, preferredSource, metric, mtu);
    }

    public RouteRequest type(RouteType routeType) {
        return new RouteRequest(destination, prefixLength, routeType, gateway, device, preferredSource, metric, mtu);
    }

    public RouteRequest src(int address) {
        return new RouteRequest(destination, prefixLength, type, gateway, device, address, metric, mtu);
    }

    public RouteRequest metric(int value) {
        return new RouteRequest(destination, prefixLength, type, gateway, device, preferredSource, value, mtu);
    }

    public RouteRequest mtu(int value) {
        return new RouteRequest(destination, prefixLength, type, gateway, device, preferredSource, metric, value);
    }

    /** The request as the {@code ip route} arguments that would make it. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        if (type != null && type != RouteType.UNICAST) {
            sb.append(type.keyword()).append(' ');
        }
        if (prefixLength == 0 && destination == 0) {
            sb.append("default");
        } else {
            sb.append(Ipv4Address.format(destination)).append('/').append(prefixLength);
        }
        if (gateway != 0) {
            sb.append(" via ").append(Ipv4Address.format(gateway));
        }
        if (!device.isEmpty()) {
            sb.append(" dev ").append(device);
        }
        if (preferredSource != 0) {
            sb.append(" src ").append(Ipv4Address.format(preferredSource));
        }
        if (metric >= 0) {
            sb.append(" metric ").append(metric);
        }
        if (mtu != 0) {
            sb.append(" mtu lock ").append(mtu);
        }
        return sb.toString();
    }
}
