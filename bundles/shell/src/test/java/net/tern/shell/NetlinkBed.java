package net.tern.shell;

import net.tern.api.socket.SocketApi;
import net.tern.core.testing.TestStack;
import net.tern.inet.impl.route.Fib;
import net.tern.netlink.impl.NetlinkStack;
import net.tern.netlink.testing.NetlinkWiring;
import net.tern.packet.impl.PacketFamily;
import net.tern.packet.testing.PacketWiring;
import net.tern.socket.SocketLayer;

/** The socket layer with the netlink and packet families over a stack's links, for commands that talk netlink or capture. */
final class NetlinkBed {
    final SocketLayer sockets;
    final NetlinkStack netlink;
    final PacketFamily packet;

    /** Over {@code stack}'s links, with a routing table of its own that hears no link (the commands here read links only). */
    NetlinkBed(TestStack stack) {
        this.sockets = new SocketLayer(stack.clock(), stack.timers());
        this.netlink = NetlinkWiring.attach(sockets, stack, new Fib());
        this.packet = PacketWiring.attach(sockets, stack);
    }

    SocketApi api() {
        return sockets;
    }

    /** {@code net:links} over {@code stack}. */
    static LinksCommand linksCommand(TestStack stack) {
        NetlinkBed bed = new NetlinkBed(stack);
        return new LinksCommand(bed.api());
    }

    /** {@code net:capture} over {@code stack}, printing times in {@code zone}. */
    static CaptureCommand captureCommand(TestStack stack, java.time.ZoneId zone) {
        NetlinkBed bed = new NetlinkBed(stack);
        return new CaptureCommand(bed.api(), zone);
    }

    /** {@code net:impair} over {@code stack}. */
    static ImpairCommand impairCommand(TestStack stack) {
        NetlinkBed bed = new NetlinkBed(stack);
        return new ImpairCommand(bed.api());
    }
}
