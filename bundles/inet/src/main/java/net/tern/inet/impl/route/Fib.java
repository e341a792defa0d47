package net.tern.inet.impl.route;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.inet.route.Flowi4;
import net.tern.inet.route.Route;
import net.tern.inet.route.RouteListener;
import net.tern.inet.route.RouteOrigin;
import net.tern.inet.route.RouteRequest;
import net.tern.inet.route.RouteTable;
import net.tern.inet.route.RouteType;
import net.tern.inet.route.Rtable;
import net.tern.spi.net.IfAddress;
import net.tern.spi.net.Link;
import net.tern.spi.net.LinkEvent;
import net.tern.spi.net.LinkFlags;
import net.tern.spi.net.LinkListener;
import net.tern.wire.Ipv4Address;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The forwarding information base ({@code net/ipv4/fib_frontend.c}, {@code fib_trie.c},
 * {@code route.c}'s output lookup): the local and main tables, kept in step with the links
 * through the netdevice notifier, and the output route lookup.
 *
 * <p>Each address {@code a/p} on an up link gives, as {@code fib_add_ifaddr} does: a local
 * route {@code local a} in the local table; the connected route {@code (a&mask)/p} in the
 * main table (on a loopback link, a local route for the whole prefix instead, which is why
 * every 127.x.y.z is this host); and, for prefixes shorter than /31, the subnet broadcast
 * address in the local table. A link going down or leaving takes every route through it;
 * coming up brings its derived routes back. An address change re-derives the link's routes.
 *
 * <p>Threading: changes (link events under the registry's lock, {@code ip route} from the
 * shell) are serialised by this object's lock and publish a new immutable {@link Snapshot};
 * lookups read the current snapshot without locking, from any thread.
 */
public final class Fib implements RouteTable, LinkListener {
    private static final Logger LOG = LoggerFactory.getLogger(Fib.class);

    /** A link as the FIB knows it. Guarded by the Fib's lock. */
    private static final class LinkState {
        final Link link;
        boolean up;

        LinkState(Link link) {
            this.link = link;
        }
    }

    /** The tables and links as of one change; lookups read it whole. */
    private record Snapshot(PrefixTable local, PrefixTable main, Map<Integer, Link> links, Link loopback) {
    }

    private final Map<Integer, LinkState> links = new LinkedHashMap<>();
    private final List<Route> routes = new ArrayList<>();
    private volatile Snapshot snapshot = new Snapshot(PrefixTable.EMPTY, PrefixTable.EMPTY, Map.of(), null);
    /** {@code rt_genid}: moved on every publication, after the snapshot it describes is in place. */
    private volatile int genid;
    /** The routes as last published, to tell listeners what changed. Guarded by the Fib's lock. */
    private List<Route> published = List.of();
    private final List<RouteListener> listeners = new CopyOnWriteArrayList<>();

    // ==== LinkListener: the netdevice notifier (fib_netdev_event, fib_inetaddr_event) ====

    @Override
    public void linkChanged(Link link, LinkEvent event) {
        synchronized (this) {
            switch (event) {
                case REGISTER -> links.computeIfAbsent(link.index(), i -> new LinkState(link));
                case UP -> {
                    LinkState state = links.computeIfAbsent(link.index(), i -> new LinkState(link));
                    state.up = true;
                    addDerivedRoutes(link);
                }
                case DOWN -> {
                    LinkState state = links.get(link.index());
                    if (state != null) {
                        state.up = false;
                    }
                    removeRoutesVia(link.index(), null);
                }
                case CHANGE_ADDR -> {
                    LinkState state = links.get(link.index());
                    if (state != null && state.up) {
                        removeRoutesVia(link.index(), RouteOrigin.KERNEL);
                        addDerivedRoutes(link);
                    }
                }
                case UNREGISTER -> {
                    removeRoutesVia(link.index(), null);
                    links.remove(link.index());
                }
                case CHANGE_MTU -> {
                    // Lookups read the link's MTU when they run; nothing is cached here.
                }
                default -> {
                }
            }
            publish();
        }
    }

    /** {@code fib_add_ifaddr} for every address on {@code link}. Called with the lock held. */
    private void addDerivedRoutes(Link link) {
        boolean loopback = (link.flags() & LinkFlags.IFF_LOOPBACK) != 0;
        for (IfAddress a : link.addresses()) {
            int mask = a.netmask();
            int prefix = a.address() & mask;
            insertIfAbsent(new Route(Route.Table.LOCAL, a.address(), 32, RouteType.LOCAL, 0, link.index(), link.name(),
                    a.address(), 0, 0, RouteOrigin.KERNEL));
            if (a.prefixLength() < 32) {
                if (loopback) {
                    insertIfAbsent(new Route(Route.Table.LOCAL, prefix, a.prefixLength(), RouteType.LOCAL, 0,
                            link.index(), link.name(), a.address(), 0, 0, RouteOrigin.KERNEL));
                } else {
                    insertIfAbsent(new Route(Route.Table.MAIN, prefix, a.prefixLength(), RouteType.UNICAST, 0,
                            link.index(), link.name(), a.address(), 0, 0, RouteOrigin.KERNEL));
                }
            }
            if (a.prefixLength() < 31) {
                insertIfAbsent(new Route(Route.Table.LOCAL, prefix | ~mask, 32, RouteType.BROADCAST, 0, link.index(),
                        link.name(), a.address(), 0, 0, RouteOrigin.KERNEL));
            }
        }
    }

    /** Adds {@code route} unless one to the same prefix, of the same type and metric, through the same link is there. */
    private void insertIfAbsent(Route route) {
        for (Route r : routes) {
            if (r.table() == route.table() && r.destination() == route.destination()
                    && r.prefixLength() == route.prefixLength() && r.type() == route.type()
                    && r.metric() == route.metric() && r.linkIndex() == route.linkIndex()) {
                return;
            }
        }
        routes.add(route);
    }

    /** Removes the routes through {@code linkIndex}, of {@code origin} only when given. Lock held. */
    private void removeRoutesVia(int linkIndex, RouteOrigin origin) {
        for (Iterator<Route> it = routes.iterator(); it.hasNext(); ) {
            Route r = it.next();
            if (r.linkIndex() == linkIndex && (origin == null || r.origin() == origin)) {
                it.remove();
            }
        }
    }

    /** Publishes the tables as they are now. Lock held. */
    private void publish() {
        List<Route> local = new ArrayList<>();
        List<Route> main = new ArrayList<>();
        for (Route r : routes) {
            (r.table() == Route.Table.LOCAL ? local : main).add(r);
        }
        Map<Integer, Link> byIndex = new HashMap<>();
        Link loopback = null;
        for (LinkState s : links.values()) {
            byIndex.put(s.link.index(), s.link);
            if (loopback == null && s.up && (s.link.flags() & LinkFlags.IFF_LOOPBACK) != 0) {
                loopback = s.link;
            }
        }
        snapshot = new Snapshot(new PrefixTable(local), new PrefixTable(main), Map.copyOf(byIndex), loopback);
        genid++; // lock held: one writer
        tellListeners();
    }

    /** {@code rtmsg_fib}: the routes gone and the routes new since the last publication. Lock held. */
    private void tellListeners() {
        List<Route> now = List.copyOf(routes);
        if (listeners.isEmpty()) {
            published = now;
            return;
        }
        List<Route> removed = new ArrayList<>(published);
        removed.removeAll(now);
        List<Route> added = new ArrayList<>(now);
        added.removeAll(published);
        published = now;
        if (removed.isEmpty() && added.isEmpty()) {
            return;
        }
        for (RouteListener listener : listeners) {
            try {
                listener.routesChanged(List.copyOf(removed), List.copyOf(added));
            } catch (RuntimeException e) {
                LOG.error("route listener {} threw", listener, e);
            }
        }
    }

    @Override
    public void addListener(RouteListener listener) {
        listeners.add(listener);
    }

    @Override
    public void removeListener(RouteListener listener) {
        listeners.remove(listener);
    }

    // ==== lookups ====

    @Override
    public RouteType addressType(int address) {
        if (Ipv4Address.isLimitedBroadcast(address) || Ipv4Address.isZeroNet(address)) {
            return RouteType.BROADCAST;
        }
        Route r = snapshot.local().lookup(address);
        return r == null ? RouteType.UNICAST : r.type();
    }

    /** The link with {@code index} as the FIB last saw it, or null. */
    public Link link(int index) {
        return snapshot.links().get(index);
    }

    @Override
    public int genid() {
        return genid;
    }

    @Override
    public Rtable routeOutput(Flowi4 flow) throws ErrnoException {
        Snapshot s = snapshot;
        int destination = flow.destination();
        int source = flow.source();
        int asked = destination; // for error messages, formatted only on failure (this runs per send)
        if (source != 0) {
            if (Ipv4Address.isMulticast(source) || Ipv4Address.isLimitedBroadcast(source)
                    || Ipv4Address.isZeroNet(source)) {
                throw new ErrnoException(Errno.EINVAL, routeCall(asked) + ": source " + Ipv4Address.format(source)
                        + " cannot name this host");
            }
            Route own = s.local().lookup(source);
            if (own == null || own.type() != RouteType.LOCAL) {
                // As __ip_route_output_key_hash_rcu: a source that is not (or no longer) this
                // host's, say after its link went down, makes the network unreachable.
                throw new ErrnoException(Errno.ENETUNREACH, routeCall(asked) + ": source " + Ipv4Address.format(source)
                        + " is not an address of this host");
            }
        }
        Link boundLink = null;
        if (flow.outputLink() != 0) {
            boundLink = s.links().get(flow.outputLink());
            if (boundLink == null) {
                throw new ErrnoException(Errno.ENODEV, routeCall(asked) + ": no link with index " + flow.outputLink());
            }
            if (!boundLink.isUp()) {
                throw new ErrnoException(Errno.ENETUNREACH, routeCall(asked) + ": bound link " + boundLink.name() + " is down");
            }
        }
        if (destination == 0) {
            // connect()/sendto() to 0.0.0.0 means this host, as in ip_route_output_key_hash_rcu.
            destination = source != 0 ? source : Ipv4Address.LOOPBACK;
        }
        if (Ipv4Address.isLimitedBroadcast(destination)) {
            return limitedBroadcast(s, asked, source, boundLink);
        }
        Route local = s.local().lookup(destination);
        if (local != null && local.type() == RouteType.LOCAL) {
            Link lo = s.loopback();
            if (lo == null) {
                throw new ErrnoException(Errno.ENETUNREACH, routeCall(asked) + ": local destination and no loopback link up");
            }
            int src = source != 0 ? source : local.preferredSource() != 0 ? local.preferredSource() : destination;
            return new Rtable(RouteType.LOCAL, destination, src, 0, lo, lo.mtu(), local);
        }
        if (local != null && local.type() == RouteType.BROADCAST) {
            Link link = s.links().get(local.linkIndex());
            if (link != null && link.isUp()) {
                int src = source != 0 ? source : local.preferredSource();
                return new Rtable(RouteType.BROADCAST, destination, src, 0, link, link.mtu(), local);
            }
        }
        Route route = boundLink == null ? s.main().lookup(destination) : s.main().lookupVia(destination, boundLink.index());
        if (route == null) {
            if (boundLink != null) {
                // Bound to a link and the tables know no way: assume the destination is on
                // that link, as Linux does for an oif-bound flow.
                int src = source != 0 ? source : selectSource(s, boundLink, destination);
                Route onLink = new Route(Route.Table.MAIN, destination, 32, RouteType.UNICAST, 0, boundLink.index(),
                        boundLink.name(), 0, 0, 0, RouteOrigin.KERNEL);
                return new Rtable(RouteType.UNICAST, destination, src, 0, boundLink, boundLink.mtu(), onLink);
            }
            throw new ErrnoException(Errno.ENETUNREACH, routeCall(asked) + ": no route");
        }
        switch (route.type()) {
            case UNREACHABLE -> throw new ErrnoException(Errno.EHOSTUNREACH, routeCall(asked) + ": unreachable route " + route.prefix());
            case PROHIBIT -> throw new ErrnoException(Errno.EACCES, routeCall(asked) + ": prohibit route " + route.prefix());
            case BLACKHOLE -> throw new ErrnoException(Errno.EINVAL, routeCall(asked) + ": blackhole route " + route.prefix());
            default -> {
            }
        }
        Link link = s.links().get(route.linkIndex());
        if (link == null || !link.isUp()) {
            throw new ErrnoException(Errno.ENETUNREACH, routeCall(asked) + ": link of route " + route.prefix() + " is down");
        }
        int src = source != 0 ? source
                : route.preferredSource() != 0 ? route.preferredSource()
                : selectSource(s, link, route.gateway() != 0 ? route.gateway() : destination);
        int mtu = route.mtu() != 0 ? Math.min(route.mtu(), link.mtu()) : link.mtu();
        return new Rtable(RouteType.UNICAST, destination, src, route.gateway(), link, mtu, route);
    }

    private static String routeCall(int destination) {
        return "route to " + Ipv4Address.format(destination);
    }

    private Rtable limitedBroadcast(Snapshot s, int asked, int source, Link boundLink) throws ErrnoException {
        Link link = boundLink;
        if (link == null && source != 0) {
            Route own = s.local().lookup(source);
            link = own == null ? null : s.links().get(own.linkIndex());
        }
        if (link == null) {
            Route route = s.main().lookup(Ipv4Address.LIMITED_BROADCAST);
            link = route == null || route.type() != RouteType.UNICAST ? null : s.links().get(route.linkIndex());
        }
        if (link == null || !link.isUp()) {
            throw new ErrnoException(Errno.ENETUNREACH, routeCall(asked) + ": no link to broadcast on");
        }
        int src = source != 0 ? source : selectSource(s, link, Ipv4Address.LIMITED_BROADCAST);
        Route route = new Route(Route.Table.LOCAL, Ipv4Address.LIMITED_BROADCAST, 32, RouteType.BROADCAST, 0,
                link.index(), link.name(), src, 0, 0, RouteOrigin.KERNEL);
        return new Rtable(RouteType.BROADCAST, Ipv4Address.LIMITED_BROADCAST, src, 0, link, link.mtu(), route);
    }

    /**
     * {@code inet_select_addr}: an address of {@code link} on {@code target}'s subnet, else the
     * link's first address, else the first non-loopback address of another up link, else 0.
     */
    private static int selectSource(Snapshot s, Link link, int target) {
        List<IfAddress> addresses = link.addresses();
        for (IfAddress a : addresses) {
            if (a.contains(target)) {
                return a.address();
            }
        }
        if (!addresses.isEmpty()) {
            return addresses.get(0).address();
        }
        for (Link other : s.links().values()) {
            if (other.isUp() && (other.flags() & LinkFlags.IFF_LOOPBACK) == 0) {
                for (IfAddress a : other.addresses()) {
                    if (!Ipv4Address.isLoopback(a.address())) {
                        return a.address();
                    }
                }
            }
        }
        return 0;
    }

    // ==== ip route show / add / del ====

    @Override
    public List<Route> routes() {
        Snapshot s = snapshot;
        List<Route> all = new ArrayList<>(s.local().routes());
        all.addAll(s.main().routes());
        return List.copyOf(all);
    }

    @Override
    public List<Route> routes(Route.Table table) {
        Snapshot s = snapshot;
        return table == Route.Table.LOCAL ? s.local().routes() : s.main().routes();
    }

    @Override
    public Route add(RouteRequest request) throws ErrnoException {
        String call = "ip route add " + request;
        if (request.prefixLength() < 0 || request.prefixLength() > 32) {
            throw new ErrnoException(Errno.EINVAL, call + ": prefix length must be 0..32");
        }
        if ((request.destination() & ~Ipv4Address.netmask(request.prefixLength())) != 0) {
            throw new ErrnoException(Errno.EINVAL, call + ": invalid prefix for the prefix length (host bits set)");
        }
        if (request.metric() < -1) {
            throw new ErrnoException(Errno.EINVAL, call + ": metric must not be negative");
        }
        if (request.mtu() < 0 || (request.mtu() > 0 && request.mtu() < 68)) {
            throw new ErrnoException(Errno.EINVAL, call + ": mtu must be at least 68");
        }
        RouteType type = request.type() == null ? RouteType.UNICAST : request.type();
        if (type == RouteType.LOCAL || type == RouteType.BROADCAST) {
            throw new ErrnoException(Errno.EINVAL, call + ": " + type.keyword()
                    + " routes are derived from interface addresses (ip addr add)");
        }
        int metric = Math.max(0, request.metric());
        synchronized (this) {
            Link link = null;
            if (!request.device().isEmpty()) {
                link = linkByName(request.device());
                if (link == null) {
                    throw new ErrnoException(Errno.ENODEV, call + ": no device " + request.device());
                }
                if (!links.get(link.index()).up) {
                    throw new ErrnoException(Errno.ENETDOWN, call + ": device " + link.name() + " is down");
                }
            }
            Snapshot s = snapshot;
            if (type == RouteType.UNICAST) {
                if (request.gateway() != 0) {
                    link = checkGateway(call, s, request.gateway(), link);
                } else if (link == null) {
                    throw new ErrnoException(Errno.EINVAL, call + ": a unicast route needs a gateway (via) or a device (dev)");
                }
            } else if (request.gateway() != 0 || link != null) {
                throw new ErrnoException(Errno.EINVAL, call + ": a " + type.keyword() + " route has no gateway or device");
            }
            if (request.preferredSource() != 0) {
                Route own = s.local().lookup(request.preferredSource());
                if (own == null || own.type() != RouteType.LOCAL) {
                    throw new ErrnoException(Errno.EINVAL, call + ": src " + Ipv4Address.format(request.preferredSource())
                            + " is not an address of this host");
                }
            }
            for (Route r : routes) {
                if (r.table() == Route.Table.MAIN && r.destination() == request.destination()
                        && r.prefixLength() == request.prefixLength() && r.metric() == metric) {
                    throw new ErrnoException(Errno.EEXIST, call + ": a route to " + r.prefix() + " with metric " + metric
                            + " exists: " + r);
                }
            }
            Route route = new Route(Route.Table.MAIN, request.destination(), request.prefixLength(), type,
                    request.gateway(), link == null ? 0 : link.index(), link == null ? "" : link.name(),
                    request.preferredSource(), metric, request.mtu(), RouteOrigin.STATIC);
            routes.add(route);
            publish();
            LOG.info("route added: {}", route);
            return route;
        }
    }

    /** {@code fib_check_nh_v4_gw}: the gateway must be on a connected network (of {@code link}, if named). */
    private static Link checkGateway(String call, Snapshot s, int gateway, Link link) throws ErrnoException {
        String gw = Ipv4Address.format(gateway);
        Route own = s.local().lookup(gateway);
        if (own != null && own.type() == RouteType.LOCAL) {
            throw new ErrnoException(Errno.EINVAL, call + ": gateway " + gw + " is an address of this host");
        }
        if (Ipv4Address.isMulticast(gateway) || Ipv4Address.isLimitedBroadcast(gateway) || Ipv4Address.isZeroNet(gateway)) {
            throw new ErrnoException(Errno.EINVAL, call + ": gateway " + gw + " is not a unicast address");
        }
        Route connected = link == null ? s.main().lookup(gateway) : s.main().lookupVia(gateway, link.index());
        if (connected == null || connected.type() != RouteType.UNICAST || connected.gateway() != 0) {
            throw new ErrnoException(Errno.ENETUNREACH, call + ": gateway " + gw + " is not on a connected network"
                    + (link == null ? "" : " of " + link.name()));
        }
        return s.links().get(connected.linkIndex());
    }

    @Override
    public Route delete(RouteRequest request) throws ErrnoException {
        String call = "ip route del " + request;
        synchronized (this) {
            Route best = null;
            for (Route r : routes) {
                if (r.table() != Route.Table.MAIN || r.destination() != request.destination()
                        || r.prefixLength() != request.prefixLength()) {
                    continue;
                }
                if ((request.type() != null && r.type() != request.type())
                        || (request.gateway() != 0 && r.gateway() != request.gateway())
                        || (!request.device().isEmpty() && !r.linkName().equals(request.device()))
                        || (request.preferredSource() != 0 && r.preferredSource() != request.preferredSource())
                        || (request.metric() >= 0 && r.metric() != request.metric())) {
                    continue;
                }
                if (best == null || r.metric() < best.metric()) {
                    best = r;
                }
            }
            if (best == null) {
                throw new ErrnoException(Errno.ESRCH, call + ": no such route");
            }
            routes.remove(best);
            publish();
            LOG.info("route deleted: {}", best);
            return best;
        }
    }

    /** Lock held. */
    private Link linkByName(String name) {
        for (LinkState s : links.values()) {
            if (s.link.name().equals(name)) {
                return s.link;
            }
        }
        return null;
    }
}
