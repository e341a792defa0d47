package net.tern.netlink.impl;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.SocketConstants;
import net.tern.inet.route.Route;
import net.tern.inet.route.RouteListener;
import net.tern.inet.route.RouteTable;
import net.tern.netlink.Netlink;
import net.tern.netlink.NlMsg;
import net.tern.netlink.NlWriter;
import net.tern.netlink.Rtnetlink;
import net.tern.spi.net.IfAddress;
import net.tern.spi.net.Link;
import net.tern.spi.net.LinkEvent;
import net.tern.spi.net.LinkListener;
import net.tern.spi.net.LinkRegistry;

/**
 * {@code NETLINK_ROUTE}'s kernel side ({@code net/core/rtnetlink.c}): {@link #rcvMsg} is
 * {@code rtnetlink_rcv_msg}, which sends each message type to its handler (links:
 * {@link RtnlLink}; addresses: {@link DevinetAddr}; routes: {@link FibFrontend}; qdiscs:
 * {@link SchApi}; AF_INET6 addresses and routes: IPv6's {@link Rtnl6} while it runs), a
 * {@code GET} with {@code NLM_F_DUMP} to its dump, all under the {@code rtnl_lock}. It also
 * sends the notifications: {@code RTM_NEWLINK}/{@code RTM_DELLINK} to {@code RTNLGRP_LINK}
 * ({@code rtmsg_ifinfo}, from the link notifier), {@code RTM_NEWADDR}/{@code RTM_DELADDR} to
 * {@code RTNLGRP_IPV4_IFADDR} ({@code rtmsg_ifa}), {@code RTM_NEWROUTE}/{@code RTM_DELROUTE}
 * to {@code RTNLGRP_IPV4_ROUTE} ({@code rtmsg_fib}, from the routing table's listener),
 * whatever made the change: a netlink request, the configuration, a driver.
 */
final class RtnetlinkRcv implements NetlinkKernel, LinkListener, RouteListener {
    private final NetlinkFamily family;
    private final RtnlLink link;
    private final DevinetAddr addr;
    private final FibFrontend fib;
    private final SchApi sch;
    /** IPv6's address and route handlers while IPv6 runs, else null; set under rtnl. */
    private volatile Rtnl6 inet6;
    /** {@code rtnl_lock}: one configuration change (or dump) at a time. */
    private final ReentrantLock rtnl = new ReentrantLock();
    /** Each link's addresses as last announced, to tell which came and went on CHANGE_ADDR. */
    private final Map<Integer, List<IfAddress>> announced = new HashMap<>();

    RtnetlinkRcv(NetlinkFamily family, LinkRegistry links, RouteTable routes) {
        this.family = family;
        this.link = new RtnlLink(links);
        this.addr = new DevinetAddr(links);
        this.fib = new FibFrontend(routes, links);
        this.sch = new SchApi(family, links);
    }

    @Override
    public int protocol() {
        return Netlink.NETLINK_ROUTE;
    }

    @Override
    public String name() {
        return "route";
    }

    /**
     * {@code rtnetlink_rcv_msg}: by {@code nlmsg_type}, NEW, DEL or GET of links, addresses,
     * routes and qdiscs. A type beyond them (or one the stack has no handler for, such as neighbours or
     * rules): EOPNOTSUPP, as Linux answers for a type no module registered.
     */
    @Override
    public void rcvMsg(NlMsg request, NetlinkReply reply) throws ErrnoException {
        boolean dump = (request.flags() & Netlink.NLM_F_DUMP) == Netlink.NLM_F_DUMP;
        rtnl.lock();
        try {
            switch (request.type()) {
                case Rtnetlink.RTM_GETLINK -> {
                    if (dump) {
                        link.rtnlDumpIfinfo(reply);
                    } else {
                        link.rtnlGetlink(request, reply);
                    }
                }
                case Rtnetlink.RTM_NEWLINK -> link.rtnlNewlink(request);
                case Rtnetlink.RTM_DELLINK -> link.rtnlDellink(request);
                case Rtnetlink.RTM_GETADDR -> {
                    if (!dump) {
                        throw new ErrnoException(Errno.EOPNOTSUPP, "RTM_GETADDR is a dump (NLM_F_DUMP)");
                    }
                    dumpAddresses(request, reply);
                }
                case Rtnetlink.RTM_NEWADDR -> {
                    if (family(request) == SocketConstants.AF_INET6) {
                        inet6(request).inet6RtmNewaddr(request);
                    } else {
                        addr.inetRtmNewaddr(request);
                    }
                }
                case Rtnetlink.RTM_DELADDR -> {
                    if (family(request) == SocketConstants.AF_INET6) {
                        inet6(request).inet6RtmDeladdr(request);
                    } else {
                        addr.inetRtmDeladdr(request);
                    }
                }
                case Rtnetlink.RTM_GETROUTE -> {
                    if (!dump) {
                        throw new ErrnoException(Errno.EOPNOTSUPP, "RTM_GETROUTE of one destination is not served; dump (NLM_F_DUMP)");
                    }
                    dumpRoutes(request, reply);
                }
                case Rtnetlink.RTM_NEWROUTE -> {
                    if (family(request) == SocketConstants.AF_INET6) {
                        inet6(request).inet6RtmNewroute(request);
                    } else {
                        fib.inetRtmNewroute(request);
                    }
                }
                case Rtnetlink.RTM_DELROUTE -> {
                    if (family(request) == SocketConstants.AF_INET6) {
                        inet6(request).inet6RtmDelroute(request);
                    } else {
                        fib.inetRtmDelroute(request);
                    }
                }
                case Rtnetlink.RTM_NEWQDISC -> sch.tcModifyQdisc(request, reply);
                case Rtnetlink.RTM_DELQDISC -> sch.tcGetQdisc(request, reply);
                case Rtnetlink.RTM_GETQDISC -> {
                    if (dump) {
                        sch.tcDumpQdisc(reply);
                    } else {
                        sch.tcGetQdisc(request, reply);
                    }
                }
                default -> throw new ErrnoException(Errno.EOPNOTSUPP, "message type " + request.type()
                        + " is not served by NETLINK_ROUTE here");
            }
        } finally {
            rtnl.unlock();
        }
    }

    /** The family a request's fixed header names in its first byte ({@code ifa_family}, {@code rtm_family}); 0 for none. */
    private static int family(NlMsg request) {
        return request.body().remaining() >= 1 ? request.body().get(0) & 0xff : SocketConstants.AF_UNSPEC;
    }

    /**
     * IPv6's handlers, or EOPNOTSUPP while IPv6 is not running, as Linux answers a message of
     * a family no module registered a handler for ({@code rtnetlink_rcv_msg}).
     */
    private Rtnl6 inet6(NlMsg request) throws ErrnoException {
        Rtnl6 handlers = inet6;
        if (handlers == null) {
            throw new ErrnoException(Errno.EOPNOTSUPP, "AF_INET6: IPv6 is not running");
        }
        return handlers;
    }

    /** IPv6's handlers while it runs ({@code rtnl_register(PF_INET6, ...)}), null when it stops. */
    void inet6(Rtnl6 handlers) {
        rtnl.lock();
        try {
            this.inet6 = handlers;
        } finally {
            rtnl.unlock();
        }
    }

    /**
     * An address dump of one family, or of every family for AF_UNSPEC ({@code rtnl_dump_all}:
     * IPv4's, then IPv6's while it runs); another family's is empty.
     */
    private void dumpAddresses(NlMsg request, NetlinkReply reply) {
        int family = family(request);
        int only = DevinetAddr.dumpIndex(request, reply);
        reply.beginDump();
        if (family == SocketConstants.AF_UNSPEC || family == SocketConstants.AF_INET) {
            addr.inetDumpIfaddr(only, reply);
        }
        Rtnl6 handlers = inet6;
        if (handlers != null && (family == SocketConstants.AF_UNSPEC || family == SocketConstants.AF_INET6)) {
            handlers.inet6DumpIfaddr(only, reply);
        }
        reply.done();
    }

    /** A route dump as {@link #dumpAddresses}; empty for cached routes ({@code RTM_F_CLONED}), which the stack has none of. */
    private void dumpRoutes(NlMsg request, NetlinkReply reply) {
        int family = family(request);
        reply.beginDump();
        if (!FibFrontend.cloned(request)) {
            if (family == SocketConstants.AF_UNSPEC || family == SocketConstants.AF_INET) {
                fib.inetDumpFib(reply);
            }
            Rtnl6 handlers = inet6;
            if (handlers != null && (family == SocketConstants.AF_UNSPEC || family == SocketConstants.AF_INET6)) {
                handlers.inet6DumpFib(reply);
            }
        }
        reply.done();
    }

    // ==== notifications ========================================================================

    /** The link notifier ({@code rtnetlink_event}, {@code inetdev_event}): link and address news. */
    @Override
    public void linkChanged(Link l, LinkEvent event) {
        // Not under rtnl: the notifier may run with the device registry's lock held, which a
        // request under rtnl may be waiting for. The announcements have their own lock.
        synchronized (announced) {
            switch (event) {
                case REGISTER -> {
                    notifyLink(Rtnetlink.RTM_NEWLINK, l);
                    announceAddresses(l);
                }
                case UP, DOWN, CHANGE_MTU -> notifyLink(Rtnetlink.RTM_NEWLINK, l);
                case CHANGE_ADDR -> announceAddresses(l);
                case UNREGISTER -> {
                    for (IfAddress a : announced.getOrDefault(l.index(), List.of())) {
                        notifyAddress(Rtnetlink.RTM_DELADDR, l, a);
                    }
                    announced.remove(l.index());
                    notifyLink(Rtnetlink.RTM_DELLINK, l);
                }
                default -> {
                }
            }
        }
    }

    /** {@code rtmsg_ifa} for each address that came or went since the last announcement. The announcements' lock held. */
    private void announceAddresses(Link l) {
        List<IfAddress> before = announced.getOrDefault(l.index(), List.of());
        List<IfAddress> now = List.copyOf(l.addresses());
        announced.put(l.index(), now);
        for (IfAddress a : before) {
            if (!now.contains(a)) {
                notifyAddress(Rtnetlink.RTM_DELADDR, l, a);
            }
        }
        for (IfAddress a : now) {
            if (!before.contains(a)) {
                notifyAddress(Rtnetlink.RTM_NEWADDR, l, a);
            }
        }
    }

    /** {@code rtmsg_fib}: each route gone, then each route new. */
    @Override
    public void routesChanged(List<Route> removed, List<Route> added) {
        if (!family.hasListeners(Netlink.NETLINK_ROUTE, Rtnetlink.RTNLGRP_IPV4_ROUTE)) {
            return;
        }
        List<byte[]> messages = new ArrayList<>();
        for (Route r : removed) {
            messages.add(message(Rtnetlink.RTM_DELROUTE, w -> FibFrontend.fibDumpInfo(w, r)));
        }
        for (Route r : added) {
            messages.add(message(Rtnetlink.RTM_NEWROUTE, w -> FibFrontend.fibDumpInfo(w, r)));
        }
        for (byte[] m : messages) {
            family.broadcast(Netlink.NETLINK_ROUTE, Rtnetlink.RTNLGRP_IPV4_ROUTE, m);
        }
    }

    private void notifyLink(int type, Link l) {
        if (family.hasListeners(Netlink.NETLINK_ROUTE, Rtnetlink.RTNLGRP_LINK)) {
            family.broadcast(Netlink.NETLINK_ROUTE, Rtnetlink.RTNLGRP_LINK,
                    message(type, w -> RtnlLink.rtnlFillIfinfo(w, l)));
        }
    }

    private void notifyAddress(int type, Link l, IfAddress a) {
        if (family.hasListeners(Netlink.NETLINK_ROUTE, Rtnetlink.RTNLGRP_IPV4_IFADDR)) {
            family.broadcast(Netlink.NETLINK_ROUTE, Rtnetlink.RTNLGRP_IPV4_IFADDR,
                    message(type, w -> DevinetAddr.inetFillIfaddr(w, l, a)));
        }
    }

    /** One notification: port id 0 and sequence 0, as Linux's notifications from the stack itself. */
    private static byte[] message(int type, java.util.function.Consumer<NlWriter> fill) {
        NlWriter w = new NlWriter().begin(type, 0, 0, 0);
        fill.accept(w);
        return w.end().toByteArray();
    }
}
