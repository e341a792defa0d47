package net.tern.udp.impl;

import net.tern.spi.net.Packet;

/**
 * A datagram on a socket's receive queue: the packet (its data start at the payload), who
 * sent it, and what it is charged against {@code SO_RCVBUF}.
 *
 * @param packet    owned by the queue until read or purged
 * @param source    the sender's address (host order)
 * @param port      the sender's port
 * @param length    payload bytes
 * @param truesize  bytes charged to the socket's receive memory ({@link net.tern.spi.net.Packet#truesize})
 */
record UdpDatagram(Packet packet, int source, int port, int length, int truesize) {
}
