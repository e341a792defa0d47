package net.tern.inet.sock;

import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.function.Predicate;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.Inet6SockAddr;
import net.tern.api.socket.SockAddr;
import net.tern.api.socket.SocketConstants;
import net.tern.inet.route.RouteTable;
import net.tern.spi.net.Clock;
import net.tern.spi.proto.ProtoSocket;
import net.tern.wire.Ipv6Address;

/**
 * {@code inet6_stream_ops}: AF_INET6 stream sockets (TCP over IPv6), which share
 * {@link InetStreamOps}' connect, listen and accept state machine and every generic option;
 * only the addresses differ: {@code inet6_bind} takes an {@link Inet6SockAddr} that is ::
 * or one of this host's IPv6 addresses, {@code inet6_getname} gives one, and connect goes to
 * the transport's {@link InetProto#connect6} ({@code tcp_v6_connect}).
 *
 * @since 1.9
 */
public class Inet6StreamOps extends InetStreamOps {
    private final Predicate<Ipv6Address> isLocal;

    /**
     * @param isLocal {@code ipv6_chk_addr}: whether an address is this host's
     * @param clock   stamps the {@code inet_stream_connect} tracepoint
     */
    public Inet6StreamOps(RouteTable routes, Predicate<Ipv6Address> isLocal, Clock clock) {
        super(routes, clock, SocketConstants.AF_INET6);
        this.isLocal = Objects.requireNonNull(isLocal, "isLocal");
    }

    /** An AF_INET6 address, or EAFNOSUPPORT naming {@code call} (AF_INET6 takes AF_UNSPEC nowhere but connect). */
    protected static Inet6SockAddr inet6Address(String call, SockAddr address) throws ErrnoException {
        if (address instanceof Inet6SockAddr inet6) {
            return inet6;
        }
        throw new ErrnoException(Errno.EAFNOSUPPORT, call + ": " + address + " is not an AF_INET6 address");
    }

    /**
     * {@code inet6_bind} ({@code __inet6_bind}): :: or an address of this host (EADDRNOTAVAIL
     * otherwise); IPv4-mapped addresses, which bind the IPv4 side of a dual-stack socket, are
     * not served (EAFNOSUPPORT).
     */
    @Override
    public void bind(ProtoSocket sock, SockAddr address) throws ErrnoException {
        Inet6SockAddr a = inet6Address("bind", address);
        Ipv6Address addr = new Ipv6Address(a.high(), a.low());
        if (addr.isV4Mapped()) {
            throw new ErrnoException(Errno.EAFNOSUPPORT, "bind(" + a + "): IPv4-mapped addresses are not served");
        }
        if (addr.isMulticast()) {
            throw new ErrnoException(Errno.EINVAL, "bind(" + a + "): a stream socket cannot bind a multicast address");
        }
        if (!addr.isUnspecified() && !isLocal.test(addr)) {
            throw new ErrnoException(Errno.EADDRNOTAVAIL, "bind(" + a + "): " + addr + " is not an address of this host");
        }
        InetSock sk = sk(sock);
        sk.lock();
        try {
            if (sk.num() != 0 || sk.state() != SkState.CLOSE) {
                throw new ErrnoException(Errno.EINVAL, "bind(" + a + "): the socket is bound already to "
                        + sk.localName());
            }
            sk.v6RcvSaddr(addr);
            sk.v6Saddr(addr);
            try {
                prot(sk).getPort(sk, a.port());
            } catch (ErrnoException e) {
                sk.v6RcvSaddr(Ipv6Address.UNSPECIFIED);
                sk.v6Saddr(Ipv6Address.UNSPECIFIED);
                throw e;
            }
            sk.v6Daddr(Ipv6Address.UNSPECIFIED);
            sk.dport(0);
        } finally {
            sk.unlock();
        }
    }

    @Override
    void startConnect(InetSock sk, SockAddr address) throws ErrnoException {
        prot(sk).connect6(sk, inet6Address("connect", address));
    }

    /** {@code inet_sendmsg}: TCP takes no destination ({@code tcp_sendmsg} ignores {@code msg_name}). */
    @Override
    public int trySendmsg(ProtoSocket sock, ByteBuffer data, SockAddr to, int flags) throws ErrnoException {
        InetSock sk = sk(sock);
        sk.lock();
        try {
            autobind(sk);
            return prot(sk).trySendmsg(sk, data, null, flags);
        } finally {
            sk.unlock();
        }
    }
}
