package net.tern.tcp.impl;

import net.tern.api.socket.ErrnoException;
import net.tern.inet.ip.InetConstants;
import net.tern.inet.ip.IpOutput;
import net.tern.inet.ip.TxParams;
import net.tern.inet.route.Flowi4;
import net.tern.inet.route.Rtable;
import net.tern.spi.net.Packet;

/** {@code ipv4_specific}: an IPv4 connection's network layer ({@link TcpAfOps}). */
final class Ipv4Specific implements TcpAfOps {
    private static final int TCP_PROTOCOL = 6;
    /** What a connection with the default TTL and TOS sends with (most do): nothing made per segment. */
    private static final TxParams DEFAULT_PARAMS = new TxParams(TCP_PROTOCOL, -1, 0, true);

    private final IpOutput ip;

    Ipv4Specific(IpOutput ip) {
        this.ip = ip;
    }

    @Override
    public int netHeaderLength() {
        return TcpWindow.IPV4_HEADER;
    }

    @Override
    public int headroom() {
        return InetConstants.MAX_IP_HEADROOM;
    }

    /**
     * The connection's cached route, looked up again when it is missing or its link is no
     * longer up ({@code __sk_dst_check}: an obsolete dst is dropped before use). A link that
     * leaves is brought down first, so a route through a replaced device (a driver update)
     * is never used again, and the first segment after the device returns goes out on it.
     */
    @Override
    public void dstCheck(TcpSock sk) throws ErrnoException {
        Rtable rt = sk.route();
        if (rt == null || !rt.link().isUp()) {
            sk.dstSet(ip.routeOutput(Flowi4.of(sk.saddr(), sk.daddr(), TCP_PROTOCOL)));
        }
    }

    @Override
    public int routeMtu(TcpSock sk) {
        Rtable rt = sk.route();
        return rt == null ? 0 : rt.mtu();
    }

    @Override
    public void sendCheck(TcpSock sk, Packet packet, int start, int length) {
        TcpIpv4.v4SendCheck(packet, sk.route(), start, length);
    }

    @Override
    public int queueXmit(TcpSock sk, Packet packet) throws ErrnoException {
        return ip.queueXmit(packet, sk.route(), params(sk));
    }

    private static TxParams params(TcpSock sk) {
        boolean df = sk.dontFragment(); // ip_dont_fragment: IP_MTU_DISCOVER
        if (sk.ttl() == DEFAULT_PARAMS.ttl() && sk.tos() == DEFAULT_PARAMS.tos() && df) {
            return DEFAULT_PARAMS;
        }
        return new TxParams(TCP_PROTOCOL, sk.ttl(), sk.tos(), df);
    }
}
