package net.tern.spi.net;

/**
 * An IPv4 address on an interface with its prefix length ({@code struct in_ifaddr}), such
 * as {@code 127.0.0.1/8}. The address is an int in host order.
 */
public record IfAddress(int address, int prefixLength) {
    public IfAddress {
        if (prefixLength < 0 || prefixLength > 32) {
            throw new IllegalArgumentException("prefix length out of range 0..32: " + prefixLength);
        }
    }

    /** Parses {@code "a.b.c.d/n"}. */
    public static IfAddress parse(String text) {
        int slash = text.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("expected a.b.c.d/prefix, got '" + text + "'");
        }
        int prefix;
        try {
            prefix = Integer.parseInt(text.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad prefix length in '" + text + "'");
        }
        return new IfAddress(net.tern.api.socket.InetSockAddr.parseAddress(text.substring(0, slash)), prefix);
    }

    /** The netmask as an int: {@code /8} is {@code 0xff000000}. */
    public int netmask() {
        return prefixLength == 0 ? 0 : -1 << (32 - prefixLength);
    }

    /** Whether {@code other} lies in this address's subnet. */
    public boolean contains(int other) {
        return (other & netmask()) == (address & netmask());
    }

    @Override
    public String toString() {
        return net.tern.api.socket.InetSockAddr.formatAddress(address) + "/" + prefixLength;
    }
}
