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
import net.tern.spi.net.Clock;
import net.tern.spi.proto.ProtoSocket;
import net.tern.wire.Ipv6Address;

/**
 * {@code inet6_stream_ops}: AF_INET6 stream sockets (TCP over IPv6), which share
 * {@link InetStreamOps}' connect, listen and accept state machine and every generic option;
 * only the addresses differ: {@code inet6_bind} ({@link Inet6Bind}) takes an
 * {@link Inet6SockAddr}, {@code inet6_getname} gives one, and connect goes to the transport's
 * {@link InetProto#connect6} ({@code tcp_v6_connect}).
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

    /**
     * @param isLocal {@code ipv6_chk_addr}: whether an address is this host's
     * @param clock   stamps the {@code inet_stream_connect} tracepoint
     * @param defaultHopLimit IPv6's hop limit ({@code conf.all.hop_limit}), what {@code IPV6_UNICAST_HOPS} reads when unset
     * @since 1.12
     */
    public Inet6StreamOps(RouteTable routes, Predicate<Ipv6Address> isLocal, Clock clock, IntSupplier defaultHopLimit) {
        this(routes, isLocal, clock);
        defaultHopLimit(defaultHopLimit);
    }

    /** {@code inet6_bind} ({@link Inet6Bind}). */
    @Override
    public void bind(ProtoSocket sock, SockAddr address) throws ErrnoException {
        Inet6Bind.bind(sk(sock), address, isLocal, this::isLocalV4, false);
    }

    @Override
    void startConnect(InetSock sk, SockAddr address) throws ErrnoException {
        prot(sk).connect6(sk, Inet6Bind.inet6Address("connect", address));
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
