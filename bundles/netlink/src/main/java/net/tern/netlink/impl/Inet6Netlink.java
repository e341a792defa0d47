package net.tern.netlink.impl;

import net.tern.inet6.addrconf.Inet6Config;

/**
 * IPv6's side of {@code NETLINK_ROUTE} joined to a running netlink ({@code addrconf_init}'s and
 * {@code ip6_route_init}'s {@code rtnl_register} calls): AF_INET6 address and route requests
 * go to {@code config}, and its changes become notifications, until {@link #close}.
 * {@link Inet6NetlinkInit} does this while both bundles run; tests call it directly.
 */
public final class Inet6Netlink implements AutoCloseable {
    private final NetlinkStack netlink;
    private final Inet6Config config;
    private final Addrconf6Rtnl handlers;

    private Inet6Netlink(NetlinkStack netlink, Inet6Config config) {
        this.netlink = netlink;
        this.config = config;
        this.handlers = new Addrconf6Rtnl(config, netlink.family());
    }

    public static Inet6Netlink attach(NetlinkStack netlink, Inet6Config config) {
        Inet6Netlink joined = new Inet6Netlink(netlink, config);
        config.addListener(joined.handlers);
        netlink.inet6(joined.handlers);
        return joined;
    }

    /** {@code rtnl_unregister_all(PF_INET6)}: AF_INET6 requests are EOPNOTSUPP again, dumps of it empty. */
    @Override
    public void close() {
        netlink.inet6(null);
        config.removeListener(handlers);
    }
}
