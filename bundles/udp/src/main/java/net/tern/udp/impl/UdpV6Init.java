package net.tern.udp.impl;

import java.util.Map;
import net.tern.api.socket.SocketConstants;
import net.tern.inet.route.RouteTable;
import net.tern.inet6.ip.Ip6Protocol;
import net.tern.inet6.ip.Ip6Transport;
import net.tern.spi.net.PacketAllocator;
import net.tern.spi.proto.ProtoSw;
import net.tern.spi.whiteboard.Registrations;
import org.osgi.annotation.bundle.Capability;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code udpv6_init} as a component: does its work while both UDP ({@link UdpInit}) and IPv6
 * (the inet6 bundle's {@link Ip6Transport}) run. It registers {@code udpv6_rcv} and
 * {@code udpv6_err} ({@link Ip6Protocol}, {@code protocol=17}), then {@code udpv6_prot}'s
 * protosw entry ({@code family=10, type=2, protocol=17}), on UDP's one port table. When IPv6
 * goes, the entry goes first, the IPv6 sockets are withdrawn (ECONNABORTED), then the handler;
 * UDP over IPv4 runs on. The reference to IPv6 is optional, static and greedy: IPv6 coming or
 * going activates it afresh, and the bundle asks nothing of a stack without IPv6.
 */
@Capability(namespace = "osgi.service", attribute = "objectClass:List<String>=net.tern.spi.proto.ProtoSw", uses = ProtoSw.class)
@Capability(namespace = "osgi.service", attribute = "objectClass:List<String>=net.tern.inet6.ip.Ip6Protocol", uses = Ip6Protocol.class)
@Component(immediate = true, service = {})
public final class UdpV6Init {
    private static final Logger LOG = LoggerFactory.getLogger(UdpV6Init.class);

    private final UdpIpv6 ipv6;
    private final Registrations protocol = new Registrations();
    private final Registrations protoSw = new Registrations();

    @Activate
    public UdpV6Init(BundleContext context, @Reference(name = "udp") UdpInit udpInit,
            @Reference(name = "ip6", cardinality = ReferenceCardinality.OPTIONAL,
                    policyOption = ReferencePolicyOption.GREEDY) Ip6Transport ip6,
            @Reference(name = "routes") RouteTable routes, @Reference(name = "allocator") PacketAllocator allocator) {
        if (ip6 == null) {
            this.ipv6 = null;
            return;
        }
        this.ipv6 = new UdpIpv6(udpInit.udp(), ip6, routes, allocator);
        ipv6.start();
        protocol.register(context, Ip6Protocol.class, ipv6, Map.of(Ip6Protocol.PROTOCOL, SocketConstants.IPPROTO_UDP));
        protoSw.register(context, ProtoSw.class, ipv6.protoSw(), Map.of(ProtoSw.FAMILY, SocketConstants.AF_INET6,
                ProtoSw.TYPE, SocketConstants.SOCK_DGRAM, ProtoSw.PROTOCOL, SocketConstants.IPPROTO_UDP));
        LOG.info("UDP over IPv6 up");
    }

    @Deactivate
    void deactivate() {
        if (ipv6 == null) {
            return;
        }
        protoSw.unregisterAll();
        ipv6.stop();
        protocol.unregisterAll();
        LOG.info("UDP over IPv6 down");
    }
}
