package net.tern.tcp.impl;

import java.util.Map;
import net.tern.api.socket.SocketConstants;
import net.tern.inet.route.RouteTable;
import net.tern.inet6.ip.Ip6Protocol;
import net.tern.inet6.ip.Ip6Transport;
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
 * {@code tcpv6_init} as a component: does its work while both TCP ({@link TcpInit}) and IPv6
 * (the inet6 bundle's {@link Ip6Transport}) run. It registers {@code tcp_v6_rcv} and
 * {@code tcp_v6_err} ({@link Ip6Protocol}, {@code protocol=6}: {@code inet6_add_protocol}),
 * then {@code tcpv6_prot}'s protosw entry ({@code family=10, type=1, protocol=6}:
 * {@code inet6_register_protosw}), on TCP's one set of tables. When either goes, the entry
 * goes first (new AF_INET6 TCP sockets fail), the IPv6 connections are aborted, then the
 * handler goes; TCP over IPv4 runs on.
 */
@Capability(namespace = "osgi.service", attribute = "objectClass:List<String>=net.tern.spi.proto.ProtoSw", uses = ProtoSw.class)
@Capability(namespace = "osgi.service", attribute = "objectClass:List<String>=net.tern.inet6.ip.Ip6Protocol", uses = Ip6Protocol.class)
@Component(immediate = true, service = {})
public final class TcpV6Init {
    private static final Logger LOG = LoggerFactory.getLogger(TcpV6Init.class);

    private final TcpIpv6 ipv6;
    private final Registrations protocol = new Registrations();
    private final Registrations protoSw = new Registrations();

    /**
     * Activated with IPv6 or without it ({@code ip6} null: nothing to do); the reference is
     * static and greedy, so IPv6 coming or going activates it afresh, and optional, so the
     * bundle asks nothing of a stack without IPv6.
     */
    @Activate
    public TcpV6Init(BundleContext context, @Reference(name = "tcp") TcpInit tcpInit,
            @Reference(name = "ip6", cardinality = ReferenceCardinality.OPTIONAL,
                    policyOption = ReferencePolicyOption.GREEDY) Ip6Transport ip6,
            @Reference(name = "routes") RouteTable routes) {
        if (ip6 == null) {
            this.ipv6 = null;
            return;
        }
        this.ipv6 = new TcpIpv6(tcpInit.tcp(), ip6, routes);
        ipv6.start();
        protocol.register(context, Ip6Protocol.class, ipv6, Map.of(Ip6Protocol.PROTOCOL, SocketConstants.IPPROTO_TCP));
        protoSw.register(context, ProtoSw.class, ipv6.protoSw(), Map.of(ProtoSw.FAMILY, SocketConstants.AF_INET6,
                ProtoSw.TYPE, SocketConstants.SOCK_STREAM, ProtoSw.PROTOCOL, SocketConstants.IPPROTO_TCP));
        LOG.info("TCP over IPv6 up");
    }

    @Deactivate
    void deactivate() {
        if (ipv6 == null) {
            return;
        }
        protoSw.unregisterAll();
        ipv6.stop();
        protocol.unregisterAll();
        LOG.info("TCP over IPv6 down");
    }
}
