package net.tern.inet.route;

/** What a route does with a packet ({@code RTN_*} in {@code include/uapi/linux/rtnetlink.h}). */
public enum RouteType {
    /** A gateway or direct route: sent out of a link. */
    UNICAST("unicast"),
    /** An address of this host: delivered locally (sent through {@code lo} when it comes from here). */
    LOCAL("local"),
    /** A broadcast address of a link: delivered locally, and sent out of that link. */
    BROADCAST("broadcast"),
    /** Refused with EHOSTUNREACH (and ICMP host unreachable when forwarding). */
    UNREACHABLE("unreachable"),
    /** Dropped silently; output fails with EINVAL, as Linux's blackhole routes do. */
    BLACKHOLE("blackhole"),
    /** Refused with EACCES (and ICMP administratively prohibited when forwarding). */
    PROHIBIT("prohibit");

    private final String keyword;

    RouteType(String keyword) {
        this.keyword = keyword;
    }

    /** The word {@code ip route} uses: {@code local}, {@code unreachable}. */
    public String keyword() {
        return keyword;
    }
}
