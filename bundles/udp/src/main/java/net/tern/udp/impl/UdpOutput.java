package net.tern.udp.impl;

import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.InetSockAddr;
import net.tern.api.socket.SocketConstants;
import net.tern.inet.ip.InetConstants;
import net.tern.inet.ip.IpOutput;
import net.tern.inet.route.Flowi4;
import net.tern.inet.route.RouteType;
import net.tern.inet.route.Rtable;
import net.tern.inet.sock.InetSock;
import net.tern.inet.sock.SkState;
import net.tern.spi.net.NetdevFeatures;
import net.tern.spi.net.Packet;
import net.tern.spi.net.PacketAllocator;
import net.tern.spi.trace.Tracepoints;
import net.tern.wire.UdpPacket;

/**
 * {@code udp_sendmsg}: one call, one datagram. Checks the request, routes it (which picks the
 * source address the checksum covers), builds the header and checksum in a packet with room
 * for IP's headers, and hands it to {@link IpOutput#queueXmit}, which fragments it to the
 * route's MTU if need be. Nothing is queued here: the datagram is IP's when this returns.
 *
 * <p>Runs in the calling thread under the socket's lock.
 */
public final class UdpOutput {
    private final IpOutput ip;
    private final PacketAllocator allocator;
    private final UdpStats stats;

    public UdpOutput(IpOutput ip, PacketAllocator allocator, UdpStats stats) {
        this.ip = ip;
        this.allocator = allocator;
        this.stats = stats;
    }

    /**
     * Sends {@code data}'s remaining bytes as one datagram to {@code to}, or to the connected
     * peer when {@code to} is null, and returns their count. Errors, in Linux's order:
     * EOPNOTSUPP for MSG_OOB; EINVAL for destination port 0; EDESTADDRREQ without a
     * destination on an unconnected socket; EMSGSIZE above {@value UdpPacket#MAX_IPV4_PAYLOAD}
     * bytes; the pending error ({@code sock_error}); EPIPE after SHUT_WR; the route's error
     * (ENETUNREACH, ...); EACCES to a broadcast address without SO_BROADCAST; ENOBUFS when no
     * packet memory is left (counted in {@code SndbufErrors}); IP output's error.
     */
    int sendmsg(UdpSock sk, ByteBuffer data, InetSockAddr to, int flags) throws ErrnoException {
        if ((flags & SocketConstants.MSG_OOB) != 0) {
            throw new ErrnoException(Errno.EOPNOTSUPP, "sendmsg: UDP has no out-of-band data (MSG_OOB)");
        }
        int destination;
        int port;
        if (to != null) {
            destination = to.address();
            port = to.port();
            if (port == 0) {
                throw new ErrnoException(Errno.EINVAL, "sendmsg(to " + to + "): destination port 0");
            }
        } else {
            if (sk.state() != SkState.ESTABLISHED) {
                throw new ErrnoException(Errno.EDESTADDRREQ,
                        "sendmsg: the socket is not connected and no destination address was given");
            }
            destination = sk.daddr();
            port = sk.dport();
        }
        int length = data.remaining();
        if (length > UdpPacket.MAX_IPV4_PAYLOAD) {
            throw new ErrnoException(Errno.EMSGSIZE, "sendmsg: " + length
                    + " bytes exceed the largest UDP datagram over IPv4 (" + UdpPacket.MAX_IPV4_PAYLOAD + " bytes)");
        }
        UdpProt.throwPendingError(sk, "sendmsg");
        if ((sk.shutdown() & InetSock.SEND_SHUTDOWN) != 0) {
            throw new ErrnoException(Errno.EPIPE, "sendmsg: the socket was shut down for sending");
        }
        if (destination == 0) {
            destination = UdpProt.thisHost(sk);
        }
        Rtable route = route(sk, destination);
        if (route.type() == RouteType.BROADCAST && !sk.broadcast()) {
            throw new ErrnoException(Errno.EACCES, "sendmsg(to " + new InetSockAddr(destination, port)
                    + "): a broadcast address needs SO_BROADCAST");
        }
        int total = UdpPacket.HEADER_LENGTH + length;
        Packet packet = allocate(total);
        ByteBuf buf = packet.buf();
        int at = buf.writerIndex();
        int from = data.position();
        buf.setBytes(at + UdpPacket.HEADER_LENGTH, data); // moves data's position: set back until sent
        data.position(from);
        buf.writerIndex(at + total);
        UdpPacket.writeHeader(buf, at, sk.num(), port, total);
        if ((route.link().features() & NetdevFeatures.NETIF_F_HW_CSUM) != 0) {
            UdpPacket.fillPartialChecksum(buf, at, route.source(), route.destination()); // udp4_hwcsum
            packet.checksumPartial(at, UdpPacket.CHECKSUM_OFFSET);
        } else {
            UdpPacket.fillChecksum(buf, at, route.source(), route.destination());
        }
        packet.resetTransportHeader();
        Tracepoints.packet("udp_sendmsg", packet, route.link(), false, route.source(), sk.num(), route.destination(),
                port, 17, total);
        try {
            ip.queueXmit(packet, route, sk.txParams());
        } catch (ErrnoException e) {
            if (e.errno() == Errno.ENOBUFS) {
                stats.inc(UdpMib.SndbufErrors);
            }
            throw e;
        }
        stats.inc(UdpMib.OutDatagrams);
        data.position(data.position() + length);
        return length;
    }

    /**
     * The route to {@code destination}: the socket's cached one while the routing tables and
     * the socket's source and TOS are as they were ({@code sk_dst_check}), else a lookup,
     * which is cached. The generation is read before the lookup, so a change during it makes
     * the next send look up again.
     */
    private Rtable route(UdpSock sk, int destination) throws ErrnoException {
        int genid = ip.routeGenid();
        Rtable route = sk.dstCheck(destination, genid);
        if (route == null) {
            route = ip.routeOutput(new Flowi4(destination, sk.saddr(), 0, SocketConstants.IPPROTO_UDP, sk.tos()));
            sk.dstSet(route, destination, genid);
        }
        return route;
    }

    /** {@code sock_alloc_send_skb}: a packet with IP's headroom; ENOBUFS when packet memory is exhausted. */
    private Packet allocate(int size) throws ErrnoException {
        try {
            return allocator.allocate(InetConstants.MAX_IP_HEADROOM, size);
        } catch (OutOfMemoryError exhausted) {
            stats.inc(UdpMib.SndbufErrors);
            throw new ErrnoException(Errno.ENOBUFS, "sendmsg: no packet memory for a datagram of " + size + " bytes",
                    exhausted);
        }
    }
}
