package net.tern.tcp.impl;

import net.tern.api.socket.ErrnoException;
import net.tern.spi.net.Packet;
import net.tern.wire.Ipv6Address;

/**
 * What TCP's shared input and replies ask of IPv6 while it runs ({@code TcpIpv6} answers):
 * segments sent without a socket and the path MTU of a request's peer. Named in TCP's own
 * terms, so TCP over IPv4 never loads the inet6 bundle's classes.
 */
interface Ipv6Sender {
    /** {@code tcp_v6_send_response}'s sending: a segment, its checksum filled, from {@code source} to {@code destination}; takes ownership. */
    void send(Packet packet, Ipv6Address source, Ipv6Address destination);

    /** {@code inet6_csk_route_req}: the path MTU towards {@code destination}; ENETUNREACH without a route. */
    int mtu(Ipv6Address destination) throws ErrnoException;
}
