package net.tern.packet.testing;

import java.util.Map;
import net.tern.core.testing.TestStack;
import net.tern.packet.IfPacket;
import net.tern.packet.impl.PacketFamily;
import net.tern.socket.SocketLayer;
import net.tern.spi.proto.ProtocolFamily;

/**
 * The packet family wired into a stack without OSGi as its bundle wires it: registered with
 * the socket layer ({@code family=17}), hearing the stack's link changes.
 */
public final class PacketWiring {
    private PacketWiring() {
    }

    public static PacketFamily attach(SocketLayer sockets, TestStack stack) {
        PacketFamily family = new PacketFamily(stack.links(), stack.clock(), stack.allocator());
        stack.addLinkListener(family);
        sockets.bindFamily(family, Map.of(ProtocolFamily.FAMILY, IfPacket.AF_PACKET));
        return family;
    }
}
