package net.tern.inet.impl.ip;

import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.FastThreadLocal;
import net.tern.api.socket.ErrnoException;
import net.tern.inet.impl.route.Fib;
import net.tern.inet.impl.snmp.EnumCounters;
import net.tern.inet.ip.IcmpSender;
import net.tern.inet.route.Flowi4;
import net.tern.inet.route.RouteType;
import net.tern.inet.route.Rtable;
import net.tern.spi.net.Link;
import net.tern.spi.net.LinkFlags;
import net.tern.spi.net.Packet;
import net.tern.spi.net.PacketHandler;
import net.tern.spi.proto.NetProtocol;
import net.tern.spi.trace.Tracepoints;
import net.tern.wire.IcmpTypes;
import net.tern.wire.Ipv4Address;
import net.tern.wire.Ipv4Packet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * IPv4 input ({@code net/ipv4/ip_input.c}): the {@link PacketHandler} for ethertype 0x0800.
 * One straight line per packet:
 *
 * <ol>
 * <li>{@code ip_rcv_core}: count ({@code IpInReceives}); check the header
 *     ({@link Ipv4Packet#checkHeader}); trim link padding to the total length.</li>
 * <li>{@code ip_route_input}: drop martians (a source that is multicast, broadcast or
 *     "this network"; loopback addresses on a link that is not loopback); decide whether
 *     the datagram is for this host (one of its addresses or a broadcast address).</li>
 * <li>Not for us: forward if forwarding is on ({@code ip_forward}), else drop as
 *     {@code IpInAddrErrors} ({@code ip_error} with {@code ip_forward=0}).</li>
 * <li>{@code ip_local_deliver}: reassemble fragments; {@code ip_local_deliver_finish}:
 *     hand the transport header to the protocol's handler ({@code IpInDelivers}), or
 *     answer ICMP protocol unreachable ({@code IpInUnknownProtos}).</li>
 * </ol>
 *
 * <p>Every packet received ends in exactly one of: delivered, a drop counter
 * ({@code InHdrErrors}, {@code IpExtInTruncatedPkts}, {@code InAddrErrors},
 * {@code InUnknownProtos}, {@code InDiscards}, {@code IpExtInNoRoutes}), forwarded, or
 * taken by reassembly ({@code ReasmReqds}, which gives back {@code ReasmOKs} datagrams).
 * IP options are accepted and not acted on (no source routing, as with
 * {@code accept_source_route=0} on a host, but without dropping).
 *
 * <p>Runs on the network thread.
 */
public final class IpInput implements PacketHandler {
    private static final Logger LOG = LoggerFactory.getLogger(IpInput.class);

    private final Fib fib;
    private final IpProtocolTable protocols;
    private final Reassembly reassembly;
    private final Ipv4Output output;
    private final IcmpSender icmp;
    private final EnumCounters<IpMib> mib;
    private final EnumCounters<IpExtMib> ext;
    private volatile boolean forwarding;

    public IpInput(Fib fib, IpProtocolTable protocols, Reassembly reassembly, Ipv4Output output, IcmpSender icmp,
            EnumCounters<IpMib> mib, EnumCounters<IpExtMib> ext, boolean forwarding) {
        this.fib = fib;
        this.protocols = protocols;
        this.reassembly = reassembly;
        this.output = output;
        this.icmp = icmp;
        this.mib = mib;
        this.ext = ext;
        this.forwarding = forwarding;
    }

    /** Whether datagrams not for this host are forwarded ({@code net.ipv4.ip_forward}). */
    public boolean forwarding() {
        return forwarding;
    }

    /** {@code sysctl -w net.ipv4.ip_forward}: for the datagrams received from now on. */
    public void forwarding(boolean on) {
        this.forwarding = on;
    }

    /** {@code ip_rcv}: takes ownership of {@code packet}, whose data start at the IP header. */
    @Override
    public void receive(Packet packet) {
        mib.inc(IpMib.InReceives);
        try {
            rcv(packet);
        } catch (RuntimeException e) {
            // A fault here is a bug in this bundle, not bad input; the packet must not leak.
            LOG.error("ip_rcv failed on {}", packet, e);
            mib.inc(IpMib.InDiscards);
            if (!packet.isReleased()) {
                packet.release();
            }
        }
    }

    /**
     * The header view {@code ip_rcv} reads through, one per thread that runs input and pointed
     * at packet after packet; a packet received while the thread's view is in use (input
     * re-entered from a handler) gets a view of its own.
     */
    private static final FastThreadLocal<Ipv4Packet[]> VIEW = new FastThreadLocal<>() {
        @Override
        protected Ipv4Packet[] initialValue() {
            return new Ipv4Packet[] {new Ipv4Packet()};
        }
    };

    private void rcv(Packet packet) {
        Ipv4Packet[] held = VIEW.get();
        Ipv4Packet ip = held[0];
        if (ip == null) {
            rcv(packet, new Ipv4Packet());
            return;
        }
        held[0] = null;
        try {
            rcv(packet, ip);
        } finally {
            held[0] = ip;
        }
    }

    private void rcv(Packet packet, Ipv4Packet view) {
        ByteBuf buf = packet.buf();
        Ipv4Packet ip = view.wrap(buf, buf.readerIndex());
        switch (ip.checkHeader(packet.length())) {
            case OK -> {
            }
            case BAD_CHECKSUM -> {
                ext.inc(IpExtMib.InCsumErrors);
                drop(packet, IpMib.InHdrErrors);
                return;
            }
            case TRUNCATED -> {
                ext.inc(IpExtMib.InTruncatedPkts);
                packet.release();
                return;
            }
            default -> {
                drop(packet, IpMib.InHdrErrors);
                return;
            }
        }
        packet.trim(ip.totalLength());
        packet.resetNetworkHeader();

        int source = ip.source();
        int destination = ip.destination();
        Tracepoints.packet("ip_rcv", packet, packet.device(), true, source, 0, destination, 0, ip.protocol(),
                packet.length());
        Link in = packet.device();
        boolean fromLoopback = in != null && (in.flags() & LinkFlags.IFF_LOOPBACK) != 0;
        if (isMartian(source, destination, fromLoopback)) {
            drop(packet, IpMib.InAddrErrors);
            return;
        }
        RouteType type = fib.addressType(destination);
        if (type == RouteType.LOCAL || type == RouteType.BROADCAST) {
            localDeliver(packet, ip);
        } else if (forwarding && !Ipv4Address.isMulticast(destination)) {
            forward(packet, ip);
        } else {
            drop(packet, IpMib.InAddrErrors);
        }
    }

    /**
     * {@code ip_route_input_slow}'s martian checks: a source that is a group, a broadcast or
     * "this network" (except 0.0.0.0 to the limited broadcast, which DHCP clients send); a
     * destination in 0.0.0.0/8; a loopback address seen on a link that is not loopback.
     */
    private static boolean isMartian(int source, int destination, boolean fromLoopback) {
        if (Ipv4Address.isMulticast(source) || Ipv4Address.isLimitedBroadcast(source)) {
            return true;
        }
        if (Ipv4Address.isZeroNet(source) && !(source == 0 && Ipv4Address.isLimitedBroadcast(destination))) {
            return true;
        }
        if (Ipv4Address.isZeroNet(destination)) {
            return true;
        }
        return !fromLoopback && (Ipv4Address.isLoopback(source) || Ipv4Address.isLoopback(destination));
    }

    /** {@code ip_local_deliver}: reassembly, then {@code ip_local_deliver_finish}. */
    private void localDeliver(Packet packet, Ipv4Packet ip) {
        Packet datagram = packet;
        Ipv4Packet header = ip;
        if (ip.isFragment()) {
            Tracepoints.packet("ip_defrag", packet, packet.device(), true, ip.source(), 0, ip.destination(), 0,
                    ip.protocol(), packet.length());
            datagram = reassembly.defrag(packet);
            if (datagram == null) {
                return;
            }
            header = Ipv4Packet.at(datagram.buf(), datagram.networkHeader());
        }
        int protocol = header.protocol();
        datagram.pull(header.headerLength());
        datagram.resetTransportHeader();
        NetProtocol handler = protocols.get(protocol);
        if (handler == null) {
            mib.inc(IpMib.InUnknownProtos);
            icmp.send(datagram, IcmpTypes.DEST_UNREACH, IcmpTypes.PROT_UNREACH, 0);
            datagram.release();
            return;
        }
        mib.inc(IpMib.InDelivers);
        try {
            handler.handler(datagram);
        } catch (RuntimeException e) {
            // The handler owned the packet; make sure it does not leak, and keep going.
            LOG.error("handler of IP protocol {} threw on {}", protocol, datagram, e);
            if (!datagram.isReleased()) {
                datagram.release();
            }
        }
    }

    /** {@code ip_forward}: TTL, route, DF against the MTU, then out. */
    private void forward(Packet packet, Ipv4Packet ip) {
        if (ip.ttl() <= 1) {
            icmp.send(packet, IcmpTypes.TIME_EXCEEDED, IcmpTypes.EXC_TTL, 0);
            drop(packet, IpMib.InHdrErrors);
            return;
        }
        Rtable route;
        try {
            route = fib.routeOutput(Flowi4.to(ip.destination()));
        } catch (ErrnoException e) {
            switch (e.errno()) {
                case ENETUNREACH -> {
                    ext.inc(IpExtMib.InNoRoutes);
                    icmp.send(packet, IcmpTypes.DEST_UNREACH, IcmpTypes.NET_UNREACH, 0);
                    packet.release();
                }
                case EHOSTUNREACH -> {
                    icmp.send(packet, IcmpTypes.DEST_UNREACH, IcmpTypes.HOST_UNREACH, 0);
                    drop(packet, IpMib.InAddrErrors);
                }
                case EACCES -> {
                    icmp.send(packet, IcmpTypes.DEST_UNREACH, IcmpTypes.PKT_FILTERED, 0);
                    drop(packet, IpMib.InAddrErrors);
                }
                default -> drop(packet, IpMib.InDiscards); // blackhole: silently
            }
            return;
        }
        if (route.type() != RouteType.UNICAST) {
            drop(packet, IpMib.InAddrErrors);
            return;
        }
        if (packet.length() > route.mtu() && ip.dontFragment() && !packet.isGso()) { // a GSO packet: the link checks its segments
            icmp.send(packet, IcmpTypes.DEST_UNREACH, IcmpTypes.FRAG_NEEDED, route.mtu());
            mib.inc(IpMib.FragFails);
            packet.release();
            return;
        }
        ip.setTtl(ip.ttl() - 1).fillChecksum();
        mib.inc(IpMib.ForwDatagrams);
        output.output(packet, route.link(), route.mtu());
    }

    private void drop(Packet packet, IpMib reason) {
        mib.inc(reason);
        packet.release();
    }
}
