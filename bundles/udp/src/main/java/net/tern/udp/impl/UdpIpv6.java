package net.tern.udp.impl;

import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.Inet6SockAddr;
import net.tern.api.socket.SocketConstants;
import net.tern.inet.route.RouteTable;
import net.tern.inet.sock.Inet6DgramOps;
import net.tern.inet.sock.InetProtoSw;
import net.tern.inet.sock.InetSock;
import net.tern.inet.sock.SkState;
import net.tern.inet6.ip.Dst6;
import net.tern.inet6.ip.Icmp6ErrConvert;
import net.tern.inet6.ip.Ip6Protocol;
import net.tern.inet6.ip.Ip6Transport;
import net.tern.spi.net.Packet;
import net.tern.spi.net.PacketAllocator;
import net.tern.wire.Icmpv6Types;
import net.tern.wire.InetChecksum;
import net.tern.wire.Ipv6Address;
import net.tern.wire.Ipv6Packet;
import net.tern.wire.UdpPacket;

/**
 * UDP over IPv6 ({@code net/ipv6/udp.c}), made while the inet6 bundle runs: the AF_INET6
 * protosw entry ({@code udpv6_prot} behind {@code inet6_dgram_ops}), {@code udpv6_rcv} and
 * {@code udpv6_err} as the handler of IPv6 protocol 17, {@code udpv6_sendmsg} and
 * {@code ip6_datagram_connect}. It shares UDP's port table, receive queues, memory and
 * counters with IPv4; its sockets are dual-stack (IPv4 peers as {@code ::ffff:a.b.c.d}, sent
 * and received by UDP over IPv4, see {@link UdpProt}) unless {@code IPV6_V6ONLY}. The checksum is mandatory over IPv6 (RFC 8200 8.1): a datagram with
 * none (zero) is dropped and counted ({@code InCsumErrors}, {@code InErrors}), and one whose
 * sum comes to zero is sent as 0xFFFF.
 */
public final class UdpIpv6 implements Ip6Protocol, UdpProt.Ipv6Side {
    private static final int UDP = SocketConstants.IPPROTO_UDP;
    /** The largest payload of one datagram: the payload length field's 65535 less the UDP header. */
    static final int MAX_PAYLOAD = 65535 - UdpPacket.HEADER_LENGTH;

    private final Udp udp;
    private final Ip6Transport ip6;
    private final PacketAllocator allocator;
    private final InetProtoSw<UdpSock> protoSw;

    /** UDP over {@code ip6}; {@code routes} (IPv4's) for the socket options both families share. */
    public UdpIpv6(Udp udp, Ip6Transport ip6, RouteTable routes, PacketAllocator allocator) {
        this.udp = udp;
        this.ip6 = ip6;
        this.allocator = allocator;
        this.protoSw = InetProtoSw.inet6(SocketConstants.SOCK_DGRAM, UDP, udp.prot(),
                new Inet6DgramOps(routes, ip6::isLocal, ip6::hopLimit), ip6::bindv6only, sk -> {
                });
    }

    /** UDP sends over IPv6 from now on; register the handler and protosw entry next. */
    public void start() {
        udp.prot().ipv6(this);
    }

    /** With the protosw entry withdrawn: withdraws the IPv6 sockets (ECONNABORTED) and detaches from UDP. */
    public int stop() {
        int withdrawn = udp.prot().withdraw(sk -> sk.family() == SocketConstants.AF_INET6, "IPv6 left the stack");
        udp.prot().ipv6(null);
        return withdrawn;
    }

    /** {@code udpv6_protosw} ({@code inetsw6[]} for SOCK_DGRAM, IPPROTO_UDP): to register as a {@code ProtoSw} service. */
    public InetProtoSw<UdpSock> protoSw() {
        return protoSw;
    }

    // ---- udpv6_rcv

    /**
     * {@code udpv6_rcv} ({@code __udp6_lib_rcv}): a datagram shorter than its header or than
     * its length field, or with no checksum or a wrong one, is dropped and counted; one to a
     * port no IPv6 socket has is answered with ICMPv6 port unreachable ({@code NoPorts}),
     * unless it went to a multicast group; else it is queued as IPv4's are.
     */
    @Override
    public void receive(Packet packet, int header, int transport, Ipv6Address source, Ipv6Address destination) {
        ByteBuf buf = packet.buf();
        buf.readerIndex(header);
        packet.resetNetworkHeader(); // where recvmsg reads the sender's address
        buf.readerIndex(transport);
        packet.resetTransportHeader();
        int available = packet.length();
        UdpPacket udpHeader = UdpPacket.at(buf, transport);
        UdpStats stats = udp.stats();
        if (udpHeader.check(available) != UdpPacket.Check.OK) {
            drop(packet, UdpMib.InErrors);
            return;
        }
        int length = udpHeader.length();
        if (length < available) {
            packet.trim(length);
        }
        if (udpHeader.checksum() == 0 || (!packet.csumUnnecessary()
                && !InetChecksum.verifyTransport6(buf, transport, length, source, destination, UDP))) {
            stats.inc(UdpMib.InCsumErrors);                  // udp6_csum_init: none is an error over IPv6
            drop(packet, UdpMib.InErrors);
            return;
        }
        UdpSock sk = udp.table().lookup6(source, udpHeader.sourcePort(), destination, udpHeader.destinationPort());
        if (sk == null) {
            if (destination.isMulticast()) {
                drop(packet, UdpMib.IgnoredMulti);
                return;
            }
            stats.inc(UdpMib.NoPorts);
            ip6.sendError(packet, header, Icmpv6Types.DEST_UNREACH, Icmpv6Types.PORT_UNREACH, 0);
            packet.release();
            return;
        }
        packet.pull(UdpPacket.HEADER_LENGTH);
        UdpInput.enqueue(sk, packet, stats);
    }

    private void drop(Packet packet, UdpMib reason) {
        udp.stats().inc(reason);
        packet.release();
    }

    /**
     * {@code __udp6_lib_err}: the sending socket gets the error when it is hard
     * ({@link Icmp6ErrConvert#fatal}, and Packet Too Big, as with Linux's default path-MTU
     * discovery: EMSGSIZE) and the socket is connected; without {@code IPV6_RECVERR} others
     * ignore it.
     */
    @Override
    public void err(int type, int code, int info, ByteBuf buf, int header, int transport, int end) {
        Errno errno = Icmp6ErrConvert.errno(type, code);
        boolean hard = Icmp6ErrConvert.fatal(type) || type == Icmpv6Types.PKT_TOOBIG;
        if (errno == null || !hard) {
            return;
        }
        Ipv6Packet ip = Ipv6Packet.at(buf, header);
        UdpPacket quoted = UdpPacket.at(buf, transport);
        UdpSock sk = udp.table().lookup6(ip.destination(), quoted.destinationPort(), ip.source(), quoted.sourcePort());
        if (sk == null || sk.state() != SkState.ESTABLISHED) {
            return;
        }
        Runnable report = () -> {
            if (!sk.isDead()) {
                sk.reportError(errno);
            }
        };
        if (!sk.runOrBacklog(report, sk.backlogLimit())) {
            sk.countDrop();
        }
    }

    // ---- ip6_datagram_connect, udpv6_sendmsg

    /** :: means this host (::1). */
    static Ipv6Address peer(Inet6SockAddr address) {
        Ipv6Address a = new Ipv6Address(address.high(), address.low());
        return a.isUnspecified() ? Ipv6Address.LOOPBACK : a;
    }

    /**
     * {@code ip6_datagram_connect} to an IPv6 peer (UDP takes IPv4-mapped ones over IPv4
     * itself): routes to the peer, takes the route's source as the local address if none is
     * bound, and associates (ESTABLISHED).
     */
    @Override
    public void connect6(UdpSock sk, Inet6SockAddr address) throws ErrnoException {
        String call = "connect(" + address + ")";
        Ipv6Address destination = peer(address);
        Ipv6Address source = source(sk, route(sk, destination, address, call), destination, call);
        if (sk.v6Saddr().isUnspecified()) {
            sk.v6Saddr(source);
        }
        if (sk.v6RcvSaddr().isUnspecified()) {
            sk.v6RcvSaddr(source);
        }
        sk.v6Daddr(destination);
        sk.dport(address.port());
        sk.state(SkState.ESTABLISHED);
    }

    /**
     * {@code udpv6_sendmsg} to an IPv6 peer (UDP sends to IPv4-mapped ones over IPv4 itself):
     * one datagram to {@code to}, or to the connected peer when null, with the socket's
     * {@code IPV6_UNICAST_HOPS} and {@code IPV6_TCLASS}. Errors in {@code UdpOutput}'s order:
     * EOPNOTSUPP for MSG_OOB, EINVAL for port 0, EDESTADDRREQ unconnected, EMSGSIZE over
     * {@value #MAX_PAYLOAD} bytes, the pending error, EPIPE after SHUT_WR, EAFNOSUPPORT from a
     * socket whose source is IPv4-mapped, the route's error, ENOBUFS without packet memory.
     */
    @Override
    public int sendmsg6(UdpSock sk, ByteBuffer data, Inet6SockAddr to, int flags) throws ErrnoException {
        if ((flags & SocketConstants.MSG_OOB) != 0) {
            throw new ErrnoException(Errno.EOPNOTSUPP, "sendmsg: UDP has no out-of-band data (MSG_OOB)");
        }
        Ipv6Address destination;
        int port;
        if (to != null) {
            destination = peer(to);
            port = to.port();
            if (port == 0) {
                throw new ErrnoException(Errno.EINVAL, "sendmsg(to " + to + "): destination port 0");
            }
        } else {
            if (sk.state() != SkState.ESTABLISHED) {
                throw new ErrnoException(Errno.EDESTADDRREQ,
                        "sendmsg: the socket is not connected and no destination address was given");
            }
            destination = sk.v6Daddr();
            port = sk.dport();
        }
        int length = data.remaining();
        if (length > MAX_PAYLOAD) {
            throw new ErrnoException(Errno.EMSGSIZE, "sendmsg: " + length
                    + " bytes exceed the largest UDP datagram over IPv6 (" + MAX_PAYLOAD + " bytes)");
        }
        UdpProt.throwPendingError(sk, "sendmsg");
        if ((sk.shutdown() & InetSock.SEND_SHUTDOWN) != 0) {
            throw new ErrnoException(Errno.EPIPE, "sendmsg: the socket was shut down for sending");
        }
        String call = "sendmsg(to [" + destination + "]:" + port + ")";
        Dst6 dst = route(sk, destination, to, call);
        Ipv6Address source = source(sk, dst, destination, call);
        int total = UdpPacket.HEADER_LENGTH + length;
        Packet packet;
        try {
            packet = allocator.allocate(Ip6Transport.HEADROOM, total);
        } catch (OutOfMemoryError exhausted) {
            udp.stats().inc(UdpMib.SndbufErrors);
            throw new ErrnoException(Errno.ENOBUFS, call + ": no packet memory for a datagram of " + total + " bytes",
                    exhausted);
        }
        ByteBuf buf = packet.buf();
        int at = buf.writerIndex();
        int from = data.position();
        buf.setBytes(at + UdpPacket.HEADER_LENGTH, data);
        data.position(from);
        buf.writerIndex(at + total);
        UdpPacket.writeHeader(buf, at, sk.num(), port, total);
        buf.setShort(at + UdpPacket.CHECKSUM_OFFSET, 0);
        int sum = InetChecksum.transportChecksum6(buf, at, total, source, destination, UDP);
        buf.setShort(at + UdpPacket.CHECKSUM_OFFSET, sum == 0 ? 0xffff : sum); // RFC 8200 8.1: never zero
        packet.resetTransportHeader();
        try {
            ip6.xmit(packet, dst, source, destination, UDP, sk.hopLimit(), sk.tclass());
        } catch (ErrnoException e) {
            if (e.errno() == Errno.ENOBUFS) {
                udp.stats().inc(UdpMib.SndbufErrors);
            }
            throw e.in(call);
        }
        udp.stats().inc(UdpMib.OutDatagrams);
        data.position(from + length);
        return length;
    }

    /**
     * {@code ip6_dst_lookup_tail}: EAFNOSUPPORT from a socket whose source is IPv4-mapped (bound
     * or connected to an IPv4-mapped address) to an IPv6 peer, as on Linux 6.18; else the route.
     */
    private Dst6 route(UdpSock sk, Ipv6Address destination, Inet6SockAddr address, String call) throws ErrnoException {
        if (sk.v6Saddr().isV4Mapped()) {
            throw new ErrnoException(Errno.EAFNOSUPPORT, call + ": the socket's address " + sk.v6Saddr()
                    + " is IPv4's, the peer IPv6's");
        }
        try {
            int oif = destination.isLinkLocal() && address != null ? address.scopeId() : 0;
            return ip6.route(destination, oif);
        } catch (ErrnoException e) {
            throw e.in(call);
        }
    }

    private Ipv6Address source(UdpSock sk, Dst6 dst, Ipv6Address destination, String call) throws ErrnoException {
        if (!sk.v6Saddr().isUnspecified()) {
            return sk.v6Saddr();
        }
        try {
            return ip6.source(dst, destination);
        } catch (ErrnoException e) {
            throw e.in(call);
        }
    }
}
