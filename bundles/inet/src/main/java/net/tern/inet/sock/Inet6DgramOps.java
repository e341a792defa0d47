package net.tern.inet.sock;

import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.function.IntSupplier;
import java.util.function.Predicate;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.Inet6SockAddr;
import net.tern.api.socket.SockAddr;
import net.tern.api.socket.SocketConstants;
import net.tern.inet.route.RouteTable;
import net.tern.spi.proto.ProtoSocket;
import net.tern.wire.Ipv6Address;

/**
 * {@code inet6_dgram_ops}: AF_INET6 datagram sockets (UDP over IPv6, dual-stack), {@link InetDgramOps}
 * with IPv6's addresses: {@code inet6_bind} ({@link Inet6Bind}, multicast groups allowed),
 * connect to the transport's {@link InetProto#connect6} ({@code ip6_datagram_connect}), and
 * sends to the transport's {@link InetProto#trySendmsg6} ({@code udpv6_sendmsg}).
 *
 * @since 1.9
 */
public class Inet6DgramOps extends InetDgramOps {
    private final Predicate<Ipv6Address> isLocal;

    /** @param isLocal {@code ipv6_chk_addr}: whether an address is this host's */
    public Inet6DgramOps(RouteTable routes, Predicate<Ipv6Address> isLocal) {
        super(routes, SocketConstants.AF_INET6);
        this.isLocal = Objects.requireNonNull(isLocal, "isLocal");
    }

    /**
     * @param isLocal {@code ipv6_chk_addr}: whether an address is this host's
     * @param defaultHopLimit IPv6's hop limit ({@code conf.all.hop_limit}), what {@code IPV6_UNICAST_HOPS} reads when unset
     * @since 1.12
     */
    public Inet6DgramOps(RouteTable routes, Predicate<Ipv6Address> isLocal, IntSupplier defaultHopLimit) {
        this(routes, isLocal);
        defaultHopLimit(defaultHopLimit);
    }

    /**
     * {@code inet6_bind} ({@link Inet6Bind}): an IPv4-mapped address binds the IPv4 side of a
     * dual-stack socket, an IPv6 address makes it IPv6-only.
     */
    @Override
    public void bind(ProtoSocket sock, SockAddr address) throws ErrnoException {
        Inet6Bind.bind(sk(sock), address, isLocal, this::isLocalV4, true);
    }

    @Override
    void connectTo(InetSock sk, SockAddr address) throws ErrnoException {
        prot(sk).connect6(sk, Inet6Bind.inet6Address("connect", address));
    }

    /** {@code inet_sendmsg} for AF_INET6: autobinds, then {@code udpv6_sendmsg}. */
    @Override
    public int trySendmsg(ProtoSocket sock, ByteBuffer data, SockAddr to, int flags) throws ErrnoException {
        Inet6SockAddr target = null;
        if (to != null && to.family() != SocketConstants.AF_UNSPEC) {
            target = Inet6Bind.inet6Address("sendmsg", to);
        }
        InetSock sk = sk(sock);
        sk.lock();
        try {
            autobind(sk);
            return prot(sk).trySendmsg6(sk, data, target, flags);
        } finally {
            sk.unlock();
        }
    }
}
