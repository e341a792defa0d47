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
import net.tern.api.socket.Inet6SockAddr;
import net.tern.api.socket.InetSockAddr;
import net.tern.api.socket.SockAddr;

/**
 * Addresses between {@code java.net} and Tern's sockets, as the JDK's {@code Net} converts
 * them on Linux. An AF_INET6 channel takes IPv6 addresses as they are and IPv4 ones as
 * IPv4-mapped ({@code ::ffff:a.b.c.d}), 0.0.0.0 as {@code ::} (the JDK's
 * {@code NET_InetAddressToSockaddr} prefers the IPv6 wildcard). An AF_INET channel (one opened
 * for {@code INET}, or any when the stack has no IPv6) takes the IPv6 wildcard as 0.0.0.0 and
 * an IPv4-mapped address as its IPv4 address; any other IPv6 address is an
 * {@link UnsupportedAddressTypeException}. Addresses read back from either are
 * {@link Inet4Address}es when IPv4 or IPv4-mapped ({@code NET_SockaddrToInetAddress}), else
 * {@link Inet6Address}es with their scope.
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

    /** {@code address} as Tern's AF_INET6 address for an AF_INET6 socket ({@code inet6}), else its AF_INET address. */
    static SockAddr toTern(InetSocketAddress address, boolean inet6) {
        if (!inet6) {
            return new InetSockAddr(ipv4(address.getAddress()), address.getPort());
        }
        InetAddress a = address.getAddress();
        byte[] b = a.getAddress();
        if (a instanceof Inet4Address) {
            int v4 = toInt(b, 0);
            return new Inet6SockAddr(0, v4 == 0 ? 0 : 0xffff_0000_0000L | (v4 & 0xffff_ffffL), address.getPort());
        }
        int scope = a instanceof Inet6Address v6 ? v6.getScopeId() : 0;
        return new Inet6SockAddr(toLong(b, 0), toLong(b, 8), address.getPort(), 0, scope);
    }

    private static long toLong(byte[] b, int at) {
        return (long) toInt(b, at) << 32 | (toInt(b, at + 4) & 0xffff_ffffL);
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

    /**
     * Tern's address as an {@link InetSocketAddress}: an {@link Inet4Address} for an IPv4 or
     * IPv4-mapped one, an {@link Inet6Address} (with its scope) for another IPv6 one; null for null.
     */
    static InetSocketAddress toJava(SockAddr address) {
        if (address == null) {
            return null;
        }
        if (address instanceof InetSockAddr inet) {
            return new InetSocketAddress(inet4(inet.address()), inet.port());
        }
        if (!(address instanceof Inet6SockAddr inet6)) {
            throw new UnsupportedAddressTypeException();
        }
        byte[] b = new byte[16];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (inet6.high() >>> (56 - 8 * i));
            b[8 + i] = (byte) (inet6.low() >>> (56 - 8 * i));
        }
        try {
            InetAddress a = isIpv4Mapped(b) || inet6.scopeId() == 0 ? InetAddress.getByAddress(b)
                    : Inet6Address.getByAddress(null, b, inet6.scopeId());
            return new InetSocketAddress(a, inet6.port());
        } catch (UnknownHostException e) {
            throw new IllegalStateException("sixteen bytes are an IPv6 address", e);
        }
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

    /**
     * The JDK's {@code checkRemote} for a channel of {@code inet6}: the wildcard means this
     * host, 127.0.0.1 for 0.0.0.0 or an AF_INET channel, ::1 for :: on an AF_INET6 one; an
     * AF_INET channel refuses IPv6 proper ({@link UnsupportedAddressTypeException}).
     */
    static InetSocketAddress remote(InetSocketAddress address, boolean inet6) {
        InetAddress a = address.getAddress();
        if (a.isAnyLocalAddress()) {
            return new InetSocketAddress(inet6 && a instanceof Inet6Address ? ipv6Loopback() : loopback(), address.getPort());
        }
        if (!inet6) {
            ipv4(a);
        }
        return address;
    }

    /** ::1. */
    static InetAddress ipv6Loopback() {
        byte[] b = new byte[16];
        b[15] = 1;
        try {
            return Inet6Address.getByAddress(null, b, null);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("sixteen bytes are an IPv6 address", e);
        }
    }
}
