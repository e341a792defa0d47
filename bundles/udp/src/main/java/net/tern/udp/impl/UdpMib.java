package net.tern.udp.impl;

/**
 * The counters of the {@code Udp} group, named and ordered as {@code /proc/net/snmp} lists
 * them ({@code UDP_MIB_*} in {@code include/uapi/linux/snmp.h}).
 */
public enum UdpMib {
    /** Datagrams handed to applications ({@code udp_recvmsg} counts when a datagram is read, not when it is queued). */
    InDatagrams,
    /** Unicast datagrams to a port no socket has; each is answered with ICMP port unreachable. */
    NoPorts,
    /** Datagrams dropped on input for any reason but a missing port: bad header, bad checksum, full receive queue, no memory. */
    InErrors,
    /** Datagrams handed to IP output. */
    OutDatagrams,
    /** Datagrams dropped because the receive queue was over {@code SO_RCVBUF} (also counted in InErrors). */
    RcvbufErrors,
    /** Sends that failed for want of buffer memory ({@code ENOBUFS}). */
    SndbufErrors,
    /** Datagrams whose checksum did not verify (also counted in InErrors). */
    InCsumErrors,
    /** Broadcast or multicast datagrams that no socket wanted (no ICMP is sent about them). */
    IgnoredMulti,
    /**
     * Datagrams dropped because UDP's memory ({@code udp_mem}) refused the socket more
     * (also counted in InErrors): {@code __udp_enqueue_schedule_skb}'s ENOBUFS.
     */
    MemErrors
}
