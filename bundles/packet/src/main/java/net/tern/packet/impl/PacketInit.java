package net.tern.packet.impl;

import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import net.tern.packet.IfPacket;
import net.tern.spi.net.Clock;
import net.tern.spi.net.LinkListener;
import net.tern.spi.net.LinkRegistry;
import net.tern.spi.net.PacketAllocator;
import net.tern.spi.proto.ProtocolFamily;
import org.osgi.annotation.bundle.Capability;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
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

    private final List<ServiceRegistration<?>> registrations = new ArrayList<>();

    @Activate
    public PacketInit(BundleContext context, @Reference(name = "links") LinkRegistry links,
            @Reference(name = "clock") Clock clock, @Reference(name = "allocator") PacketAllocator allocator) {
        PacketFamily family = new PacketFamily(links, clock, allocator);
        registrations.add(context.registerService(LinkListener.class, family, null));
        Dictionary<String, Object> properties = new Hashtable<>();
        properties.put(ProtocolFamily.FAMILY, IfPacket.AF_PACKET);
        registrations.add(context.registerService(ProtocolFamily.class, family, properties));
        LOG.info("packet sockets up: AF_PACKET");
    }

    @Deactivate
    void deactivate() {
        for (int i = registrations.size() - 1; i >= 0; i--) {
            try {
                registrations.get(i).unregister();
            } catch (IllegalStateException alreadyGone) {
                // The framework took it while stopping the bundle.
            }
        }
        registrations.clear();
    }
}
