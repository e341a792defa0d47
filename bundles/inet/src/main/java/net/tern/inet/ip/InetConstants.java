package net.tern.inet.ip;

/** IPv4 numbers for transports and applications ({@code include/uapi/linux/in.h}, sysctl defaults). */
public final class InetConstants {
    private InetConstants() {
    }

    /** {@code SOL_IP} option: the type-of-service byte of outgoing packets. */
    public static final int IP_TOS = 1;
    /** {@code SOL_IP} option: the TTL of outgoing unicast packets; -1 restores the default. */
    public static final int IP_TTL = 2;

    /** {@code SOL_IP} option: path MTU discovery, {@code IP_PMTUDISC_DONT} (0) to {@code IP_PMTUDISC_OMIT} (5). */
    public static final int IP_MTU_DISCOVER = 10;
    /** {@code IP_PMTUDISC_DONT}: no Don't Fragment, the path's MTU ignored. */
    public static final int IP_PMTUDISC_DONT = 0;
    /** {@code IP_PMTUDISC_WANT}: a socket's default ({@code ip_no_pmtu_disc} = 0). */
    public static final int IP_PMTUDISC_WANT = 1;
    /** {@code IP_PMTUDISC_DO}. */
    public static final int IP_PMTUDISC_DO = 2;
    /** {@code IP_PMTUDISC_INTERFACE}: the device's MTU only. */
    public static final int IP_PMTUDISC_INTERFACE = 4;
    /** {@code IP_PMTUDISC_OMIT}: as INTERFACE. */
    public static final int IP_PMTUDISC_OMIT = 5;

    /** {@code net.ipv4.ip_default_ttl}. */
    public static final int DEFAULT_TTL = 64;

    /**
     * Headroom a transport leaves in front of its header when it allocates a packet: room for
     * the largest IPv4 header and any link-layer header below it ({@code MAX_HEADER}).
     */
    public static final int MAX_IP_HEADROOM = 128;

    /** RFC 1122 3.3.3 / RFC 791: every host takes 576-byte datagrams; ICMP errors fit in it. */
    public static final int MIN_REASSEMBLY_SIZE = 576;

    /** Type-of-service bits ({@code IPTOS_TOS_MASK}) kept when answering with an ICMP error. */
    public static final int IPTOS_TOS_MASK = 0x1e;
    /** Precedence "internetwork control" ({@code IPTOS_PREC_INTERNETCONTROL}), for ICMP errors. */
    public static final int IPTOS_PREC_INTERNETCONTROL = 0xc0;
}
