package net.tern.api.socket;

/**
 * An AF_INET socket address ({@code struct sockaddr_in}): an IPv4 address held as an int in
 * host order (so {@code 127.0.0.1} is {@code 0x7f000001}) and a port from 0 to 65535.
 */
public record InetSockAddr(int address, int port) implements SockAddr {

    /** INADDR_ANY, 0.0.0.0. */
    public static final int INADDR_ANY = 0;
    /** INADDR_LOOPBACK, 127.0.0.1. */
    public static final int INADDR_LOOPBACK = 0x7f000001;

    public InetSockAddr {
        if (port < 0 || port > 0xffff) {
            throw new IllegalArgumentException("port out of range 0..65535: " + port);
        }
    }

    @Override
    public int family() {
        return SocketConstants.AF_INET;
    }

    /** Parses {@code "a.b.c.d:port"}. */
    public static InetSockAddr parse(String text) {
        int colon = text.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("expected a.b.c.d:port, got '" + text + "'");
        }
        return new InetSockAddr(parseAddress(text.substring(0, colon)),
                parsePort(text.substring(colon + 1), text));
    }

    /** Parses a dotted-quad IPv4 address into an int in host order. */
    public static int parseAddress(String dotted) {
        String[] parts = dotted.split("\\.", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException("expected a dotted-quad IPv4 address, got '" + dotted + "'");
        }
        int address = 0;
        for (String part : parts) {
            int octet;
            try {
                octet = Integer.parseInt(part);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad octet '" + part + "' in '" + dotted + "'");
            }
            if (part.isEmpty() || octet < 0 || octet > 255) {
                throw new IllegalArgumentException("bad octet '" + part + "' in '" + dotted + "'");
            }
            address = (address << 8) | octet;
        }
        return address;
    }

    private static int parsePort(String text, String whole) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad port in '" + whole + "'");
        }
    }

    /** Formats an int address in host order as a dotted quad. */
    public static String formatAddress(int address) {
        return ((address >>> 24) & 0xff) + "." + ((address >>> 16) & 0xff) + "."
                + ((address >>> 8) & 0xff) + "." + (address & 0xff);
    }

    @Override
    public String toString() {
        return formatAddress(address) + ":" + port;
    }
}
