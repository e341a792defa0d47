package net.tern.inet6.impl;

import net.tern.wire.Icmpv6Types;

/**
 * The {@code Icmp6} counters of {@code /proc/net/snmp6} in Linux's order and spelling
 * ({@code snmp6_icmp6_list} and the per-type names of {@code icmp6type2name}).
 */
public enum Icmp6Mib {
    InMsgs,
    InErrors,
    OutMsgs,
    OutErrors,
    InCsumErrors,
    OutRateLimitHost,
    InDestUnreachs,
    InPktTooBigs,
    InTimeExcds,
    InParmProblems,
    InEchos,
    InEchoReplies,
    InRouterSolicits,
    InRouterAdvertisements,
    InNeighborSolicits,
    InNeighborAdvertisements,
    InRedirects,
    OutDestUnreachs,
    OutPktTooBigs,
    OutTimeExcds,
    OutParmProblems,
    OutEchos,
    OutEchoReplies;

    /** The {@code In*} counter of an ICMPv6 type, or {@code null} for a type without one. */
    public static Icmp6Mib in(int type) {
        return switch (type) {
            case Icmpv6Types.DEST_UNREACH -> InDestUnreachs;
            case Icmpv6Types.PKT_TOOBIG -> InPktTooBigs;
            case Icmpv6Types.TIME_EXCEED -> InTimeExcds;
            case Icmpv6Types.PARAMPROB -> InParmProblems;
            case Icmpv6Types.ECHO_REQUEST -> InEchos;
            case Icmpv6Types.ECHO_REPLY -> InEchoReplies;
            case Icmpv6Types.ROUTER_SOLICIT -> InRouterSolicits;
            case Icmpv6Types.ROUTER_ADVERT -> InRouterAdvertisements;
            case Icmpv6Types.NEIGHBOR_SOLICIT -> InNeighborSolicits;
            case Icmpv6Types.NEIGHBOR_ADVERT -> InNeighborAdvertisements;
            case Icmpv6Types.REDIRECT -> InRedirects;
            default -> null;
        };
    }

    /** The {@code Out*} counter of an ICMPv6 type, or {@code null}. */
    public static Icmp6Mib out(int type) {
        return switch (type) {
            case Icmpv6Types.DEST_UNREACH -> OutDestUnreachs;
            case Icmpv6Types.PKT_TOOBIG -> OutPktTooBigs;
            case Icmpv6Types.TIME_EXCEED -> OutTimeExcds;
            case Icmpv6Types.PARAMPROB -> OutParmProblems;
            case Icmpv6Types.ECHO_REQUEST -> OutEchos;
            case Icmpv6Types.ECHO_REPLY -> OutEchoReplies;
            default -> null;
        };
    }
}
