package net.tern.netlink;

/**
 * {@code NETLINK_ROUTE}'s numbers ({@code include/uapi/linux/rtnetlink.h}, {@code if_link.h},
 * {@code if_addr.h}, {@code if.h}): message types, attribute types, route types, origins,
 * scopes, tables, and the multicast groups that carry notifications.
 */
public final class Rtnetlink {
    private Rtnetlink() {
    }

    // Message types
    public static final int RTM_NEWLINK = 16;
    public static final int RTM_DELLINK = 17;
    public static final int RTM_GETLINK = 18;
    public static final int RTM_NEWADDR = 20;
    public static final int RTM_DELADDR = 21;
    public static final int RTM_GETADDR = 22;
    public static final int RTM_NEWROUTE = 24;
    public static final int RTM_DELROUTE = 25;
    public static final int RTM_GETROUTE = 26;
    /** Traffic control: the queueing disciplines ({@code tc qdisc}), with {@code struct tcmsg} ({@link TcMsg}). */
    public static final int RTM_NEWQDISC = 36;
    public static final int RTM_DELQDISC = 37;
    public static final int RTM_GETQDISC = 38;

    // Link attributes (IFLA_*)
    public static final int IFLA_ADDRESS = 1;
    public static final int IFLA_BROADCAST = 2;
    public static final int IFLA_IFNAME = 3;
    public static final int IFLA_MTU = 4;
    public static final int IFLA_STATS = 7;
    public static final int IFLA_TXQLEN = 13;
    public static final int IFLA_OPERSTATE = 16;
    public static final int IFLA_LINKMODE = 17;
    public static final int IFLA_LINKINFO = 18;
    public static final int IFLA_STATS64 = 23;
    public static final int IFLA_GROUP = 27;
    public static final int IFLA_EXT_MASK = 29;
    public static final int IFLA_PROMISCUITY = 30;
    public static final int IFLA_NUM_TX_QUEUES = 31;
    public static final int IFLA_NUM_RX_QUEUES = 32;
    public static final int IFLA_CARRIER = 33;
    public static final int IFLA_MIN_MTU = 50;
    public static final int IFLA_MAX_MTU = 51;

    /** {@code IFLA_LINKINFO}'s nested kind, a string ({@code "dummy"}, {@code "veth"}). */
    public static final int IFLA_INFO_KIND = 1;

    /** {@code sizeof(struct rtnl_link_stats64)}: 25 counters of 8 bytes. */
    public static final int RTNL_LINK_STATS64_SIZE = 25 * 8;

    // Operational states (IF_OPER_*, RFC 2863)
    public static final int IF_OPER_UNKNOWN = 0;
    public static final int IF_OPER_DOWN = 2;
    public static final int IF_OPER_UP = 6;

    // Address attributes (IFA_*)
    public static final int IFA_ADDRESS = 1;
    public static final int IFA_LOCAL = 2;
    public static final int IFA_LABEL = 3;
    public static final int IFA_BROADCAST = 4;
    public static final int IFA_CACHEINFO = 6;
    public static final int IFA_FLAGS = 8;
    /** Not from router advertisements or DHCP: configured. */
    public static final int IFA_F_PERMANENT = 0x80;

    // Route attributes (RTA_*)
    public static final int RTA_DST = 1;
    public static final int RTA_SRC = 2;
    public static final int RTA_IIF = 3;
    public static final int RTA_OIF = 4;
    public static final int RTA_GATEWAY = 5;
    public static final int RTA_PRIORITY = 6;
    public static final int RTA_PREFSRC = 7;
    public static final int RTA_METRICS = 8;
    public static final int RTA_MULTIPATH = 9;
    public static final int RTA_TABLE = 15;
    /** An IPv6 route's router preference (RFC 4191), a u8: {@link #ICMPV6_ROUTER_PREF_MEDIUM} for routes not from a router advertisement. */
    public static final int RTA_PREF = 20;
    public static final int ICMPV6_ROUTER_PREF_MEDIUM = 0;
    /** In {@code RTA_METRICS}: the metrics locked, one bit per {@code RTAX_*}. */
    public static final int RTAX_LOCK = 1;
    /** In {@code RTA_METRICS}: the route's MTU. */
    public static final int RTAX_MTU = 2;

    // Route types (RTN_*)
    public static final int RTN_UNSPEC = 0;
    public static final int RTN_UNICAST = 1;
    public static final int RTN_LOCAL = 2;
    public static final int RTN_BROADCAST = 3;
    public static final int RTN_BLACKHOLE = 6;
    public static final int RTN_UNREACHABLE = 7;
    public static final int RTN_PROHIBIT = 8;

    // Route origins (RTPROT_*)
    public static final int RTPROT_UNSPEC = 0;
    public static final int RTPROT_KERNEL = 2;
    public static final int RTPROT_BOOT = 3;
    public static final int RTPROT_STATIC = 4;

    // Scopes (RT_SCOPE_*)
    public static final int RT_SCOPE_UNIVERSE = 0;
    public static final int RT_SCOPE_LINK = 253;
    public static final int RT_SCOPE_HOST = 254;
    public static final int RT_SCOPE_NOWHERE = 255;

    // Tables (RT_TABLE_*)
    public static final int RT_TABLE_UNSPEC = 0;
    public static final int RT_TABLE_MAIN = 254;
    public static final int RT_TABLE_LOCAL = 255;

    // rtmsg flags
    /** {@code RTM_F_CLONED}: in a dump request, cached routes only (Tern has none). */
    public static final int RTM_F_CLONED = 0x200;

    // Multicast groups (RTNLGRP_*), for NETLINK_ADD_MEMBERSHIP; bit group-1 of nl_groups
    public static final int RTNLGRP_LINK = 1;
    /** Traffic control: {@code RTM_NEWQDISC}/{@code RTM_DELQDISC} for every qdisc change ({@code tc monitor}). */
    public static final int RTNLGRP_TC = 4;
    public static final int RTNLGRP_IPV4_IFADDR = 5;
    public static final int RTNLGRP_IPV4_ROUTE = 7;
    public static final int RTNLGRP_IPV6_IFADDR = 9;
    public static final int RTNLGRP_IPV6_ROUTE = 11;

    /** Interface flags as {@code ifi_flags} carries them ({@code IFF_*}, {@code include/uapi/linux/if.h}). */
    public static final int IFF_UP = 0x1;
    public static final int IFF_LOOPBACK = 0x8;
    public static final int IFF_LOWER_UP = 0x10000;

    /** {@code ARPHRD_LOOPBACK}, {@code ARPHRD_NONE}: {@code ifi_type}. */
    public static final int ARPHRD_LOOPBACK = 772;
    public static final int ARPHRD_NONE = 0xfffe;

    /** The flags as {@code ip link} prints them between angle brackets: {@code LOOPBACK,UP,LOWER_UP}. */
    public static String ifFlagsToString(int flags) {
        return net.tern.spi.net.LinkFlags.toString(flags);
    }
}
