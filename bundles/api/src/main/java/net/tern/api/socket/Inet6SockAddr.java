package net.tern.api.socket;

/**
 * An AF_INET6 socket address ({@code struct sockaddr_in6}): a 128-bit IPv6 address held as
 * two longs, the first 64 bits in {@code high} and the last in {@code low} (network order
 * read as big-endian numbers, so {@code ::1} is {@code (0, 1)}), a port from 0 to 65535, the
 * flow information and the scope (interface index) of a link-local address.
 *
 * <p>The AF_INET address {@link InetSockAddr} is unchanged: IPv4 users see nothing new.
 *
 * @since 1.8
 */
public record Inet6SockAddr(long high, long low, int port, int flowInfo, int scopeId) implements SockAddr {

    /** {@code in6addr_any}, {@code ::}. */
    public static final Inet6SockAddr ANY = new Inet6SockAddr(0, 0, 0, 0, 0);

    public Inet6SockAddr {
        if (port < 0 || port > 0xffff) {
            throw new IllegalArgumentException("port out of range 0..65535: " + port);
        }
    }

    /** An address without flow information or scope. */
    public Inet6SockAddr(long high, long low, int port) {
        this(high, low, port, 0, 0);
    }

    @Override
    public int family() {
        return SocketConstants.AF_INET6;
    }

    /** The IPv4-mapped address {@code ::ffff:a.b.c.d} of an IPv4 address (RFC 4291 2.5.5.2). */
    public static Inet6SockAddr v4Mapped(InetSockAddr v4) {
        return new Inet6SockAddr(0, 0xffff00000000L | (v4.address() & 0xffffffffL), v4.port());
    }

    /** Whether the address is IPv4-mapped, {@code ::ffff:0:0/96}. */
    public boolean isV4Mapped() {
        return high == 0 && (low >>> 32) == 0xffff;
    }

    /**
     * Parses {@code "[addr]:port"} (with an optional {@code %scope} number inside the
     * brackets), the form {@code ss} and URLs write.
     */
    public static Inet6SockAddr parse(String text) {
        if (!text.startsWith("[")) {
            throw new IllegalArgumentException("expected [ipv6]:port, got '" + text + "'");
        }
        int close = text.indexOf("]:");
        if (close < 0) {
            throw new IllegalArgumentException("expected [ipv6]:port, got '" + text + "'");
        }
        String inside = text.substring(1, close);
        int scope = 0;
        int percent = inside.indexOf('%');
        if (percent >= 0) {
            try {
                scope = Integer.parseInt(inside.substring(percent + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad scope in '" + text + "'");
            }
            inside = inside.substring(0, percent);
        }
        long[] address = parseAddress(inside);
        int port;
        try {
            port = Integer.parseInt(text.substring(close + 2));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad port in '" + text + "'");
        }
        return new Inet6SockAddr(address[0], address[1], port, 0, scope);
    }

    /**
     * Parses an IPv6 address in any RFC 4291 2.2 text form (groups of hexadecimal, one
     * {@code ::}, an embedded dotted quad at the end) into {@code {high, low}}.
     */
    public static long[] parseAddress(String text) {
        int[] groups = new int[8];
        int doubleColon = text.indexOf("::");
        if (doubleColon >= 0 && text.indexOf("::", doubleColon + 1) >= 0) {
            throw new IllegalArgumentException("more than one '::' in '" + text + "'");
        }
        String head = doubleColon >= 0 ? text.substring(0, doubleColon) : text;
        String tail = doubleColon >= 0 ? text.substring(doubleColon + 2) : "";
        int[] headGroups = groups(head, text, doubleColon < 0 || tail.isEmpty());
        int[] tailGroups = doubleColon >= 0 ? groups(tail, text, true) : new int[0];
        int count = headGroups.length + tailGroups.length;
        if (doubleColon < 0 ? count != 8 : count > 7) {
            throw new IllegalArgumentException("expected an IPv6 address, got '" + text + "'");
        }
        System.arraycopy(headGroups, 0, groups, 0, headGroups.length);
        System.arraycopy(tailGroups, 0, groups, 8 - tailGroups.length, tailGroups.length);
        long high = 0;
        long low = 0;
        for (int i = 0; i < 4; i++) {
            high = high << 16 | groups[i];
            low = low << 16 | groups[i + 4];
        }
        return new long[] {high, low};
    }

    /** The 16-bit groups of one side of {@code ::}; a dotted quad counts as two groups when it may end the address. */
    private static int[] groups(String part, String whole, boolean mayEndWithQuad) {
        if (part.isEmpty()) {
            return new int[0];
        }
        String[] fields = part.split(":", -1);
        boolean quad = mayEndWithQuad && fields[fields.length - 1].indexOf('.') >= 0;
        int[] out = new int[fields.length + (quad ? 1 : 0)];
        for (int i = 0; i < fields.length; i++) {
            String field = fields[i];
            if (quad && i == fields.length - 1) {
                int v4 = InetSockAddr.parseAddress(field);
                out[i] = v4 >>> 16;
                out[i + 1] = v4 & 0xffff;
                break;
            }
            if (field.isEmpty() || field.length() > 4) {
                throw new IllegalArgumentException("bad group '" + field + "' in '" + whole + "'");
            }
            try {
                out[i] = Integer.parseInt(field, 16);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad group '" + field + "' in '" + whole + "'");
            }
        }
        return out;
    }

    /**
     * The address in RFC 5952's canonical text: lower case, leading zeros dropped, the
     * longest run of two or more zero groups (the first of equals) as {@code ::}, and an
     * IPv4-mapped address with its dotted quad ({@code ::ffff:192.0.2.1}).
     */
    public static String formatAddress(long high, long low) {
        if (high == 0 && (low >>> 32) == 0xffff) {
            return "::ffff:" + InetSockAddr.formatAddress((int) low);
        }
        int[] groups = new int[8];
        for (int i = 0; i < 4; i++) {
            groups[i] = (int) (high >>> (48 - 16 * i)) & 0xffff;
            groups[i + 4] = (int) (low >>> (48 - 16 * i)) & 0xffff;
        }
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; i++) {
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = Math.max(i, j);
        }
        StringBuilder out = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                out.append("::");
                i += bestLength - 1;
                continue;
            }
            if (out.length() > 0 && out.charAt(out.length() - 1) != ':') {
                out.append(':');
            }
            out.append(Integer.toHexString(groups[i]));
        }
        return out.toString();
    }

    /** {@code [addr]:port}, with {@code %scope} inside the brackets when there is one. */
    @Override
    public String toString() {
        return "[" + formatAddress(high, low) + (scopeId != 0 ? "%" + scopeId : "") + "]:" + port;
    }
}
