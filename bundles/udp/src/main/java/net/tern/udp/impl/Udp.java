package net.tern.udp.impl;

import java.util.random.RandomGenerator;
import net.tern.api.socket.SocketConstants;
import net.tern.inet.ip.IcmpSender;
import net.tern.inet.ip.IpOutput;
import net.tern.inet.route.RouteTable;
import net.tern.inet.snmp.SnmpCounters;
import net.tern.inet.sock.InetDgramOps;
import net.tern.inet.sock.InetProtoSw;
import net.tern.inet.sock.LocalPortRange;
import net.tern.inet.sock.ProtoMemory;
import net.tern.spi.diag.InetDiagHandler;
import net.tern.spi.net.PacketAllocator;

/**
 * UDP assembled ({@code udp_init}, {@code inet_init}'s UDP part), without OSGi: the counters,
 * the port table, output, {@code udp_prot}, input, and the protosw entry
 * ({@code SOCK_DGRAM}, {@code IPPROTO_UDP}, {@code inet_dgram_ops}). {@link UdpInit}
 * registers {@link #protoSw()} and {@link #input()} as services; tests use them directly.
 */
public final class Udp {
    /** The reason open sockets are given when the protocol leaves. */
    public static final String WITHDRAWAL_REASON = "UDP left the stack";

    private final UdpStats stats;
    private final UdpTable table;
    private final UdpProt prot;
    private final UdpInput input;
    private final InetProtoSw<UdpSock> protoSw;
    private final UdpDiag diag;
    /** Replaced whole by {@link #reconfigure}. */
    private volatile UdpSettings settings;

    /** @param localPorts IPv4's {@code ip_local_port_range}, read at each ephemeral port chosen */
    public Udp(RouteTable routes, IpOutput ip, IcmpSender icmp, SnmpCounters snmp, PacketAllocator allocator,
            LocalPortRange localPorts, UdpSettings settings, RandomGenerator random) {
        this.settings = settings;
        this.stats = new UdpStats(snmp);
        this.table = new UdpTable(localPorts, random);
        UdpOutput output = new UdpOutput(ip, allocator, stats);
        // UDP queues nothing to send, so only the receive minimum (udp_rmem_min) matters.
        ProtoMemory memory = ProtoMemory.withoutPressure("UDP", settings.udpMem(), settings.rmemMin(), 0);
        this.prot = new UdpProt(table, ip, output, stats, memory);
        this.input = new UdpInput(table, routes, icmp, allocator, stats);
        this.protoSw = new InetProtoSw<>(SocketConstants.SOCK_DGRAM, SocketConstants.IPPROTO_UDP, prot,
                new InetDgramOps(routes));
        this.diag = new UdpDiag(prot);
    }

    /** {@code udp_diag_handler}: to register as an {@code InetDiagHandler} with {@code protocol=17}. */
    public InetDiagHandler diag() {
        return diag;
    }

    /**
     * A new configuration: the memory limits of the next datagram queued (as {@code sysctl -w
     * net.ipv4.udp_mem}: nothing queued is taken back).
     */
    public void reconfigure(UdpSettings next) {
        settings = next;
        prot.memory().limits(next.udpMem());
        prot.memory().minimums(next.rmemMin(), 0);
    }

    public UdpSettings settings() {
        return settings;
    }

    /** {@code udpv4_protosw}: to register as a {@code ProtoSw} service. */
    public InetProtoSw<UdpSock> protoSw() {
        return protoSw;
    }

    /** {@code udp_protocol} ({@code udp_rcv}, {@code udp_err}): to register for IP protocol 17. */
    public UdpInput input() {
        return input;
    }

    public UdpProt prot() {
        return prot;
    }

    public UdpTable table() {
        return table;
    }

    public UdpStats stats() {
        return stats;
    }

    /**
     * The protocol is leaving (its services are already withdrawn): open sockets are
     * withdrawn with ECONNABORTED and their ports freed, and the counters leave the registry.
     * Returns how many sockets were withdrawn.
     */
    public int shutdown() {
        int withdrawn = prot.withdrawAll(WITHDRAWAL_REASON);
        stats.unregister();
        return withdrawn;
    }
}
