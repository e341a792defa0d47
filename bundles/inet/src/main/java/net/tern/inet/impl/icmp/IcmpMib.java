package net.tern.inet.impl.icmp;

/** The {@code Icmp} group of {@code /proc/net/snmp}, in Linux's order and spelling. */
public enum IcmpMib {
    InMsgs,
    InErrors,
    InCsumErrors,
    InDestUnreachs,
    InTimeExcds,
    InParmProbs,
    InSrcQuenchs,
    InRedirects,
    InEchos,
    InEchoReps,
    InTimestamps,
    InTimestampReps,
    InAddrMasks,
    InAddrMaskReps,
    OutMsgs,
    OutErrors,
    /** Errors not sent: the global budget ({@code icmp_msgs_per_sec}) was spent. */
    OutRateLimitGlobal,
    /** Errors not sent: the destination's budget ({@code icmp_ratelimit}) was spent. */
    OutRateLimitHost,
    OutDestUnreachs,
    OutTimeExcds,
    OutParmProbs,
    OutSrcQuenchs,
    OutRedirects,
    OutEchos,
    OutEchoReps,
    OutTimestamps,
    OutTimestampReps,
    OutAddrMasks,
    OutAddrMaskReps
}
