package net.tern.netlink.impl;

import net.tern.inet.route.RouteTable;
import net.tern.spi.diag.InetDiagHandler;
import net.tern.spi.net.LinkListener;
import net.tern.spi.net.LinkRegistry;

/**
 * Netlink assembled ({@code netlink_proto_init}, {@code rtnetlink_init},
 * {@code sock_diag_init}), without OSGi: the family with {@code NETLINK_ROUTE} over
 * {@code links} and {@code routes}, listening to the routing table, and
 * {@code NETLINK_SOCK_DIAG} over the diagnostic handlers {@link #registerDiag} is given.
 * {@link NetlinkInit} registers it as services; tests use it directly.
 */
public final class NetlinkStack implements AutoCloseable {
    private final NetlinkFamily family = new NetlinkFamily();
    private final SockDiag sockDiag = new SockDiag();
    private final RtnetlinkRcv rtnetlink;
    private final RouteTable routes;

    public NetlinkStack(LinkRegistry links, RouteTable routes) {
        this.routes = routes;
        this.rtnetlink = new RtnetlinkRcv(family, links, routes);
        family.addKernel(rtnetlink);
        family.addKernel(sockDiag);
        routes.addListener(rtnetlink);
    }

    /** The {@code AF_NETLINK} family, to register with the socket layer. */
    public NetlinkFamily family() {
        return family;
    }

    /** The link notifier, to hear the link registry's events (link and address notifications). */
    public LinkListener linkListener() {
        return rtnetlink;
    }

    /** {@code inet_diag_register}: {@code handler} answers for IP protocol {@code protocol}. */
    public void registerDiag(int protocol, InetDiagHandler handler) {
        sockDiag.register(protocol, handler);
    }

    /** {@code inet_diag_unregister}. */
    public void unregisterDiag(InetDiagHandler handler) {
        sockDiag.unregister(handler);
    }

    /** IPv6's handlers while IPv6 runs ({@link Inet6Netlink}), null when it stops. */
    void inet6(Rtnl6 handlers) {
        rtnetlink.inet6(handlers);
    }

    /** Stops listening to the routing table. */
    @Override
    public void close() {
        routes.removeListener(rtnetlink);
    }
}
