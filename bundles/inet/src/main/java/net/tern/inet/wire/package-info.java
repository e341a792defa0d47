/**
 * IPv4 and ICMP on the wire, for every protocol that reads or writes them: parse-only views
 * over packet bytes ({@link net.tern.inet.wire.Ipv4Packet}, {@link net.tern.inet.wire.IcmpPacket}),
 * the decoded header and its writer ({@link net.tern.inet.wire.Ipv4Header}), address
 * classes ({@link net.tern.inet.wire.Ipv4Address}), ICMP numbers
 * ({@link net.tern.inet.wire.IcmpTypes}), and the one implementation of the internet
 * checksum and the pseudo-header sum ({@link net.tern.inet.wire.InetChecksum}) that IP,
 * ICMP, UDP and TCP share.
 *
 * <p>Views check nothing when made and read exactly what their accessors name; the caller
 * checks lengths first ({@link net.tern.inet.wire.Ipv4Packet#checkHeader}), as
 * {@code ip_rcv} does before it trusts a header.
 */
@Export
@Version("1.1.0")
package net.tern.inet.wire;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
