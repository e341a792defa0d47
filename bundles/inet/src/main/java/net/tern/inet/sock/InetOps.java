package net.tern.inet.sock;

import static net.tern.api.socket.SocketConstants.SOL_IP;
import static net.tern.api.socket.SocketConstants.SOL_SOCKET;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.IntSupplier;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.InetSockAddr;
import net.tern.api.socket.SockAddr;
import net.tern.api.socket.SocketConstants;
import net.tern.inet.ip.InetConstants;
import net.tern.inet.route.RouteTable;
import net.tern.inet.route.RouteType;
import net.tern.spi.proto.MsgHeader;
import net.tern.spi.proto.ProtoOps;
import net.tern.spi.proto.ProtoSocket;
import net.tern.wire.Ipv4Address;

/**
 * What {@code inet_stream_ops} and {@code inet_dgram_ops} share ({@code inet_release},
 * {@code inet_bind}, {@code inet_getname}, {@code inet_sendmsg}, {@code inet_recvmsg}, and
 * the generic options of {@code sock_setsockopt} and {@code ip_setsockopt}). Each operation
 * locks the socket, does the generic part and calls the socket's {@link InetProto}.
 */
public abstract class InetOps implements ProtoOps {
    private final RouteTable routes;
    private final int family;

    /** @param routes for {@code bind}'s address check ({@code inet_addr_type}) */
    protected InetOps(RouteTable routes) {
        this(routes, SocketConstants.AF_INET);
    }

    /**
     * Operations of {@code family}'s sockets: AF_INET, or AF_INET6 for {@code inet6_stream_ops}
     * ({@link Inet6StreamOps}), which share everything here but the addresses.
     *
     * @since 1.9
     */
    protected InetOps(RouteTable routes, int family) {
        this.routes = Objects.requireNonNull(routes, "routes");
        this.family = family;
    }

    @Override
    public final int family() {
        return family;
    }

    /** {@code inet_addr_type(...) == RTN_LOCAL}: whether {@code address} is one of this host's IPv4 addresses. */
    protected final boolean isLocalV4(int address) {
        return routes.addressType(address) == RouteType.LOCAL;
    }

    /** The inet state of {@code sock}. */
    protected static InetSock sk(ProtoSocket sock) {
        return sock.sk(InetSock.class);
    }

    /** The transport of {@code sk}, typed to it: {@code sk} was made by it. */
    @SuppressWarnings("unchecked")
    protected static InetProto<InetSock> prot(InetSock sk) {
        return (InetProto<InetSock>) sk.prot();
    }

    /**
     * An AF_INET address, or EAFNOSUPPORT naming {@code call}. AF_UNSPEC is accepted as
     * 0.0.0.0 port 0 when {@code unspecAsAny}, as {@code inet_bind} does for old programs.
     */
    protected static InetSockAddr inetAddress(String call, SockAddr address, boolean unspecAsAny) throws ErrnoException {
        if (address instanceof InetSockAddr inet) {
            return inet;
        }
        if (unspecAsAny && address != null && address.family() == SocketConstants.AF_UNSPEC) {
            return new InetSockAddr(0, 0);
        }
        throw new ErrnoException(Errno.EAFNOSUPPORT, call + ": " + address + " is not an AF_INET address");
    }

    /** {@code inet_autobind}: an ephemeral port for a socket that has none; EAGAIN when none is free. */
    protected static void autobind(InetSock sk) throws ErrnoException {
        InetProto<InetSock> prot = prot(sk);
        if (sk.num() == 0 && prot.autobind()) {
            try {
                prot.getPort(sk, 0);
            } catch (ErrnoException e) {
                throw new ErrnoException(Errno.EAGAIN, "autobind: no ephemeral port", e);
            }
        }
    }

    /** {@code inet_release}. */
    @Override
    public void release(ProtoSocket sock) {
        InetSock sk = sk(sock);
        sk.lock();
        try {
            prot(sk).close(sk);
        } finally {
            sk.unlock();
        }
    }

    @Override
    public boolean lingering(ProtoSocket sock) {
        InetSock sk = sk(sock);
        return prot(sk).lingering(sk);
    }

    @Override
    public Errno takeSoftError(ProtoSocket sock) {
        InetSock sk = sk(sock);
        sk.lock();
        try {
            return sk.takeSoftError();
        } finally {
            sk.unlock();
        }
    }

    /** {@code inet_bind} ({@code __inet_bind}). */
    @Override
    public void bind(ProtoSocket sock, SockAddr address) throws ErrnoException {
        InetSockAddr a = inetAddress("bind", address, true);
        int addr = a.address();
        RouteType type = routes.addressType(addr);
        boolean group = type == RouteType.BROADCAST || Ipv4Address.isMulticast(addr);
        if (addr != Ipv4Address.ANY && type != RouteType.LOCAL && !group) {
            throw new ErrnoException(Errno.EADDRNOTAVAIL, "bind(" + a + "): " + Ipv4Address.format(addr)
                    + " is not an address of this host");
        }
        InetSock sk = sk(sock);
        sk.lock();
        try {
            if (sk.num() != 0 || sk.state() != SkState.CLOSE) {
                throw new ErrnoException(Errno.EINVAL, "bind(" + a + "): the socket is bound already to "
                        + sk.localAddress());
            }
            sk.rcvSaddr(addr);
            sk.saddr(group ? 0 : addr);
            try {
                prot(sk).getPort(sk, a.port());
            } catch (ErrnoException e) {
                sk.rcvSaddr(0);
                sk.saddr(0);
                throw e;
            }
            sk.daddr(0);
            sk.dport(0);
        } finally {
            sk.unlock();
        }
    }

    /** {@code inet_getname}. */
    @Override
    public SockAddr getname(ProtoSocket sock, boolean peer) throws ErrnoException {
        InetSock sk = sk(sock);
        if (peer) {
            SkState state = sk.state();
            if (sk.dport() == 0 || state == SkState.CLOSE || state == SkState.SYN_SENT) {
                throw new ErrnoException(Errno.ENOTCONN, "getpeername: the socket is not connected");
            }
            return sk.peerName();
        }
        return sk.localName();
    }

    /** {@code sock_poll} → the transport's poll, without the lock. */
    @Override
    public int poll(ProtoSocket sock) {
        InetSock sk = sk(sock);
        return prot(sk).poll(sk);
    }

    /** {@code inet_sendmsg}: autobinds, then the transport's {@code sendmsg}. */
    @Override
    public int trySendmsg(ProtoSocket sock, ByteBuffer data, SockAddr to, int flags) throws ErrnoException {
        InetSockAddr target = null;
        if (to != null && to.family() != SocketConstants.AF_UNSPEC) {
            target = inetAddress("sendmsg", to, false);
        }
        InetSock sk = sk(sock);
        sk.lock();
        try {
            autobind(sk);
            return prot(sk).trySendmsg(sk, data, target, flags);
        } finally {
            sk.unlock();
        }
    }

    @Override
    public int sendmsg(ProtoSocket sock, ByteBuffer data, SockAddr to, int flags) throws ErrnoException {
        return ErrnoException.check(trySendmsg(sock, data, to, flags), "sendmsg");
    }

    /** {@code inet_recvmsg}. */
    @Override
    public int tryRecvmsg(ProtoSocket sock, ByteBuffer dst, int flags, net.tern.api.socket.MsgHeader msg)
            throws ErrnoException {
        InetSock sk = sk(sock);
        sk.lock();
        try {
            return prot(sk).tryRecvmsg(sk, dst, flags, msg);
        } finally {
            sk.unlock();
        }
    }

    /** {@code inet_recvmsg} into handed-over buffers: the protocol's, under the socket's lock. */
    @Override
    public int tryRecvBuffers(ProtoSocket sock, ByteBufAllocator alloc, int maxBytes, int flags,
            Consumer<? super ByteBuf> sink) throws ErrnoException {
        InetSock sk = sk(sock);
        sk.lock();
        try {
            return prot(sk).tryRecvBuffers(sk, alloc, maxBytes, flags, sink);
        } finally {
            sk.unlock();
        }
    }

    @Override
    public int recvmsg(ProtoSocket sock, ByteBuffer dst, int flags, MsgHeader msg) throws ErrnoException {
        return ErrnoException.check(tryRecvmsg(sock, dst, flags, msg), "recvmsg");
    }

    /**
     * {@code sock_common_setsockopt}: the generic {@code SOL_SOCKET} options
     * ({@code sock_setsockopt}) and {@code SOL_IP} ones ({@code ip_setsockopt}) here, other
     * levels to the transport. Buffer sizes are doubled and clamped as Linux does.
     */
    /** {@code inet_ioctl}: the transport's own requests ({@code tcp_ioctl}, {@code udp_ioctl}), under the socket lock. */
    @Override
    public int ioctl(ProtoSocket sock, int request, int arg) throws ErrnoException {
        InetSock sk = sk(sock);
        sk.lock();
        try {
            return prot(sk).ioctl(sk, request, arg);
        } finally {
            sk.unlock();
        }
    }

    @Override
    public void setsockopt(ProtoSocket sock, int level, int name, Object value) throws ErrnoException {
        InetSock sk = sk(sock);
        sk.lock();
        try {
            if (level == SOL_SOCKET) {
                setSocketOption(sk, name, intValue(level, name, value));
                prot(sk).optionChanged(sk, level, name);
            } else if (isV6only(sk, level, name)) {
                // do_ipv6_setsockopt: only before the socket has a port (EINVAL after).
                if (sk.num() != 0) {
                    throw new ErrnoException(Errno.EINVAL, "setsockopt(IPV6_V6ONLY): the socket is bound already");
                }
                sk.ipv6only(intValue(level, name, value) != 0);
            } else if (isGenericIpOption(level, name)) {
                setIpOption(sk, name, intValue(level, name, value));
            } else if (isGenericIpv6Option(sk, level, name)) {
                setIpv6Option(sk, name, intValue(level, name, value));
            } else if (level == SOL_IP) {
                // The SOL_IP options a transport acts on itself (IP_RECVERR, IP_RECVTTL on ping sockets).
                try {
                    prot(sk).setsockopt(sk, level, name, value);
                } catch (ErrnoException e) {
                    throw e.errno() == Errno.ENOPROTOOPT ? new ErrnoException(Errno.ENOPROTOOPT, "setsockopt(SOL_IP, "
                            + name + "): not an IPv4 option of " + prot(sk).name() + " sockets") : e;
                }
            } else {
                prot(sk).setsockopt(sk, level, name, value);
            }
        } finally {
            sk.unlock();
        }
    }

    private static void setSocketOption(InetSock sk, int name, int v) throws ErrnoException {
        switch (name) {
            case SocketConstants.SO_REUSEADDR -> sk.reuseAddr(v != 0);
            case SocketConstants.SO_REUSEPORT -> sk.reusePort(v != 0);
            case SocketConstants.SO_BROADCAST -> sk.broadcast(v != 0);
            case SocketConstants.SO_KEEPALIVE -> sk.keepAlive(v != 0);
            case SocketConstants.SO_RCVBUF -> sk.rcvbuf(Math.max(clampBuffer(v) * 2, InetSock.MIN_RCVBUF));
            case SocketConstants.SO_SNDBUF -> {
                sk.sndbuf(Math.max(clampBuffer(v) * 2, InetSock.MIN_SNDBUF));
                sk.wakeUp(SocketConstants.EPOLLOUT); // sk_write_space: a larger buffer may free a writer
            }
            case SocketConstants.SO_LINGER -> {
                if (v < -1) {
                    throw new ErrnoException(Errno.EINVAL, "setsockopt(SO_LINGER, " + v + "): seconds must be >= 0, or -1 for off");
                }
                sk.lingerSeconds(v);
            }
            default -> throw new ErrnoException(Errno.ENOPROTOOPT, "setsockopt(SOL_SOCKET, " + name
                    + "): not an option of AF_INET sockets");
        }
    }

    /** {@code min_t(u32, val, rmem_max)}: a negative request is a huge one. */
    private static int clampBuffer(int v) {
        return v < 0 ? InetSock.MAX_BUFFER : Math.min(v, InetSock.MAX_BUFFER);
    }

    private static void setIpOption(InetSock sk, int name, int v) throws ErrnoException {
        switch (name) {
            case InetConstants.IP_TTL -> {
                if (v != -1 && (v < 1 || v > 255)) {
                    throw new ErrnoException(Errno.EINVAL, "setsockopt(IP_TTL, " + v + "): must be 1..255, or -1 for the default");
                }
                sk.ttl(v);
            }
            case InetConstants.IP_TOS -> {
                if (v < 0 || v > 255) {
                    throw new ErrnoException(Errno.EINVAL, "setsockopt(IP_TOS, " + v + "): must be 0..255");
                }
                sk.tos(v);
            }
            case InetConstants.IP_MTU_DISCOVER -> {
                if (v < InetConstants.IP_PMTUDISC_DONT || v > InetConstants.IP_PMTUDISC_OMIT) {
                    throw new ErrnoException(Errno.EINVAL, "setsockopt(IP_MTU_DISCOVER, " + v + "): must be 0..5 (IP_PMTUDISC_)");
                }
                sk.pmtudisc(v);
            }
            default -> throw new ErrnoException(Errno.ENOPROTOOPT, "setsockopt(SOL_IP, " + name + "): not an IPv4 option");
        }
    }

    /**
     * {@code do_ipv6_setsockopt}'s {@code IPV6_UNICAST_HOPS} (0..255, -1 for the default) and
     * {@code IPV6_TCLASS} (0..255, -1 for the default 0); EINVAL beyond, as on Linux 6.18.
     */
    private static void setIpv6Option(InetSock sk, int name, int v) throws ErrnoException {
        if (v < -1 || v > 255) {
            throw new ErrnoException(Errno.EINVAL, "setsockopt(" + (name == SocketConstants.IPV6_TCLASS ? "IPV6_TCLASS"
                    : "IPV6_UNICAST_HOPS") + ", " + v + "): must be 0..255, or -1 for the default");
        }
        if (name == SocketConstants.IPV6_TCLASS) {
            sk.tclass(v == -1 ? 0 : v);
        } else {
            sk.hopLimit(v);
        }
    }

    /** {@code IPV6_UNICAST_HOPS} read back when none was set: IPv6's hop limit ({@code conf.all.hop_limit}). */
    private IntSupplier defaultHopLimit = () -> InetConstants.DEFAULT_TTL;

    /** Where the AF_INET6 operations read IPv6's hop limit from. */
    final void defaultHopLimit(IntSupplier hopLimit) {
        this.defaultHopLimit = Objects.requireNonNull(hopLimit, "defaultHopLimit");
    }

    private Object ipv6Option(InetSock sk, int name) {
        if (name == SocketConstants.IPV6_TCLASS) {
            return sk.tclass();
        }
        return sk.hopLimit() < 0 ? defaultHopLimit.getAsInt() : sk.hopLimit();
    }

    @Override
    public Object getsockopt(ProtoSocket sock, int level, int name) throws ErrnoException {
        InetSock sk = sk(sock);
        sk.lock();
        try {
            if (isV6only(sk, level, name)) {
                return sk.ipv6only() ? 1 : 0;
            }
            if (isGenericIpv6Option(sk, level, name)) {
                return ipv6Option(sk, name);
            }
            if (level == SOL_SOCKET || isGenericIpOption(level, name)) {
                return genericOption(sk, level, name);
            }
            if (level == SOL_IP || isIpv6Level(sk, level)) {
                return prot(sk).getsockopt(sk, level, name);
            }
            checkTransportLevel(sk, level, name);
            return prot(sk).getsockopt(sk, level, name);
        } finally {
            sk.unlock();
        }
    }

    @Override
    public <T> T getsockopt(ProtoSocket sock, int level, int name, Class<T> type) throws ErrnoException {
        InetSock sk = sk(sock);
        sk.lock();
        try {
            if (isV6only(sk, level, name)) {
                return ProtoOps.optionAs(sk.ipv6only() ? 1 : 0, type, level, name);
            }
            if (isGenericIpv6Option(sk, level, name)) {
                return ProtoOps.optionAs(ipv6Option(sk, name), type, level, name);
            }
            if (level == SOL_SOCKET || isGenericIpOption(level, name)) {
                return ProtoOps.optionAs(genericOption(sk, level, name), type, level, name);
            }
            if (level == SOL_IP || isIpv6Level(sk, level)) {
                return prot(sk).getsockopt(sk, level, name, type);
            }
            checkTransportLevel(sk, level, name);
            return prot(sk).getsockopt(sk, level, name, type);
        } finally {
            sk.unlock();
        }
    }

    /** {@code IPV6_V6ONLY} of an AF_INET6 socket, which every transport over IPv6 has. */
    private static boolean isV6only(InetSock sk, int level, int name) {
        return level == SocketConstants.SOL_IPV6 && name == SocketConstants.IPV6_V6ONLY
                && sk.family() == SocketConstants.AF_INET6;
    }

    /** The SOL_IPV6 options every AF_INET6 socket has ({@code ipv6_pinfo}'s hop limit and traffic class). */
    private static boolean isGenericIpv6Option(InetSock sk, int level, int name) {
        return isIpv6Level(sk, level) && (name == SocketConstants.IPV6_UNICAST_HOPS || name == SocketConstants.IPV6_TCLASS);
    }

    /**
     * SOL_IPV6 on an AF_INET6 socket, whose other options ({@code IPV6_UNICAST_HOPS},
     * {@code IPV6_TCLASS}, ...) the transport keeps, as {@code ipv6_getsockopt} reads
     * {@code ipv6_pinfo}; the transport answers ENOPROTOOPT for one it does not have.
     */
    private static boolean isIpv6Level(InetSock sk, int level) {
        return level == SocketConstants.SOL_IPV6 && sk.family() == SocketConstants.AF_INET6;
    }

    /** The SOL_IP options every inet socket has; the others are the transport's. */
    private static boolean isGenericIpOption(int level, int name) {
        return level == SOL_IP && (name == InetConstants.IP_TTL || name == InetConstants.IP_TOS
                || name == InetConstants.IP_MTU_DISCOVER);
    }

    /**
     * A level other than the generic ones and the transport's own (SOL_TCP is IPPROTO_TCP,
     * SOL_UDP is IPPROTO_UDP) reaches Linux's {@code ip_getsockopt}, which answers EOPNOTSUPP:
     * {@code TCP_INFO} on a UDP socket.
     */
    private static void checkTransportLevel(InetSock sk, int level, int name) throws ErrnoException {
        if (level != sk.protocol()) {
            throw new ErrnoException(Errno.EOPNOTSUPP, "getsockopt(level " + level + ", option " + name + "): not an option level of "
                    + prot(sk).name() + " sockets");
        }
    }

    /** The SOL_SOCKET and SOL_IP options every inet socket has ({@code sk_getsockopt}, {@code ip_getsockopt}). */
    private static Object genericOption(InetSock sk, int level, int name) throws ErrnoException {
        if (level == SOL_SOCKET) {
            return switch (name) {
                case SocketConstants.SO_REUSEADDR -> sk.reuseAddr() ? 1 : 0;
                case SocketConstants.SO_REUSEPORT -> sk.reusePort() ? 1 : 0;
                case SocketConstants.SO_BROADCAST -> sk.broadcast() ? 1 : 0;
                case SocketConstants.SO_KEEPALIVE -> sk.keepAlive() ? 1 : 0;
                case SocketConstants.SO_RCVBUF -> sk.rcvbuf();
                case SocketConstants.SO_SNDBUF -> sk.sndbuf();
                case SocketConstants.SO_LINGER -> sk.lingerSeconds();
                case SocketConstants.SO_ACCEPTCONN -> sk.state() == SkState.LISTEN ? 1 : 0;
                default -> throw new ErrnoException(Errno.ENOPROTOOPT, "getsockopt(SOL_SOCKET, " + name
                        + "): not an option of AF_INET sockets");
            };
        }
        return switch (name) {
            case InetConstants.IP_TTL -> sk.ttl() == -1 ? InetConstants.DEFAULT_TTL : sk.ttl();
            case InetConstants.IP_TOS -> sk.tos();
            case InetConstants.IP_MTU_DISCOVER -> sk.pmtudisc();
            default -> throw new ErrnoException(Errno.ENOPROTOOPT, "getsockopt(SOL_IP, " + name
                    + "): not an IPv4 option");
        };
    }

    private static int intValue(int level, int name, Object value) throws ErrnoException {
        if (value instanceof Integer i) {
            return i;
        }
        throw new ErrnoException(Errno.EINVAL, "setsockopt(level " + level + ", option " + name
                + "): expects an integer, got " + value);
    }

    /**
     * {@code inet_shutdown}: the generic part for both kinds. {@code how} is SHUT_RD, SHUT_WR
     * or SHUT_RDWR. Sets the bits and tells the transport; an unconnected socket still gets
     * them (waking pollers with EPOLLHUP) but the call fails with ENOTCONN, as on Linux.
     */
    @Override
    public void shutdown(ProtoSocket sock, int how) throws ErrnoException {
        if (how < SocketConstants.SHUT_RD || how > SocketConstants.SHUT_RDWR) {
            throw new ErrnoException(Errno.EINVAL, "shutdown(" + how + "): how must be SHUT_RD, SHUT_WR or SHUT_RDWR");
        }
        int bits = how + 1; // SHUT_RD -> RCV_SHUTDOWN, SHUT_WR -> SEND_SHUTDOWN, SHUT_RDWR -> both
        InetSock sk = sk(sock);
        ErrnoException failure = null;
        sk.lock();
        try {
            if (sk.socketState() == SocketState.CONNECTING) {
                sk.socketState(sk.state().connecting() || sk.state() == SkState.CLOSE
                        ? SocketState.DISCONNECTING : SocketState.CONNECTED);
            }
            switch (sk.state()) {
                case LISTEN, SYN_SENT -> {
                    if (sk.state() == SkState.SYN_SENT || (bits & InetSock.RCV_SHUTDOWN) != 0) {
                        try {
                            prot(sk).disconnect(sk);
                            sk.socketState(SocketState.UNCONNECTED);
                        } catch (ErrnoException e) {
                            sk.socketState(SocketState.DISCONNECTING);
                            failure = e;
                        }
                    }
                }
                default -> {
                    if (sk.state() == SkState.CLOSE) {
                        failure = new ErrnoException(Errno.ENOTCONN, "shutdown(" + how + "): the socket is not connected");
                    }
                    sk.shutdown(sk.shutdown() | bits);
                    prot(sk).shutdown(sk, bits);
                }
            }
            sk.wakeUp(SocketConstants.EPOLLIN | SocketConstants.EPOLLOUT | SocketConstants.EPOLLHUP
                    | SocketConstants.EPOLLRDHUP);
        } finally {
            sk.unlock();
        }
        if (failure != null) {
            throw failure;
        }
    }
}
