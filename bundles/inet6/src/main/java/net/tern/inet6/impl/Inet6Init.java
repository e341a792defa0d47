package net.tern.inet6.impl;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import net.tern.api.socket.ProcNetSnmp;
import net.tern.api.socket.SocketConstants;
import net.tern.inet6.addrconf.Inet6Config;
import net.tern.inet6.ip.Ip6Protocol;
import net.tern.inet6.ip.Ip6Transport;
import net.tern.spi.net.Clock;
import net.tern.spi.net.EtherType;
import net.tern.spi.net.LinkListener;
import net.tern.spi.net.NetworkThread;
import net.tern.spi.net.PacketAllocator;
import net.tern.spi.net.PacketHandler;
import net.tern.spi.net.TimerService;
import net.tern.spi.proc.ProcFile;
import net.tern.spi.proto.ProtoSw;
import net.tern.spi.proto.ProtocolFamily;
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
 * {@code inet6_init} as a component: builds {@link Inet6} and registers its parts, each as a
 * service with its own property, as Linux registers them: the counters' file
 * ({@code /proc/net/snmp6}), addrconf as a netdevice notifier, {@code ipv6_rcv} for ethertype
 * 0x86DD ({@code dev_add_pack}), and last the AF_INET6 family ({@code sock_register}), so
 * {@code socket(AF_INET6, ...)} works from the moment the family is seen, then
 * {@link Ip6Transport} for the transports, whose {@link Ip6Protocol} services it adds to
 * {@code inet6_protos[]} ({@code inet6_add_protocol}), and {@link Inet6Config}, the addresses and routes netlink serves. Stopping the bundle
 * withdraws them newest first: AF_INET6 sockets fail with EAFNOSUPPORT, IPv6 packets are no
 * longer handled, and IPv4 runs on untouched.
 */
@Capability(namespace = "osgi.service", attribute = "objectClass:List<String>=net.tern.spi.proc.ProcFile", uses = ProcFile.class)
@Capability(namespace = "osgi.service", attribute = "objectClass:List<String>=net.tern.spi.net.LinkListener", uses = LinkListener.class)
@Capability(namespace = "osgi.service", attribute = "objectClass:List<String>=net.tern.spi.net.PacketHandler", uses = PacketHandler.class)
@Capability(namespace = "osgi.service", attribute = "objectClass:List<String>=net.tern.spi.proto.ProtocolFamily", uses = ProtocolFamily.class)
@Capability(namespace = "osgi.service", attribute = "objectClass:List<String>=net.tern.inet6.ip.Ip6Transport", uses = Ip6Transport.class)
@Capability(namespace = "osgi.service", attribute = "objectClass:List<String>=net.tern.inet6.addrconf.Inet6Config", uses = Inet6Config.class)
@Component(immediate = true, service = {}, configurationPid = Inet6Init.PID)
@Designate(ocd = Inet6Init.Config.class)
public final class Inet6Init {
    public static final String PID = "net.tern.inet6";

    private static final Logger LOG = LoggerFactory.getLogger(Inet6Init.class);

    @ObjectClassDefinition(name = "Tern IPv6", description = "IPv6 settings, as Linux's net.ipv6 sysctls, and static addresses.")
    public @interface Config {
        @AttributeDefinition(description = "Hop limit of outgoing packets (conf.all.hop_limit).")
        int hopLimit() default 64;

        @AttributeDefinition(description = "Seconds a fragmented packet may take to reassemble (ip6frag_time).")
        int ip6fragTime() default 60;

        @AttributeDefinition(description = "Bytes all packets being reassembled may hold (ip6frag_high_thresh).")
        long ip6fragHighThresh() default 4L << 20;

        @AttributeDefinition(description = "Seconds a path MTU learned from Packet Too Big is kept (route.mtu_expires).")
        int mtuExpires() default 600;

        @AttributeDefinition(description = "ICMPv6 errors per second; 0 for no limit (icmp_msgs_per_sec).")
        int icmpMsgsPerSec() default 1000;

        @AttributeDefinition(description = "Burst of ICMPv6 errors (icmp_msgs_burst).")
        int icmpMsgsBurst() default 50;

        @AttributeDefinition(description = "New AF_INET6 sockets start with IPV6_V6ONLY set: [::] then takes IPv6"
                + " alone (bindv6only).")
        boolean bindv6only() default false;

        @AttributeDefinition(description = "Static addresses, each 'DEVICE ADDRESS/N' (tun0 fd00::2/64), added whenever the device is up.",
                required = false)
        String[] addresses() default {};
    }

    private final Inet6 inet6;
    private final NetworkThread networkThread;
    private final Registrations registrations = new Registrations();

    @Activate
    public Inet6Init(BundleContext context, @Reference(name = "clock") Clock clock,
            @Reference(name = "timers") TimerService timers,
            @Reference(name = "networkThread") NetworkThread networkThread,
            @Reference(name = "allocator") PacketAllocator allocator, Config config) {
        this.networkThread = networkThread;
        this.inet6 = new Inet6(clock, timers, allocator, Inet6Settings.of(config));
        inet6.addrconf().configure(addresses(config.addresses()));
        inet6.bindv6only(config.bindv6only());
        registrations.register(context, ProcFile.class, inet6.snmp(), Map.of(ProcFile.PATH, ProcNetSnmp.SNMP6));
        registrations.register(context, LinkListener.class, inet6.addrconf(), Map.of());     // addrconf_notify
        registrations.register(context, PacketHandler.class, inet6.input(),
                Map.of(PacketHandler.ETHERTYPE, EtherType.IPV6));                           // dev_add_pack
        registrations.register(context, ProtocolFamily.class, inet6.family(),
                Map.of(ProtocolFamily.FAMILY, SocketConstants.AF_INET6));                  // sock_register
        // What transports use; their IPv6 sides (tcpv6_prot, udpv6_prot) appear once they see it.
        registrations.register(context, Ip6Transport.class, inet6.transport(), Map.of());
        // What configuration uses (rtnl_register(PF_INET6, RTM_*ADDR / RTM_*ROUTE)): netlink's AF_INET6 side.
        registrations.register(context, Inet6Config.class, inet6.addrconf(), Map.of());
        LOG.info("IPv6 up");
    }

    /** A changed configuration: the hop limit and the static addresses apply at once. */
    @Modified
    void modified(Config config) {
        try {
            Inet6Settings settings = Inet6Settings.of(config);
            inet6.output().hopLimit(settings.hopLimit());
            inet6.reassembly().limits(settings.fragTimeoutNanos(), settings.fragHighThresh());
            inet6.addrconf().configure(addresses(config.addresses()));
            inet6.bindv6only(config.bindv6only());
        } catch (IllegalArgumentException e) {
            LOG.error("IPv6 configuration {} refused, the settings before stay: {}", PID, e.getMessage());
        }
    }

    /** Parses {@code DEVICE ADDRESS/N} entries (several may be given in one, separated by commas). */
    static Map<String, List<Addrconf.Prefix>> addresses(String[] entries) {
        Map<String, List<Addrconf.Prefix>> byName = new LinkedHashMap<>();
        for (String entry : entries == null ? new String[0] : entries) {
            for (String one : entry.split(",")) {
                String[] parts = one.trim().split("\\s+");
                if (parts.length == 1 && parts[0].isEmpty()) {
                    continue;
                }
                if (parts.length != 2) {
                    throw new IllegalArgumentException("expected 'DEVICE ADDRESS/N', got '" + one.trim() + "'");
                }
                byName.computeIfAbsent(parts[0], n -> new ArrayList<>()).add(Addrconf.Prefix.parse(parts[1]));
            }
        }
        return byName;
    }

    public Inet6 inet6() {
        return inet6;
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            target = "(" + ProtoSw.FAMILY + "=10)", updated = "updatedProtoSw")
    void bindProtoSw(ProtoSw sw, Map<String, Object> properties) {
        ServiceRank rank = ServiceRank.of(properties);
        inet6.family().addProtoSw(sw, rank.ranking(), rank.order());
    }

    void updatedProtoSw(ProtoSw sw, Map<String, Object> properties) {
        unbindProtoSw(sw, properties);
        bindProtoSw(sw, properties);
    }

    void unbindProtoSw(ProtoSw sw, Map<String, Object> properties) {
        inet6.family().removeProtoSw(sw, ServiceRank.of(properties).order());
    }

    /** {@code inet6_add_protocol} for an {@link Ip6Protocol} service; a number taken already is refused (logged). */
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            target = "(" + Ip6Protocol.PROTOCOL + "=*)")
    void bindProtocol(Ip6Protocol protocol, Map<String, Object> properties) {
        int number = ((Number) properties.get(Ip6Protocol.PROTOCOL)).intValue();
        if (!inet6.protocols().add(number, protocol)) {
            LOG.error("IPv6 protocol {} is served already; a second handler is ignored", number);
        }
    }

    /** {@code inet6_del_protocol}. */
    void unbindProtocol(Ip6Protocol protocol, Map<String, Object> properties) {
        inet6.protocols().remove(((Number) properties.get(Ip6Protocol.PROTOCOL)).intValue(), protocol);
    }

    /** Withdraws the services, newest first, then drops the packets being reassembled on the network thread. */
    @Deactivate
    void deactivate() {
        registrations.unregisterAll();
        try {
            networkThread.execute(inet6::close);
        } catch (RejectedExecutionException stopped) {
            inet6.close();
        }
        LOG.info("IPv6 down");
    }
}
