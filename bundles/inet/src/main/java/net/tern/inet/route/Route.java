package net.tern.inet.route;

import net.tern.wire.Ipv4Address;

/**
 * One route ({@code struct fib_alias} with its {@code fib_info}): a destination prefix, what
 * to do with it, and, for unicast, where to send: through {@code gateway} (0 for a directly
 * connected destination) out of the link with index {@code linkIndex}.
 *
 * @param table          the table holding it
 * @param destination    the prefix, host bits zero
 * @param prefixLength   0..32; 0 with destination 0 is the default route
 * @param type           what the route does
 * @param gateway        next hop, or 0 when the destination is on the link
 * @param linkIndex      output link's index, or 0 for none (unreachable, blackhole, prohibit)
 * @param linkName       output link's name, for display (empty for none)
 * @param preferredSource source address for packets using the route ({@code src}), or 0
 * @param metric         priority among routes to the same prefix: lower wins
 * @param mtu            the route's MTU ({@code mtu lock}), or 0 to use the link's
 * @param origin         who installed it
 */
public record Route(Table table, int destination, int prefixLength, RouteType type, int gateway, int linkIndex,
        String linkName, int preferredSource, int metric, int mtu, RouteOrigin origin) {

    /** Linux's two tables of interest: {@code local} (this host's addresses) and {@code main}. */
    public enum Table {
        LOCAL("local"), MAIN("main");

        private final String keyword;

        Table(String keyword) {
            this.keyword = keyword;
        }

        public String keyword() {
            return keyword;
        }
    }

    public Route {
        if (prefixLength < 0 || prefixLength > 32) {
            throw new IllegalArgumentException("prefix length out of range 0..32: " + prefixLength);
        }
        if ((destination & ~Ipv4Address.netmask(prefixLength)) != 0) {
            throw new IllegalArgumentException("destination " + Ipv4Address.format(destination) + " has bits set beyond /"
                    + prefixLength);
        }
        if (metric < 0) {
            throw new IllegalArgumentException("metric must not be negative: " + metric);
        }
        if (mtu < 0) {
            throw new IllegalArgumentException("mtu must not be negative: " + mtu);
        }
        linkName = linkName == null ? "" : linkName;
    }

    /** Whether {@code address} lies in the route's prefix. */
    public boolean matches(int address) {
        return (address & Ipv4Address.netmask(prefixLength)) == destination;
    }

    /** Whether this is the default route, 0.0.0.0/0. */
    public boolean isDefault() {
        return prefixLength == 0;
    }

    /** The prefix as {@code ip route} prints it: {@code default}, {@code 10.0.0.0/24}, {@code 10.0.0.1}. */
    public String prefix() {
        if (prefixLength == 0) {
            return "default";
        }
        return prefixLength == 32 ? Ipv4Address.format(destination) : Ipv4Address.format(destination) + "/" + prefixLength;
    }

    /** The route as {@code ip route show table all} prints it. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        if (type != RouteType.UNICAST) {
            sb.append(type.keyword()).append(' ');
        }
        sb.append(prefix());
        if (gateway != 0) {
            sb.append(" via ").append(Ipv4Address.format(gateway));
        }
        if (!linkName.isEmpty()) {
            sb.append(" dev ").append(linkName);
        }
        if (table != Table.MAIN) {
            sb.append(" table ").append(table.keyword());
        }
        if (origin != RouteOrigin.BOOT) {
            sb.append(" proto ").append(origin.keyword());
        }
        if (type == RouteType.LOCAL || type == RouteType.BROADCAST) {
            sb.append(type == RouteType.LOCAL ? " scope host" : " scope link");
        } else if (type == RouteType.UNICAST && gateway == 0) {
            sb.append(" scope link");
        }
        if (preferredSource != 0) {
            sb.append(" src ").append(Ipv4Address.format(preferredSource));
        }
        if (metric != 0) {
            sb.append(" metric ").append(metric);
        }
        if (mtu != 0) {
            sb.append(" mtu lock ").append(mtu);
        }
        return sb.toString();
    }
}
