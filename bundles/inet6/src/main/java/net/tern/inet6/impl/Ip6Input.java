package net.tern.inet6.impl;

import io.netty.buffer.ByteBuf;
import net.tern.inet6.ip.Ip6Protocol;
import net.tern.spi.net.Link;
import net.tern.spi.net.LinkFlags;
import net.tern.spi.net.Packet;
import net.tern.spi.net.PacketHandler;
import net.tern.wire.Icmpv6Types;
import net.tern.wire.Ipv6Address;
import net.tern.wire.Ipv6ExtHeader;
import net.tern.wire.Ipv6FragmentHeader;
import net.tern.wire.Ipv6Options;
import net.tern.wire.Ipv6Packet;

/**
 * IPv6 input ({@code net/ipv6/ip6_input.c}), the handler of ethertype 0x86DD: {@code ipv6_rcv}
 * checks the fixed header and the addresses, the hop-by-hop options are processed first
 * ({@code ipv6_parse_hopopts}), a packet for another host is dropped (a host does not
 * forward), and {@code ip6_input_finish} walks the extension headers in order (RFC 8200 4.1):
 * destination options, routing (no type is supported, so a header with segments left is
 * refused with a Parameter Problem, as RFC 5095 3 asks for type 0), fragment (an atomic
 * fragment is taken whole, RFC 6946; others go to {@link Reassembly6}), until the upper layer:
 * ICMPv6, or a next header no one handles (Parameter Problem, code 1).
 *
 * <p>Every packet dropped is counted under Linux's name. The packet keeps its data at the
 * IPv6 header throughout, so an error can quote it.
 */
public final class Ip6Input implements PacketHandler {
    /** Extension headers walked before giving up on a packet (Linux bounds the walk too). */
    private static final int MAX_HEADERS = 32;

    private final Addrconf addrconf;
    private final Reassembly6 reassembly;
    private final Icmp6 icmp;
    private final Snmp6 mib;
    private final Ip6Protocols protocols;

    public Ip6Input(Addrconf addrconf, Reassembly6 reassembly, Icmp6 icmp, Snmp6 mib, Ip6Protocols protocols) {
        this.addrconf = addrconf;
        this.reassembly = reassembly;
        this.icmp = icmp;
        this.mib = mib;
        this.protocols = protocols;
    }

    /** {@code ipv6_rcv} and {@code ip6_rcv_core}. Owns the packet. */
    @Override
    public void receive(Packet packet) {
        mib.inc(Ip6Mib.InReceives);
        ByteBuf buf = packet.buf();
        int header = buf.readerIndex();
        Ipv6Packet ip = Ipv6Packet.at(buf, header);
        switch (ip.checkHeader(packet.length())) {
            case OK -> {
            }
            case TRUNCATED -> {
                drop(packet, Ip6Mib.InTruncatedPkts);
                return;
            }
            default -> {
                drop(packet, Ip6Mib.InHdrErrors);
                return;
            }
        }
        packet.trim(Ipv6Packet.HEADER_LENGTH + ip.payloadLength());
        mib.add(Ip6Mib.InOctets, packet.length());
        // ip6_rcv_core: by ECN codepoint. Linux counts a segmentation-offload packet once per
        // segment here (gso_segs); the stack counts each packet received once, as InReceives.
        mib.inc(Ip6Mib.ecn(ip.trafficClass()));
        packet.resetNetworkHeader();
        Ipv6Address source = ip.source();
        Ipv6Address destination = ip.destination();
        Link link = packet.device();
        boolean fromLoopback = link == null || (link.flags() & LinkFlags.IFF_LOOPBACK) != 0;
        // RFC 4291 2.7 and 2.5.3: no multicast source; the loopback address and interface-local
        // multicast never arrive from outside; multicast scope 0 is reserved.
        if (source.isMulticast()
                || (!fromLoopback && (source.isLoopback() || destination.isLoopback()
                        || (destination.isMulticast() && destination.multicastScope() == 1)))
                || (destination.isMulticast() && destination.multicastScope() == 0)) {
            drop(packet, Ip6Mib.InHdrErrors);
            return;
        }
        if (destination.isMulticast()) {
            mib.inc(Ip6Mib.InMcastPkts);
            mib.add(Ip6Mib.InMcastOctets, packet.length());
        }
        int next = ip.nextHeader();
        int at = header + Ipv6Packet.HEADER_LENGTH;
        int nextHeaderIndex = header + 6;
        if (next == Ipv6ExtHeader.HOP_BY_HOP) {
            // ipv6_parse_hopopts: before the destination is looked at (RFC 8200 4.3).
            int length = optionsHeader(packet, header, at, destination);
            if (length < 0) {
                return;
            }
            nextHeaderIndex = at;
            next = Ipv6ExtHeader.nextHeader(buf, at);
            at += length;
        }
        boolean forUs = destination.isMulticast()
                ? addrconf.joined(link == null ? 0 : link.index(), destination)
                : addrconf.local(destination) != null;
        if (!forUs) {
            // ip6_forward with forwarding off, or a group this host has not joined.
            drop(packet, destination.isMulticast() ? null : Ip6Mib.InAddrErrors);
            return;
        }
        deliver(packet, header, at, next, nextHeaderIndex, source, destination);
    }

    /**
     * {@code ip6_input_finish}: walks the extension headers from {@code at} (named by
     * {@code next}, in the field at {@code nextHeaderIndex}) to the upper layer. Owns the packet.
     */
    private void deliver(Packet packet, int header, int at, int next, int nextHeaderIndex, Ipv6Address source,
            Ipv6Address destination) {
        ByteBuf buf = packet.buf();
        for (int walked = 0; walked < MAX_HEADERS; walked++) {
            int end = buf.writerIndex();
            switch (next) {
                case Ipv6ExtHeader.DESTINATION_OPTIONS -> {
                    int length = optionsHeader(packet, header, at, destination);
                    if (length < 0) {
                        return;
                    }
                    nextHeaderIndex = at;
                    next = Ipv6ExtHeader.nextHeader(buf, at);
                    at += length;
                }
                case Ipv6ExtHeader.ROUTING -> {
                    if (!whole(at, end, buf, next)) {
                        drop(packet, Ip6Mib.InHdrErrors);
                        return;
                    }
                    if (Ipv6ExtHeader.segmentsLeft(buf, at) != 0) {
                        // RFC 8200 4.4 for an unrecognised type; RFC 5095 3 makes type 0 one.
                        parameterProblem(packet, header, Icmpv6Types.HDR_FIELD, at + 2, Ip6Mib.InHdrErrors);
                        return;
                    }
                    nextHeaderIndex = at;
                    next = Ipv6ExtHeader.nextHeader(buf, at);
                    at += Ipv6ExtHeader.length(buf, at, Ipv6ExtHeader.ROUTING);
                }
                case Ipv6ExtHeader.FRAGMENT -> {
                    if (at + Ipv6FragmentHeader.LENGTH > end) {
                        drop(packet, Ip6Mib.InHdrErrors);
                        return;
                    }
                    Ipv6FragmentHeader fh = Ipv6FragmentHeader.at(buf, at);
                    if (fh.isAtomic()) {
                        nextHeaderIndex = at;                    // RFC 6946: a whole packet
                        next = fh.nextHeader();
                        at += Ipv6FragmentHeader.LENGTH;
                        continue;
                    }
                    int length = end - at - Ipv6FragmentHeader.LENGTH;
                    if (fh.moreFragments() && (length & 7) != 0) {
                        // RFC 8200 4.5: not a multiple of 8 and not the last: the payload length.
                        parameterProblem(packet, header, Icmpv6Types.HDR_FIELD, header + 4, Ip6Mib.InHdrErrors);
                        return;
                    }
                    if (fh.fragmentOffset() + length > Ipv6Packet.MAX_PAYLOAD_LENGTH) {
                        // RFC 8200 4.5: the reassembled packet would exceed 65535: the offset field.
                        parameterProblem(packet, header, Icmpv6Types.HDR_FIELD, at + 2, Ip6Mib.InHdrErrors);
                        return;
                    }
                    mib.inc(Ip6Mib.ReasmReqds);
                    Reassembly6.Reassembled whole = reassembly.add(packet, header, at, nextHeaderIndex);
                    if (whole == null) {
                        return;
                    }
                    packet = whole.packet();
                    buf = packet.buf();
                    header = buf.readerIndex();
                    at = whole.transportIndex();
                    next = whole.nextHeader();
                    nextHeaderIndex = whole.nextHeaderIndex();
                }
                case Ipv6ExtHeader.ICMPV6 -> {
                    mib.inc(Ip6Mib.InDelivers);
                    icmp.receive(packet, at, end - at, source, destination);
                    return;
                }
                case Ipv6ExtHeader.NO_NEXT_HEADER -> {
                    packet.release();                            // RFC 8200 4.7: nothing follows
                    return;
                }
                default -> {
                    Ip6Protocol handler = protocols.get(next);
                    if (handler == null) {
                        // A hop-by-hop header not first (RFC 8200 4.1), ESP, AH, or an unknown protocol.
                        parameterProblem(packet, header, Icmpv6Types.UNK_NEXTHDR, nextHeaderIndex,
                                Ip6Mib.InUnknownProtos);
                        return;
                    }
                    mib.inc(Ip6Mib.InDelivers);
                    handler.receive(packet, header, at, source, destination);
                    return;
                }
            }
        }
        drop(packet, Ip6Mib.InHdrErrors);
    }

    /** Whether an extension header of kind {@code kind} at {@code at} lies whole before {@code end}. */
    private static boolean whole(int at, int end, ByteBuf buf, int kind) {
        return at + Ipv6ExtHeader.MIN_LENGTH <= end && at + Ipv6ExtHeader.length(buf, at, kind) <= end;
    }

    /**
     * {@code ip6_parse_tlv}: the hop-by-hop or destination options header at {@code at}. Returns
     * its length, or -1 when the packet was dropped: a header past the end or an option running
     * past it (a header error), or an unknown option whose type's high bits say discard (RFC
     * 8200 4.2), with a Parameter Problem, code 2, when they say so.
     */
    private int optionsHeader(Packet packet, int header, int at, Ipv6Address destination) {
        ByteBuf buf = packet.buf();
        if (!whole(at, buf.writerIndex(), buf, Ipv6ExtHeader.HOP_BY_HOP)) {
            drop(packet, Ip6Mib.InHdrErrors);
            return -1;
        }
        int length = Ipv6ExtHeader.length(buf, at, Ipv6ExtHeader.HOP_BY_HOP);
        int result = Ipv6Options.walk(buf, at, length, Ip6Input::knownOption);
        if (result == Ipv6Options.OK) {
            return length;
        }
        if (result == Ipv6Options.MALFORMED) {
            drop(packet, Ip6Mib.InHdrErrors);
            return -1;
        }
        int action = Ipv6Options.action(buf.getUnsignedByte(result));
        if (action == Ipv6Options.ACTION_DISCARD_ICMP
                || (action == Ipv6Options.ACTION_DISCARD_ICMP_UNICAST && !destination.isMulticast())) {
            icmp.sendError(packet, header, Icmpv6Types.PARAMPROB, Icmpv6Types.UNK_OPTION, result - header, true);
        }
        drop(packet, Ip6Mib.InHdrErrors);
        return -1;
    }

    /** The options Tern knows beyond padding: the router alert, which a host ignores. */
    private static boolean knownOption(int type) {
        return type == Ipv6Options.ROUTER_ALERT;
    }

    /** A Parameter Problem about the byte at absolute {@code pointer}, counting {@code counter}; drops the packet. */
    private void parameterProblem(Packet packet, int header, int code, int pointer, Ip6Mib counter) {
        icmp.sendError(packet, header, Icmpv6Types.PARAMPROB, code, pointer - header, false);
        drop(packet, counter);
    }

    private void drop(Packet packet, Ip6Mib counter) {
        if (counter != null) {
            mib.inc(counter);
        }
        packet.release();
    }
}
