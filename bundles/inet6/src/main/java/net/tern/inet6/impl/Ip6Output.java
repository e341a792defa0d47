package net.tern.inet6.impl;

import io.netty.buffer.ByteBuf;
import java.util.Random;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.inet6.addrconf.Route6;
import net.tern.inet6.ip.Dst6;
import net.tern.inet6.ip.Ip6Transport;
import net.tern.spi.net.EtherType;
import net.tern.spi.net.Link;
import net.tern.spi.net.Packet;
import net.tern.spi.net.PacketAllocator;
import net.tern.wire.InetChecksum;
import net.tern.wire.Ipv6Address;
import net.tern.wire.Ipv6ExtHeader;
import net.tern.wire.Ipv6FragmentHeader;
import net.tern.wire.Ipv6Packet;

/**
 * IPv6 output ({@code net/ipv6/ip6_output.c}): {@link #route} is {@code ip6_route_output}
 * (this host's addresses through the loopback link, then the routing table, then the path
 * MTU), {@link #xmit} is {@code ip6_xmit} (the fixed header in front of the payload), and a
 * packet longer than the path MTU is cut by {@code ip6_fragment}: only the source fragments
 * in IPv6 (RFC 8200 4.5), each fragment a new packet carrying the header, a fragment header
 * and its share of the payload, a multiple of 8 bytes but the last.
 *
 * <p>Stateless apart from the counters and the fragment identification, so transports call it
 * from any thread.
 */
public final class Ip6Output {
    /** Room in front of a payload for the fixed header, a fragment header and a link header. */
    public static final int HEADROOM = Ip6Transport.HEADROOM;

    private final Addrconf addrconf;
    private final Pmtu6 pmtu;
    private final PacketAllocator allocator;
    private final Snmp6 mib;
    private final Random random;
    private volatile int hopLimit;
    private int nextIdent;

    public Ip6Output(Addrconf addrconf, Pmtu6 pmtu, PacketAllocator allocator, Snmp6 mib, Random random, int hopLimit) {
        this.addrconf = addrconf;
        this.pmtu = pmtu;
        this.allocator = allocator;
        this.mib = mib;
        this.random = random;
        this.hopLimit = hopLimit;
        this.nextIdent = random.nextInt();
    }

    /** {@code net.ipv6.conf.all.hop_limit}: the hop limit of packets whose sender names none. */
    public int hopLimit() {
        return hopLimit;
    }

    public void hopLimit(int value) {
        this.hopLimit = value;
    }

    public Addrconf addrconf() {
        return addrconf;
    }

    public Pmtu6 pmtu() {
        return pmtu;
    }

    /**
     * {@code ip6_route_output}: where a packet to {@code destination} goes, on link {@code oif}
     * if it is not 0. ENETUNREACH (counted in {@code Ip6OutNoRoutes}) without a route; a
     * destination of this host's needs the loopback link up.
     */
    public Dst6 route(Ipv6Address destination, int oif) throws ErrnoException {
        if (addrconf.local(destination) != null) {
            Link lo = addrconf.loopback();
            if (lo != null && lo.isUp()) {
                return new Dst6(lo, destination, lo.mtu(), true);
            }
        }
        Route6 r = addrconf.fib().lookup(destination, oif);
        Link link = r == null ? null : addrconf.link(r.ifindex());
        if (link == null) {
            mib.inc(Ip6Mib.OutNoRoutes);
            throw new ErrnoException(Errno.ENETUNREACH, "ip6_route_output(" + destination
                    + (oif != 0 ? ", oif " + oif : "") + "): no route");
        }
        return new Dst6(link, r.hasGateway() ? r.gateway() : destination, pmtu.mtu(destination, link.mtu()), false);
    }

    /** {@link #route}'s link and a source address for it (RFC 6724), EADDRNOTAVAIL when the link has none. */
    public Ipv6Address source(Dst6 dst, Ipv6Address destination) throws ErrnoException {
        Ipv6Address source = addrconf.selectSource(destination, dst.local() ? 0 : dst.link().index());
        if (source == null) {
            throw new ErrnoException(Errno.EADDRNOTAVAIL, "ipv6_dev_get_saddr(" + destination + "): no address on "
                    + dst.link().name());
        }
        return source;
    }

    /**
     * {@code ip6_xmit}: puts the fixed header in front of {@code payload} (the upper-layer
     * packet, {@code nextHeader}) and sends it by {@code dst}, fragmenting it when it is longer
     * than the path MTU. Takes ownership. A negative {@code hopLimit} is the default's.
     * EMSGSIZE for a payload over 65535 bytes (no jumbograms); ENETDOWN when the link is down.
     */
    public void xmit(Packet payload, Dst6 dst, Ipv6Address source, Ipv6Address destination, int nextHeader,
            int hopLimit, int trafficClass) throws ErrnoException {
        int length = payload.length();
        if (length > Ipv6Packet.MAX_PAYLOAD_LENGTH) {
            payload.release();
            throw new ErrnoException(Errno.EMSGSIZE, "ip6_xmit: a payload of " + length + " bytes exceeds 65535");
        }
        Link link = dst.link();
        if (!link.isUp()) {
            payload.release();
            throw new ErrnoException(Errno.ENETDOWN, "ip6_xmit: link " + link.name() + " is down");
        }
        int hops = hopLimit < 0 ? this.hopLimit : hopLimit;
        mib.inc(Ip6Mib.OutRequests);
        if (destination.isMulticast()) {
            mib.inc(Ip6Mib.OutMcastPkts);
            mib.add(Ip6Mib.OutMcastOctets, Ipv6Packet.HEADER_LENGTH + length);
        }
        if (Ipv6Packet.HEADER_LENGTH + length > dst.mtu()) {
            fragment(payload, link, dst.mtu(), source, destination, nextHeader, hops, trafficClass);
            return;
        }
        Packet packet = payload.headroom() >= Ipv6Packet.HEADER_LENGTH ? payload : withHeadroom(payload);
        int start = packet.push(Ipv6Packet.HEADER_LENGTH);
        Ipv6Packet.emitHeader(packet.buf(), start, trafficClass, 0, length, nextHeader, hops, source, destination);
        packet.resetNetworkHeader();
        packet.protocol(EtherType.IPV6);
        transmit(packet, link);
    }

    /**
     * {@code ip6_fragment}, slow path: the payload in pieces of {@code (mtu - 48) & ~7} bytes,
     * each behind a copy of the fixed header and a fragment header with one identification.
     * Takes ownership.
     */
    private void fragment(Packet payload, Link link, int mtu, Ipv6Address source, Ipv6Address destination,
            int nextHeader, int hops, int trafficClass) {
        ByteBuf buf = payload.buf();
        if (payload.ipSummed() == Packet.CHECKSUM_PARTIAL) {
            // skb_checksum_help: no fragment can finish a checksum over the whole payload.
            InetChecksum.completePartial(buf, payload.csumStart(), buf.writerIndex(), payload.csumOffset());
            payload.ipSummed(Packet.CHECKSUM_NONE);
        }
        int room = (mtu - Ipv6Packet.HEADER_LENGTH - Ipv6FragmentHeader.LENGTH) & ~7;
        int ident = nextIdent();
        int total = payload.length();
        int from = buf.readerIndex();
        int created = 0;
        try {
            for (int position = 0; position < total; position += room) {
                int length = Math.min(room, total - position);
                boolean more = position + length < total;
                int header = Ipv6Packet.HEADER_LENGTH + Ipv6FragmentHeader.LENGTH;
                Packet fragment = allocator.allocate(HEADROOM, header + length);
                ByteBuf out = fragment.buf();
                int at = out.writerIndex();
                Ipv6Packet.emitHeader(out, at, trafficClass, 0, Ipv6FragmentHeader.LENGTH + length,
                        Ipv6ExtHeader.FRAGMENT, hops, source, destination);
                Ipv6FragmentHeader.emit(out, at + Ipv6Packet.HEADER_LENGTH, nextHeader, position, more, ident);
                out.setBytes(at + header, buf, from + position, length);
                out.writerIndex(at + header + length);
                fragment.resetNetworkHeader();
                fragment.protocol(EtherType.IPV6);
                created++;
                transmit(fragment, link);
            }
        } finally {
            payload.release();
        }
        mib.inc(Ip6Mib.FragOKs);
        mib.add(Ip6Mib.FragCreates, created);
    }

    /**
     * A fragment identification (RFC 7739: not predictable from outside): a counter started at
     * a random value and advanced by a random step, so successive datagrams differ.
     */
    private synchronized int nextIdent() {
        nextIdent += 1 + random.nextInt(1 << 16);
        return nextIdent;
    }

    /** {@code dev_queue_xmit}; a refusal is an output discard. */
    void transmit(Packet packet, Link link) {
        mib.add(Ip6Mib.OutOctets, packet.length());
        mib.inc(Ip6Mib.OutTransmits);
        if (!link.transmit(packet)) {
            mib.inc(Ip6Mib.OutDiscards);
        }
    }

    private Packet withHeadroom(Packet packet) {
        Packet copy = allocator.allocate(HEADROOM, packet.length());
        copy.buf().writeBytes(packet.buf(), packet.buf().readerIndex(), packet.length());
        copy.copyChecksumState(packet);
        packet.release();
        return copy;
    }
}
