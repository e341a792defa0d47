package net.tern.shell;

import net.tern.api.socket.InetSockAddr;

/**
 * An IPv4 address with an optional prefix length, as {@code ip} reads them
 * ({@code get_prefix}, {@code get_addr}): {@code A.B.C.D/N}, or {@code A.B.C.D} alone (a host,
 * /32), or the short forms iproute2 takes for network prefixes, {@code 10/8} for
 * {@code 10.0.0.0/8}; and {@code default} (also {@code any}, {@code all}) for 0/0.
 *
 * @param address       the address, host order
 * @param length        the prefix length, 0..32
 * @param lengthGiven   whether the text named the length ({@code /N})
 */
record Inet4Prefix(int address, int length, boolean lengthGiven) {
    /** The prefix in {@code text}, or an iproute2 "inet prefix is expected" error. */
    static Inet4Prefix parsePrefix(String text) {
        if (text.equals("default") || text.equals("any") || text.equals("all")) {
            return new Inet4Prefix(0, 0, true);
        }
        int slash = text.indexOf('/');
        String addressPart = slash < 0 ? text : text.substring(0, slash);
        Integer address = parseAddressOrNull(addressPart);
        if (address == null) {
            throw Iproute2Errors.prefixExpected(text);
        }
        if (slash < 0) {
            return new Inet4Prefix(address, 32, false);
        }
        String lengthPart = text.substring(slash + 1);
        if (lengthPart.isEmpty() || lengthPart.length() > 2 || !lengthPart.chars().allMatch(Character::isDigit)) {
            throw Iproute2Errors.prefixExpected(text);
        }
        int length = Integer.parseInt(lengthPart);
        if (length > 32) {
            throw Iproute2Errors.prefixExpected(text);
        }
        return new Inet4Prefix(address, length, true);
    }

    /** An address alone ({@code via}, {@code src}), or an iproute2 "inet address is expected" error. */
    static int parseAddress(String text) {
        Integer address = parseAddressOrNull(text);
        if (address == null) {
            throw Iproute2Errors.addressExpected(text);
        }
        return address;
    }

    /**
     * One to four decimal octets; missing trailing octets are zero, as {@code get_addr_ipv4}
     * reads {@code 10} as 10.0.0.0. Null if the text is not that.
     */
    private static Integer parseAddressOrNull(String text) {
        String[] parts = text.split("\\.", -1);
        if (parts.length > 4) {
            return null;
        }
        int address = 0;
        for (int i = 0; i < 4; i++) {
            int octet = 0;
            if (i < parts.length) {
                String part = parts[i];
                if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(Character::isDigit)) {
                    return null;
                }
                octet = Integer.parseInt(part);
                if (octet > 255) {
                    return null;
                }
            }
            address = (address << 8) | octet;
        }
        return address;
    }

    /** The network part: the address with the host bits cleared. */
    int network() {
        return address & netmask(length);
    }

    @Override
    public String toString() {
        return InetSockAddr.formatAddress(address) + "/" + length;
    }

    /** The mask of a prefix of {@code length} bits. */
    static int netmask(int length) {
        return length == 0 ? 0 : -1 << (32 - length);
    }
}
