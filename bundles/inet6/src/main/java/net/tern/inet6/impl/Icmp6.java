package net.tern.inet6.impl;

import io.netty.buffer.ByteBuf;
import net.tern.api.socket.ErrnoException;
import net.tern.inet6.ip.Dst6;
import net.tern.inet6.ip.Ip6Protocol;
import net.tern.spi.net.Clock;
import net.tern.spi.net.Link;
import net.tern.spi.net.Packet;
import net.tern.spi.net.PacketAllocator;
import net.tern.wire.Icmpv6Packet;
import net.tern.wire.Icmpv6Repr;
import net.tern.wire.Icmpv6Types;
import net.tern.wire.Ipv6Address;
import net.tern.wire.Ipv6ExtHeader;
import net.tern.wire.Ipv6FragmentHeader;
import net.tern.wire.Ipv6Packet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ICMPv6 ({@code net/ipv6/icmp.c}, RFC 4443): {@link #receive} is {@code icmpv6_rcv}, which
 * answers echo requests, feeds Packet Too Big to path-MTU discovery (RFC 8201) and hands echo
 * replies and errors to whoever listens ({@link Icmp6Listener}: ping sockets, transports);
 * {@link #sendError} is {@code icmp6_send}, with RFC 4443 2.4's rules on when not to.
 *
 * <p>Neighbour discovery's messages (RFC 4861) are counted and dropped: the links Tern has
 * are the loopback and a point-to-point TUN, which have no link-layer addresses to resolve.
 */
public final class Icmp6 {
    private static final Logger LOG = LoggerFactory.getLogger(Icmp6.class);
    /** An error quotes as much of the invoking packet as fits in the minimum MTU (RFC 4443 2.4 (c)). */
    static final int MAX_QUOTE = Ipv6Packet.MIN_MTU - Ipv6Packet.HEADER_LENGTH - Icmpv6Packet.HEADER_LENGTH;

    private final Ip6Output output;
    private final Addrconf addrconf;
    private final PacketAllocator allocator;
    private final Snmp6 mib;
    private final Clock clock;
    private volatile Icmp6Listener listener = Icmp6Listener.NONE;
    private volatile Ip6Protocols protocols = new Ip6Protocols();
    /** {@code icmp_msgs_per_sec} and {@code icmp_msgs_burst}, which Linux applies to ICMPv6 errors too. */
    private final int ratePerSecond;
    private final int burst;
    private double tokens;
    private long lastRefill;

    public Icmp6(Ip6Output output, Addrconf addrconf, PacketAllocator allocator, Snmp6 mib, Clock clock,
            int ratePerSecond, int burst) {
        this.output = output;
        this.addrconf = addrconf;
        this.allocator = allocator;
        this.mib = mib;
        this.clock = clock;
        this.ratePerSecond = ratePerSecond;
        this.burst = burst;
        this.tokens = burst;
        this.lastRefill = clock.nanoTime();
    }

    /** Who hears echo replies and errors; one at a time, {@link Icmp6Listener#NONE} for none. */
    public void listener(Icmp6Listener value) {
        this.listener = value == null ? Icmp6Listener.NONE : value;
    }

    /** {@code inet6_protos[]}, whose error handlers hear of the errors quoting their packets. */
    public void protocols(Ip6Protocols value) {
        this.protocols = value;
    }

    /**
     * {@code icmpv6_rcv}: the message of {@code length} bytes at absolute {@code offset} of
     * {@code packet}, which came in a packet from {@code source} to {@code destination}.
     * Owns the packet.
     */
    public void receive(Packet packet, int offset, int length, Ipv6Address source, Ipv6Address destination) {
        try {
            ByteBuf buf = packet.buf();
            Icmpv6Packet icmp = Icmpv6Packet.at(buf, offset);
            if (length < Icmpv6Packet.HEADER_LENGTH) {
                mib.inc(Icmp6Mib.InErrors);
                return;
            }
            if (packet.ipSummed() != Packet.CHECKSUM_UNNECESSARY
                    && icmp.check(length, source, destination) != Icmpv6Packet.Check.OK) {
                mib.inc(Icmp6Mib.InCsumErrors);
                mib.inc(Icmp6Mib.InErrors);
                return;
            }
            int type = icmp.type();
            mib.icmpIn(type);
            switch (type) {
                case Icmpv6Types.ECHO_REQUEST -> echoReply(packet, icmp, length, source, destination);
                case Icmpv6Types.ECHO_REPLY -> listener.echoReply(icmp.identifier(), icmp.sequence(), buf,
                        icmp.dataOffset(), length - Icmpv6Packet.HEADER_LENGTH, source, destination,
                        packet.networkHeader() < 0 ? -1 : buf.getUnsignedByte(packet.networkHeader() + 7));
                case Icmpv6Types.DEST_UNREACH, Icmpv6Types.PKT_TOOBIG, Icmpv6Types.TIME_EXCEED,
                        Icmpv6Types.PARAMPROB -> error(packet, icmp, length);
                default -> {
                    // Neighbour discovery, MLD and unknown informational messages (RFC 4443 2.4 (b)):
                    // counted above, nothing to do on these links.
                }
            }
        } finally {
            packet.release();
        }
    }

    /** {@code icmpv6_echo_reply} (RFC 4443 4.2): the data back, from the address asked (or a chosen one for multicast). */
    private void echoReply(Packet request, Icmpv6Packet icmp, int length, Ipv6Address source, Ipv6Address destination) {
        if (source.isMulticast() || source.isUnspecified()) {
            return;
        }
        int dataLength = length - Icmpv6Packet.HEADER_LENGTH;
        try {
            Dst6 dst = output.route(source, scope(source, request));
            Ipv6Address from = destination.isMulticast() ? output.source(dst, source) : destination;
            Packet reply = allocator.allocate(Ip6Output.HEADROOM, Icmpv6Packet.HEADER_LENGTH + dataLength);
            ByteBuf out = reply.buf();
            int at = out.writerIndex();
            out.setBytes(at + Icmpv6Packet.HEADER_LENGTH, request.buf(), icmp.dataOffset(), dataLength);
            out.writerIndex(at + Icmpv6Packet.HEADER_LENGTH + dataLength);
            Icmpv6Repr.echoReply(icmp.identifier(), icmp.sequence(), dataLength).emit(out, at, from, source);
            output.xmit(reply, dst, from, source, Ipv6ExtHeader.ICMPV6, -1, 0);
            mib.icmpOut(Icmpv6Types.ECHO_REPLY);
        } catch (ErrnoException e) {
            mib.inc(Icmp6Mib.OutErrors);
            LOG.debug("echo reply to {} not sent: {}", source, e.getMessage());
        }
    }

    /** The link a link-local peer is on: the one the packet came in by. */
    private static int scope(Ipv6Address peer, Packet packet) {
        return peer.isLinkLocal() && packet.device() != null ? packet.device().index() : 0;
    }

    /**
     * An error about a packet this host sent (the quoted packet starts at the message's data):
     * Packet Too Big lowers the path MTU of the quoted destination (RFC 8201 4), and the
     * listener hears of every error whose quoted header is whole.
     */
    private void error(Packet packet, Icmpv6Packet icmp, int length) {
        int quoted = length - Icmpv6Packet.HEADER_LENGTH;
        if (quoted < Ipv6Packet.HEADER_LENGTH) {
            return;
        }
        ByteBuf buf = packet.buf();
        Ipv6Packet inner = Ipv6Packet.at(buf, icmp.dataOffset());
        if (inner.version() != 6) {
            return;
        }
        Ipv6Address innerDestination = inner.destination();
        if (icmp.type() == Icmpv6Types.PKT_TOOBIG) {
            Link link = packet.device();
            try {
                Dst6 dst = output.route(innerDestination, 0);
                link = dst.link();
            } catch (ErrnoException noRoute) {
                // The path is gone; nothing to learn about it.
            }
            if (link != null && output.pmtu().update(innerDestination, icmp.mtu(), link.mtu())) {
                LOG.debug("path MTU to {} is now {}", innerDestination, icmp.mtu());
            }
        }
        listener.error(icmp.type(), icmp.code(), (int) icmp.mtu(), buf, icmp.dataOffset(), quoted);
        notifyProtocol(icmp, buf, icmp.dataOffset(), icmp.dataOffset() + quoted, inner.nextHeader());
    }

    /**
     * {@code icmpv6_notify}: the error goes to the error handler of the quoted packet's upper
     * protocol, found past its extension headers ({@code ipv6_skip_exthdr}); a quote that ends
     * before the protocol's first 8 bytes, or a non-first fragment, tells no protocol anything.
     */
    private void notifyProtocol(Icmpv6Packet icmp, ByteBuf buf, int header, int end, int next) {
        int at = header + Ipv6Packet.HEADER_LENGTH;
        for (int walked = 0; Ipv6ExtHeader.isWalked(next); walked++) {
            if (walked > 8 || at + Ipv6ExtHeader.MIN_LENGTH > end) {
                return;
            }
            if (next == Ipv6ExtHeader.FRAGMENT && Ipv6FragmentHeader.at(buf, at).fragmentOffset() != 0) {
                return;
            }
            int kind = next;
            next = Ipv6ExtHeader.nextHeader(buf, at);
            at += Ipv6ExtHeader.length(buf, at, kind);
        }
        Ip6Protocol handler = protocols.get(next);
        if (handler != null && at + 8 <= end) {
            handler.err(icmp.type(), icmp.code(), (int) icmp.mtu(), buf, header, at, end);
        }
    }

    /**
     * {@code icmp6_send}: an error of {@code type}/{@code code} with {@code info} (MTU or
     * pointer) about the packet whose IPv6 header is at absolute {@code header} of
     * {@code invoking}, unless RFC 4443 2.4 (e) forbids it: no error about an error, about a
     * packet from the unspecified or a multicast address, or to a multicast destination
     * (unless {@code multicastAllowed}: Packet Too Big and the parameter problem of an
     * unrecognised option, 2.4 (e.3)); and within the rate limit (2.4 (f)). Does not take
     * ownership of {@code invoking}.
     */
    public void sendError(Packet invoking, int header, int type, int code, int info, boolean multicastAllowed) {
        ByteBuf buf = invoking.buf();
        int available = buf.writerIndex() - header;
        if (available < Ipv6Packet.HEADER_LENGTH) {
            return;
        }
        Ipv6Packet ip = Ipv6Packet.at(buf, header);
        Ipv6Address source = ip.source();
        Ipv6Address destination = ip.destination();
        if (source.isUnspecified() || source.isMulticast()) {
            return;
        }
        if (destination.isMulticast() && !multicastAllowed) {
            return;
        }
        if (isIcmpError(buf, header, available)) {
            return;
        }
        if (!allow()) {
            mib.inc(Icmp6Mib.OutRateLimitHost);
            return;
        }
        try {
            Dst6 dst = output.route(source, scope(source, invoking));
            Ipv6Address from = addrconf.local(destination) != null ? destination : output.source(dst, source);
            int quote = Math.min(available, MAX_QUOTE);
            Packet message = allocator.allocate(Ip6Output.HEADROOM, Icmpv6Packet.HEADER_LENGTH + quote);
            ByteBuf out = message.buf();
            int at = out.writerIndex();
            out.setBytes(at + Icmpv6Packet.HEADER_LENGTH, buf, header, quote);
            out.writerIndex(at + Icmpv6Packet.HEADER_LENGTH + quote);
            new Icmpv6Repr(type, code, info, quote).emit(out, at, from, source);
            output.xmit(message, dst, from, source, Ipv6ExtHeader.ICMPV6, -1, 0);
            mib.icmpOut(type);
        } catch (ErrnoException e) {
            mib.inc(Icmp6Mib.OutErrors);
            LOG.debug("ICMPv6 {} to {} not sent: {}", Icmpv6Types.name(type), source, e.getMessage());
        }
    }

    /**
     * {@code is_ineligible}: whether the packet at {@code header} carries an ICMPv6 error (or
     * an ICMPv6 message too short to tell), after its extension headers. A later fragment
     * shows no upper-layer header and is eligible.
     */
    static boolean isIcmpError(ByteBuf buf, int header, int available) {
        int next = buf.getUnsignedByte(header + 6);
        int at = header + Ipv6Packet.HEADER_LENGTH;
        int end = header + available;
        for (int hops = 0; Ipv6ExtHeader.isWalked(next) && hops < 16; hops++) {
            if (at + Ipv6ExtHeader.MIN_LENGTH > end) {
                return false;
            }
            if (next == Ipv6ExtHeader.FRAGMENT && Ipv6FragmentHeader.at(buf, at).fragmentOffset() != 0) {
                return false;
            }
            int length = Ipv6ExtHeader.length(buf, at, next);
            next = Ipv6ExtHeader.nextHeader(buf, at);
            at += length;
        }
        if (next != Ipv6ExtHeader.ICMPV6) {
            return false;
        }
        return at >= end || Icmpv6Types.isError(buf.getUnsignedByte(at));
    }

    /** A token bucket: {@code ratePerSecond} errors a second, {@code burst} at once (0 rate: no limit). */
    private synchronized boolean allow() {
        if (ratePerSecond <= 0) {
            return true;
        }
        long now = clock.nanoTime();
        tokens = Math.min(burst, tokens + (now - lastRefill) * ratePerSecond / 1e9);
        lastRefill = now;
        if (tokens < 1) {
            return false;
        }
        tokens -= 1;
        return true;
    }
}
