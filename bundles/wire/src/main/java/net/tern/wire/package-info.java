/**
 * IPv4, IPv6 (with its extension headers), ICMP, ICMPv6, UDP and TCP on the wire, for every protocol, the shell's capture and trace,
 * and the tests: the stack's one place for packet formats, after smoltcp's {@code wire}.
 *
 * <p>Each protocol has two forms. A <em>view</em> ({@link net.tern.wire.Ipv4Packet},
 * {@link net.tern.wire.IcmpPacket}, {@link net.tern.wire.UdpPacket},
 * {@link net.tern.wire.TcpPacket}, {@link net.tern.wire.Ipv6Packet},
 * {@link net.tern.wire.Ipv6FragmentHeader}, {@link net.tern.wire.Icmpv6Packet}) reads and writes the bytes of a buffer in place; it
 * checks nothing when made, and its {@code check} says whether bytes from the wire can be
 * trusted, naming the defect when not ({@code Check}), before any accessor is used. Views
 * can be re-pointed ({@code wrap}) and the TCP options parse into a reusable
 * {@link net.tern.wire.TcpOptions}, so the receive and send paths allocate nothing. A
 * <em>representation</em> ({@link net.tern.wire.Ipv4Repr}, {@link net.tern.wire.IcmpRepr},
 * {@link net.tern.wire.UdpRepr}, {@link net.tern.wire.TcpRepr}, {@link net.tern.wire.Ipv6Repr},
 * {@link net.tern.wire.Icmpv6Repr}) is an immutable value that
 * parses from a checked view and emits itself into a buffer, checksum filled.
 *
 * <p>Next to them: address classes ({@link net.tern.wire.Ipv4Address}, {@link net.tern.wire.Ipv6Address}),
 * IPv6's extension headers and options ({@link net.tern.wire.Ipv6ExtHeader},
 * {@link net.tern.wire.Ipv6Options}), ICMPv6 numbers ({@link net.tern.wire.Icmpv6Types}), ICMP numbers
 * ({@link net.tern.wire.IcmpTypes}), and the one implementation of the internet checksum and
 * the pseudo-header sum ({@link net.tern.wire.InetChecksum}) that IP, ICMP, UDP and TCP share.
 */
@Export
@Version("1.2.0")
package net.tern.wire;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
