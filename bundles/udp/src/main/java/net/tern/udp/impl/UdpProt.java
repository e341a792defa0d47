package net.tern.udp.impl;

import static net.tern.api.socket.SocketConstants.EPOLLERR;
import static net.tern.api.socket.SocketConstants.EPOLLHUP;
import static net.tern.api.socket.SocketConstants.EPOLLIN;
import static net.tern.api.socket.SocketConstants.EPOLLOUT;
import static net.tern.api.socket.SocketConstants.EPOLLRDHUP;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.Inet6SockAddr;
import net.tern.api.socket.InetSockAddr;
import net.tern.api.socket.SocketConstants;
import net.tern.inet.ip.IpOutput;
import net.tern.inet.sock.InetProto;
import net.tern.inet.sock.InetSock;
import net.tern.inet.sock.Ip4Datagram;
import net.tern.inet.sock.ProtoMemory;
import net.tern.inet.sock.SkState;
import net.tern.spi.net.Packet;
import net.tern.spi.proto.MsgHeader;
import net.tern.spi.proto.ProtoOps;
import net.tern.spi.proto.ProtoSocket;
import net.tern.wire.Ipv6Address;
import net.tern.wire.UdpPacket;
/**
 * {@code udp_prot}: UDP's side of an AF_INET datagram socket, called by
 * {@code inet_dgram_ops} ({@link net.tern.inet.sock.InetDgramOps}) under the socket's lock
 * (except {@link #poll}). Ports ({@code udp_v4_get_port}), the association
 * ({@code ip4_datagram_connect}, {@code __udp_disconnect}), readiness ({@code udp_poll}) and
 * receiving ({@code udp_recvmsg}) are here; sending is {@link UdpOutput}.
 *
 * <p>It also keeps every live socket, so that when the bundle stops it can
 * {@link #withdrawAll withdraw} them.
 */
public final class UdpProt implements InetProto<UdpSock> {
    private final UdpTable table;
    private final IpOutput ip;
    private final UdpStats stats;
    private final UdpOutput output;
    private final ProtoMemory memory;
    private final Set<UdpSock> live = ConcurrentHashMap.newKeySet();
    /** Set once when the protocol leaves; guarded by {@link #live}'s monitor for {@link #create}. */
    private boolean stopped;

    public UdpProt(UdpTable table, IpOutput ip, UdpOutput output, UdpStats stats, ProtoMemory memory) {
        this.table = table;
        this.ip = ip;
        this.output = output;
        this.stats = stats;
        this.memory = memory;
    }

    /** {@code sk_backlog_rcv}: a datagram that arrived while another thread owned the socket, queued now. */
    @Override
    public void backlogRcv(UdpSock sk, Packet packet) {
        UdpInput.enqueue(sk, packet, stats);
    }

    /** UDP's stack-wide memory pool ({@code udp_memory_allocated} against {@code udp_mem}). */
    public ProtoMemory memory() {
        return memory;
    }

    @Override
    public String name() {
        return "UDP";
    }

    /** Every live socket (for {@code udp_diag}); a concurrent view. */
    Set<UdpSock> live() {
        return live;
    }

    @Override
    public int socketsInUse() {
        return live.size();
    }

    @Override
    public int maxHeader() {
        return UdpPacket.HEADER_LENGTH;
    }

    /** {@code sk_alloc} + {@code udp_init_sock}. EPROTONOSUPPORT once the protocol is leaving. */
    @Override
    public UdpSock create() throws ErrnoException {
        synchronized (live) {
            if (stopped) {
                throw new ErrnoException(Errno.EPROTONOSUPPORT, "socket: UDP is leaving the stack");
            }
            UdpSock sk = new UdpSock(this, memory);
            live.add(sk);
            return sk;
        }
    }

    /** {@code udp_lib_close} → {@code sk_common_release}: unhash, purge the queue. */
    @Override
    public void close(UdpSock sk) {
        if (!sk.isDead()) {
            table.unhash(sk);
            sk.purgeAndKill();
        }
        sk.state(SkState.CLOSE);
        live.remove(sk);
    }

    /**
     * {@code udp_v4_get_port}: {@code port}, or an ephemeral one for 0. Records the bind locks
     * as {@code __inet_bind} sets {@code sk_userlocks}: a port asked for by number, an address
     * other than the wildcard; autobinding locks neither, so a disconnect gives both back.
     */
    @Override
    public void getPort(UdpSock sk, int port) throws ErrnoException {
        checkAlive(sk, "bind");
        table.bind(sk, port);
        sk.bindPortLocked = port != 0;
        sk.bindAddrLocked = sk.rcvSaddr() != 0 || !sk.v6RcvSaddr().isUnspecified();
    }

    /**
     * {@code ip4_datagram_connect}: routes to the peer, takes the route's source as the local
     * address if none is bound, and associates (state ESTABLISHED): from now on only the
     * peer's datagrams are received, and sends without an address go to it. Re-connecting
     * replaces the peer; the local address stays. A destination of 0.0.0.0 means this host,
     * as Linux routes it. Broadcast needs {@code SO_BROADCAST} (EACCES).
     */
    @Override
    public void connect(UdpSock sk, InetSockAddr address) throws ErrnoException {
        checkAlive(sk, "connect");
        int destination = address.address() != 0 ? address.address() : thisHost(sk);
        Ip4Datagram.connect(ip, sk, destination, address.port());
        table.rehash(sk);
    }

    /** IPv6's part of UDP ({@code UdpIpv6}) while it runs, else null. */
    private volatile Ipv6Side ipv6;

    /**
     * What UDP over IPv6 does that IPv4's UDP does not ({@code udpv6_sendmsg},
     * {@code ip6_datagram_connect}), in UDP's own terms, so UDP over IPv4 never loads the
     * inet6 bundle's classes.
     */
    interface Ipv6Side {
        int sendmsg6(UdpSock sk, ByteBuffer data, Inet6SockAddr to, int flags) throws ErrnoException;

        void connect6(UdpSock sk, Inet6SockAddr address) throws ErrnoException;
    }

    void ipv6(Ipv6Side side) {
        this.ipv6 = side;
    }

    private Ipv6Side ipv6(String call) throws ErrnoException {
        Ipv6Side side = ipv6;
        if (side == null) {
            throw new ErrnoException(Errno.EAFNOSUPPORT, call + ": IPv6 has left the stack");
        }
        return side;
    }

    /**
     * {@code ip6_datagram_connect}: an IPv4-mapped peer ({@code ::ffff:a.b.c.d}) is connected
     * over IPv4 ({@code __ip4_datagram_connect}) and the socket's addresses named IPv4-mapped
     * (ENETUNREACH for an IPv6-only socket); any other peer over IPv6.
     */
    @Override
    public void connect6(UdpSock sk, Inet6SockAddr address) throws ErrnoException {
        checkAlive(sk, "connect");
        Ipv6Address peer = dualStackPeer(sk, address);
        if (peer.isV4Mapped()) {
            String call = "connect(" + address + ")";
            if (sk.ipv6only()) {
                throw new ErrnoException(Errno.ENETUNREACH, call + ": the socket is IPv6-only (IPV6_V6ONLY)");
            }
            int v4 = (int) peer.low();
            Ip4Datagram.connect(ip, sk, v4 != 0 ? v4 : thisHost(sk), address.port());
            sk.v6Daddr(InetSock.v4Mapped(sk.daddr()));
            if (sk.v6Saddr().isUnspecified() || sk.v6Saddr().equals(MAPPED_ANY)) {
                sk.v6Saddr(InetSock.v4Mapped(sk.saddr()));
            }
            if (sk.v6RcvSaddr().isUnspecified() || sk.v6RcvSaddr().equals(MAPPED_ANY)) {
                sk.v6RcvSaddr(InetSock.v4Mapped(sk.rcvSaddr()));
            }
        } else {
            ipv6("connect").connect6(sk, address);
        }
        table.rehash(sk);
    }

    /** {@code ::ffff:0.0.0.0}, the IPv4 wildcard as an AF_INET6 socket names it. */
    private static final Ipv6Address MAPPED_ANY = InetSock.v4Mapped(0);

    /**
     * The peer an AF_INET6 socket addresses: :: from a socket whose source is IPv4-mapped is
     * IPv4's loopback, as {@code udpv6_sendmsg} takes it; otherwise the address as given.
     */
    private static Ipv6Address dualStackPeer(UdpSock sk, Inet6SockAddr address) {
        Ipv6Address peer = new Ipv6Address(address.high(), address.low());
        if (peer.isUnspecified() && sk.v6Saddr().isV4Mapped()) {
            return InetSock.v4Mapped(InetSockAddr.INADDR_LOOPBACK);
        }
        return peer;
    }

    /**
     * {@code udpv6_sendmsg}: to an IPv4-mapped destination ({@code to}, or the connected peer)
     * the datagram goes over IPv4 ({@code udp_sendmsg}, with the socket's {@code IP_TTL} and
     * {@code IP_TOS}; ENETUNREACH for an IPv6-only socket); to any other over IPv6.
     */
    @Override
    public int trySendmsg6(UdpSock sk, ByteBuffer data, Inet6SockAddr to, int flags) throws ErrnoException {
        checkAlive(sk, "sendmsg");
        try {
            Ipv6Address peer = to != null ? dualStackPeer(sk, to)
                    : sk.state() == SkState.ESTABLISHED ? sk.v6Daddr() : Ipv6Address.UNSPECIFIED;
            if (peer.isV4Mapped()) {
                if (sk.ipv6only()) {
                    throw new ErrnoException(Errno.ENETUNREACH, "sendmsg(to " + (to != null ? to : sk.peerName())
                            + "): the socket is IPv6-only (IPV6_V6ONLY)");
                }
                return output.sendmsg(sk, data, to == null ? null : new InetSockAddr((int) peer.low(), to.port()), flags);
            }
            return ipv6("sendmsg").sendmsg6(sk, data, to, flags);
        } catch (ErrnoException e) {
            return ProtoOps.wouldBlockAsValue(e);
        }
    }

    /** The address 0.0.0.0 stands for when a socket sends to or connects to it. */
    static int thisHost(InetSock sk) {
        return sk.saddr() != 0 ? sk.saddr() : InetSockAddr.INADDR_LOOPBACK;
    }

    /**
     * {@code __udp_disconnect} (connect with AF_UNSPEC): forgets the peer; gives back the local
     * address unless the application bound it, and the port unless it bound that (an
     * autobound socket is unbound again and will autobind afresh).
     */
    @Override
    public void disconnect(UdpSock sk) {
        if (sk.isDead()) {
            return;
        }
        sk.state(SkState.CLOSE);
        sk.daddr(0);
        sk.dport(0);
        sk.v6Daddr(Ipv6Address.UNSPECIFIED);
        if (!sk.bindAddrLocked) {
            sk.rcvSaddr(0);
            sk.saddr(0);
            sk.v6RcvSaddr(Ipv6Address.UNSPECIFIED);
            sk.v6Saddr(Ipv6Address.UNSPECIFIED);
        }
        if (!sk.bindPortLocked) {
            table.unhash(sk);
            sk.num(0);
        } else {
            table.rehash(sk);
        }
    }

    /**
     * {@code udp_poll} ({@code datagram_poll}), without the lock: always writable (there is no
     * send queue), readable with a datagram queued, EPOLLERR with an error pending; after
     * SHUT_RD readable with EPOLLRDHUP (a read returns 0), and EPOLLHUP once both directions
     * are shut.
     */
    @Override
    public int poll(UdpSock sk) {
        if (sk.isDead()) {
            return EPOLLERR | EPOLLHUP;
        }
        int mask = EPOLLOUT;
        if (sk.queued() > 0) {
            mask |= EPOLLIN;
        }
        ProtoSocket sock = sk.socket();
        if (sock != null && sock.peekError() != null) {
            mask |= EPOLLERR;
        }
        int shut = sk.shutdown();
        if ((shut & InetSock.RCV_SHUTDOWN) != 0) {
            mask |= EPOLLIN | EPOLLRDHUP;
        }
        if (shut == InetSock.SHUTDOWN_MASK) {
            mask |= EPOLLHUP;
        }
        return mask;
    }

    @Override
    public void shutdown(UdpSock sk, int how) {
        // The bits are set by inet_shutdown; waiters were woken there. Nothing to flush.
    }

    @Override
    public int sendmsg(UdpSock sk, ByteBuffer data, InetSockAddr to, int flags) throws ErrnoException {
        checkAlive(sk, "sendmsg");
        return output.sendmsg(sk, data, to, flags);
    }

    /**
     * {@code udp_recvmsg}: a pending error first ({@code sock_error}, cleared as it is
     * reported, returned as its negative errno); then the head datagram, of which what fits in
     * {@code dst} is copied and the rest discarded (MSG_TRUNC in {@code msg.flags}). MSG_PEEK
     * leaves it queued; MSG_TRUNC in {@code flags} returns the datagram's full length. With
     * nothing queued: 0 after SHUT_RD, else {@code -EAGAIN}. Reading counts {@code InDatagrams}.
     * {@code msg} may be null when the caller wants neither sender nor flags.
     */
    /**
     * {@code udp_ioctl}: SIOCINQ is the payload of the first queued datagram (0 when none, or
     * when it is empty), not the sum, since one receive returns one datagram. SIOCOUTQ is the
     * send memory the socket holds, which here is none: a datagram is handed to IP within the
     * send call and charged to no socket afterwards.
     */
    @Override
    public int ioctl(UdpSock sk, int request, int arg) throws ErrnoException {
        return switch (request) {
            case SocketConstants.SIOCINQ -> {
                Packet first = sk.peek();
                yield first == null ? 0 : first.length();
            }
            case SocketConstants.SIOCOUTQ -> 0;
            default -> InetProto.super.ioctl(sk, request, arg);
        };
    }

    @Override
    public int tryRecvmsg(UdpSock sk, ByteBuffer dst, int flags, net.tern.api.socket.MsgHeader msg)
            throws ErrnoException {
        checkAlive(sk, "recvmsg");
        if (dst.isReadOnly()) {
            throw new ErrnoException(Errno.EFAULT, "recvmsg: the receive buffer is read-only");
        }
        ProtoSocket sock = sk.socket();
        Errno pending = sock == null ? null : sock.takeError();
        if (pending != null) {
            return pending.negative();
        }
        boolean peek = (flags & SocketConstants.MSG_PEEK) != 0;
        Packet d = sk.peek();
        if (d == null) {
            if ((sk.shutdown() & InetSock.RCV_SHUTDOWN) != 0) {
                return 0;
            }
            return Errno.EAGAIN.negative(); // no datagram queued
        }
        int length = d.length();
        int copied = Math.min(length, dst.remaining());
        int limit = dst.limit();
        dst.limit(dst.position() + copied);
        d.buf().getBytes(d.buf().readerIndex(), dst); // up to the limit, moving the position
        dst.limit(limit);
        if (msg != null) {
            if (copied < length) {
                msg.flags |= SocketConstants.MSG_TRUNC;
            }
            msg.from = sk.family() == SocketConstants.AF_INET6 ? UdpSock.source6Of(d)
                    : new InetSockAddr(UdpSock.sourceOf(d), UdpSock.sourcePortOf(d));
        }
        if (!peek) {
            sk.dequeue();
            d.release();
            stats.inc(UdpMib.InDatagrams);
        }
        return (flags & SocketConstants.MSG_TRUNC) != 0 ? length : copied;
    }

    @Override
    public int recvmsg(UdpSock sk, ByteBuffer dst, int flags, MsgHeader msg) throws ErrnoException {
        int n = tryRecvmsg(sk, dst, flags, msg);
        if (n < 0 && n != Errno.EAGAIN.negative()) {
            throw new ErrnoException(Errno.ofResult(n), "recvmsg: error reported by ICMP for a datagram sent to "
                    + sk.peerAddress());
        }
        return ErrnoException.check(n, "recvmsg: no datagram queued");
    }

    /** {@code sock_error}: reports the pending error once, clearing it. */
    static void throwPendingError(UdpSock sk, String call) throws ErrnoException {
        ProtoSocket sock = sk.socket();
        Errno pending = sock == null ? null : sock.takeError();
        if (pending != null) {
            throw new ErrnoException(pending, call + ": error reported by ICMP for a datagram sent to "
                    + sk.peerAddress());
        }
    }

    private static void checkAlive(UdpSock sk, String call) throws ErrnoException {
        if (sk.isDead()) {
            throw new ErrnoException(Errno.ECONNABORTED, call + ": the UDP socket was closed or withdrawn");
        }
    }

    /**
     * The protocol leaves the stack: new sockets are refused, and each live socket is
     * unhashed (its port free again), its queue released, and withdrawn from the socket layer
     * with ECONNABORTED and {@code reason}. Returns how many were withdrawn.
     */
    public int withdrawAll(String reason) {
        synchronized (live) {
            stopped = true;
        }
        return withdraw(sk -> true, reason);
    }

    /** Withdraws the live sockets {@code which} selects (IPv6's when IPv6 leaves), as {@link #withdrawAll} does. */
    public int withdraw(Predicate<UdpSock> which, String reason) {
        List<UdpSock> victims = new ArrayList<>();
        synchronized (live) {
            for (UdpSock sk : live) {
                if (which.test(sk)) {
                    victims.add(sk);
                }
            }
        }
        int withdrawn = 0;
        for (UdpSock sk : victims) {
            boolean killed = false;
            sk.lock();
            try {
                if (!sk.isDead()) {
                    table.unhash(sk);
                    sk.purgeAndKill();
                    sk.state(SkState.CLOSE);
                    killed = true;
                }
            } finally {
                sk.unlock();
            }
            live.remove(sk);
            ProtoSocket sock = sk.socket();
            if (killed && sock != null) {
                sock.withdraw(Errno.ECONNABORTED, reason);
                withdrawn++;
            }
        }
        return withdrawn;
    }
}
