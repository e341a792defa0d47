/**
 * The link layer's service interfaces and the packet ({@code include/linux/netdevice.h},
 * {@code skbuff.h}): what a link driver implements ({@link net.tern.spi.net.NetDevice}), the
 * view of a registered device ({@link net.tern.spi.net.Link}), the handlers that receive
 * dispatch calls by packet type ({@link net.tern.spi.net.PacketHandler}), the taps packet
 * capture attaches to a link ({@link net.tern.spi.net.PacketTap}, {@code ptype_all}), the
 * fault injection on a link's transmit path ({@link net.tern.spi.net.Impairment}, netem), and the execution
 * services protocol code runs on: the {@link net.tern.spi.net.Clock}, the
 * {@link net.tern.spi.net.TimerService}, the {@link net.tern.spi.net.NetworkThread} and receive
 * processing on the calling thread ({@link net.tern.spi.net.Softnet}, since 1.7), and the flow hash
 * that spreads flows over the network threads ({@link net.tern.spi.net.FlowHash}, since 1.7), and
 * segmentation offload: a packet standing for several TCP segments ({@link net.tern.spi.net.Packet#gso},
 * {@code NETIF_F_TSO}, since 1.8); what the way out answers for a packet ({@link net.tern.spi.net.NetXmit},
 * {@link net.tern.spi.net.Link#xmit}, and a queue limit in {@link net.tern.spi.net.Impairment}, since 1.9).
 */
@Export
@Version("1.9.0")
package net.tern.spi.net;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
