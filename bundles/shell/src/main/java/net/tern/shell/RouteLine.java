package net.tern.shell;

import java.util.Comparator;
import net.tern.inet.route.Route;
import net.tern.inet.route.RouteOrigin;
import net.tern.inet.route.RouteType;
import net.tern.inet.wire.Ipv4Address;

/**
 * A route as {@code ip route} prints it ({@code print_route} in {@code ip/iproute.c}):
 * {@code [TYPE] PREFIX [via G] [dev D] [table T] [proto P] [scope S] [src A] [metric M] [mtu lock N]}.
 */
final class RouteLine {
    /**
     * The order of a route dump: by destination, then shorter prefix first, then metric, the
     * order Linux's trie walk gives ({@code default} first, {@code 127.0.0.0/8} before
     * {@code 127.0.0.1}).
     */
    static final Comparator<Route> DUMP_ORDER = Comparator
            .comparing(Route::destination, Integer::compareUnsigned)
            .thenComparingInt(Route::prefixLength)
            .thenComparingInt(Route::metric);

    private RouteLine() {
    }

    /**
     * @param showTable  name a table other than main ({@code table all}); a dump of one table does not
     * @param showDevice name the device; a dump filtered by device does not, as {@code ip} leaves out
     *                   what the filter already says
     */
    static String format(Route route, boolean showTable, boolean showDevice) {
        StringBuilder sb = new StringBuilder();
        if (route.type() != RouteType.UNICAST) {
            sb.append(route.type().keyword()).append(' ');
        }
        sb.append(route.prefix());
        if (route.gateway() != 0) {
            sb.append(" via ").append(Ipv4Address.format(route.gateway()));
        }
        if (showDevice && !route.linkName().isEmpty()) {
            sb.append(" dev ").append(route.linkName());
        }
        if (showTable && route.table() != Route.Table.MAIN) {
            sb.append(" table ").append(route.table().keyword());
        }
        // Linux marks what "ip route add" makes "proto boot" and hides that; the stack's
        // STATIC is that same origin, so only the kernel's derived routes name theirs.
        if (route.origin() == RouteOrigin.KERNEL) {
            sb.append(" proto ").append(route.origin().keyword());
        }
        String scope = scope(route);
        if (scope != null) {
            sb.append(" scope ").append(scope);
        }
        if (route.preferredSource() != 0) {
            sb.append(" src ").append(Ipv4Address.format(route.preferredSource()));
        }
        if (route.metric() != 0) {
            sb.append(" metric ").append(route.metric());
        }
        if (route.mtu() != 0) {
            sb.append(" mtu lock ").append(route.mtu());
        }
        return sb.toString();
    }

    /** {@code host} for local addresses, {@code link} for broadcast and on-link routes, none (universe) otherwise. */
    private static String scope(Route route) {
        return switch (route.type()) {
            case LOCAL -> "host";
            case BROADCAST -> "link";
            case UNICAST -> route.gateway() == 0 ? "link" : null;
            default -> null;
        };
    }
}
