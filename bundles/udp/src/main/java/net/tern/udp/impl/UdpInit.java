package net.tern.udp.impl;

import java.security.SecureRandom;
import java.util.Map;
import java.util.random.RandomGenerator;
import net.tern.api.socket.SocketConstants;
import net.tern.inet.ip.IcmpSender;
import net.tern.inet.ip.IpOutput;
import net.tern.inet.route.RouteTable;
import net.tern.inet.snmp.SnmpCounters;
import net.tern.inet.sock.LocalPortRange;
import net.tern.inet.sock.ProtoMemory;
import net.tern.spi.diag.InetDiagHandler;
import net.tern.spi.net.PacketAllocator;
import net.tern.spi.proto.NetProtocol;
import net.tern.spi.proto.ProtoSw;
import net.tern.spi.whiteboard.Registrations;
import org.osgi.annotation.bundle.Capability;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * UDP as a component: builds {@link Udp} from IPv4's services and registers, as Linux's
 * {@code inet_init} does for UDP, its protosw entry ({@code inet_register_protosw}: a
 * {@link ProtoSw} with {@code family=2, type=2, protocol=17}) and its IP protocol handler
 * ({@code inet_add_protocol}: a {@link NetProtocol} with {@code protocol=17}), and its socket
 * dumper ({@code udp_diag}: an {@link InetDiagHandler} with {@code protocol=17}), each with
 * only its own properties, through the bundle context.
 *
 * <p>Stopping (hot swap): the two services go first, so IPv4 refuses new UDP sockets and
 * stops delivering protocol 17; then every open UDP socket is withdrawn (ECONNABORTED, "UDP
 * left the stack") and its port freed; then the {@code Udp} counters leave. Starting again
 * builds a fresh, empty port table.
 */
@Capability(namespace = "osgi.service", attribute = "objectClass:List<String>=net.tern.spi.proto.ProtoSw", uses = ProtoSw.class)
@Capability(namespace = "osgi.service", attribute = "objectClass:List<String>=net.tern.spi.proto.NetProtocol", uses = NetProtocol.class)
@Capability(namespace = "osgi.service", attribute = "objectClass:List<String>=net.tern.spi.diag.InetDiagHandler", uses = InetDiagHandler.class)
@Component(immediate = true, service = UdpInit.class, configurationPid = UdpInit.PID)
@Designate(ocd = UdpInit.Config.class)
public final class UdpInit {
    /** The configuration PID. */
    public static final String PID = "net.tern.udp";

    private static final Logger LOG = LoggerFactory.getLogger(UdpInit.class);

    /** UDP's sysctls. */
    @ObjectClassDefinition(name = "Tern UDP", description = "UDP settings, as Linux's sysctls.")
    public @interface Config {
        @AttributeDefinition(description = "Stack-wide memory of UDP's receive queues in pages of 4 KiB, \"min"
                + " pressure max\" (udp_mem); empty: scaled to direct memory's maximum (pressure at 1/8 of it).")
        String udpMem() default "";

        @AttributeDefinition(description = "Receive memory a socket may hold even when UDP is over udp_mem's min"
                + " (udp_rmem_min).")
        int udpRmemMin() default UdpSettings.DEFAULT_RMEM_MIN;
    }

    private final Udp udp;
    private final Registrations registrations = new Registrations();

    @Activate
    public UdpInit(BundleContext context, @Reference(name = "routes") RouteTable routes,
            @Reference(name = "ipOutput") IpOutput ip, @Reference(name = "icmp") IcmpSender icmp,
            @Reference(name = "snmp") SnmpCounters snmp, @Reference(name = "allocator") PacketAllocator allocator,
            @Reference(name = "localPorts") LocalPortRange localPorts, Config config) {
        this(context, routes, ip, icmp, snmp, allocator, localPorts, settings(config), new SecureRandom());
    }

    /** Without a configuration: for tests, and for assembling a stack by hand. */
    public UdpInit(BundleContext context, RouteTable routes, IpOutput ip, IcmpSender icmp, SnmpCounters snmp,
            PacketAllocator allocator, LocalPortRange localPorts, UdpSettings settings, RandomGenerator random) {
        this.udp = new Udp(routes, ip, icmp, snmp, allocator, localPorts, settings, random);
        registrations.register(context, ProtoSw.class, udp.protoSw(), Map.of(ProtoSw.FAMILY, SocketConstants.AF_INET,
                ProtoSw.TYPE, SocketConstants.SOCK_DGRAM, ProtoSw.PROTOCOL, SocketConstants.IPPROTO_UDP));
        registrations.register(context, NetProtocol.class, udp.input(), Map.of(NetProtocol.PROTOCOL, SocketConstants.IPPROTO_UDP));
        registrations.register(context, InetDiagHandler.class, udp.diag(), Map.of(InetDiagHandler.PROTOCOL, SocketConstants.IPPROTO_UDP));
        LOG.info("UDP up (ephemeral ports {}, udp_mem {})", localPorts.get(), settings.udpMem());
    }

    /**
     * A changed configuration (PID {@value #PID}) applies without restarting UDP, which would
     * withdraw every open socket: the next datagram queued meets the new memory limits. Settings that do not validate are refused
     * (logged) and the ones before stay.
     */
    @Modified
    void modified(Config config) {
        try {
            UdpSettings next = parse(config);
            udp.reconfigure(next);
            LOG.info("UDP settings changed (udp_mem {}, udp_rmem_min {})", next.udpMem(), next.rmemMin());
        } catch (IllegalArgumentException e) {
            LOG.error("UDP configuration {} refused, the settings before stay: {}", PID, e.getMessage());
        }
    }

    private static UdpSettings settings(Config config) {
        try {
            return parse(config);
        } catch (IllegalArgumentException e) {
            LOG.error("{}; using the defaults", e.getMessage());
            return UdpSettings.defaults();
        }
    }

    /** The configuration as settings; an empty {@code udpMem} is the default for this JVM. */
    static UdpSettings parse(Config config) {
        String udpMem = config.udpMem();
        return new UdpSettings(
                udpMem == null || udpMem.isBlank() ? UdpSettings.defaultUdpMem() : ProtoMemory.Limits.parse(udpMem),
                config.udpRmemMin());
    }

    /** The assembled protocol, for diagnostics. */
    public Udp udp() {
        return udp;
    }

    /** Withdraws the services (newest first), then the open sockets and the counters. */
    @Deactivate
    public void deactivate() {
        registrations.unregisterAll();
        int withdrawn = udp.shutdown();
        LOG.info("UDP down; withdrew {} open socket(s)", withdrawn);
    }
}
