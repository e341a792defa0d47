package net.tern.netlink.impl;

import java.util.Comparator;
import java.util.List;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.SocketConstants;
import net.tern.inet.route.Route;
import net.tern.inet.route.RouteOrigin;
import net.tern.inet.route.RouteRequest;
import net.tern.inet.route.RouteTable;
import net.tern.inet.route.RouteType;
import net.tern.netlink.Netlink;
import net.tern.netlink.NlAttrs;
import net.tern.netlink.NlMsg;
import net.tern.netlink.NlWriter;
import net.tern.netlink.RtMsg;
import net.tern.netlink.Rtnetlink;
import net.tern.spi.net.Link;
import net.tern.spi.net.LinkRegistry;

/**
 * The IPv4 route messages of {@code net/ipv4/fib_frontend.c}: {@code RTM_GETROUTE} dumps
 * ({@code inet_dump_fib}), {@code RTM_NEWROUTE} ({@code inet_rtm_newroute}) and
 * {@code RTM_DELROUTE} ({@code inet_rtm_delroute}), read with {@code rtm_to_fib_config}'s
 * rules and written as {@code fib_dump_info} writes them.
 */
final class FibFrontend {
    /**
     * The order of a dump: table main (254) before local (255), as Linux walks its table hash;
     * within a table by destination, shorter prefix first, lower metric first (the trie walk).
     */
    static final Comparator<Route> DUMP_ORDER = Comparator
            .comparingInt((Route r) -> tableId(r.table()))
            .thenComparing(Route::destination, Integer::compareUnsigned)
            .thenComparingInt(Route::prefixLength)
            .thenComparingInt(Route::metric);

    private final RouteTable routes;
    private final LinkRegistry links;

    FibFrontend(RouteTable routes, LinkRegistry links) {
        this.routes = routes;
        this.links = links;
    }

    /** {@code inet_dump_fib}: every IPv4 route of both tables, into a dump the caller began. */
    void inetDumpFib(NetlinkReply reply) {
        for (Route r : routes.routes().stream().sorted(DUMP_ORDER).toList()) {
            fibDumpInfo(reply.begin(Rtnetlink.RTM_NEWROUTE, 0), r);
            reply.end();
        }
    }

    /** Whether a route dump asks for cached routes only ({@code RTM_F_CLONED}), which the stack has none of. */
    static boolean cloned(NlMsg request) {
        return request.body().remaining() >= RtMsg.SIZE && (request.body().getInt(8) & Rtnetlink.RTM_F_CLONED) != 0;
    }

    /**
     * {@code inet_rtm_newroute} into table main. {@code NLM_F_REPLACE} replaces the route to
     * the same prefix with the same metric; without it such a route is EEXIST (what
     * {@code NLM_F_EXCL} asks, and what the table answers for a second route to one prefix
     * and metric); without {@code NLM_F_CREATE} and nothing to replace, ENOENT, as
     * {@code fib_table_insert}. Another table: EOPNOTSUPP, the local table being the stack's
     * to derive.
     */
    void inetRtmNewroute(NlMsg request) throws ErrnoException {
        RtMsg rtm = RtMsg.read(request);
        NlAttrs attrs = request.attrs(RtMsg.SIZE);
        RouteRequest wanted = rtmToFibConfig(rtm, attrs, true);
        boolean replace = (request.flags() & Netlink.NLM_F_REPLACE) != 0;
        Route existing = sameKey(wanted);
        if (existing != null && replace && (request.flags() & Netlink.NLM_F_EXCL) == 0) {
            routes.delete(new RouteRequest(existing.destination(), existing.prefixLength(), existing.type(),
                    existing.gateway(), existing.linkName(), existing.preferredSource(), existing.metric(), existing.mtu()));
        } else if (existing == null && (request.flags() & Netlink.NLM_F_CREATE) == 0) {
            throw new ErrnoException(Errno.ENOENT, "no route to " + wanted + " to replace (NLM_F_CREATE not set)");
        }
        routes.add(wanted);
    }

    /** {@code inet_rtm_delroute}: the first route that matches every field given; ESRCH when none does. */
    void inetRtmDelroute(NlMsg request) throws ErrnoException {
        RtMsg rtm = RtMsg.read(request);
        routes.delete(rtmToFibConfig(rtm, request.attrs(RtMsg.SIZE), false));
    }

    /** The main table's route to the same prefix with the same metric, or null. */
    private Route sameKey(RouteRequest wanted) {
        int metric = Math.max(0, wanted.metric());
        for (Route r : routes.routes(Route.Table.MAIN)) {
            if (r.prefixLength() == wanted.prefixLength() && r.destination() == wanted.destination()
                    && r.metric() == metric) {
                return r;
            }
        }
        return null;
    }

    /**
     * {@code rtm_to_fib_config}: the request as a {@link RouteRequest}. The family must be
     * AF_INET and the table main (or unspecified); {@code RTA_DST} with {@code rtm_dst_len},
     * {@code rtm_type}, {@code RTA_GATEWAY}, {@code RTA_OIF} (ENODEV for no such link),
     * {@code RTA_PREFSRC}, {@code RTA_PRIORITY} and {@code RTA_METRICS}' {@code RTAX_MTU}.
     * On delete, what is not given matches anything.
     */
    private RouteRequest rtmToFibConfig(RtMsg rtm, NlAttrs attrs, boolean add) throws ErrnoException {
        if (rtm.family() != SocketConstants.AF_INET) {
            throw new ErrnoException(Errno.EOPNOTSUPP, "route family " + rtm.family() + ": only AF_INET routes are served");
        }
        int table = attrs.has(Rtnetlink.RTA_TABLE) ? attrs.u32(Rtnetlink.RTA_TABLE) : rtm.table();
        if (table != Rtnetlink.RT_TABLE_MAIN && table != Rtnetlink.RT_TABLE_UNSPEC) {
            throw new ErrnoException(Errno.EOPNOTSUPP, "table " + table + ": routes are added to and deleted from table main only");
        }
        if (rtm.dstLen() > 32) {
            throw new ErrnoException(Errno.EINVAL, "destination prefix length " + rtm.dstLen() + " beyond 32");
        }
        if (rtm.srcLen() != 0) {
            throw new ErrnoException(Errno.EOPNOTSUPP, "source routing (rtm_src_len " + rtm.srcLen() + ") is not served");
        }
        int destination = attrs.has(Rtnetlink.RTA_DST) ? attrs.inAddr(Rtnetlink.RTA_DST) : 0;
        RouteType type = routeType(rtm.type(), add);
        int gateway = attrs.has(Rtnetlink.RTA_GATEWAY) ? attrs.inAddr(Rtnetlink.RTA_GATEWAY) : 0;
        String device = "";
        if (attrs.has(Rtnetlink.RTA_OIF)) {
            int index = attrs.u32(Rtnetlink.RTA_OIF);
            device = links.byIndex(index).map(Link::name)
                    .orElseThrow(() -> new ErrnoException(Errno.ENODEV, "no link has index " + index));
        }
        int source = attrs.has(Rtnetlink.RTA_PREFSRC) ? attrs.inAddr(Rtnetlink.RTA_PREFSRC) : 0;
        int metric = attrs.has(Rtnetlink.RTA_PRIORITY) ? attrs.u32(Rtnetlink.RTA_PRIORITY) : -1;
        if (attrs.has(Rtnetlink.RTA_PRIORITY) && metric < 0) {
            throw new ErrnoException(Errno.EINVAL, "metric " + Integer.toUnsignedString(metric) + " out of range");
        }
        int mtu = 0;
        if (attrs.has(Rtnetlink.RTA_METRICS)) {
            NlAttrs metrics = attrs.nested(Rtnetlink.RTA_METRICS);
            if (metrics.has(Rtnetlink.RTAX_MTU)) {
                mtu = metrics.u32(Rtnetlink.RTAX_MTU);
            }
        }
        return new RouteRequest(destination, rtm.dstLen(), type, gateway, device, source, metric, mtu);
    }

    /** {@code rtm_type} as a route type: unspecified is any on delete, unicast on add; EINVAL for a type the stack lacks. */
    private static RouteType routeType(int rtnType, boolean add) throws ErrnoException {
        return switch (rtnType) {
            case Rtnetlink.RTN_UNSPEC -> add ? RouteType.UNICAST : null;
            case Rtnetlink.RTN_UNICAST -> RouteType.UNICAST;
            case Rtnetlink.RTN_LOCAL -> RouteType.LOCAL;
            case Rtnetlink.RTN_BROADCAST -> RouteType.BROADCAST;
            case Rtnetlink.RTN_BLACKHOLE -> RouteType.BLACKHOLE;
            case Rtnetlink.RTN_UNREACHABLE -> RouteType.UNREACHABLE;
            case Rtnetlink.RTN_PROHIBIT -> RouteType.PROHIBIT;
            default -> throw new ErrnoException(Errno.EINVAL, "route type " + rtnType + " is not one the stack has");
        };
    }

    /**
     * {@code fib_dump_info}: {@code rtmsg}, then {@code RTA_TABLE}, {@code RTA_DST} (not for
     * a default route), {@code RTA_PRIORITY} (when not 0), {@code RTA_METRICS} with
     * {@code RTAX_LOCK} and {@code RTAX_MTU} (for a route with its own MTU, which is locked),
     * {@code RTA_PREFSRC}, {@code RTA_GATEWAY}, {@code RTA_OIF}.
     */
    static void fibDumpInfo(NlWriter w, Route r) {
        new RtMsg(SocketConstants.AF_INET, r.prefixLength(), 0, 0, tableId(r.table()), protocol(r.origin()), scope(r),
                rtnType(r.type()), 0).write(w);
        w.attrU32(Rtnetlink.RTA_TABLE, tableId(r.table()));
        if (r.prefixLength() > 0) {
            w.attrInAddr(Rtnetlink.RTA_DST, r.destination());
        }
        if (r.metric() != 0) {
            w.attrU32(Rtnetlink.RTA_PRIORITY, r.metric());
        }
        if (r.mtu() != 0) {
            int metrics = w.beginNested(Rtnetlink.RTA_METRICS);
            w.attrU32(Rtnetlink.RTAX_LOCK, 1 << Rtnetlink.RTAX_MTU);
            w.attrU32(Rtnetlink.RTAX_MTU, r.mtu());
            w.endNested(metrics);
        }
        if (r.preferredSource() != 0) {
            w.attrInAddr(Rtnetlink.RTA_PREFSRC, r.preferredSource());
        }
        if (r.gateway() != 0) {
            w.attrInAddr(Rtnetlink.RTA_GATEWAY, r.gateway());
        }
        if (r.linkIndex() != 0) {
            w.attrU32(Rtnetlink.RTA_OIF, r.linkIndex());
        }
    }

    static int tableId(Route.Table table) {
        return table == Route.Table.LOCAL ? Rtnetlink.RT_TABLE_LOCAL : Rtnetlink.RT_TABLE_MAIN;
    }

    /**
     * {@code RTPROT_KERNEL} for routes derived from addresses; {@code RTPROT_BOOT} for the
     * others, what {@code ip route add} asks for and start-up configuration has.
     */
    static int protocol(RouteOrigin origin) {
        return origin == RouteOrigin.KERNEL ? Rtnetlink.RTPROT_KERNEL : Rtnetlink.RTPROT_BOOT;
    }

    /** Host for local addresses, link for broadcast and on-link routes, universe otherwise (as {@code fib_add_ifaddr} and {@code ip route add} choose). */
    static int scope(Route r) {
        return switch (r.type()) {
            case LOCAL -> Rtnetlink.RT_SCOPE_HOST;
            case BROADCAST -> Rtnetlink.RT_SCOPE_LINK;
            case UNICAST -> r.gateway() == 0 ? Rtnetlink.RT_SCOPE_LINK : Rtnetlink.RT_SCOPE_UNIVERSE;
            default -> Rtnetlink.RT_SCOPE_UNIVERSE;
        };
    }

    static int rtnType(RouteType type) {
        return switch (type) {
            case UNICAST -> Rtnetlink.RTN_UNICAST;
            case LOCAL -> Rtnetlink.RTN_LOCAL;
            case BROADCAST -> Rtnetlink.RTN_BROADCAST;
            case UNREACHABLE -> Rtnetlink.RTN_UNREACHABLE;
            case BLACKHOLE -> Rtnetlink.RTN_BLACKHOLE;
            case PROHIBIT -> Rtnetlink.RTN_PROHIBIT;
        };
    }

    List<Route> routes() {
        return routes.routes();
    }
}
