package net.tern.nio;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.channels.UnsupportedAddressTypeException;
import java.util.Objects;
import net.tern.api.socket.InetSockAddr;
import net.tern.api.socket.SockAddr;

/**
 * Addresses between {@code java.net} and Tern's AF_INET: Tern has no IPv6 family, so the IPv6
 * wildcard {@code ::} (what {@code new InetSocketAddress(port)} holds when the JVM has IPv6)
 * stands for every IPv4 address, and an IPv4-mapped address ({@code ::ffff:a.b.c.d}) for its
 * IPv4 address, as a dual-stack socket would treat them. Any other IPv6 address is an
 * {@link UnsupportedAddressTypeException}.
 */
final class Addresses {
    private Addresses() {
    }

    /** The JDK's {@code Net.checkAddress}: a resolved {@link InetSocketAddress}. */
    static InetSocketAddress check(SocketAddress address) {
        Objects.requireNonNull(address);
        if (!(address instanceof InetSocketAddress inet)) {
            throw new UnsupportedAddressTypeException();
        }
        if (inet.isUnresolved()) {
            throw new UnresolvedAddressException();
        }
        return inet;
    }

    /** {@code address} as Tern's AF_INET address. */
    static InetSockAddr toTern(InetSocketAddress address) {
        return new InetSockAddr(ipv4(address.getAddress()), address.getPort());
    }

    /** {@code address} as an IPv4 address in host order (the IPv6 wildcard is 0.0.0.0). */
    static int ipv4(InetAddress address) {
        byte[] b = address.getAddress();
        if (address instanceof Inet4Address) {
            return toInt(b, 0);
        }
        if (address instanceof Inet6Address) {
            if (address.isAnyLocalAddress()) {
                return InetSockAddr.INADDR_ANY;
            }
            if (isIpv4Mapped(b)) {
                return toInt(b, 12);
            }
        }
        throw new UnsupportedAddressTypeException();
    }

    /** Whether {@code address} is the wildcard of either family. */
    static boolean isWildcard(InetAddress address) {
        return address.isAnyLocalAddress();
    }

    private static boolean isIpv4Mapped(byte[] b) {
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
    }

    private static int toInt(byte[] b, int at) {
        return (b[at] & 0xff) << 24 | (b[at + 1] & 0xff) << 16 | (b[at + 2] & 0xff) << 8 | (b[at + 3] & 0xff);
    }

    /** Tern's address as an {@link InetSocketAddress} with an {@link Inet4Address}; null for null. */
    static InetSocketAddress toJava(SockAddr address) {
        if (address == null) {
            return null;
        }
        if (!(address instanceof InetSockAddr inet)) {
            throw new UnsupportedAddressTypeException();
        }
        return new InetSocketAddress(inet4(inet.address()), inet.port());
    }

    static InetAddress inet4(int address) {
        byte[] b = {(byte) (address >>> 24), (byte) (address >>> 16), (byte) (address >>> 8), (byte) address};
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("four bytes are an IPv4 address", e);
        }
    }

    /** 127.0.0.1. */
    static InetAddress loopback() {
        return inet4(InetSockAddr.INADDR_LOOPBACK);
    }
}
