package net.tern.inet.impl.ip;

import io.netty.buffer.ByteBuf;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.inet.impl.snmp.EnumCounters;
import net.tern.inet.ip.InetConstants;
import net.tern.inet.ip.IpOutput;
import net.tern.inet.ip.TxParams;
import net.tern.inet.route.Flowi4;
import net.tern.inet.route.RouteTable;
import net.tern.inet.route.Rtable;
import net.tern.spi.net.EtherType;
import net.tern.spi.net.Link;
import net.tern.spi.net.NetXmit;
import net.tern.spi.net.Packet;
import net.tern.spi.net.PacketAllocator;
import net.tern.spi.trace.Tracepoints;
import net.tern.wire.InetChecksum;
import net.tern.wire.Ipv4Packet;
import net.tern.wire.Ipv4Repr;

/**
 * IPv4 output ({@code net/ipv4/ip_output.c}): {@code ip_queue_xmit} builds the header,
 * {@code ip_finish_output} fragments what exceeds the MTU ({@code ip_do_fragment}'s slow
 * path: each fragment a new packet carrying its share of the payload, the first with the
 * original header and its options, the rest with the options marked copied), and
 * {@code dev_queue_xmit} hands each packet to its link.
 *
 * <p>Stateless apart from the counters and the identification table, both safe to use from
 * any thread, so transports call it from application threads and the network thread alike.
 */
public final class Ipv4Output implements IpOutput {
    private final RouteTable routes;
    private final IpIdents idents;
    private final PacketAllocator allocator;
    private final EnumCounters<IpMib> mib;
    private volatile int defaultTtl;

    public Ipv4Output(RouteTable routes, IpIdents idents, PacketAllocator allocator, EnumCounters<IpMib> mib, int defaultTtl) {
        this.routes = routes;
        this.idents = idents;
        this.allocator = allocator;
        this.mib = mib;
        this.defaultTtl = defaultTtl;
    }

    /** {@code sysctl -w net.ipv4.ip_default_ttl}: for the datagrams sent from now on. */
    public void defaultTtl(int ttl) {
        this.defaultTtl = ttl;
    }

    @Override
    public Rtable routeOutput(Flowi4 flow) throws ErrnoException {
        try {
            return routes.routeOutput(flow);
        } catch (ErrnoException e) {
            if (e.errno() == Errno.ENETUNREACH || e.errno() == Errno.EHOSTUNREACH) {
                mib.inc(IpMib.OutNoRoutes);
            }
            throw e;
        }
    }

    @Override
    public int routeGenid() {
        return routes.genid();
    }

    @Override
    public int queueXmit(Packet packet, Rtable route, TxParams params) throws ErrnoException {
        int total = packet.length() + Ipv4Repr.LENGTH;
        if (total > Ipv4Packet.MAX_TOTAL_LENGTH) {
            packet.release();
            throw new ErrnoException(Errno.EMSGSIZE, call(route) + ": a datagram of " + total + " bytes exceeds 65535");
        }
        Link link = route.link();
        if (!link.isUp()) {
            packet.release();
            throw new ErrnoException(Errno.ENETDOWN, call(route) + ": link " + link.name() + " is down");
        }
        if (params.dontFragment() && total > route.mtu() && !packet.isGso()) {
            mib.inc(IpMib.FragFails);
            packet.release();
            throw new ErrnoException(Errno.EMSGSIZE, call(route) + ": " + total + " bytes with DF exceed the path MTU of "
                    + route.mtu());
        }
        Packet datagram = packet.headroom() >= Ipv4Repr.LENGTH ? packet : withHeadroom(packet);
        int start = datagram.push(Ipv4Repr.LENGTH);
        // The header from values, without an Ipv4Repr: a datagram sent allocates nothing here.
        Ipv4Packet.emitHeader(datagram.buf(), start, params.tos(), total,
                idents.next(route.source(), route.destination(), params.protocol()),
                params.dontFragment() ? Ipv4Packet.FLAG_DF : 0, params.ttl() < 0 ? defaultTtl : params.ttl(),
                params.protocol(), route.source(), route.destination());
        datagram.resetNetworkHeader();
        datagram.protocol(EtherType.IPV4);
        mib.inc(IpMib.OutRequests);
        Tracepoints.packet("ip_output", datagram, link, false, route.source(), 0, route.destination(), 0,
                params.protocol(), datagram.length());
        return output(datagram, link, route.mtu());
    }

    /** The call, for error messages only: formatting a route per packet sent would cost on every send. */
    private static String call(Rtable route) {
        return "ip_queue_xmit(" + route + ")";
    }

    /**
     * {@code ip_finish_output}: sends a complete datagram (data at its IP header) out of
     * {@code link}, fragmenting it to {@code mtu} if it is longer. Takes ownership. A datagram
     * with DF that does not fit is counted in {@code IpFragFails} and dropped; the caller
     * decides about ICMP beforehand. Returns the link's answer ({@link NetXmit}; a datagram
     * dropped here is {@code -EMSGSIZE}).
     */
    public int output(Packet datagram, Link link, int mtu) {
        // ip_finish_output_gso: a packet of several TCP segments goes whole; the link sees
        // that its segments fit and cuts it when the device cannot.
        if (datagram.length() <= mtu || datagram.isGso()) {
            return transmit(datagram, link);
        }
        Ipv4Packet ip = Ipv4Packet.at(datagram.buf(), datagram.buf().readerIndex());
        if (ip.dontFragment() || mtu - ip.headerLength() < 8) {
            mib.inc(IpMib.FragFails);
            datagram.release();
            return -Errno.EMSGSIZE.number();
        }
        return fragment(datagram, ip, link, mtu);
    }

    /**
     * {@code ip_do_fragment}, slow path. Takes ownership of {@code datagram}. Returns the first
     * answer of the link that was not success, as {@code ip_do_fragment} stops at a failing
     * output (here the rest still go), else success.
     */
    private int fragment(Packet datagram, Ipv4Packet ip, Link link, int mtu) {
        Tracepoints.packet("ip_fragment", datagram, link, false, ip.source(), 0, ip.destination(), 0, ip.protocol(),
                datagram.length());
        ByteBuf buf = datagram.buf();
        if (datagram.ipSummed() == Packet.CHECKSUM_PARTIAL) {
            // skb_checksum_help: no fragment can finish a checksum over the whole datagram.
            InetChecksum.completePartial(buf, datagram.csumStart(), buf.writerIndex(), datagram.csumOffset());
            datagram.ipSummed(Packet.CHECKSUM_NONE);
        }
        int headerStart = ip.offset();
        int firstHeaderLength = ip.headerLength();
        int payloadStart = headerStart + firstHeaderLength;
        int payloadLength = datagram.length() - firstHeaderLength;
        int baseOffset = ip.fragmentOffset();
        boolean lastIsFinal = !ip.moreFragments();
        int created = 0;
        int status = NetXmit.SUCCESS;
        try {
            int position = 0;
            while (position < payloadLength) {
                boolean first = position == 0;
                Packet fragment = allocator.allocate(InetConstants.MAX_IP_HEADROOM,
                        firstHeaderLength + Math.min(payloadLength - position, mtu));
                ByteBuf out = fragment.buf();
                int at = out.writerIndex();
                int headerLength;
                if (first) {
                    out.setBytes(at, buf, headerStart, firstHeaderLength);
                    headerLength = firstHeaderLength;
                } else {
                    out.setBytes(at, buf, headerStart, Ipv4Repr.LENGTH);
                    headerLength = Ipv4Repr.LENGTH + IpOptions.writeCopied(buf, headerStart, firstHeaderLength, out,
                            at + Ipv4Repr.LENGTH);
                    out.setByte(at, 0x40 | (headerLength / 4));
                }
                int room = (mtu - headerLength) & ~7;
                int length = Math.min(payloadLength - position, room);
                boolean more = position + length < payloadLength || !lastIsFinal;
                out.setBytes(at + headerLength, buf, payloadStart + position, length);
                out.writerIndex(at + headerLength + length);
                Ipv4Packet.at(out, at)
                        .setTotalLength(headerLength + length)
                        .setFragment(false, more, baseOffset + position)
                        .fillChecksum();
                fragment.resetNetworkHeader();
                fragment.protocol(EtherType.IPV4);
                position += length;
                created++;
                int answer = transmit(fragment, link);
                if (status == NetXmit.SUCCESS) {
                    status = NetXmit.eval(answer);
                }
            }
        } finally {
            datagram.release();
        }
        mib.inc(IpMib.FragOKs);
        mib.add(IpMib.FragCreates, created);
        return status;
    }

    /**
     * {@code dev_queue_xmit}; a refusal (link down, a race with an MTU change) is an output
     * discard. A drop by the link's queue is the queue's to count, as on Linux.
     */
    private int transmit(Packet packet, Link link) {
        int status = link.xmit(packet);
        if (status < 0) {
            mib.inc(IpMib.OutDiscards);
        }
        return status;
    }

    /** A copy of {@code packet} with room for the IP header in front; releases the original. */
    private Packet withHeadroom(Packet packet) {
        Packet copy = allocator.allocate(InetConstants.MAX_IP_HEADROOM, packet.length());
        copy.buf().writeBytes(packet.buf(), packet.buf().readerIndex(), packet.length());
        copy.copyChecksumState(packet);
        packet.release();
        return copy;
    }
}
