package net.tern.tcp.impl;

import io.netty.buffer.ByteBuf;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.Inet6SockAddr;
import net.tern.api.socket.InetSockAddr;
import net.tern.api.socket.SocketConstants;
import net.tern.inet.route.RouteTable;
import net.tern.inet.sock.Inet6StreamOps;
import net.tern.inet.sock.InetProtoSw;
import net.tern.inet.sock.InetSock;
import net.tern.inet.sock.SkState;
import net.tern.inet6.ip.Dst6;
import net.tern.inet6.ip.Icmp6ErrConvert;
import net.tern.inet6.ip.Ip6Protocol;
import net.tern.inet6.ip.Ip6Transport;
import net.tern.spi.net.NetdevFeatures;
import net.tern.spi.net.NetXmit;
import net.tern.spi.net.Packet;
import net.tern.spi.proto.ProtoOps;
import net.tern.wire.Icmpv6Types;
import net.tern.wire.InetChecksum;
import net.tern.wire.Ipv6Address;
import net.tern.wire.Ipv6Packet;
import net.tern.wire.TcpPacket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TCP over IPv6 ({@code net/ipv6/tcp_ipv6.c}), made while the inet6 bundle runs: the AF_INET6
 * protosw entry ({@code tcpv6_prot} behind {@code inet6_stream_ops}), {@code tcp_v6_rcv} and
 * {@code tcp_v6_err} as the handler of IPv6 protocol 6, and {@code ipv6_specific}, the network
 * layer of IPv6 connections ({@link TcpAfOps}). Everything after decoding is TCP's one path,
 * on its one set of tables, timers, congestion control and diag: an IPv6 connection differs
 * only in its addresses, its checksum's pseudo-header (RFC 8200 8.1) and its MSS, MTU - 60.
 */
public final class TcpIpv6 implements Ip6Protocol, TcpAfOps, Ipv6Sender {
    private static final Logger LOG = LoggerFactory.getLogger(TcpIpv6.class);
    private static final int TCP = SocketConstants.IPPROTO_TCP;

    private final Tcp tcp;
    private final Ip6Transport ip6;
    private final InetProtoSw<TcpSock> protoSw;

    /** A connection's cached route and the source address chosen with it. */
    private record Route6(Dst6 dst, Ipv6Address source) {
    }

    /** TCP over {@code ip6}; {@code routes} (IPv4's) for the socket options both families share. */
    public TcpIpv6(Tcp tcp, Ip6Transport ip6, RouteTable routes) {
        this.tcp = tcp;
        this.ip6 = ip6;
        ProtoOps ops = new Inet6StreamOps(routes, ip6::isLocal, tcp.clock(), ip6::hopLimit);
        // inet6_create for TCP: an AF_INET6 socket whose network layer is IPv6's.
        this.protoSw = InetProtoSw.inet6(SocketConstants.SOCK_STREAM, TCP, tcp.prot(), ops, ip6::bindv6only, sk -> sk.af(this));
    }

    /** TCP's shared input and replies may use IPv6 from now on; register the handler and protosw entry next. */
    public void start() {
        tcp.ipv6(this);
    }

    /** With the protosw entry withdrawn: aborts the IPv6 connections ({@link #abortAll}) and detaches from TCP. */
    public void stop() {
        abortAll();
        tcp.ipv6(null);
    }

    /** {@code tcpv6_protosw} ({@code inetsw6[]} for SOCK_STREAM, IPPROTO_TCP): to register as a {@code ProtoSw} service. */
    public InetProtoSw<TcpSock> protoSw() {
        return protoSw;
    }

    // ---- tcp_v6_rcv, tcp_v6_err

    /** {@code tcp_v6_rcv}: the segment's checksum and 4-tuple are IPv6's; the rest is {@link TcpIpv4}'s path. */
    @Override
    public void receive(Packet packet, int header, int transport, Ipv6Address source, Ipv6Address destination) {
        ByteBuf buf = packet.buf();
        buf.readerIndex(transport);
        if (packet.networkHeader() != header) {
            // The header tcp_v6_rcv's decode reads the addresses from; Linux's skb keeps it too.
            int reader = buf.readerIndex();
            buf.readerIndex(header);
            packet.resetNetworkHeader();
            buf.readerIndex(reader);
        }
        tcp.ipv4().v6Rcv(packet);
    }

    /**
     * {@code tcp_v6_err}: Packet Too Big lowers the MSS to the path MTU IPv6 learned
     * ({@code tcp_v6_mtu_reduced}); other errors become an errno ({@code icmpv6_err_convert}),
     * fatal to a connection not yet synchronized and to a request the error is fatal to, else
     * kept as the socket's soft error.
     */
    @Override
    public void err(int type, int code, int info, ByteBuf buf, int header, int transport, int end) {
        Ipv6Packet ip = Ipv6Packet.at(buf, header);
        TcpPacket th = TcpPacket.at(buf, transport);
        ConnKey key = ConnKey.of6(ip.source(), th.sourcePort(), ip.destination(), th.destinationPort());
        int seq = th.seq();
        Errno errno = Icmp6ErrConvert.errno(type, code);
        tcp.ipv4().quotedErr(key, seq, Icmp6ErrConvert.fatal(type), sk -> sockErr(sk, seq, type, errno));
    }

    private void sockErr(TcpSock sk, int seq, int type, Errno errno) {
        if (!tcp.ipv4().errInWindow(sk, seq)) {
            return;
        }
        if (type == Icmpv6Types.PKT_TOOBIG) {
            try {
                tcp.ipv4().v4MtuReduced(sk, ip6.route(sk.v6Daddr(), 0).mtu());
            } catch (ErrnoException noRoute) {
                // The path is gone: the retransmission timer finds out.
            }
            return;
        }
        if (errno != null) {
            tcp.ipv4().reportErr(sk, errno);
        }
    }

    // ---- tcp_v6_connect

    /**
     * {@code tcp_v6_connect}: :: means this host (::1); a multicast peer is ENETUNREACH; an
     * IPv4-mapped one, which would connect over IPv4, is not served (ENETUNREACH). The route
     * gives the source address unless the socket is bound to one.
     */
    @Override
    public void connect6(TcpSock sk, Inet6SockAddr address) throws ErrnoException {
        String call = "connect(" + address + ")";
        Ipv6Address daddr = new Ipv6Address(address.high(), address.low());
        if (daddr.isUnspecified()) {
            daddr = Ipv6Address.LOOPBACK;
        }
        if (daddr.isMulticast()) {
            throw new ErrnoException(Errno.ENETUNREACH, call + ": TCP cannot connect to a multicast address");
        }
        if (daddr.isV4Mapped()) {
            connectMapped(sk, (int) daddr.low(), address.port(), call);
            return;
        }
        Dst6 dst;
        Ipv6Address saddr;
        try {
            dst = ip6.route(daddr, daddr.isLinkLocal() ? address.scopeId() : 0);
            saddr = sk.v6Saddr().isUnspecified() ? ip6.source(dst, daddr) : sk.v6Saddr();
        } catch (ErrnoException e) {
            throw e.in(call);
        }
        Ipv6Address peer = daddr;
        int port = address.port();
        TcpHashTables.Connection connection = tcp.prot().connector().hash(sk,
                p -> ConnKey.of6(saddr, p, peer, port),
                tcp.secrets().secureTcpSeq(ConnKey.fold(saddr), ConnKey.fold(peer), 0, port), call);
        sk.v6Saddr(saddr);
        sk.v6RcvSaddr(saddr);
        sk.v6Daddr(peer);
        sk.dport(port);
        sk.route6(new Route6(dst, saddr));
        tcp.prot().connector().start(sk, connection, dst.mtu(), "tcp_v6_connect");
    }

    /**
     * {@code tcp_v6_connect} to {@code ::ffff:a.b.c.d}: the connection is IPv4's
     * ({@code tcp_v4_connect}, {@code ipv4_specific}), its ends named IPv4-mapped; ENETUNREACH
     * for an IPv6-only socket (IPV6_V6ONLY, or bound to an IPv6 address).
     */
    private void connectMapped(TcpSock sk, int v4, int port, String call) throws ErrnoException {
        if (sk.ipv6only()) {
            throw new ErrnoException(Errno.ENETUNREACH, call + ": the socket is IPv6-only");
        }
        sk.af(tcp.prot().ipv4Specific());
        try {
            tcp.prot().connect(sk, new InetSockAddr(v4, port));
        } catch (ErrnoException e) {
            sk.af(this);
            throw e;
        }
        sk.v6Saddr(InetSock.v4Mapped(sk.saddr()));
        sk.v6RcvSaddr(InetSock.v4Mapped(sk.rcvSaddr()));
        sk.v6Daddr(InetSock.v4Mapped(sk.daddr()));
    }

    // ---- ipv6_specific

    @Override
    public int netHeaderLength() {
        return TcpWindow.IPV6_HEADER;
    }

    @Override
    public int headroom() {
        return Ip6Transport.HEADROOM;
    }

    /** {@code inet6_csk_update_pmtu} / {@code inet6_sk_rebuild_header}: the cached route, looked up again when gone or down. */
    @Override
    public void dstCheck(TcpSock sk) throws ErrnoException {
        if (sk.route6() instanceof Route6 r && r.dst().link().isUp()) {
            return;
        }
        Dst6 dst = ip6.route(sk.v6Daddr(), 0);
        Ipv6Address source = sk.v6Saddr().isUnspecified() ? ip6.source(dst, sk.v6Daddr()) : sk.v6Saddr();
        sk.route6(new Route6(dst, source));
    }

    @Override
    public int routeMtu(TcpSock sk) {
        return sk.route6() instanceof Route6 r ? r.dst().mtu() : 0;
    }

    /** {@code tcp_v6_send_check}: over the IPv6 pseudo-header, left partial for a device that finishes it. */
    @Override
    public void sendCheck(TcpSock sk, Packet packet, int start, int length) {
        Route6 r = (Route6) sk.route6();
        ByteBuf buf = packet.buf();
        if ((r.dst().link().features() & NetdevFeatures.NETIF_F_HW_CSUM) != 0) {
            buf.setShort(start + TcpPacket.CHECKSUM_OFFSET,
                    InetChecksum.pseudoHeaderSum6(r.source(), sk.v6Daddr(), TCP, length));
            packet.checksumPartial(start, TcpPacket.CHECKSUM_OFFSET);
        } else {
            buf.setShort(start + TcpPacket.CHECKSUM_OFFSET, 0);
            buf.setShort(start + TcpPacket.CHECKSUM_OFFSET,
                    InetChecksum.transportChecksum6(buf, start, length, r.source(), sk.v6Daddr(), TCP));
        }
    }

    /**
     * {@code inet6_csk_xmit}, with the socket's {@code IPV6_UNICAST_HOPS} and {@code IPV6_TCLASS}.
     * IPv6 output does not pass the link's answer up yet, so a segment its queue drops counts
     * as sent (the retransmission timer covers it).
     */
    @Override
    public int queueXmit(TcpSock sk, Packet packet) throws ErrnoException {
        Route6 r = (Route6) sk.route6();
        ip6.xmit(packet, r.dst(), r.source(), sk.v6Daddr(), TCP, sk.hopLimit(), sk.tclass());
        return NetXmit.SUCCESS;
    }

    // ---- what TCP's shared input and replies ask of IPv6

    @Override
    public void send(Packet packet, Ipv6Address source, Ipv6Address destination) {
        try {
            Dst6 dst;
            try {
                dst = ip6.route(destination, 0);
            } catch (ErrnoException e) {
                packet.release();
                throw e;
            }
            ip6.xmit(packet, dst, source, destination, TCP, -1, 0);
        } catch (ErrnoException e) {
            LOG.debug("segment to {} not sent: {}", destination, e.getMessage());
        }
    }

    @Override
    public int mtu(Ipv6Address destination) throws ErrnoException {
        return ip6.route(destination, 0).mtu();
    }

    // ---- IPv6 leaving

    /**
     * IPv6 left: its connections are aborted (RST while a route remains, ECONNABORTED to the
     * application), its listeners closed, its requests and TIME-WAIT entries dropped; IPv4's
     * are untouched.
     */
    public void abortAll() {
        for (TcpSock sk : tcp.sockets()) {
            if (sk.family() == SocketConstants.AF_INET6 && sk.state() != SkState.CLOSE) {
                tcp.lifecycle().abort(sk, "IPv6 left the stack");
            }
        }
        for (Object entry : tcp.tables().establishedEntries()) {
            if (entry instanceof TimeWaitSock tw && tw.key.isV6()) {
                tcp.lifecycle().twskKill(tw);
            } else if (entry instanceof RequestSock req && req.key.isV6()) {
                req.listener.lock();
                try {
                    tcp.lifecycle().reqskQueueDrop(req);
                } finally {
                    req.listener.unlock();
                }
            }
        }
    }
}
