package net.tern.shell;

import java.util.Comparator;
import net.tern.api.socket.InetSockAddr;
import net.tern.netlink.RouteMessage;
import net.tern.netlink.Rtnetlink;

/**
 * A route as {@code ip route} prints it ({@code print_route} in {@code ip/iproute.c}) from
 * its {@code RTM_NEWROUTE} message:
 * {@code [TYPE] PREFIX [via G] [dev D] [table T] [proto P] [scope S] [src A] [metric M] [mtu lock N]}.
 */
final class RouteLine {
    /**
     * The order of a route dump within a table: by destination, then shorter prefix first,
     * then metric, the order Linux's trie walk gives ({@code default} first,
     * {@code 127.0.0.0/8} before {@code 127.0.0.1}).
     */
    static final Comparator<RouteMessage> DUMP_ORDER = Comparator
            .comparing(RouteMessage::destination, Integer::compareUnsigned)
            .thenComparingInt(RouteMessage::dstLen)
            .thenComparingInt(RouteMessage::priority);

    private RouteLine() {
    }

    /**
     * @param device     the output link's name (empty for none)
     * @param showTable  name a table other than main ({@code table all}); a dump of one table does not
     * @param showDevice name the device; a dump filtered by device does not, as {@code ip} leaves out
     *                   what the filter already says
     */
    static String format(RouteMessage route, String device, boolean showTable, boolean showDevice) {
        StringBuilder sb = new StringBuilder();
        if (route.type() != Rtnetlink.RTN_UNICAST) {
            sb.append(typeName(route.type())).append(' ');
        }
        sb.append(prefix(route));
        if (route.gateway() != 0) {
            sb.append(" via ").append(InetSockAddr.formatAddress(route.gateway()));
        }
        if (showDevice && !device.isEmpty()) {
            sb.append(" dev ").append(device);
        }
        if (showTable && route.table() != Rtnetlink.RT_TABLE_MAIN) {
            sb.append(" table ").append(tableName(route.table()));
        }
        // iproute2 hides "proto boot", what "ip route add" asks for; the kernel's derived routes name theirs.
        if (route.protocol() == Rtnetlink.RTPROT_KERNEL) {
            sb.append(" proto kernel");
        }
        String scope = switch (route.scope()) {
            case Rtnetlink.RT_SCOPE_HOST -> "host";
            case Rtnetlink.RT_SCOPE_LINK -> "link";
            default -> null;
        };
        if (scope != null) {
            sb.append(" scope ").append(scope);
        }
        if (route.prefsrc() != 0) {
            sb.append(" src ").append(InetSockAddr.formatAddress(route.prefsrc()));
        }
        if (route.priority() != 0) {
            sb.append(" metric ").append(Integer.toUnsignedString(route.priority()));
        }
        if (route.mtu() != 0) {
            sb.append(" mtu lock ").append(route.mtu());
        }
        return sb.toString();
    }

    /** {@code default}, {@code 10.0.0.0/24}, or a host's address alone. */
    static String prefix(RouteMessage route) {
        if (route.dstLen() == 0) {
            return "default";
        }
        String address = InetSockAddr.formatAddress(route.destination());
        return route.dstLen() == 32 ? address : address + "/" + route.dstLen();
    }

    /** {@code rtnl_rtntype_n2a}. */
    static String typeName(int type) {
        return switch (type) {
            case Rtnetlink.RTN_UNICAST -> "unicast";
            case Rtnetlink.RTN_LOCAL -> "local";
            case Rtnetlink.RTN_BROADCAST -> "broadcast";
            case Rtnetlink.RTN_BLACKHOLE -> "blackhole";
            case Rtnetlink.RTN_UNREACHABLE -> "unreachable";
            case Rtnetlink.RTN_PROHIBIT -> "prohibit";
            default -> Integer.toString(type);
        };
    }

    /** The type {@code ip route add} names before a prefix, or 0 for a word that is none. */
    static int typeNamed(String word) {
        for (int type : new int[] {Rtnetlink.RTN_UNICAST, Rtnetlink.RTN_LOCAL, Rtnetlink.RTN_BROADCAST,
            Rtnetlink.RTN_UNREACHABLE, Rtnetlink.RTN_BLACKHOLE, Rtnetlink.RTN_PROHIBIT}) {
            if (typeName(type).equals(word)) {
                return type;
            }
        }
        return 0;
    }

    static String tableName(int table) {
        return switch (table) {
            case Rtnetlink.RT_TABLE_MAIN -> "main";
            case Rtnetlink.RT_TABLE_LOCAL -> "local";
            default -> Integer.toString(table);
        };
    }
}
