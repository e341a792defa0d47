package net.tern.inet.sock;

import java.util.function.IntPredicate;
import java.util.function.Predicate;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.Inet6SockAddr;
import net.tern.api.socket.SockAddr;
import net.tern.wire.Ipv6Address;

/**
 * {@code inet6_bind} ({@code __inet6_bind}), which {@link Inet6StreamOps} and
 * {@link Inet6DgramOps} share: :: or an address of this host (EADDRNOTAVAIL otherwise), a
 * multicast group for a datagram socket only; an IPv4-mapped address binds the IPv4 side of a
 * dual-stack socket (an IPv4 address of this host; EINVAL with {@code IPV6_V6ONLY}), and an
 * IPv6 address makes the socket IPv6-only, as {@code __inet6_bind} does. The transport's
 * {@code getPort} then claims the port.
 */
final class Inet6Bind {
    private Inet6Bind() {
    }

    /** An AF_INET6 address, or EAFNOSUPPORT naming {@code call}. */
    static Inet6SockAddr inet6Address(String call, SockAddr address) throws ErrnoException {
        if (address instanceof Inet6SockAddr inet6) {
            return inet6;
        }
        throw new ErrnoException(Errno.EAFNOSUPPORT, call + ": " + address + " is not an AF_INET6 address");
    }

    static void bind(InetSock sk, SockAddr address, Predicate<Ipv6Address> isLocal, IntPredicate isLocalV4,
            boolean groupsAllowed) throws ErrnoException {
        Inet6SockAddr a = inet6Address("bind", address);
        Ipv6Address addr = new Ipv6Address(a.high(), a.low());
        int v4 = 0;
        if (addr.isV4Mapped()) {
            // The IPv4 side of a dual-stack socket: an IPv4 address of this host, not for IPV6_V6ONLY.
            if (sk.ipv6only()) {
                throw new ErrnoException(Errno.EINVAL, "bind(" + a + "): an IPv4-mapped address on an IPV6_V6ONLY socket");
            }
            v4 = (int) addr.low();
            if (v4 != 0 && !isLocalV4.test(v4)) {
                throw new ErrnoException(Errno.EADDRNOTAVAIL, "bind(" + a + "): not an address of this host");
            }
        }
        if (addr.isMulticast() && !groupsAllowed) {
            throw new ErrnoException(Errno.EINVAL, "bind(" + a + "): a stream socket cannot bind a multicast address");
        }
        if (!addr.isUnspecified() && !addr.isMulticast() && !addr.isV4Mapped() && !isLocal.test(addr)) {
            throw new ErrnoException(Errno.EADDRNOTAVAIL, "bind(" + a + "): " + addr + " is not an address of this host");
        }
        sk.lock();
        try {
            if (sk.num() != 0 || sk.state() != SkState.CLOSE) {
                throw new ErrnoException(Errno.EINVAL, "bind(" + a + "): the socket is bound already to "
                        + sk.localName());
            }
            sk.v6RcvSaddr(addr);
            sk.v6Saddr(addr.isMulticast() ? Ipv6Address.UNSPECIFIED : addr);
            sk.rcvSaddr(v4);
            sk.saddr(v4);
            boolean wasV6only = sk.ipv6only();
            if (!addr.isUnspecified() && !addr.isV4Mapped()) {
                sk.ipv6only(true); // __inet6_bind: bound to an IPv6 address, the socket takes no IPv4
            }
            try {
                InetOps.prot(sk).getPort(sk, a.port());
            } catch (ErrnoException e) {
                sk.v6RcvSaddr(Ipv6Address.UNSPECIFIED);
                sk.v6Saddr(Ipv6Address.UNSPECIFIED);
                sk.rcvSaddr(0);
                sk.saddr(0);
                sk.ipv6only(wasV6only);
                throw e;
            }
            sk.v6Daddr(Ipv6Address.UNSPECIFIED);
            sk.dport(0);
        } finally {
            sk.unlock();
        }
    }
}
