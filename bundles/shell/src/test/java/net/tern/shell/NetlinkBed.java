package net.tern.shell;

import net.tern.api.socket.SocketApi;
import net.tern.core.testing.TestStack;
import net.tern.inet.impl.route.Fib;
import net.tern.netlink.impl.NetlinkStack;
import net.tern.netlink.testing.NetlinkWiring;
import net.tern.socket.SocketLayer;

/** The socket layer with the netlink family over a stack's links, for commands that talk netlink. */
final class NetlinkBed {
    final SocketLayer sockets;
    final NetlinkStack netlink;

    /** Over {@code stack}'s links, with a routing table of its own that hears no link (the commands here read links only). */
    NetlinkBed(TestStack stack) {
        this.sockets = new SocketLayer(stack.clock(), stack.timers());
        this.netlink = NetlinkWiring.attach(sockets, stack, new Fib());
    }

    SocketApi api() {
        return sockets;
    }

    /** {@code net:links} over {@code stack}. */
    static LinksCommand linksCommand(TestStack stack) {
        NetlinkBed bed = new NetlinkBed(stack);
        return new LinksCommand(bed.api());
    }

    /** {@code net:impair} over {@code stack}. */
    static ImpairCommand impairCommand(TestStack stack) {
        NetlinkBed bed = new NetlinkBed(stack);
        return new ImpairCommand(bed.api(), bed.netlink.family());
    }
}
