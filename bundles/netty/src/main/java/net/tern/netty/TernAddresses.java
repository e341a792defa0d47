package net.tern.netty;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.channels.UnsupportedAddressTypeException;
import net.tern.api.socket.Inet6SockAddr;
import net.tern.api.socket.InetSockAddr;
import net.tern.api.socket.SockAddr;

/**
 * Addresses between {@code java.net} and Tern's sockets, as the JDK converts them for Netty's
 * NIO transport on Linux. An AF_INET6 socket takes an IPv6 address as it is and an IPv4 one as
 * IPv4-mapped ({@code ::ffff:a.b.c.d}), 0.0.0.0 as {@code ::}; an AF_INET socket (on a stack
 * without IPv6) takes the IPv6 wildcard as 0.0.0.0 and an IPv4-mapped address as its IPv4
 * address, and refuses any other IPv6 address. Addresses read back are {@link Inet4Address}es
 * when IPv4 or IPv4-mapped, else {@link Inet6Address}es with their scope.
 */
final class TernAddresses {
    private TernAddresses() {
    }

    /** {@code address} as Tern's AF_INET6 address for an AF_INET6 socket ({@code inet6}), else as its AF_INET one. */
    static SockAddr toTern(SocketAddress address, boolean inet6) {
        if (!(address instanceof InetSocketAddress inet)) {
            throw new UnsupportedAddressTypeException();
        }
        if (inet.isUnresolved()) {
            throw new UnresolvedAddressException();
        }
        InetAddress a = inet.getAddress();
        byte[] b = a.getAddress();
        if (!inet6) {
            return new InetSockAddr(ipv4(a, b), inet.getPort());
        }
        if (a instanceof Inet4Address) {
            long v4 = toInt(b, 0) & 0xffff_ffffL;
            return new Inet6SockAddr(0, v4 == 0 ? 0 : 0xffff_0000_0000L | v4, inet.getPort());
        }
        return new Inet6SockAddr(toLong(b, 0), toLong(b, 8), inet.getPort(), 0, ((Inet6Address) a).getScopeId());
    }

    private static int ipv4(InetAddress address, byte[] b) {
        if (address instanceof Inet4Address) {
            return toInt(b, 0);
        }
        if (address.isAnyLocalAddress()) {
            return InetSockAddr.INADDR_ANY;
        }
        if (isIpv4Mapped(b)) {
            return toInt(b, 12);
        }
        throw new UnsupportedAddressTypeException();
    }

    private static boolean isIpv4Mapped(byte[] b) {
        boolean mapped = b.length == 16 && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
        for (int i = 0; i < 10 && mapped; i++) {
            mapped = b[i] == 0;
        }
        return mapped;
    }

    private static int toInt(byte[] b, int at) {
        return (b[at] & 0xff) << 24 | (b[at + 1] & 0xff) << 16 | (b[at + 2] & 0xff) << 8 | (b[at + 3] & 0xff);
    }

    private static long toLong(byte[] b, int at) {
        return (long) toInt(b, at) << 32 | (toInt(b, at + 4) & 0xffff_ffffL);
    }

    /** Tern's address as an {@link InetSocketAddress}; null for null. */
    static InetSocketAddress toJava(SockAddr address) {
        byte[] b;
        int scope = 0;
        int port;
        if (address instanceof InetSockAddr inet) {
            int a = inet.address();
            b = new byte[] {(byte) (a >>> 24), (byte) (a >>> 16), (byte) (a >>> 8), (byte) a};
            port = inet.port();
        } else if (address instanceof Inet6SockAddr inet6) {
            b = new byte[16];
            for (int i = 0; i < 8; i++) {
                b[i] = (byte) (inet6.high() >>> (56 - 8 * i));
                b[8 + i] = (byte) (inet6.low() >>> (56 - 8 * i));
            }
            scope = isIpv4Mapped(b) ? 0 : inet6.scopeId();
            port = inet6.port();
        } else {
            return null;
        }
        try {
            // A 16-byte IPv4-mapped address comes back as its Inet4Address, as the JDK's and Netty's native code give it.
            InetAddress a = scope == 0 ? InetAddress.getByAddress(b) : Inet6Address.getByAddress(null, b, scope);
            return new InetSocketAddress(a, port);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("an address of 4 or 16 bytes", e);
        }
    }
}
