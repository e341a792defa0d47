package net.tern.inet.impl;

import java.security.SecureRandom;
import java.util.List;
import java.util.Random;
import net.tern.api.socket.SocketConstants;
import net.tern.inet.impl.icmp.Icmp;
import net.tern.inet.impl.icmp.IcmpMib;
import net.tern.inet.impl.ip.IpExtMib;
import net.tern.inet.impl.ip.IpIdents;
import net.tern.inet.impl.ip.IpInput;
import net.tern.inet.impl.ip.IpMib;
import net.tern.inet.impl.ip.IpProtocolTable;
import net.tern.inet.impl.ip.Ipv4Output;
import net.tern.inet.impl.ip.Reassembly;
import net.tern.inet.impl.route.Fib;
import net.tern.inet.impl.snmp.EnumCounters;
import net.tern.inet.impl.snmp.SnmpProcFile;
import net.tern.inet.impl.snmp.SnmpRegistry;
import net.tern.inet.snmp.CounterGroup;
import net.tern.inet.snmp.SnmpCounters;
import net.tern.inet.sock.LocalPortRange;
import net.tern.spi.net.Clock;
import net.tern.spi.net.PacketAllocator;
import net.tern.spi.net.TimerService;
import net.tern.spi.proto.NetProtocol;

/**
 * IPv4 assembled ({@code inet_init}), without OSGi: the counters, the FIB, the IP protocol
 * table, output, ICMP, reassembly, input and the AF_INET family, each made from the ones
 * before it. {@link InetInit} registers the parts as services; tests use them directly.
 */
public final class Inet implements AutoCloseable {
    private final SnmpRegistry snmp = new SnmpRegistry();
    private final CounterGroup ipGroup;
    private final CounterGroup ipExtGroup;
    private final CounterGroup icmpGroup;
    private final EnumCounters<IpMib> ipMib;
    private final EnumCounters<IpExtMib> ipExtMib;
    private final EnumCounters<IcmpMib> icmpMib;
    private final Fib fib = new Fib();
    private final IpProtocolTable protocols = new IpProtocolTable();
    private final Ipv4Output output;
    private final Icmp icmp;
    private final Reassembly reassembly;
    private final IpInput input;
    private final InetFamily family = new InetFamily();
    private final LocalPortRange localPorts;
    /** Replaced whole by {@link #reconfigure}. */
    private volatile InetSettings settings;

    /** With the system's entropy for IP identifications and echo identifiers. */
    public Inet(Clock clock, TimerService timers, PacketAllocator allocator, InetSettings settings) {
        this(clock, timers, allocator, settings, new SecureRandom());
    }

    public Inet(Clock clock, TimerService timers, PacketAllocator allocator, InetSettings settings, Random random) {
        this.settings = settings;
        this.localPorts = new LocalPortRange(settings.localPorts());
        this.ipGroup = snmp.register("Ip", IpMib.class);
        this.ipExtGroup = snmp.register("IpExt", IpExtMib.class);
        this.icmpGroup = snmp.register("Icmp", IcmpMib.class);
        this.ipMib = new EnumCounters<>(ipGroup, IpMib.class);
        this.ipExtMib = new EnumCounters<>(ipExtGroup, IpExtMib.class);
        this.icmpMib = new EnumCounters<>(icmpGroup, IcmpMib.class);
        this.output = new Ipv4Output(fib, new IpIdents(random), allocator, ipMib, settings.defaultTtl());
        this.icmp = new Icmp(output, fib, protocols, allocator, clock, icmpMib, settings.icmp(), random);
        this.reassembly = new Reassembly(settings.reassembly(), timers, allocator, ipMib, ipExtMib, icmp);
        this.input = new IpInput(fib, protocols, reassembly, output, icmp, ipMib, ipExtMib, settings.forwarding());
        // inet_add_protocol(&icmp_protocol, IPPROTO_ICMP): ICMP is part of IPv4, not a plug-in.
        protocols.add(icmp, SocketConstants.IPPROTO_ICMP, Integer.MAX_VALUE, Long.MIN_VALUE);
        // inetsw_array's ping entry: ping sockets are part of IPv4 too. Ranked last, and never
        // a type's default (InetFamily), so SOCK_DGRAM with protocol 0 stays UDP's.
        family.addProtoSw(icmp.pingProtoSw(), Integer.MIN_VALUE, Long.MAX_VALUE);
    }

    public InetSettings settings() {
        return settings;
    }

    /**
     * {@code sysctl -w net.ipv4.*}: each setting applies from its next use (forwarding to the
     * next datagram received, the TTL to the next sent, reassembly limits to the next fragment,
     * ICMP's to the next message, the port range to the next ephemeral port), without touching sockets, routes or datagrams in reassembly.
     */
    public void reconfigure(InetSettings next) {
        settings = next;
        input.forwarding(next.forwarding());
        output.defaultTtl(next.defaultTtl());
        reassembly.limits(next.reassembly());
        icmp.settings(next.icmp());
        localPorts.set(next.localPorts());
    }

    public SnmpCounters snmp() {
        return snmp;
    }

    /** {@code /proc/net/snmp} and {@code /proc/net/netstat} over the counters. */
    public List<SnmpProcFile> procFiles() {
        return List.of(SnmpProcFile.snmp(snmp), SnmpProcFile.netstat(snmp));
    }

    public Fib fib() {
        return fib;
    }

    public IpProtocolTable protocols() {
        return protocols;
    }

    public Ipv4Output output() {
        return output;
    }

    public Icmp icmp() {
        return icmp;
    }

    public Reassembly reassembly() {
        return reassembly;
    }

    /** {@code ip_rcv}, the handler of ethertype 0x0800. */
    public IpInput input() {
        return input;
    }

    /** {@code ip_local_port_range}, which the transports read when they choose a port. */
    public LocalPortRange localPorts() {
        return localPorts;
    }

    public InetFamily family() {
        return family;
    }

    /** The value of {@code Ip<name>} (or {@code IpExt}, {@code Icmp}), for tests and diagnostics. */
    public long counter(String group, String name) {
        return snmp.group(group).orElseThrow(() -> new IllegalArgumentException("no counter group " + group))
                .get(name);
    }

    /** {@code inet_add_protocol} for a transport outside OSGi. */
    public void addProtocol(NetProtocol handler, int protocol) {
        protocols.add(handler, protocol, 0, 0);
    }

    /** Drops the datagrams being reassembled. Call on the network thread, or once it is stopped. */
    @Override
    public void close() {
        reassembly.clear();
    }
}
