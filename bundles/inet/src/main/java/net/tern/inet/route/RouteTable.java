package net.tern.inet.route;

import java.util.List;
import net.tern.api.socket.ErrnoException;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The IPv4 routing tables ({@code ip route}, the FIB): {@link Route.Table#LOCAL} holds this
 * host's addresses (derived from the links' addresses), {@link Route.Table#MAIN} the
 * connected routes (derived too), and what administrators add: gateways, the default route,
 * unreachable and blackhole routes. Lookups try the local table first, then the main table,
 * longest prefix first, lowest metric among equals (RFC 1812, 5.2.4.3).
 *
 * <p>Routes through a link exist while the link is up: when it goes down or leaves, every
 * route through it goes; when it comes back, the routes derived from its addresses come back
 * (administrators' routes do not, as on Linux).
 *
 * <p>Thread-safe; lookups read an immutable snapshot without locking.
 */
@ProviderType
public interface RouteTable {
    /**
     * {@code ip_route_output_key}: how a packet of {@code flow} leaves. Fails with ENETUNREACH
     * when no route matches, EHOSTUNREACH for an unreachable route, EACCES for a prohibit
     * route, EINVAL for a blackhole route or a bound source that is not local, ENODEV for a
     * bound output link that does not exist, ENETUNREACH when a local destination finds no
     * loopback link up.
     */
    Rtable routeOutput(Flowi4 flow) throws ErrnoException;

    /**
     * {@code rt_genid}: a number that changes whenever the tables or the links change (a
     * route added or removed, a link up, down or given another address or MTU). A route
     * looked up while it had one value is still the answer while it has that value, so a
     * socket may keep its last lookup ({@code sk_dst_cache}) and check it with one read.
     */
    int genid();

    /**
     * {@code inet_addr_type}: what {@code address} is to this host: {@link RouteType#LOCAL}
     * for one of its addresses, {@link RouteType#BROADCAST} for a broadcast address of one of
     * its links or 255.255.255.255, {@link RouteType#UNICAST} otherwise (multicast addresses
     * are UNICAST here: no group is joined).
     */
    RouteType addressType(int address);

    /** Whether {@code address} is one of this host's addresses (what {@code bind} needs, else EADDRNOTAVAIL). */
    default boolean isLocalAddress(int address) {
        return addressType(address) == RouteType.LOCAL;
    }

    /** {@code ip route show table all}: every route, local table then main, longest prefix first. */
    List<Route> routes();

    /** The routes of one table. */
    List<Route> routes(Route.Table table);

    /**
     * {@code ip route add} into the main table. Fails with EINVAL for a bad prefix (host bits
     * set, length out of range), a unicast route with neither gateway nor device, a gateway
     * that is one of this host's addresses, or a source that is not; ENODEV for an unknown
     * device; ENETDOWN when the device is down; ENETUNREACH when the gateway is not on a
     * connected network (of the device, if one is named); EEXIST when a route to the same
     * prefix with the same metric is there.
     */
    Route add(RouteRequest request) throws ErrnoException;

    /**
     * {@code ip route del} from the main table: removes the first route (longest prefix
     * first, then lowest metric) that matches every field the request sets. ESRCH when none
     * does, as Linux answers.
     */
    Route delete(RouteRequest request) throws ErrnoException;

    /**
     * Tells {@code listener} of every later change to the tables ({@code rtmsg_fib} on insert
     * and delete), derived routes included, on the thread that made it and in the order made.
     *
     * @since 1.1
     */
    void addListener(RouteListener listener);

    /** @since 1.1 */
    void removeListener(RouteListener listener);
}
