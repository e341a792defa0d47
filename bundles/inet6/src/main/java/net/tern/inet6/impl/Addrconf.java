package net.tern.inet6.impl;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.inet6.addrconf.Inet6Config;
import net.tern.inet6.addrconf.Inet6ConfigListener;
import net.tern.inet6.addrconf.Inet6IfAddr;
import net.tern.inet6.addrconf.Route6;
import net.tern.spi.net.Link;
import net.tern.spi.net.LinkEvent;
import net.tern.spi.net.LinkFlags;
import net.tern.spi.net.LinkListener;
import net.tern.wire.Ipv6Address;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * IPv6 addresses on links ({@code net/ipv6/addrconf.c}), told of links as a netdevice
 * notifier ({@code addrconf_notify}): {@code ::1/128} on the loopback link when it comes up
 * ({@code init_loopback}), a link-local {@code fe80::/64} address on every other link when it
 * comes up ({@code addrconf_dev_config}), and the addresses configured with a prefix length
 * ({@code inet6_addr_add}). Each address with a prefix shorter than 128 brings its prefix
 * route ({@code addrconf_prefix_route}, metric 256, {@code proto kernel}).
 *
 * <p>The TUN link is point-to-point without link-layer addresses ({@code ARPHRD_NONE}), so its
 * interface identifier is random, as Linux's {@code IN6_ADDR_GEN_MODE_RANDOM} for such
 * devices, drawn once per link while the stack runs. There is no duplicate address detection
 * (RFC 4862 5.4): there is no neighbour discovery on a link without link-layer addresses, so
 * addresses are usable at once.
 *
 * <p>Link changes come under the device registry's lock, configuration calls from any thread;
 * changes are serialised by this object's monitor, lookups read concurrent maps.
 */
public final class Addrconf implements LinkListener, Inet6Config {
    private static final Logger LOG = LoggerFactory.getLogger(Addrconf.class);
    private static final Ipv6Address LINK_LOCAL_PREFIX = Ipv6Address.parse("fe80::");

    private final Map<Integer, Link> links = new ConcurrentHashMap<>();
    private final Map<Integer, List<Inet6IfAddr>> byLink = new ConcurrentHashMap<>();
    /** Every address on every link: {@code ipv6_chk_addr}'s hash. */
    private final Map<Ipv6Address, Inet6IfAddr> local = new ConcurrentHashMap<>();
    private final Map<Integer, Long> interfaceIds = new HashMap<>();
    private final List<Inet6ConfigListener> listeners = new CopyOnWriteArrayList<>();
    private final Fib6 fib = new Fib6(links::get);
    private final Random random;
    /** Configured addresses by link name, applied whenever that link comes up. */
    private Map<String, List<Prefix>> configured = Map.of();

    /** An address with its prefix length, as configured. */
    public record Prefix(Ipv6Address address, int prefixLength) {
        public Prefix {
            Ipv6Address.checkPrefix(prefixLength);
        }

        /** Parses {@code ADDRESS/N}. */
        public static Prefix parse(String text) {
            int slash = text.indexOf('/');
            if (slash < 0) {
                throw new IllegalArgumentException("expected an IPv6 address/prefix, got '" + text + "'");
            }
            try {
                return new Prefix(Ipv6Address.parse(text.substring(0, slash)),
                        Integer.parseInt(text.substring(slash + 1)));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad prefix length in '" + text + "'");
            }
        }

        @Override
        public String toString() {
            return address + "/" + prefixLength;
        }
    }

    public Addrconf(Random random) {
        this.random = random;
        fib.notifier((route, added) -> listeners.forEach(l -> l.routeChanged(route, added)));
    }

    /** The routing table, whose prefix routes follow the addresses. */
    public Fib6 fib() {
        return fib;
    }

    /** The link with index {@code ifindex}, or null. */
    public Link link(int ifindex) {
        return links.get(ifindex);
    }

    /** The loopback link, or null while there is none. */
    public Link loopback() {
        for (Link l : links.values()) {
            if ((l.flags() & LinkFlags.IFF_LOOPBACK) != 0) {
                return l;
            }
        }
        return null;
    }

    public List<Link> links() {
        return List.copyOf(links.values());
    }

    @Override
    public void addListener(Inet6ConfigListener listener) {
        listeners.add(listener);
    }

    @Override
    public void removeListener(Inet6ConfigListener listener) {
        listeners.remove(listener);
    }

    @Override
    public Inet6IfAddr addAddress(int ifindex, Ipv6Address address, int prefixLength) throws ErrnoException {
        return add(ifindex, address, prefixLength);
    }

    /** {@code inet6_addr_del}: the prefix length must be the address's, as Linux matches it. */
    @Override
    public synchronized void removeAddress(int ifindex, Ipv6Address address, int prefixLength) throws ErrnoException {
        Inet6IfAddr a = local.get(address);
        if (a == null || a.ifindex() != ifindex || a.prefixLength() != prefixLength) {
            throw new ErrnoException(Errno.EADDRNOTAVAIL,
                    "ip -6 addr del " + address + "/" + prefixLength + ": not on link " + ifindex);
        }
        forget(a);
    }

    @Override
    public List<Route6> routes() {
        return fib.routes();
    }

    /** {@code ip6_route_add}: the link must be known (ENODEV), the route new (EEXIST). */
    @Override
    public synchronized void addRoute(Route6 route) throws ErrnoException {
        if (!links.containsKey(route.ifindex())) {
            throw new ErrnoException(Errno.ENODEV, "ip -6 route add " + route + ": no link with index " + route.ifindex());
        }
        fib.add(route);
    }

    @Override
    public synchronized void removeRoute(Route6 route) throws ErrnoException {
        fib.remove(route);
    }

    @Override
    public synchronized void linkChanged(Link link, LinkEvent event) {
        switch (event) {
            case REGISTER -> links.put(link.index(), link);
            case UP -> {
                links.put(link.index(), link);
                autoconfigure(link);
            }
            case DOWN -> removeAutomatic(link.index());
            case UNREGISTER -> {
                for (Inet6IfAddr a : List.copyOf(addresses(link.index()))) {
                    forget(a);
                }
                fib.removeLink(link.index());
                links.remove(link.index());
                interfaceIds.remove(link.index());
            }
            default -> {
            }
        }
    }

    /**
     * The configured addresses ({@code DEVICE ADDRESS/N} each): added to each named link that
     * is up now and whenever one comes up; the addresses an earlier configuration added and
     * this one does not name are removed.
     */
    public synchronized void configure(Map<String, List<Prefix>> byName) {
        Map<String, List<Prefix>> before = configured;
        configured = Map.copyOf(byName);
        for (Link link : links.values()) {
            for (Prefix p : before.getOrDefault(link.name(), List.of())) {
                if (!configured.getOrDefault(link.name(), List.of()).contains(p)) {
                    Inet6IfAddr a = local.get(p.address());
                    if (a != null && a.ifindex() == link.index()) {
                        forget(a);
                    }
                }
            }
            if (link.isUp()) {
                applyConfigured(link);
            }
        }
    }

    private void applyConfigured(Link link) {
        for (Prefix p : configured.getOrDefault(link.name(), List.of())) {
            if (!local.containsKey(p.address())) {
                install(new Inet6IfAddr(link.index(), p.address(), p.prefixLength(), false));
            }
        }
    }

    /** {@code init_loopback} or {@code addrconf_dev_config}: the address a link gets when it comes up. */
    private void autoconfigure(Link link) {
        applyConfigured(link);
        Inet6IfAddr address;
        if ((link.flags() & LinkFlags.IFF_LOOPBACK) != 0) {
            address = new Inet6IfAddr(link.index(), Ipv6Address.LOOPBACK, 128, true);
        } else {
            long iid = interfaceIds.computeIfAbsent(link.index(), i -> randomInterfaceId());
            address = new Inet6IfAddr(link.index(), new Ipv6Address(LINK_LOCAL_PREFIX.high(), iid), 64, true);
        }
        if (!local.containsKey(address.address())) {
            install(address);
        }
    }

    /** 64 random bits with the universal/local bit clear (RFC 4291 2.5.1: not a universal identifier). */
    private long randomInterfaceId() {
        long iid = random.nextLong() & ~(0x02L << 56);
        return iid == 0 ? 1 : iid;
    }

    private void removeAutomatic(int ifindex) {
        for (Inet6IfAddr a : List.copyOf(addresses(ifindex))) {
            if (a.automatic()) {
                forget(a);
            }
        }
    }

    /** {@code ip -6 addr add ADDRESS/PREFIX dev LINK}: ENODEV without the link, EEXIST if the address is on a link. */
    public synchronized Inet6IfAddr add(int ifindex, Ipv6Address address, int prefixLength) throws ErrnoException {
        String call = "ip -6 addr add " + address + "/" + prefixLength;
        if (!links.containsKey(ifindex)) {
            throw new ErrnoException(Errno.ENODEV, call + ": no link with index " + ifindex);
        }
        if (address.isMulticast() || address.isUnspecified()) {
            throw new ErrnoException(Errno.EINVAL, call + ": not a unicast address");
        }
        if (local.containsKey(address)) {
            throw new ErrnoException(Errno.EEXIST, call + ": the address is already on " + local.get(address).ifindex());
        }
        Inet6IfAddr a = new Inet6IfAddr(ifindex, address, prefixLength, false);
        install(a);
        return a;
    }

    /** {@code ip -6 addr del}: EADDRNOTAVAIL when the link does not have the address. */
    public synchronized void remove(int ifindex, Ipv6Address address) throws ErrnoException {
        Inet6IfAddr a = local.get(address);
        if (a == null || a.ifindex() != ifindex) {
            throw new ErrnoException(Errno.EADDRNOTAVAIL, "ip -6 addr del " + address + ": not on link " + ifindex);
        }
        forget(a);
    }

    private void install(Inet6IfAddr a) {
        local.put(a.address(), a);
        List<Inet6IfAddr> list = new ArrayList<>(addresses(a.ifindex()));
        list.add(a);
        byLink.put(a.ifindex(), List.copyOf(list));
        if (a.prefixLength() < 128) {
            try {
                fib.add(prefixRoute(a));
            } catch (ErrnoException exists) {
                LOG.debug("prefix route of {} already there", a);
            }
        }
        listeners.forEach(l -> l.addressChanged(a, true));
    }

    private void forget(Inet6IfAddr a) {
        local.remove(a.address());
        List<Inet6IfAddr> list = new ArrayList<>(addresses(a.ifindex()));
        list.remove(a);
        byLink.put(a.ifindex(), List.copyOf(list));
        if (a.prefixLength() < 128 && list.stream().noneMatch(o -> o.prefixLength() == a.prefixLength()
                && o.address().samePrefix(a.address(), a.prefixLength()))) {
            try {
                fib.remove(prefixRoute(a));
            } catch (ErrnoException gone) {
                LOG.debug("prefix route of {} already gone", a);
            }
        }
        listeners.forEach(l -> l.addressChanged(a, false));
    }

    private static Route6 prefixRoute(Inet6IfAddr a) {
        return new Route6(a.address(), a.prefixLength(), a.ifindex(), Ipv6Address.UNSPECIFIED,
                Route6.METRIC_ADDRCONF, true);
    }

    /** The addresses of link {@code ifindex}, in the order they came. */
    public List<Inet6IfAddr> addresses(int ifindex) {
        return byLink.getOrDefault(ifindex, List.of());
    }

    /** Every address, by link. */
    @Override
    public List<Inet6IfAddr> addresses() {
        List<Inet6IfAddr> all = new ArrayList<>();
        byLink.keySet().stream().sorted().forEach(i -> all.addAll(addresses(i)));
        return all;
    }

    /** {@code ipv6_chk_addr}: the address if it is one of this host's, else null. */
    public Inet6IfAddr local(Ipv6Address address) {
        return local.get(address);
    }

    /**
     * Whether a packet to multicast {@code group} arriving on link {@code ifindex} is for this
     * host: the all-nodes groups (interface- and link-local) and the solicited-node group of
     * each of the link's addresses, which a host joins (RFC 4291 2.8).
     */
    public boolean joined(int ifindex, Ipv6Address group) {
        if (group.equals(Ipv6Address.ALL_NODES) || group.equals(new Ipv6Address(0xff01L << 48, 1))) {
            return true;
        }
        for (Inet6IfAddr a : addresses(ifindex)) {
            if (a.address().solicitedNode().equals(group)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Source address selection (RFC 6724 5, its rules that matter on a host without
     * preferences or temporary addresses): an address equal to the destination; then one of
     * the outgoing link's with the destination's scope (link-local for link-local and
     * link-scoped multicast, global otherwise), the longest common prefix winning; then a
     * global address on another link. Null when there is none.
     */
    public Ipv6Address selectSource(Ipv6Address destination, int ifindex) {
        if (local.containsKey(destination)) {
            return destination;
        }
        boolean linkScope = destination.isLinkLocal() || (destination.isMulticast() && destination.multicastScope() <= 2);
        Ipv6Address best = pick(addresses(ifindex), destination, linkScope);
        if (best == null && !linkScope) {
            for (List<Inet6IfAddr> list : byLink.values()) {
                best = pick(list, destination, false);
                if (best != null) {
                    break;
                }
            }
        }
        if (best == null) {
            best = pick(addresses(ifindex), destination, !linkScope);
        }
        return best;
    }

    private static Ipv6Address pick(List<Inet6IfAddr> candidates, Ipv6Address destination, boolean linkScope) {
        Ipv6Address best = null;
        int bestCommon = -1;
        for (Inet6IfAddr a : candidates) {
            if (a.address().isLoopback() && !destination.isLoopback()) {
                continue;
            }
            if (a.address().isLinkLocal() == linkScope) {
                int common = a.address().commonPrefixLength(destination);
                if (common > bestCommon) {
                    best = a.address();
                    bestCommon = common;
                }
            }
        }
        return best;
    }
}
