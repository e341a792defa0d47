/**
 * What IPv4 offers the transports above it: output ({@link net.tern.inet.ip.IpOutput},
 * {@code ip_queue_xmit} and {@code ip_build_and_send_pkt}), ICMP errors
 * ({@link net.tern.inet.ip.IcmpSender}, {@code icmp_send}), echo requests and their replies
 * ({@link net.tern.inet.ip.IcmpEcho}, an in-stack endpoint; applications use ping sockets), what an
 * ICMP error means to a socket ({@link net.tern.inet.ip.IcmpErrConvert}, since 1.1), and the
 * {@code SOL_IP} numbers ({@link net.tern.inet.ip.InetConstants}).
 */
@Export
@Version("1.1.0")
package net.tern.inet.ip;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
