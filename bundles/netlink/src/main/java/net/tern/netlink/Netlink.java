package net.tern.netlink;

/**
 * The netlink protocol's numbers ({@code include/uapi/linux/netlink.h}): the family, its
 * protocols, the {@code nlmsghdr} flags and control message types, and the socket options.
 */
public final class Netlink {
    private Netlink() {
    }

    /** {@code AF_NETLINK}. */
    public static final int AF_NETLINK = 16;

    /** Routing and link configuration ({@code rtnetlink}). */
    public static final int NETLINK_ROUTE = 0;
    /** Socket monitoring ({@code sock_diag}). */
    public static final int NETLINK_SOCK_DIAG = 4;

    /** {@code SOL_NETLINK}, the option level of netlink sockets. */
    public static final int SOL_NETLINK = 270;
    /** Joins the multicast group given as the option's value. */
    public static final int NETLINK_ADD_MEMBERSHIP = 1;
    /** Leaves the multicast group given as the option's value. */
    public static final int NETLINK_DROP_MEMBERSHIP = 2;
    /** Acknowledgements carry only the request's header, not its payload. */
    public static final int NETLINK_CAP_ACK = 10;
    /** Errors carry {@code NLMSGERR_ATTR_*} attributes: the reason as text ({@link #NLMSGERR_ATTR_MSG}). */
    public static final int NETLINK_EXT_ACK = 11;
    /** Dump requests' headers are filters (an address dump of one link), as {@code ip} asks since Linux 4.20. */
    public static final int NETLINK_GET_STRICT_CHK = 12;

    /** {@code sizeof(struct nlmsghdr)}: length u32, type u16, flags u16, seq u32, pid u32. */
    public static final int NLMSG_HDRLEN = 16;
    /** {@code sizeof(struct nlattr)} (and {@code struct rtattr}): length u16, type u16. */
    public static final int NLA_HDRLEN = 4;

    // nlmsg_type of the control messages.
    public static final int NLMSG_NOOP = 1;
    public static final int NLMSG_ERROR = 2;
    public static final int NLMSG_DONE = 3;
    public static final int NLMSG_OVERRUN = 4;
    /** Types below this are control messages. */
    public static final int NLMSG_MIN_TYPE = 0x10;

    // nlmsg_flags
    public static final int NLM_F_REQUEST = 0x01;
    public static final int NLM_F_MULTI = 0x02;
    public static final int NLM_F_ACK = 0x04;
    public static final int NLM_F_ECHO = 0x08;
    public static final int NLM_F_DUMP_INTR = 0x10;
    // For GET requests
    public static final int NLM_F_ROOT = 0x100;
    public static final int NLM_F_MATCH = 0x200;
    public static final int NLM_F_DUMP = NLM_F_ROOT | NLM_F_MATCH;
    // For NEW requests
    public static final int NLM_F_REPLACE = 0x100;
    public static final int NLM_F_EXCL = 0x200;
    public static final int NLM_F_CREATE = 0x400;
    public static final int NLM_F_APPEND = 0x800;
    // For NLMSG_ERROR
    public static final int NLM_F_CAPPED = 0x100;
    public static final int NLM_F_ACK_TLVS = 0x200;

    /** The attribute of an extended acknowledgement that holds the reason, a string. */
    public static final int NLMSGERR_ATTR_MSG = 1;

    /** The nested-attribute bit of {@code nla_type}. */
    public static final int NLA_F_NESTED = 0x8000;
    /** The type bits of {@code nla_type}. */
    public static final int NLA_TYPE_MASK = 0x3fff;

    /** {@code NLMSG_ALIGN}, {@code RTA_ALIGN}, {@code NLA_ALIGN}: to the next multiple of 4. */
    public static int align(int length) {
        return (length + 3) & ~3;
    }
}
