package net.tern.inet6.addrconf;

import net.tern.wire.Ipv6Address;

/**
 * An IPv6 address on an interface ({@code struct inet6_ifaddr}): the address, its prefix
 * length, the link's index, and whether addrconf made it itself (the link-local address,
 * {@code ::1}) or it was configured.
 */
public record Inet6IfAddr(int ifindex, Ipv6Address address, int prefixLength, boolean automatic) {
    public Inet6IfAddr {
        Ipv6Address.checkPrefix(prefixLength);
    }

    /** The address's scope as {@code ip -6 addr} names it. */
    public String scope() {
        if (address.isLoopback()) {
            return "host";
        }
        return address.isLinkLocal() ? "link" : "global";
    }

    @Override
    public String toString() {
        return address + "/" + prefixLength;
    }
}
