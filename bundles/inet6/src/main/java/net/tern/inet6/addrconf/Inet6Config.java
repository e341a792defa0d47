package net.tern.inet6.addrconf;

import java.util.List;
import net.tern.api.socket.ErrnoException;
import net.tern.wire.Ipv6Address;
import org.osgi.annotation.versioning.ProviderType;

/**
 * IPv6's addresses and routing table for configuration ({@code inet6_rtm_newaddr},
 * {@code inet6_rtm_deladdr}, {@code inet6_dump_ifaddr}, {@code inet6_rtm_newroute},
 * {@code inet6_rtm_delroute}, {@code inet6_dump_fib}): what {@code ip -6 addr} and
 * {@code ip -6 route} change, through the netlink family. A service of the inet6 bundle while
 * it runs. May be called from any thread; errors are errno-style.
 */
@ProviderType
public interface Inet6Config {
    /** Every address, link by link in index order, each link's in the order they came. */
    List<Inet6IfAddr> addresses();

    /**
     * {@code inet6_addr_add}: {@code address/prefixLength} on link {@code ifindex}, with its
     * prefix route when shorter than 128. ENODEV without the link, EINVAL for a multicast or
     * unspecified address, EEXIST when the address is on a link already.
     */
    Inet6IfAddr addAddress(int ifindex, Ipv6Address address, int prefixLength) throws ErrnoException;

    /**
     * {@code inet6_addr_del}: the address with that prefix length from link {@code ifindex};
     * EADDRNOTAVAIL when the link has no such address with that length.
     */
    void removeAddress(int ifindex, Ipv6Address address, int prefixLength) throws ErrnoException;

    /** The routing table's routes, longest prefix first, then by metric. */
    List<Route6> routes();

    /** {@code ip6_route_add}: EEXIST for a route to the same prefix, link, gateway and metric; ENODEV without the link. */
    void addRoute(Route6 route) throws ErrnoException;

    /** {@code ip6_route_del} of exactly {@code route}: ESRCH when there is no such route. */
    void removeRoute(Route6 route) throws ErrnoException;

    void addListener(Inet6ConfigListener listener);

    void removeListener(Inet6ConfigListener listener);
}
