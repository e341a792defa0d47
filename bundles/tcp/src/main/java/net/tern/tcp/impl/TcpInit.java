package net.tern.tcp.impl;

import java.security.SecureRandom;
import java.util.Dictionary;
import java.util.Hashtable;
import net.tern.api.socket.SocketConstants;
import net.tern.inet.ip.IpOutput;
import net.tern.inet.route.RouteTable;
import net.tern.inet.snmp.SnmpCounters;
import net.tern.inet.sock.LocalPortRange;
import net.tern.inet.sock.ProtoMemory;
import net.tern.spi.diag.InetDiagHandler;
import net.tern.spi.net.Clock;
import net.tern.spi.net.NetworkThread;
import net.tern.spi.net.PacketAllocator;
import net.tern.spi.net.TimerService;
import net.tern.spi.proto.NetProtocol;
import net.tern.spi.proto.ProtoSw;
import net.tern.spi.whiteboard.Registrations;
import net.tern.tcp.cc.CongestionControl;
import org.osgi.annotation.bundle.Capability;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
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
 * {@code tcp_v4_init} / {@code inet_init}'s TCP part as a component: builds {@link Tcp} and
 * registers {@code tcp_prot}'s protosw entry ({@code family=2, type=1, protocol=6}) and
 * {@code tcp_v4_rcv} ({@code protocol=6}) and {@code tcp_diag} (an {@link InetDiagHandler},
 * {@code protocol=6}); keeps the whiteboard of
 * {@link CongestionControl} services ({@code tcp_register_congestion_control}).
 *
 * <p>On stop (hot swap, DESIGN.md): the protosw goes first, so new sockets fail; open
 * connections then have {@code drainMillis} to close by themselves; what is left is aborted
 * with RST and ECONNABORTED; then the protocol handler goes.
 */
@Capability(namespace = "osgi.service", attribute = "objectClass:List<String>=net.tern.spi.proto.ProtoSw", uses = ProtoSw.class)
@Capability(namespace = "osgi.service", attribute = "objectClass:List<String>=net.tern.spi.proto.NetProtocol", uses = NetProtocol.class)
@Capability(namespace = "osgi.service", attribute = "objectClass:List<String>=net.tern.spi.diag.InetDiagHandler", uses = InetDiagHandler.class)
@Component(immediate = true, service = TcpInit.class, configurationPid = TcpInit.PID)
@Designate(ocd = TcpInit.Config.class)
public final class TcpInit {
    public static final String PID = "net.tern.tcp";

    private static final Logger LOG = LoggerFactory.getLogger(TcpInit.class);

    @ObjectClassDefinition(name = "Tern TCP", description = "TCP settings, as Linux's net.ipv4.tcp_* sysctls.")
    public @interface Config {
        @AttributeDefinition(description = "SYN retransmissions before connect fails (tcp_syn_retries).")
        int tcpSynRetries() default 6;

        @AttributeDefinition(description = "SYN-ACK retransmissions per request (tcp_synack_retries).")
        int tcpSynackRetries() default 5;

        @AttributeDefinition(description = "Retransmission budget of a connection (tcp_retries2).")
        int tcpRetries2() default 15;

        @AttributeDefinition(description = "Least retransmission timeout in ms (TCP_RTO_MIN).")
        long tcpRtoMinMillis() default 200;

        @AttributeDefinition(description = "Largest retransmission timeout in ms (TCP_RTO_MAX).")
        long tcpRtoMaxMillis() default 120_000;

        @AttributeDefinition(description = "MSL in ms; TIME-WAIT lasts twice this (TCP_TIMEWAIT_LEN is 60 s).")
        long tcpMslMillis() default 30_000;

        @AttributeDefinition(description = "Orphaned FIN-WAIT-2 timeout in ms (tcp_fin_timeout).")
        long tcpFinTimeoutMillis() default 60_000;

        @AttributeDefinition(description = "Cap on listen() backlogs (net.core.somaxconn).")
        int somaxconn() default 4096;

        @AttributeDefinition(description = "SYN cookies when the SYN queue is full (tcp_syncookies).")
        boolean tcpSyncookies() default true;

        @AttributeDefinition(description = "RFC 7323 timestamps (tcp_timestamps).")
        boolean tcpTimestamps() default true;

        @AttributeDefinition(description = "RFC 7323 window scaling (tcp_window_scaling).")
        boolean tcpWindowScaling() default true;

        @AttributeDefinition(description = "RFC 2018 SACK (tcp_sack).")
        boolean tcpSack() default true;

        @AttributeDefinition(description = "Largest receive buffer autotuning gives a socket, and the window scale"
                + " (tcp_rmem[2]).")
        int tcpRmemMax() default 15 << 20;

        @AttributeDefinition(description = "Receive buffer of a socket at its start (tcp_rmem[1]); the window offers part"
                + " of it (tcpAdvWinScale).")
        int tcpRmemDefault() default 262_144;

        @AttributeDefinition(description = "Send buffer of a socket at its start (tcp_wmem[1]).")
        int tcpWmemDefault() default 131_072;

        @AttributeDefinition(description = "Largest send buffer autotuning gives a socket (tcp_wmem[2]).")
        int tcpWmemMax() default 4 << 20;

        @AttributeDefinition(description = "Receive buffer autotuning (tcp_moderate_rcvbuf): 1 grows a socket's buffer to"
                + " what its reader takes per round trip, up to tcpRmemMax, unless SO_RCVBUF was set; 0 does not.")
        int tcpModerateRcvbuf() default 1;

        @AttributeDefinition(description = "Idle seconds before keepalive probes (tcp_keepalive_time).")
        int tcpKeepaliveTime() default 7200;

        @AttributeDefinition(description = "Seconds between keepalive probes (tcp_keepalive_intvl).")
        int tcpKeepaliveIntvl() default 75;

        @AttributeDefinition(description = "Unanswered keepalive probes before the connection drops (tcp_keepalive_probes).")
        int tcpKeepaliveProbes() default 9;

        @AttributeDefinition(description = "Default congestion control (tcp_congestion_control), cubic as on Linux;"
                + " reno while it is not registered (the tcp-cubic bundle stopped or absent).")
        String tcpCongestionControl() default "cubic";

        @AttributeDefinition(description = "Stack-wide TCP memory limits in pages of 4 KiB, \"min pressure max\" (tcp_mem);"
                + " empty: scaled to the JVM's maximum heap (pressure at 1/8 of it).")
        String tcpMem() default "";

        @AttributeDefinition(description = "Receive memory a socket may hold even under memory pressure (tcp_rmem[0]).")
        int tcpRmemMin() default 4096;

        @AttributeDefinition(description = "Send memory a socket may hold even under memory pressure (tcp_wmem[0]).")
        int tcpWmemMin() default 4096;

        @AttributeDefinition(description = "Share of the receive buffer the window offers (tcp_adv_win_scale): n > 0 offers"
                + " all but 1/2^n, n <= 0 offers 1/2^-n.")
        int tcpAdvWinScale() default 1;

        @AttributeDefinition(description = "Unsent bytes a socket's send queue may hold before writes wait and EPOLLOUT"
                + " goes (tcp_notsent_lowat; EPOLLOUT again below half of it); 4294967295 is no limit. A socket's"
                + " TCP_NOTSENT_LOWAT replaces it.")
        long tcpNotsentLowat() default 0xffff_ffffL;

        @AttributeDefinition(description = "Challenge ACKs (RFC 5961) the stack may send per second, a budget drawn"
                + " between half and 1.5 times it each second (tcp_challenge_ack_limit); 2147483647: no limit.")
        int tcpChallengeAckLimit() default Integer.MAX_VALUE;

        @AttributeDefinition(description = "Least milliseconds between ACKs a connection sends to invalid segments"
                + " (tcp_invalid_ratelimit); 0: no limit.")
        long tcpInvalidRatelimitMillis() default 500;

        @AttributeDefinition(description = "Loss detection with SACK (tcp_recovery): 1 RACK (RFC 8985), 0 the RFC 6675"
                + " duplicate ACK rule.")
        int tcpRecovery() default 1;

        @AttributeDefinition(description = "Tail loss probes (tcp_early_retrans): 3 or 4 send them (RFC 8985 7), 0 to 2 do"
                + " not.")
        int tcpEarlyRetrans() default 3;

        @AttributeDefinition(description = "After an idle time longer than the RTO, restart the congestion window from at"
                + " most the initial window, halved per RTO idle (tcp_slow_start_after_idle): 1 on, 0 off.")
        int tcpSlowStartAfterIdle() default 1;

        @AttributeDefinition(description = "Fewest segments in a packet Linux would hand a segmentation offload device,"
                + " whatever the pacing rate (tcp_min_tso_segs, 1 to 255): where PSH goes.")
        int tcpMinTsoSegs() default 2;

        @AttributeDefinition(description = "Whether connect() may take over a 4-tuple left in TIME-WAIT by a connection"
                + " that used timestamps (tcp_tw_reuse): 0 never, 1 always, 2 only for loopback addresses.")
        int tcpTwReuse() default 2;

        @AttributeDefinition(description = "Milliseconds after entering TIME-WAIT before connect() may take the entry"
                + " over (tcp_tw_reuse_delay, 1 to 600000).")
        int tcpTwReuseDelay() default 1000;

        @AttributeDefinition(description = "Milliseconds a stopping TCP waits for connections to close before aborting them.")
        long drainMillis() default 5_000;
    }

    private final Tcp tcp;
    private volatile long drainMillis;
    private ServiceRegistration<ProtoSw> protoSwRegistration;
    private ServiceRegistration<NetProtocol> protocolRegistration;
    private ServiceRegistration<InetDiagHandler> diagRegistration;

    @Activate
    public TcpInit(BundleContext context, @Reference(name = "clock") Clock clock,
            @Reference(name = "timers") TimerService timers,
            @Reference(name = "networkThread") NetworkThread networkThread,
            @Reference(name = "allocator") PacketAllocator allocator, @Reference(name = "ip") IpOutput ip,
            @Reference(name = "routes") RouteTable routes, @Reference(name = "snmp") SnmpCounters snmp,
            @Reference(name = "localPorts") LocalPortRange localPorts, Config config) {
        this.drainMillis = config.drainMillis();
        this.tcp = new Tcp(clock, timers, networkThread, allocator, ip, routes, snmp, localPorts, settings(config),
                new SecureRandom());
        Dictionary<String, Object> protocol = new Hashtable<>();
        protocol.put(NetProtocol.PROTOCOL, SocketConstants.IPPROTO_TCP);
        protocolRegistration = context.registerService(NetProtocol.class, tcp, protocol);
        Dictionary<String, Object> sw = new Hashtable<>();
        sw.put(ProtoSw.FAMILY, SocketConstants.AF_INET);
        sw.put(ProtoSw.TYPE, SocketConstants.SOCK_STREAM);
        sw.put(ProtoSw.PROTOCOL, SocketConstants.IPPROTO_TCP);
        protoSwRegistration = context.registerService(ProtoSw.class, tcp.protoSw(), sw);
        Dictionary<String, Object> diag = new Hashtable<>();
        diag.put(InetDiagHandler.PROTOCOL, SocketConstants.IPPROTO_TCP);
        diagRegistration = context.registerService(InetDiagHandler.class, tcp.diag(), diag);
        LOG.info("TCP up (congestion control {})", tcp.congestion().defaultAlgorithm().name());
    }

    /**
     * A changed configuration (PID {@value #PID}) applies without restarting TCP: a restart
     * would withdraw {@code tcp_prot} and drain and abort every connection. Settings that do
     * not validate are refused (logged) and the ones before stay.
     */
    @Modified
    void modified(Config config) {
        try {
            TcpSettings next = settings(config);
            // The drain time first: once the new settings show, the whole update is in force.
            drainMillis = config.drainMillis();
            tcp.reconfigure(next);
            LOG.info("TCP settings changed (somaxconn {}, TIME-WAIT {} ms, congestion control {}, tcp_mem {})",
                    config.somaxconn(), tcp.settings().timeWaitMillis(), config.tcpCongestionControl(),
                    next.memory().tcpMem());
        } catch (IllegalArgumentException e) {
            LOG.error("TCP configuration {} refused, the settings before stay: {}", PID, e.getMessage());
        }
    }

    static TcpSettings settings(Config c) {
        return new TcpSettings(c.tcpSynRetries(), c.tcpSynackRetries(), c.tcpRetries2(), 1000, c.tcpRtoMinMillis(),
                c.tcpRtoMaxMillis(), c.tcpMslMillis(), c.tcpFinTimeoutMillis(), c.somaxconn(), c.tcpSyncookies(),
                c.tcpTimestamps(), c.tcpWindowScaling(), c.tcpSack(), c.tcpRmemMax(), c.tcpRmemDefault(),
                c.tcpWmemDefault(), 10, c.tcpKeepaliveTime() * 1000L, c.tcpKeepaliveIntvl() * 1000L,
                c.tcpKeepaliveProbes(), 40, c.tcpCongestionControl(),
                new TcpSettings.Memory(c.tcpMem() == null || c.tcpMem().isBlank() ? TcpSettings.Memory.defaultTcpMem()
                        : ProtoMemory.Limits.parse(c.tcpMem()), c.tcpRmemMin(), c.tcpWmemMin(), c.tcpAdvWinScale(),
                        c.tcpNotsentLowat(), c.tcpModerateRcvbuf() != 0, c.tcpWmemMax()),
                new TcpSettings.AckLimits(c.tcpChallengeAckLimit(), c.tcpInvalidRatelimitMillis()),
                new TcpSettings.LossDetection((c.tcpRecovery() & 1) != 0,
                        c.tcpEarlyRetrans() == 3 || c.tcpEarlyRetrans() == 4),
                new TcpSettings.Sending(c.tcpSlowStartAfterIdle() != 0, c.tcpMinTsoSegs()),
                new TcpSettings.TwReuse(c.tcpTwReuse(), c.tcpTwReuseDelay()));
    }

    /** The assembled protocol, for diagnostics. */
    public Tcp tcp() {
        return tcp;
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            target = "(" + CongestionControl.NAME + "=*)")
    void bindCongestionControl(CongestionControl algorithm) {
        tcp.congestion().register(algorithm);
    }

    void unbindCongestionControl(CongestionControl algorithm) {
        tcp.congestion().unregister(algorithm);
    }

    /** Refuse, drain, abort, withdraw (DESIGN.md, hot swap). */
    @Deactivate
    void deactivate() {
        tcp.prot().refuseNewSockets("TCP is stopping");
        Registrations.unregister(protoSwRegistration);
        Registrations.unregister(diagRegistration);
        boolean drained = tcp.drain(drainMillis);
        if (!drained) {
            LOG.info("TCP stopping: aborting the connections still open after {} ms", drainMillis);
        }
        tcp.close();
        Registrations.unregister(protocolRegistration);
    }
}
