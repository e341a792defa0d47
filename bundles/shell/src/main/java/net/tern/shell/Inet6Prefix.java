package net.tern.shell;

import net.tern.api.socket.Inet6SockAddr;

/**
 * An IPv6 address with an optional prefix length, as {@code ip -6} reads them
 * ({@code get_prefix} of AF_INET6): {@code ADDRESS/N}, an address alone (a host, /128), or
 * {@code default} (also {@code any}, {@code all}) for {@code ::/0}.
 *
 * @param high        the address's first 64 bits
 * @param low         its last 64 bits
 * @param length      the prefix length, 0..128
 * @param lengthGiven whether the text named the length ({@code /N})
 */
record Inet6Prefix(long high, long low, int length, boolean lengthGiven) {
    /** The prefix in {@code text}, or an iproute2 "inet6 prefix is expected" error. */
    static Inet6Prefix parsePrefix(String text) {
        if (text.equals("default") || text.equals("any") || text.equals("all")) {
            return new Inet6Prefix(0, 0, 0, true);
        }
        int slash = text.indexOf('/');
        long[] address = parseOrNull(slash < 0 ? text : text.substring(0, slash));
        if (address == null) {
            throw prefixExpected(text);
        }
        if (slash < 0) {
            return new Inet6Prefix(address[0], address[1], 128, false);
        }
        String lengthPart = text.substring(slash + 1);
        if (lengthPart.isEmpty() || lengthPart.length() > 3 || !lengthPart.chars().allMatch(Character::isDigit)
                || Integer.parseInt(lengthPart) > 128) {
            throw prefixExpected(text);
        }
        return new Inet6Prefix(address[0], address[1], Integer.parseInt(lengthPart), true);
    }

    /** An address alone ({@code via}), or an iproute2 "inet6 address is expected" error. */
    static long[] parseAddress(String text) {
        long[] address = parseOrNull(text);
        if (address == null) {
            throw new IllegalArgumentException("Error: inet6 address is expected rather than \"" + text + "\".");
        }
        return address;
    }

    /** Whether {@code ip} without {@code -6} would read {@code text} as IPv6 ({@code get_addr_1} looks for a colon). */
    static boolean looksIpv6(String text) {
        return text.indexOf(':') >= 0;
    }

    private static long[] parseOrNull(String text) {
        try {
            return Inet6SockAddr.parseAddress(text);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static IllegalArgumentException prefixExpected(String text) {
        return new IllegalArgumentException("Error: inet6 prefix is expected rather than \"" + text + "\".");
    }

    /** Whether the first {@code length} bits of two addresses are equal. */
    static boolean samePrefix(long h1, long l1, long h2, long l2, int length) {
        if (length == 0) {
            return true;
        }
        if (length <= 64) {
            long mask = -1L << (64 - length);
            return (h1 & mask) == (h2 & mask);
        }
        long mask = length == 128 ? -1L : -1L << (128 - length);
        return h1 == h2 && (l1 & mask) == (l2 & mask);
    }

    @Override
    public String toString() {
        return Inet6SockAddr.formatAddress(high, low) + "/" + length;
    }
}
