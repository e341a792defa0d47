package net.tern.netlink.impl;

import java.util.Map;
import net.tern.inet.route.RouteTable;
import net.tern.netlink.Netlink;
import net.tern.spi.diag.InetDiagHandler;
import net.tern.spi.net.LinkListener;
import net.tern.spi.net.LinkRegistry;
import net.tern.spi.proto.ProtocolFamily;
import net.tern.spi.whiteboard.Registrations;
import org.osgi.annotation.bundle.Capability;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code netlink_proto_init} with {@code rtnetlink_init} and {@code sock_diag_init} as a
 * component: the {@code AF_NETLINK} family with {@code NETLINK_ROUTE} over the link registry
 * and the routing table, and {@code NETLINK_SOCK_DIAG} over the transports'
 * {@link InetDiagHandler} services. It registers the family as a {@link ProtocolFamily}
 * service with {@code family=16} ({@code sock_register}), and its link notifier as a
 * {@link LinkListener} service. It is a service itself (private to the bundle) for
 * {@link Inet6NetlinkInit}, which adds IPv6's addresses and routes while IPv6 runs.
 */
@Capability(namespace = "osgi.service", attribute = "objectClass:List<String>=net.tern.spi.proto.ProtocolFamily", uses = ProtocolFamily.class)
@Capability(namespace = "osgi.service", attribute = "objectClass:List<String>=net.tern.spi.net.LinkListener", uses = LinkListener.class)
@Component(immediate = true, service = NetlinkInit.class)
public final class NetlinkInit {
    private static final Logger LOG = LoggerFactory.getLogger(NetlinkInit.class);

    private final NetlinkStack netlink;
    private final Registrations registrations = new Registrations();

    @Activate
    public NetlinkInit(BundleContext context, @Reference(name = "links") LinkRegistry links,
            @Reference(name = "routes") RouteTable routes) {
        this.netlink = new NetlinkStack(links, routes);
        registrations.register(context, LinkListener.class, netlink.linkListener(), Map.of());
        registrations.register(context, ProtocolFamily.class, netlink.family(),
                Map.of(ProtocolFamily.FAMILY, Netlink.AF_NETLINK));
        LOG.info("netlink up: NETLINK_ROUTE, NETLINK_SOCK_DIAG");
    }

    /** The assembled family, for the parts that join it while another bundle runs ({@link Inet6NetlinkInit}). */
    NetlinkStack stack() {
        return netlink;
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            target = "(" + InetDiagHandler.PROTOCOL + "=*)")
    void bindInetDiagHandler(InetDiagHandler handler, Map<String, Object> properties) {
        if (properties.get(InetDiagHandler.PROTOCOL) instanceof Number protocol) {
            netlink.registerDiag(protocol.intValue(), handler);
        }
    }

    void unbindInetDiagHandler(InetDiagHandler handler) {
        netlink.unregisterDiag(handler);
    }

    @Deactivate
    void deactivate() {
        registrations.unregisterAll();
        netlink.close();
    }
}
