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
    /** Multicast Listener Discovery (RFC 2710, 3810): counted as received; this host sends none. */
    InGroupMembQueries,
    InGroupMembResponses,
    InGroupMembReductions,
    InRouterSolicits,
    InRouterAdvertisements,
    InNeighborSolicits,
    InNeighborAdvertisements,
    InRedirects,
    InMLDv2Reports,
    OutDestUnreachs,
    OutPktTooBigs,
    OutTimeExcds,
    OutParmProblems,
    OutEchos,
    OutEchoReplies,
    /** Neighbor Discovery and MLD messages this host would send on a link with link-layer addresses: 0 here. */
    OutGroupMembQueries,
    OutGroupMembResponses,
    OutGroupMembReductions,
    OutRouterSolicits,
    OutRouterAdvertisements,
    OutNeighborSolicits,
    OutNeighborAdvertisements,
    OutRedirects,
    OutMLDv2Reports;

    /** MLD's types (RFC 2710 3, RFC 3810 4): query, report, done, version 2 report. */
    private static final int MLD_QUERY = 130;
    private static final int MLD_REPORT = 131;
    private static final int MLD_DONE = 132;
    private static final int MLD2_REPORT = 143;

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
            case MLD_QUERY -> InGroupMembQueries;
            case MLD_REPORT -> InGroupMembResponses;
            case MLD_DONE -> InGroupMembReductions;
            case MLD2_REPORT -> InMLDv2Reports;
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
            case MLD_QUERY -> OutGroupMembQueries;
            case MLD_REPORT -> OutGroupMembResponses;
            case MLD_DONE -> OutGroupMembReductions;
            case MLD2_REPORT -> OutMLDv2Reports;
            case Icmpv6Types.ROUTER_SOLICIT -> OutRouterSolicits;
            case Icmpv6Types.ROUTER_ADVERT -> OutRouterAdvertisements;
            case Icmpv6Types.NEIGHBOR_SOLICIT -> OutNeighborSolicits;
            case Icmpv6Types.NEIGHBOR_ADVERT -> OutNeighborAdvertisements;
            case Icmpv6Types.REDIRECT -> OutRedirects;
            default -> null;
        };
    }
}
