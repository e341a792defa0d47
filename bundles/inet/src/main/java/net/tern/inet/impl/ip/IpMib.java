package net.tern.inet.impl.ip;

/**
 * The {@code Ip} group of {@code /proc/net/snmp} (RFC 4293's ipSystemStats, as Linux names
 * them). Constants keep Linux's spelling so {@code nstat}'s names ({@code IpInReceives}) are
 * found verbatim in the code.
 */
public enum IpMib {
    /** Every datagram handed to {@code ip_rcv}, before any check. */
    InReceives,
    /** Bad version, IHL, checksum or total length; TTL expired while forwarding. */
    InHdrErrors,
    /** Destination not this host (and not forwarded), or a martian address. */
    InAddrErrors,
    /** Datagrams forwarded. */
    ForwDatagrams,
    /** Delivered locally to a protocol nobody registered. */
    InUnknownProtos,
    /** Discarded for want of resources, with nothing wrong in them. */
    InDiscards,
    /** Handed to a protocol handler. */
    InDelivers,
    /** Datagrams local protocols gave to IP output (fragments not counted again). */
    OutRequests,
    /** Datagrams dropped on output for want of resources (the link refused them). */
    OutDiscards,
    /** Datagrams with no route on output. */
    OutNoRoutes,
    /** Reassemblies that timed out. */
    ReasmTimeout,
    /** Fragments received for reassembly. */
    ReasmReqds,
    /** Datagrams reassembled. */
    ReasmOKs,
    /** Reassembly failures: timeouts, overlaps, memory limits, oversize. */
    ReasmFails,
    /** Datagrams fragmented on output. */
    FragOKs,
    /** Datagrams that needed fragmenting and could not be (DF set). */
    FragFails,
    /** Fragments made on output. */
    FragCreates
}
