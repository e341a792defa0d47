package net.tern.inet.route;

/** Who installed a route ({@code RTPROT_*}), as {@code ip route} shows after {@code proto}. */
public enum RouteOrigin {
    /** Derived from an interface address (connected, local and broadcast routes). */
    KERNEL("kernel"),
    /** Added by an administrator ({@code ip route add}). */
    STATIC("static"),
    /** Configured at start-up. */
    BOOT("boot");

    private final String keyword;

    RouteOrigin(String keyword) {
        this.keyword = keyword;
    }

    public String keyword() {
        return keyword;
    }
}
