package net.tern.tcp.impl;

import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.Inet6SockAddr;
import net.tern.spi.net.Packet;

/**
 * What a connection's network layer does for TCP ({@code struct inet_connection_sock_af_ops},
 * {@code icsk_af_ops}): {@link Ipv4Specific} ({@code ipv4_specific}) for IPv4 connections,
 * {@code TcpIpv6}'s ({@code ipv6_specific}) for IPv6 ones. Everything else of TCP (the
 * tables, timers, congestion control, diag) is the same for both. Called under the socket's lock.
 */
interface TcpAfOps {
    /** {@code net_header_len}: what the MSS leaves out of the MTU besides TCP's own header. */
    int netHeaderLength();

    /** Headroom to leave in front of a segment for the network and link headers. */
    int headroom();

    /**
     * {@code __sk_dst_check} / {@code inet_sk_rebuild_header}: makes sure {@code sk} has a
     * route to its peer, looking it up again when it is missing or its link is no longer up;
     * ENETUNREACH (or the lookup's errno) when there is none.
     */
    void dstCheck(TcpSock sk) throws ErrnoException;

    /** The path MTU of {@code sk}'s cached route, or 0 when it has none. */
    int routeMtu(TcpSock sk);

    /** {@code send_check}: the checksum of {@code sk}'s segment of {@code length} bytes at {@code start}, by its route. */
    void sendCheck(TcpSock sk, Packet packet, int start, int length);

    /**
     * {@code tcp_v6_connect}: starts connecting {@code sk}, a socket of this family, to
     * {@code address}; EAFNOSUPPORT from a family that takes no IPv6 address.
     */
    default void connect6(TcpSock sk, Inet6SockAddr address) throws ErrnoException {
        throw new ErrnoException(Errno.EAFNOSUPPORT, "connect(" + address + "): not an address of the socket's family");
    }

    /**
     * {@code queue_xmit}: sends the segment by {@code sk}'s route ({@link #dstCheck} first).
     * Takes ownership. Returns the link's answer ({@link net.tern.spi.net.NetXmit}).
     */
    int queueXmit(TcpSock sk, Packet packet) throws ErrnoException;
}
