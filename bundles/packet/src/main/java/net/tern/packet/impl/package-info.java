/**
 * The {@code AF_PACKET} family ({@code net/packet/af_packet.c}), private to the bundle: packet
 * sockets hooked to the links through their packet taps ({@code ptype_all}), with receive
 * queues bounded by {@code SO_RCVBUF}, and the way out to a link's transmit. The bundle
 * registers the family as a {@code ProtocolFamily} service; the socket layer finds it like
 * any other.
 */
package net.tern.packet.impl;
