package net.tern.netlink.impl;

import java.util.function.Consumer;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.SocketConstants;
import net.tern.inet6.addrconf.Inet6Config;
import net.tern.inet6.addrconf.Inet6ConfigListener;
import net.tern.inet6.addrconf.Inet6IfAddr;
import net.tern.inet6.addrconf.Route6;
import net.tern.netlink.IfAddrMsg;
import net.tern.netlink.Netlink;
import net.tern.netlink.NlAttrs;
import net.tern.netlink.NlMsg;
import net.tern.netlink.NlWriter;
import net.tern.netlink.RtMsg;
import net.tern.netlink.Rtnetlink;
import net.tern.wire.Ipv6Address;

/**
 * IPv6's address and route messages ({@code net/ipv6/addrconf.c}: {@code inet6_dump_ifaddr},
 * {@code inet6_rtm_newaddr}, {@code inet6_rtm_deladdr}, {@code inet6_fill_ifaddr};
 * {@code net/ipv6/route.c} and {@code ip6_fib.c}: {@code inet6_dump_fib},
 * {@code inet6_rtm_newroute}, {@code inet6_rtm_delroute}, {@code rt6_fill_node}) over IPv6's
 * {@link Inet6Config}, and its notifications to {@code RTNLGRP_IPV6_IFADDR} and
 * {@code RTNLGRP_IPV6_ROUTE} for every change, whoever made it.
 *
 * <p>What IPv6's table has of a route: the prefix, the link, the gateway and the metric, all
 * in table main; a request for what it lacks (another table, a route type other than unicast,
 * a source prefix, a preferred source, an MTU) is refused with EOPNOTSUPP and the reason,
 * never taken and ignored.
 */
final class Addrconf6Rtnl implements Rtnl6, Inet6ConfigListener {
    /** {@code INFINITY_LIFE_TIME}: a permanent address's lifetimes. */
    private static final int INFINITY_LIFE_TIME = 0xffffffff;

    private final Inet6Config config;
    private final NetlinkFamily family;

    Addrconf6Rtnl(Inet6Config config, NetlinkFamily family) {
        this.config = config;
        this.family = family;
    }

    // ==== addresses ============================================================================

    @Override
    public void inet6DumpIfaddr(int only, NetlinkReply reply) {
        for (Inet6IfAddr a : config.addresses()) {
            if (only <= 0 || a.ifindex() == only) {
                inet6FillIfaddr(reply.begin(Rtnetlink.RTM_NEWADDR, 0), a);
                reply.end();
            }
        }
    }

    /**
     * {@code inet6_rtm_newaddr}: {@code IFA_LOCAL} (or {@code IFA_ADDRESS}) with
     * {@code ifa_prefixlen} on link {@code ifa_index}. EINVAL without an address or with a
     * prefix beyond 128, ENODEV for no such link; the address there already: EEXIST, unless
     * {@code NLM_F_REPLACE} without {@code NLM_F_EXCL} asks for the same address and length
     * again ({@code inet6_addr_modify}, which has nothing to change here).
     */
    @Override
    public void inet6RtmNewaddr(NlMsg request) throws ErrnoException {
        IfAddrMsg ifm = IfAddrMsg.read(request);
        Ipv6Address address = address(request.attrs(IfAddrMsg.SIZE));
        checkPrefix(ifm.prefixLen());
        int flags = request.flags();
        boolean modify = (flags & Netlink.NLM_F_REPLACE) != 0 && (flags & Netlink.NLM_F_EXCL) == 0;
        if (modify && config.addresses().stream().anyMatch(a -> a.address().equals(address)
                && a.ifindex() == ifm.index() && a.prefixLength() == ifm.prefixLen())) {
            return;
        }
        config.addAddress(ifm.index(), address, ifm.prefixLen());
    }

    /**
     * {@code inet6_rtm_deladdr}: the address with exactly the prefix length given
     * ({@code inet6_addr_del} matches both; {@code ip -6 addr del} without a length sends
     * 128); EADDRNOTAVAIL when link {@code ifa_index} has none such.
     */
    @Override
    public void inet6RtmDeladdr(NlMsg request) throws ErrnoException {
        IfAddrMsg ifm = IfAddrMsg.read(request);
        Ipv6Address address = address(request.attrs(IfAddrMsg.SIZE));
        checkPrefix(ifm.prefixLen());
        config.removeAddress(ifm.index(), address, ifm.prefixLen());
    }

    /** {@code extract_addr}: {@code IFA_LOCAL} before {@code IFA_ADDRESS}; EINVAL with neither. */
    private static Ipv6Address address(NlAttrs attrs) throws ErrnoException {
        int type = attrs.has(Rtnetlink.IFA_LOCAL) ? Rtnetlink.IFA_LOCAL : Rtnetlink.IFA_ADDRESS;
        if (!attrs.has(type)) {
            throw new ErrnoException(Errno.EINVAL, "ipv6: Local address is not supplied");
        }
        long[] a = attrs.in6Addr(type);
        return new Ipv6Address(a[0], a[1]);
    }

    private static void checkPrefix(int length) throws ErrnoException {
        if (length > 128) {
            throw new ErrnoException(Errno.EINVAL, "ipv6: prefix length " + length + " beyond 128");
        }
    }

    /**
     * {@code inet6_fill_ifaddr}: {@code ifaddrmsg} (permanent, as every address here is and as
     * Linux 6.18 marks {@code ::1} and link-local addresses too; scope host, link or universe), then
     * {@code IFA_ADDRESS}, {@code IFA_CACHEINFO} (infinite lifetimes; no time stamps kept, so
     * 0) and {@code IFA_FLAGS}. IPv6 addresses carry no {@code IFA_LABEL}.
     */
    static void inet6FillIfaddr(NlWriter w, Inet6IfAddr a) {
        int flags = Rtnetlink.IFA_F_PERMANENT;
        new IfAddrMsg(SocketConstants.AF_INET6, a.prefixLength(), flags, scope(a), a.ifindex()).write(w);
        w.attrIn6Addr(Rtnetlink.IFA_ADDRESS, a.address().high(), a.address().low());
        int cache = w.beginAttr(Rtnetlink.IFA_CACHEINFO);
        w.u32(INFINITY_LIFE_TIME).u32(INFINITY_LIFE_TIME).u32(0).u32(0);
        w.endAttr(cache);
        w.attrU32(Rtnetlink.IFA_FLAGS, flags);
    }

    /** {@code rt_scope(ipv6_addr_scope(...))}: host for {@code ::1}, link for {@code fe80::/10}, universe otherwise. */
    static int scope(Inet6IfAddr a) {
        if (a.address().isLoopback()) {
            return Rtnetlink.RT_SCOPE_HOST;
        }
        return a.address().isLinkLocal() ? Rtnetlink.RT_SCOPE_LINK : Rtnetlink.RT_SCOPE_UNIVERSE;
    }

    // ==== routes ===============================================================================

    @Override
    public void inet6DumpFib(NetlinkReply reply) {
        for (Route6 r : config.routes().stream().sorted(Addrconf6Rtnl::dumpOrder).toList()) {
            rt6FillNode(reply.begin(Rtnetlink.RTM_NEWROUTE, 0), r);
            reply.end();
        }
    }

    /**
     * The order of Linux's walk of the IPv6 trie ({@code fib6_walk}, children before their
     * node): by prefix bits, a prefix after every longer prefix inside it (so {@code default}
     * comes last, as {@code ip -6 route} shows it), then by metric.
     */
    private static int dumpOrder(Route6 a, Route6 b) {
        int common = Math.min(a.prefixLength(), b.prefixLength());
        int c = a.prefix().masked(common).compareTo(b.prefix().masked(common));
        if (c == 0) {
            c = Integer.compare(b.prefixLength(), a.prefixLength());
        }
        return c != 0 ? c : Integer.compare(a.metric(), b.metric());
    }

    /**
     * {@code inet6_rtm_newroute} ({@code rtm_to_fib6_config}, {@code ip6_route_add}): a route
     * needs its link ({@code RTA_OIF}; ENODEV without). A route to the same prefix with the same
     * metric: EEXIST with {@code NLM_F_EXCL}, replaced with {@code NLM_F_REPLACE}, else the new
     * one is added beside it (as {@code fib6_add_rt2node} appends a sibling).
     */
    @Override
    public void inet6RtmNewroute(NlMsg request) throws ErrnoException {
        Route6 wanted = rtmToFib6Config(request, true);
        Route6 same = config.routes().stream().filter(r -> r.prefix().equals(wanted.prefix())
                && r.prefixLength() == wanted.prefixLength() && r.metric() == wanted.metric()).findFirst().orElse(null);
        if (same != null && (request.flags() & Netlink.NLM_F_EXCL) != 0) {
            throw new ErrnoException(Errno.EEXIST, "ip -6 route add " + wanted + ": a route to the prefix with that metric exists");
        }
        if (same != null && (request.flags() & Netlink.NLM_F_REPLACE) != 0) {
            config.removeRoute(same);
        }
        config.addRoute(wanted);
    }

    /**
     * {@code inet6_rtm_delroute} ({@code ip6_route_del}): the first route to the prefix that
     * matches the link, gateway and metric when the request gives them; ESRCH when none does.
     */
    @Override
    public void inet6RtmDelroute(NlMsg request) throws ErrnoException {
        RtMsg rtm = RtMsg.read(request);
        NlAttrs attrs = request.attrs(RtMsg.SIZE);
        Route6 given = rtmToFib6Config(request, false);
        boolean oif = attrs.has(Rtnetlink.RTA_OIF);
        boolean gateway = attrs.has(Rtnetlink.RTA_GATEWAY);
        boolean metric = attrs.has(Rtnetlink.RTA_PRIORITY);
        for (Route6 r : config.routes()) {
            if (r.prefix().equals(given.prefix()) && r.prefixLength() == rtm.dstLen()
                    && (!oif || r.ifindex() == given.ifindex()) && (!gateway || r.gateway().equals(given.gateway()))
                    && (!metric || r.metric() == given.metric())) {
                config.removeRoute(r);
                return;
            }
        }
        throw new ErrnoException(Errno.ESRCH, "ip -6 route del " + given.prefix() + "/" + rtm.dstLen() + ": no such route");
    }

    /**
     * {@code rtm_to_fib6_config}: {@code RTA_DST}/{@code rtm_dst_len} (EINVAL beyond 128),
     * {@code RTA_GATEWAY}, {@code RTA_OIF} (on add, the gateway's link when left out),
     * {@code RTA_PRIORITY} (1024, {@code IP6_RT_PRIO_USER},
     * when not given). What IPv6's table here does not hold is refused with EOPNOTSUPP.
     */
    private Route6 rtmToFib6Config(NlMsg request, boolean add) throws ErrnoException {
        RtMsg rtm = RtMsg.read(request);
        NlAttrs attrs = request.attrs(RtMsg.SIZE);
        int table = attrs.has(Rtnetlink.RTA_TABLE) ? attrs.u32(Rtnetlink.RTA_TABLE) : rtm.table();
        if (table != Rtnetlink.RT_TABLE_MAIN && table != Rtnetlink.RT_TABLE_UNSPEC) {
            throw new ErrnoException(Errno.EOPNOTSUPP, "table " + table + ": IPv6 routes are in table main only");
        }
        if (rtm.dstLen() > 128) {
            throw new ErrnoException(Errno.EINVAL, "destination prefix length " + rtm.dstLen() + " beyond 128");
        }
        if (rtm.srcLen() != 0 || attrs.has(Rtnetlink.RTA_SRC)) {
            throw new ErrnoException(Errno.EOPNOTSUPP, "source routing (rtm_src_len " + rtm.srcLen() + ") is not served");
        }
        if (rtm.type() != Rtnetlink.RTN_UNICAST && !(rtm.type() == Rtnetlink.RTN_UNSPEC && !add)) {
            throw new ErrnoException(Errno.EOPNOTSUPP, "route type " + rtm.type() + ": IPv6 routes here are unicast");
        }
        if (attrs.has(Rtnetlink.RTA_PREFSRC) || attrs.has(Rtnetlink.RTA_METRICS) || attrs.has(Rtnetlink.RTA_MULTIPATH)) {
            throw new ErrnoException(Errno.EOPNOTSUPP, "IPv6 routes here have no preferred source, metrics or multipath");
        }
        Ipv6Address dst = in6(attrs, Rtnetlink.RTA_DST);
        Ipv6Address gateway = in6(attrs, Rtnetlink.RTA_GATEWAY);
        int oif = attrs.has(Rtnetlink.RTA_OIF) ? attrs.u32(Rtnetlink.RTA_OIF) : 0;
        if (add && oif == 0) {
            oif = gatewayLink(gateway);
        }
        int metric = attrs.has(Rtnetlink.RTA_PRIORITY) ? attrs.u32(Rtnetlink.RTA_PRIORITY) : Route6.METRIC_USER;
        if (metric < 0) {
            throw new ErrnoException(Errno.EINVAL, "metric " + Integer.toUnsignedString(metric) + " out of range");
        }
        if (!dst.equals(dst.masked(rtm.dstLen()))) {
            throw new ErrnoException(Errno.EINVAL, "Invalid prefix for given prefix length");
        }
        return new Route6(dst, rtm.dstLen(), oif, gateway, metric, rtm.protocol() == Rtnetlink.RTPROT_KERNEL);
    }

    /**
     * The link of a route given by its gateway alone ({@code ip6_route_check_nh}): that of the
     * route without a gateway the gateway is on. ENODEV without a gateway, EINVAL when no such
     * route holds it.
     */
    private int gatewayLink(Ipv6Address gateway) throws ErrnoException {
        if (gateway.isUnspecified()) {
            throw new ErrnoException(Errno.ENODEV, "IPv6 routes need a device or a gateway");
        }
        for (Route6 r : config.routes()) {
            if (!r.hasGateway() && r.matches(gateway)) {
                return r.ifindex();
            }
        }
        throw new ErrnoException(Errno.EINVAL, "Nexthop has invalid gateway.");
    }

    private static Ipv6Address in6(NlAttrs attrs, int type) throws ErrnoException {
        if (!attrs.has(type)) {
            return Ipv6Address.UNSPECIFIED;
        }
        long[] a = attrs.in6Addr(type);
        return new Ipv6Address(a[0], a[1]);
    }

    /**
     * {@code rt6_fill_node}: {@code rtmsg} (scope universe, as every IPv6 route's), then
     * {@code RTA_TABLE}, {@code RTA_DST} (not for a default route), {@code RTA_GATEWAY},
     * {@code RTA_OIF}, {@code RTA_PRIORITY}, {@code RTA_PREF} (medium).
     */
    static void rt6FillNode(NlWriter w, Route6 r) {
        new RtMsg(SocketConstants.AF_INET6, r.prefixLength(), 0, 0, Rtnetlink.RT_TABLE_MAIN,
                r.kernel() ? Rtnetlink.RTPROT_KERNEL : Rtnetlink.RTPROT_BOOT, Rtnetlink.RT_SCOPE_UNIVERSE,
                Rtnetlink.RTN_UNICAST, 0).write(w);
        w.attrU32(Rtnetlink.RTA_TABLE, Rtnetlink.RT_TABLE_MAIN);
        if (r.prefixLength() > 0) {
            w.attrIn6Addr(Rtnetlink.RTA_DST, r.prefix().high(), r.prefix().low());
        }
        if (r.hasGateway()) {
            w.attrIn6Addr(Rtnetlink.RTA_GATEWAY, r.gateway().high(), r.gateway().low());
        }
        w.attrU32(Rtnetlink.RTA_OIF, r.ifindex());
        w.attrU32(Rtnetlink.RTA_PRIORITY, r.metric());
        w.attrU8(Rtnetlink.RTA_PREF, Rtnetlink.ICMPV6_ROUTER_PREF_MEDIUM);
    }

    // ==== notifications ========================================================================

    /** {@code ipv6_ifa_notify}. */
    @Override
    public void addressChanged(Inet6IfAddr address, boolean added) {
        notify(Rtnetlink.RTNLGRP_IPV6_IFADDR, added ? Rtnetlink.RTM_NEWADDR : Rtnetlink.RTM_DELADDR,
                w -> inet6FillIfaddr(w, address));
    }

    /** {@code inet6_rt_notify}. */
    @Override
    public void routeChanged(Route6 route, boolean added) {
        notify(Rtnetlink.RTNLGRP_IPV6_ROUTE, added ? Rtnetlink.RTM_NEWROUTE : Rtnetlink.RTM_DELROUTE,
                w -> rt6FillNode(w, route));
    }

    private void notify(int group, int type, Consumer<NlWriter> fill) {
        if (family.hasListeners(Netlink.NETLINK_ROUTE, group)) {
            NlWriter w = new NlWriter().begin(type, 0, 0, 0);
            fill.accept(w);
            family.broadcast(Netlink.NETLINK_ROUTE, group, w.end().toByteArray());
        }
    }
}
