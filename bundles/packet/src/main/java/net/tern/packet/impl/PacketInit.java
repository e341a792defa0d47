package net.tern.packet.impl;

import java.util.Map;
import net.tern.packet.IfPacket;
import net.tern.spi.net.Clock;
import net.tern.spi.net.LinkListener;
import net.tern.spi.net.LinkRegistry;
import net.tern.spi.net.PacketAllocator;
import net.tern.spi.proto.ProtocolFamily;
import net.tern.spi.whiteboard.Registrations;
import org.osgi.annotation.bundle.Capability;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code packet_init} as a component: the {@code AF_PACKET} family over the link registry,
 * registered as a {@link ProtocolFamily} service with {@code family=17} ({@code sock_register}),
 * and as a {@link LinkListener} ({@code register_netdevice_notifier(&packet_netdev_notifier)}).
 * Leaving, it unregisters the family; the socket layer withdraws its open sockets.
 */
@Capability(namespace = "osgi.service", attribute = "objectClass:List<String>=net.tern.spi.proto.ProtocolFamily", uses = ProtocolFamily.class)
@Capability(namespace = "osgi.service", attribute = "objectClass:List<String>=net.tern.spi.net.LinkListener", uses = LinkListener.class)
@Component(immediate = true, service = {})
public final class PacketInit {
    private static final Logger LOG = LoggerFactory.getLogger(PacketInit.class);

    private final Registrations registrations = new Registrations();

    @Activate
    public PacketInit(BundleContext context, @Reference(name = "links") LinkRegistry links,
            @Reference(name = "clock") Clock clock, @Reference(name = "allocator") PacketAllocator allocator) {
        PacketFamily family = new PacketFamily(links, clock, allocator);
        registrations.register(context, LinkListener.class, family, Map.of());
        registrations.register(context, ProtocolFamily.class, family, Map.of(ProtocolFamily.FAMILY, IfPacket.AF_PACKET));
        LOG.info("packet sockets up: AF_PACKET");
    }

    @Deactivate
    void deactivate() {
        registrations.unregisterAll();
    }
}
