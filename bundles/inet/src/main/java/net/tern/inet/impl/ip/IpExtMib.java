package net.tern.inet.impl.ip;

/** The IPv4 counters of {@code /proc/net/netstat}'s {@code IpExt} group that Tern keeps. */
public enum IpExtMib {
    /** Forwarding on, and no route for the destination. */
    InNoRoutes,
    /** Total length beyond the bytes received. */
    InTruncatedPkts,
    /** Header checksum wrong (also counted in IpInHdrErrors). */
    InCsumErrors,
    /** Datagrams whose fragments overlapped, discarded whole (RFC 5722's rule). */
    ReasmOverlaps
}
