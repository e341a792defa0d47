/**
 * What IPv4 offers the transports above it: output ({@link net.tern.inet.ip.IpOutput},
 * {@code ip_queue_xmit} and {@code ip_build_and_send_pkt}), ICMP errors
 * ({@link net.tern.inet.ip.IcmpSender}, {@code icmp_send}), what an ICMP error means to a
 * socket ({@link net.tern.inet.ip.IcmpErrConvert}), and the {@code SOL_IP} numbers
 * ({@link net.tern.inet.ip.InetConstants}). 2.0.0 removed {@code IcmpEcho} and
 * {@code EchoSocket}: echo requests are sent and their replies heard through ICMP ping
 * sockets ({@code socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP)}), as on Linux. 3.0.0: {@code IpOutput}'s
 * sends return the link's answer ({@code NET_XMIT_*}), which TCP acts on.
 */
@Export
@Version("3.0.0")
package net.tern.inet.ip;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
