/**
 * What IPv6 offers the transports that run over it ({@code net/ipv6}'s exports to
 * {@code tcp_ipv6.c} and {@code udp.c}): output ({@link net.tern.inet6.ip.Ip6Transport}: the
 * route and source address of a destination, its path MTU, {@code ip6_xmit}, ICMPv6 errors
 * sent about a received packet) and the upper-layer protocol hook
 * ({@link net.tern.inet6.ip.Ip6Protocol}, {@code inet6_add_protocol}), which receives packets
 * and the ICMPv6 errors quoting packets the protocol sent. The inet6 bundle registers its
 * {@code Ip6Transport} as a service while it runs; a transport's IPv6 side comes and goes with it.
 */
@Export
@Version("1.0.0")
package net.tern.inet6.ip;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
