package net.tern.inet6.impl;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.IntFunction;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.inet6.addrconf.Route6;
import net.tern.spi.net.Link;
import net.tern.wire.Ipv6Address;

/**
 * The IPv6 routing table ({@code fib6_table} and {@code fib6_lookup}): longest-prefix match,
 * then the lowest metric, over the routes whose link is up. The routes are kept sorted by
 * prefix length, longest first, in an array replaced whole on each change, so a lookup reads
 * one snapshot without locking and stops at the first match: the table of a host holds a few
 * routes (a prefix per address, a default), as Linux's per-length trie nodes would.
 */
public final class Fib6 {
    private static final Comparator<Route6> ORDER = Comparator.comparingInt(Route6::prefixLength).reversed()
            .thenComparingInt(Route6::metric);

    private final IntFunction<Link> links;
    private volatile Route6[] routes = new Route6[0];
    /** Told of each route added ({@code true}) or removed, under this table's monitor ({@code inet6_rt_notify}). */
    private volatile BiConsumer<Route6, Boolean> notifier = (r, added) -> { };

    /** {@code links} finds a registered link by index, null when there is none. */
    public Fib6(IntFunction<Link> links) {
        this.links = links;
    }

    /** Who hears of each route added or removed (the configuration's listeners). */
    public void notifier(BiConsumer<Route6, Boolean> notifier) {
        this.notifier = notifier;
    }

    /** {@code ip -6 route add}: EEXIST for a route to the same prefix, link, gateway and metric. */
    public synchronized void add(Route6 route) throws ErrnoException {
        for (Route6 r : routes) {
            if (r.equals(route) || (r.prefix().equals(route.prefix()) && r.prefixLength() == route.prefixLength()
                    && r.ifindex() == route.ifindex() && r.metric() == route.metric()
                    && r.gateway().equals(route.gateway()))) {
                throw new ErrnoException(Errno.EEXIST, "ip -6 route add " + route + ": the route exists");
            }
        }
        List<Route6> next = new ArrayList<>(List.of(routes));
        next.add(route);
        next.sort(ORDER);
        routes = next.toArray(new Route6[0]);
        notifier.accept(route, true);
    }

    /** {@code ip -6 route del}: ESRCH when there is no such route. */
    public synchronized void remove(Route6 route) throws ErrnoException {
        List<Route6> next = new ArrayList<>(List.of(routes));
        Route6 gone = next.stream().filter(r -> r.prefix().equals(route.prefix())
                && r.prefixLength() == route.prefixLength() && r.ifindex() == route.ifindex()
                && r.gateway().equals(route.gateway()) && r.metric() == route.metric()).findFirst().orElse(null);
        if (gone == null) {
            throw new ErrnoException(Errno.ESRCH, "ip -6 route del " + route + ": no such route");
        }
        next.remove(gone);
        routes = next.toArray(new Route6[0]);
        notifier.accept(gone, false);
    }

    /** Drops every route through link {@code ifindex} (the link left). */
    public synchronized void removeLink(int ifindex) {
        List<Route6> next = new ArrayList<>(List.of(routes));
        List<Route6> gone = next.stream().filter(r -> r.ifindex() == ifindex).toList();
        if (!gone.isEmpty()) {
            next.removeAll(gone);
            routes = next.toArray(new Route6[0]);
            gone.forEach(r -> notifier.accept(r, false));
        }
    }

    /** The routes, longest prefix first. */
    public List<Route6> routes() {
        return List.of(routes);
    }

    /**
     * {@code fib6_lookup}: the route for {@code destination}, restricted to link {@code oif}
     * when it is not 0 (a link-local destination's scope, {@code SO_BINDTODEVICE}); null when
     * none matches on a link that is up.
     */
    public Route6 lookup(Ipv6Address destination, int oif) {
        for (Route6 r : routes) {
            if ((oif == 0 || r.ifindex() == oif) && r.matches(destination)) {
                Link link = links.apply(r.ifindex());
                if (link != null && link.isUp()) {
                    return r;
                }
            }
        }
        return null;
    }
}
