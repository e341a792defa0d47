package net.tern.inet6.addrconf;

import net.tern.wire.Ipv6Address;

/**
 * An entry of the IPv6 routing table ({@code struct fib6_info}): the destination prefix, the
 * link it leaves by, the gateway ({@link Ipv6Address#UNSPECIFIED} for a prefix on the link
 * itself), its metric, and who added it ({@code proto kernel} for the prefix routes addrconf
 * adds with an address, {@code proto static} for configured ones).
 */
public record Route6(Ipv6Address prefix, int prefixLength, int ifindex, Ipv6Address gateway, int metric,
        boolean kernel) {
    /** Linux's metric for the prefix route of an address ({@code IP6_RT_PRIO_ADDRCONF}). */
    public static final int METRIC_ADDRCONF = 256;
    /** Linux's metric for a route added by {@code ip -6 route add} without one ({@code IP6_RT_PRIO_USER}). */
    public static final int METRIC_USER = 1024;

    public Route6 {
        Ipv6Address.checkPrefix(prefixLength);
        prefix = prefix.masked(prefixLength);
    }

    public boolean hasGateway() {
        return !gateway.isUnspecified();
    }

    public boolean matches(Ipv6Address destination) {
        return destination.samePrefix(prefix, prefixLength);
    }

    @Override
    public String toString() {
        String dst = prefixLength == 0 ? "default" : prefix + "/" + prefixLength;
        return dst + (hasGateway() ? " via " + gateway : "") + " dev#" + ifindex + " metric " + metric
                + (kernel ? " proto kernel" : " proto static");
    }
}
