package net.tern.netlink.testing;

import java.util.Map;
import net.tern.core.testing.TestStack;
import net.tern.inet.route.RouteTable;
import net.tern.netlink.Netlink;
import net.tern.netlink.impl.NetlinkStack;
import net.tern.socket.SocketLayer;
import net.tern.spi.proto.ProtocolFamily;

/**
 * Netlink wired into a stack without OSGi as its bundle wires it: the family registered with
 * the socket layer ({@code family=16}), the link notifier on the stack's link registry.
 */
public final class NetlinkWiring {
    private NetlinkWiring() {
    }

    public static NetlinkStack attach(SocketLayer sockets, TestStack stack, RouteTable routes) {
        NetlinkStack netlink = new NetlinkStack(stack.links(), routes);
        stack.addLinkListener(netlink.linkListener());
        sockets.bindFamily(netlink.family(), Map.of(ProtocolFamily.FAMILY, Netlink.AF_NETLINK));
        return netlink;
    }
}
