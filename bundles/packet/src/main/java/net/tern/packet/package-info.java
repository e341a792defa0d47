/**
 * Packet sockets as Linux's {@code include/uapi/linux/if_packet.h} and {@code if_ether.h} lay
 * them out, for tools that capture or send whole packets through an {@code AF_PACKET} socket
 * opened with the socket API: {@link net.tern.packet.SockAddrLl} ({@code struct sockaddr_ll}),
 * {@link net.tern.packet.TpacketStats} ({@code PACKET_STATISTICS}) and the numbers in
 * {@link net.tern.packet.IfPacket}.
 */
@Export
@Version("1.0.0")
package net.tern.packet;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
