package net.tern.inet6.impl;

/**
 * The {@code Ip6} counters of {@code /proc/net/snmp6} (RFC 4293's ipSystemStats for IPv6),
 * in Linux's order and spelling ({@code snmp6_ipstats_list}), so {@code nstat}'s names
 * ({@code Ip6InReceives}) are found verbatim here.
 */
public enum Ip6Mib {
    /** Every packet handed to {@code ipv6_rcv}, before any check. */
    InReceives,
    /** Bad version, a header error an extension header walk found, hop limit exhausted. */
    InHdrErrors,
    /** Packets too big to forward. */
    InTooBigErrors,
    /** No route for the packet. */
    InNoRoutes,
    /** Destination not this host (and not forwarded), a multicast source. */
    InAddrErrors,
    /** Delivered to a next header no one handles. */
    InUnknownProtos,
    /** The payload length says more than the bytes received. */
    InTruncatedPkts,
    /** Discarded with nothing wrong in them. */
    InDiscards,
    /** Handed to an upper-layer protocol. */
    InDelivers,
    OutForwDatagrams,
    /** Packets local protocols gave to IPv6 output (fragments not counted again). */
    OutRequests,
    /** Packets the link refused. */
    OutDiscards,
    /** No route on output. */
    OutNoRoutes,
    ReasmTimeout,
    ReasmReqds,
    ReasmOKs,
    ReasmFails,
    FragOKs,
    FragFails,
    FragCreates,
    InMcastPkts,
    OutMcastPkts,
    InOctets,
    OutOctets,
    /** Bytes of the multicast packets received and sent. */
    InMcastOctets,
    OutMcastOctets,
    /** IPv6 has no broadcast: always 0, listed as Linux lists them. */
    InBcastOctets,
    OutBcastOctets,
    /** Packets received by the ECN field of their traffic class (RFC 3168): 00, 01, 10, 11. */
    InNoECTPkts,
    InECT1Pkts,
    InECT0Pkts,
    InCEPkts,
    /** Packets handed to a link, each fragment one ({@code IPSTATS_MIB_OUTPKTS}, Linux 6.3 on). */
    OutTransmits;

    private static final Ip6Mib[] BY_ECN = {InNoECTPkts, InECT1Pkts, InECT0Pkts, InCEPkts};

    /** The counter of a received packet's ECN codepoint (the traffic class's low two bits). */
    public static Ip6Mib ecn(int trafficClass) {
        return BY_ECN[trafficClass & 3];
    }
}
