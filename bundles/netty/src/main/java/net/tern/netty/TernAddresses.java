package net.tern.netty;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.channels.UnsupportedAddressTypeException;
import net.tern.api.socket.InetSockAddr;
import net.tern.api.socket.SockAddr;

/**
 * Addresses between {@code java.net} and Tern's AF_INET. Tern has only IPv4: the IPv6 wildcard
 * (what {@code new InetSocketAddress(port)} holds on a JVM with IPv6) is 0.0.0.0 and an
 * IPv4-mapped address is its IPv4 address; any other IPv6 address is refused.
 */
final class TernAddresses {
    private TernAddresses() {
    }

    static InetSockAddr toTern(SocketAddress address) {
        if (!(address instanceof InetSocketAddress inet)) {
            throw new UnsupportedAddressTypeException();
        }
        if (inet.isUnresolved()) {
            throw new UnresolvedAddressException();
        }
        return new InetSockAddr(ipv4(inet.getAddress()), inet.getPort());
    }

    private static int ipv4(InetAddress address) {
        byte[] b = address.getAddress();
        if (address instanceof Inet4Address) {
            return toInt(b, 0);
        }
        if (address instanceof Inet6Address) {
            if (address.isAnyLocalAddress()) {
                return InetSockAddr.INADDR_ANY;
            }
            boolean mapped = (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
            for (int i = 0; i < 10 && mapped; i++) {
                mapped = b[i] == 0;
            }
            if (mapped) {
                return toInt(b, 12);
            }
        }
        throw new UnsupportedAddressTypeException();
    }

    private static int toInt(byte[] b, int at) {
        return (b[at] & 0xff) << 24 | (b[at + 1] & 0xff) << 16 | (b[at + 2] & 0xff) << 8 | (b[at + 3] & 0xff);
    }

    /** Tern's address as an {@link InetSocketAddress}; null for null. */
    static InetSocketAddress toJava(SockAddr address) {
        if (!(address instanceof InetSockAddr inet)) {
            return null;
        }
        int a = inet.address();
        byte[] b = {(byte) (a >>> 24), (byte) (a >>> 16), (byte) (a >>> 8), (byte) a};
        try {
            return new InetSocketAddress(InetAddress.getByAddress(b), inet.port());
        } catch (UnknownHostException e) {
            throw new IllegalStateException("four bytes are an IPv4 address", e);
        }
    }
}
