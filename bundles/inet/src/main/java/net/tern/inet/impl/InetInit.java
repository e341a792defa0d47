package net.tern.inet.impl;

import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.RejectedExecutionException;
import net.tern.api.socket.SocketConstants;
import net.tern.inet.impl.snmp.SnmpProcFile;
import net.tern.inet.ip.IcmpSender;
import net.tern.inet.ip.IpOutput;
import net.tern.inet.route.RouteTable;
import net.tern.inet.snmp.SnmpCounters;
import net.tern.inet.sock.LocalPortRange;
import net.tern.spi.net.Clock;
import net.tern.spi.net.EtherType;
import net.tern.spi.net.LinkListener;
import net.tern.spi.net.NetworkThread;
import net.tern.spi.net.PacketAllocator;
import net.tern.spi.net.PacketHandler;
import net.tern.spi.net.TimerService;
import net.tern.spi.proc.ProcFile;
import net.tern.spi.proto.NetProtocol;
import net.tern.spi.proto.ProtoSw;
import net.tern.spi.proto.ProtocolFamily;
import net.tern.spi.whiteboard.IntProperty;
import net.tern.spi.whiteboard.Registrations;
import net.tern.spi.whiteboard.ServiceRank;
import org.osgi.annotation.bundle.Capability;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code inet_init} as a component: builds {@link Inet} and registers its parts, in the
 * order Linux registers them, each as a service with its own identifying property. It also
 * keeps the two whiteboards transports plug into: {@link ProtoSw} services with
 * {@code family=2} ({@code inet_register_protosw}) and {@link NetProtocol} services by
 * {@code protocol} ({@code inet_add_protocol}).
 *
 * <p>The services are registered through the bundle context rather than declared on the
 * component, so each carries only its own property ({@code family=2} on the family,
 * {@code ethertype=0x0800} on {@code ip_rcv}, {@code protocol=1} on ICMP); the
 * {@code @Capability} annotations declare them to resolvers all the same.
 */
@Capability(namespace = "osgi.service", attribute = "objectClass:List<String>=net.tern.inet.snmp.SnmpCounters", uses = SnmpCounters.class)
@Capability(namespace = "osgi.service", attribute = "objectClass:List<String>=net.tern.spi.proc.ProcFile", uses = ProcFile.class)
@Capability(namespace = "osgi.service", attribute = "objectClass:List<String>=net.tern.inet.route.RouteTable", uses = RouteTable.class)
@Capability(namespace = "osgi.service", attribute = "objectClass:List<String>=net.tern.inet.sock.LocalPortRange", uses = LocalPortRange.class)
@Capability(namespace = "osgi.service", attribute = "objectClass:List<String>=net.tern.spi.net.LinkListener", uses = LinkListener.class)
@Capability(namespace = "osgi.service", attribute = "objectClass:List<String>=net.tern.inet.ip.IpOutput", uses = IpOutput.class)
@Capability(namespace = "osgi.service", attribute = "objectClass:List<String>=net.tern.inet.ip.IcmpSender", uses = IcmpSender.class)
@Capability(namespace = "osgi.service", attribute = "objectClass:List<String>=net.tern.spi.proto.NetProtocol", uses = NetProtocol.class)
@Capability(namespace = "osgi.service", attribute = "objectClass:List<String>=net.tern.spi.net.PacketHandler", uses = PacketHandler.class)
@Capability(namespace = "osgi.service", attribute = "objectClass:List<String>=net.tern.spi.proto.ProtocolFamily", uses = ProtocolFamily.class)
@Component(immediate = true, service = {}, configurationPid = InetInit.PID)
@Designate(ocd = InetInit.Config.class)
public final class InetInit {
    /** The configuration PID. */
    public static final String PID = "net.tern.inet";

    private static final Logger LOG = LoggerFactory.getLogger(InetInit.class);

    /** The IP protocol a {@link NetProtocol} service handles: an Integer or a numeric String. */
    private static final IntProperty PROTOCOL = new IntProperty(NetProtocol.PROTOCOL, 0, 255);

    /** The {@code net.ipv4} sysctls Tern has. */
    @ObjectClassDefinition(name = "Tern IPv4", description = "IPv4 settings, as Linux's net.ipv4 sysctls.")
    public @interface Config {
        @AttributeDefinition(description = "Forward datagrams not addressed to this host (ip_forward).")
        boolean ipForward() default false;

        @AttributeDefinition(description = "TTL of outgoing datagrams (ip_default_ttl).")
        int ipDefaultTtl() default 64;

        @AttributeDefinition(description = "Seconds a datagram may take to reassemble (ipfrag_time).")
        int ipfragTime() default 30;

        @AttributeDefinition(description = "Bytes all datagrams being reassembled may hold (ipfrag_high_thresh).")
        long ipfragHighThresh() default 4L << 20;

        @AttributeDefinition(description = "Bytes the datagrams being reassembled from one source may hold.")
        long ipfragSourceThresh() default 1L << 20;

        @AttributeDefinition(description = "Ignore every echo request (icmp_echo_ignore_all).")
        boolean icmpEchoIgnoreAll() default false;

        @AttributeDefinition(description = "Ignore echo requests to broadcast addresses (icmp_echo_ignore_broadcasts).")
        boolean icmpEchoIgnoreBroadcasts() default true;

        @AttributeDefinition(description = "Milliseconds per limited ICMP message to one destination; 0 turns it off (icmp_ratelimit).")
        int icmpRatelimit() default 1000;

        @AttributeDefinition(description = "ICMP types limited, one bit per type (icmp_ratemask).")
        int icmpRatemask() default 0x1818;

        @AttributeDefinition(description = "Limited ICMP messages per second from this host; 0 turns it off (icmp_msgs_per_sec).")
        int icmpMsgsPerSec() default 1000;

        @AttributeDefinition(description = "Burst of limited ICMP messages (icmp_msgs_burst).")
        int icmpMsgsBurst() default 50;

        @AttributeDefinition(description = "Ephemeral ports TCP and UDP hand out, \"low high\" (ip_local_port_range).")
        String ipLocalPortRange() default "32768 60999";
    }

    private final Inet inet;
    private final NetworkThread networkThread;
    private final Registrations registrations = new Registrations();

    @Activate
    public InetInit(BundleContext context, @Reference(name = "clock") Clock clock,
            @Reference(name = "timers") TimerService timers,
            @Reference(name = "networkThread") NetworkThread networkThread,
            @Reference(name = "allocator") PacketAllocator allocator, Config config) {
        this.networkThread = networkThread;
        this.inet = new Inet(clock, timers, allocator, InetSettings.of(config));
        register(context, SnmpCounters.class, inet.snmp(), null, 0);
        for (SnmpProcFile file : inet.procFiles()) {                         // /proc/net/snmp, /proc/net/netstat
            register(context, ProcFile.class, file, ProcFile.PATH, file.path());
        }
        register(context, RouteTable.class, inet.fib(), null, 0);
        register(context, LocalPortRange.class, inet.localPorts(), null, 0);
        register(context, LinkListener.class, inet.fib(), null, 0);         // fib_netdev_event
        register(context, IpOutput.class, inet.output(), null, 0);
        register(context, IcmpSender.class, inet.icmp(), null, 0);
        register(context, NetProtocol.class, inet.icmp(), NetProtocol.PROTOCOL, SocketConstants.IPPROTO_ICMP);
        register(context, PacketHandler.class, inet.input(), PacketHandler.ETHERTYPE, EtherType.IPV4); // dev_add_pack
        register(context, ProtocolFamily.class, inet.family(), ProtocolFamily.FAMILY, SocketConstants.AF_INET); // sock_register
        LOG.info("IPv4 up (forwarding {})", inet.settings().forwarding() ? "on" : "off");
    }

    /**
     * A changed configuration (PID {@value #PID}) applies without restarting IPv4, which would
     * withdraw AF_INET and every socket on it: {@link Inet#reconfigure}. Values that do not
     * validate are logged and the settings before stay.
     */
    @Modified
    void modified(Config config) {
        try {
            inet.reconfigure(InetSettings.of(config));
            LOG.info("IPv4 settings changed (forwarding {}, TTL {})", config.ipForward() ? "on" : "off",
                    config.ipDefaultTtl());
        } catch (IllegalArgumentException e) {
            LOG.error("IPv4 configuration {} refused, the settings before stay: {}", PID, e.getMessage());
        }
    }

    private <S> void register(BundleContext context, Class<S> type, S service, String key, Object value) {
        registrations.register(context, type, service, key == null ? Map.of() : Map.of(key, value));
    }

    /** The assembled stack, for diagnostics. */
    public Inet inet() {
        return inet;
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            target = "(" + ProtoSw.FAMILY + "=2)", updated = "updatedProtoSw")
    void bindProtoSw(ProtoSw sw, Map<String, Object> properties) {
        ServiceRank rank = ServiceRank.of(properties);
        if (inet.family().addProtoSw(sw, rank.ranking(), rank.order())) {
            LOG.debug("protosw added: type {} protocol {}", sw.type(), sw.protocol());
        }
    }

    void updatedProtoSw(ProtoSw sw, Map<String, Object> properties) {
        unbindProtoSw(sw, properties);
        bindProtoSw(sw, properties);
    }

    void unbindProtoSw(ProtoSw sw, Map<String, Object> properties) {
        inet.family().removeProtoSw(sw, ServiceRank.of(properties).order());
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            updated = "updatedNetProtocol")
    void bindNetProtocol(NetProtocol protocol, Map<String, Object> properties) {
        OptionalInt number = PROTOCOL.read(properties);
        if (number.isEmpty()) {
            LOG.error("NetProtocol {} ignored: property '{}' must be an IP protocol 0..255, got {}", protocol,
                    NetProtocol.PROTOCOL, properties.get(NetProtocol.PROTOCOL));
            return;
        }
        ServiceRank rank = ServiceRank.of(properties);
        inet.protocols().add(protocol, number.getAsInt(), rank.ranking(), rank.order());
    }

    void updatedNetProtocol(NetProtocol protocol, Map<String, Object> properties) {
        unbindNetProtocol(protocol, properties);
        bindNetProtocol(protocol, properties);
    }

    void unbindNetProtocol(NetProtocol protocol, Map<String, Object> properties) {
        inet.protocols().remove(protocol, ServiceRank.of(properties).order());
    }

    /** Withdraws the services, newest first, then drops the datagrams being reassembled on the network thread. */
    @Deactivate
    void deactivate() {
        registrations.unregisterAll();
        try {
            networkThread.execute(inet::close);
        } catch (RejectedExecutionException stopped) {
            inet.close();
        }
    }
}
