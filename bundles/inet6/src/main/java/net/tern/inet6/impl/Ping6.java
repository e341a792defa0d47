package net.tern.inet6.impl;

import static net.tern.api.socket.SocketConstants.EPOLLIN;
import static net.tern.api.socket.SocketConstants.EPOLLOUT;

import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.Inet6SockAddr;
import net.tern.api.socket.SockAddr;
import net.tern.api.socket.SocketConstants;
import net.tern.inet6.ip.Dst6;
import net.tern.spi.net.Packet;
import net.tern.spi.net.PacketAllocator;
import net.tern.spi.proto.MsgHeader;
import net.tern.spi.proto.Proto;
import net.tern.spi.proto.ProtoOps;
import net.tern.spi.proto.ProtoSocket;
import net.tern.spi.proto.ProtoSw;
import net.tern.wire.Icmpv6Packet;
import net.tern.wire.Icmpv6Types;
import net.tern.wire.InetChecksum;
import net.tern.wire.Ipv6Address;
import net.tern.wire.Ipv6ExtHeader;

/**
 * ICMPv6 echo sockets ({@code net/ipv6/ping.c}: {@code socket(AF_INET6, SOCK_DGRAM,
 * IPPROTO_ICMPV6)}, {@code pingv6_prot}), IPv6's entry in {@code inetsw6_array}: a socket
 * bound to an identifier (its "port") sends echo requests whose identifier it sets itself and
 * checksum it fills ({@code ping_v6_sendmsg}: anything but an echo request of code 0 is
 * EINVAL) and reads the echo replies that carry its identifier, header included, from the
 * replier's address with port 0 ({@code ping_recvmsg}), with the hop limit when
 * {@code IPV6_RECVHOPLIMIT} is on. ICMPv6 errors are not queued ({@code IPV6_RECVERR} is
 * accepted and has no effect yet): a ping that gets an error times out.
 *
 * <p>Sockets are found by identifier in a concurrent map; each socket's state is guarded by
 * its own monitor.
 */
public final class Ping6 implements ProtoSw, ProtoOps, Proto, Icmp6Listener {
    /** Replies a socket keeps before it drops more (a bound in place of receive-buffer accounting). */
    static final int MAX_QUEUED = 256;

    /** One ping socket's state ({@code struct sock} of {@code pingv6_prot}). */
    static final class Sock {
        final ProtoSocket socket;
        Ipv6Address bound = Ipv6Address.UNSPECIFIED;
        int boundIf;
        int identifier = -1;
        Inet6SockAddr peer;
        int hopLimit = -1;
        boolean recvHopLimit;
        boolean recvErr;
        boolean shutRead;
        final ArrayDeque<Reply> replies = new ArrayDeque<>();

        Sock(ProtoSocket socket) {
            this.socket = socket;
        }
    }

    /** An echo reply queued: the ICMPv6 message, its source and its hop limit. */
    record Reply(byte[] message, Ipv6Address from, int hopLimit) {
    }

    private final Ip6Output output;
    private final PacketAllocator allocator;
    private final Snmp6 mib;
    private final Map<Integer, Sock> byIdentifier = new ConcurrentHashMap<>();
    private final AtomicInteger open = new AtomicInteger();

    public Ping6(Ip6Output output, PacketAllocator allocator, Snmp6 mib) {
        this.output = output;
        this.allocator = allocator;
        this.mib = mib;
    }

    // ==== ProtoSw, Proto

    @Override
    public int type() {
        return SocketConstants.SOCK_DGRAM;
    }

    @Override
    public int protocol() {
        return SocketConstants.IPPROTO_ICMPV6;
    }

    @Override
    public ProtoOps ops() {
        return this;
    }

    @Override
    public Proto proto() {
        return this;
    }

    @Override
    public String name() {
        return "PINGv6";
    }

    @Override
    public int socketsInUse() {
        return open.get();
    }

    @Override
    public int maxHeader() {
        return Ip6Output.HEADROOM;
    }

    @Override
    public void init(ProtoSocket sock) {
        sock.attach(this, new Sock(sock), SocketConstants.IPPROTO_ICMPV6);
        open.incrementAndGet();
    }

    @Override
    public int family() {
        return SocketConstants.AF_INET6;
    }

    private static Sock sk(ProtoSocket sock) {
        return sock.sk(Sock.class);
    }

    // ==== bind, connect, release

    private static Inet6SockAddr address(SockAddr address, String call) throws ErrnoException {
        if (address instanceof Inet6SockAddr a) {
            return a;
        }
        throw new ErrnoException(Errno.EAFNOSUPPORT, call + ": not an AF_INET6 address: " + address);
    }

    /** {@code ping_bind}: a local address (or {@code ::}) and an identifier, 0 for any free one. */
    @Override
    public void bind(ProtoSocket sock, SockAddr address) throws ErrnoException {
        Inet6SockAddr a = address(address, "ping6 bind");
        Ipv6Address local = new Ipv6Address(a.high(), a.low());
        Sock sk = sk(sock);
        synchronized (sk) {
            if (sk.identifier >= 0) {
                throw new ErrnoException(Errno.EINVAL, "ping6 bind: already bound to identifier " + sk.identifier);
            }
            if (!local.isUnspecified() && output.addrconf().local(local) == null) {
                throw new ErrnoException(Errno.EADDRNOTAVAIL, "ping6 bind: " + local + " is not this host's");
            }
            sk.bound = local;
            sk.boundIf = a.scopeId();
            claim(sk, a.port());
        }
    }

    /** {@code ping_get_port}: takes {@code wanted}, or a free identifier for 0. */
    private void claim(Sock sk, int wanted) throws ErrnoException {
        if (wanted != 0) {
            if (byIdentifier.putIfAbsent(wanted, sk) != null) {
                throw new ErrnoException(Errno.EADDRINUSE, "ping6: identifier " + wanted + " is in use");
            }
            sk.identifier = wanted;
            return;
        }
        int start = ThreadLocalRandom.current().nextInt(1, 0x10000);
        for (int i = 0; i < 0xffff; i++) {
            int id = 1 + (start + i - 1) % 0xffff;
            if (byIdentifier.putIfAbsent(id, sk) == null) {
                sk.identifier = id;
                return;
            }
        }
        throw new ErrnoException(Errno.EAGAIN, "ping6: all 65535 identifiers are in use");
    }

    /** {@code ip6_datagram_connect}: the default destination; AF_UNSPEC forgets it. */
    @Override
    public void connect(ProtoSocket sock, SockAddr address, int flags) throws ErrnoException {
        Sock sk = sk(sock);
        if (address == SockAddr.UNSPEC || address.family() == SocketConstants.AF_UNSPEC) {
            synchronized (sk) {
                sk.peer = null;
            }
            return;
        }
        Inet6SockAddr a = address(address, "ping6 connect");
        Ipv6Address to = new Ipv6Address(a.high(), a.low());
        output.route(to, a.scopeId());                      // ENETUNREACH now, as Linux routes on connect
        synchronized (sk) {
            sk.peer = a;
            if (sk.identifier < 0) {
                claim(sk, 0);
            }
        }
    }

    @Override
    public void release(ProtoSocket sock) {
        Sock sk = sk(sock);
        synchronized (sk) {
            if (sk.identifier >= 0) {
                byIdentifier.remove(sk.identifier, sk);
                sk.identifier = -1;
            }
            sk.replies.clear();
        }
        open.decrementAndGet();
    }

    @Override
    public void listen(ProtoSocket sock, int backlog) throws ErrnoException {
        throw new ErrnoException(Errno.EOPNOTSUPP, "listen: not on a ping socket");
    }

    @Override
    public void accept(ProtoSocket sock, ProtoSocket newSock, int flags) throws ErrnoException {
        throw new ErrnoException(Errno.EOPNOTSUPP, "accept: not on a ping socket");
    }

    @Override
    public SockAddr getname(ProtoSocket sock, boolean peer) throws ErrnoException {
        Sock sk = sk(sock);
        synchronized (sk) {
            if (peer) {
                if (sk.peer == null) {
                    throw new ErrnoException(Errno.ENOTCONN, "getpeername: not connected");
                }
                return sk.peer;
            }
            return new Inet6SockAddr(sk.bound.high(), sk.bound.low(), Math.max(0, sk.identifier), 0, sk.boundIf);
        }
    }

    @Override
    public int poll(ProtoSocket sock) {
        Sock sk = sk(sock);
        synchronized (sk) {
            return (sk.replies.isEmpty() ? 0 : EPOLLIN) | EPOLLOUT;
        }
    }

    @Override
    public void shutdown(ProtoSocket sock, int how) throws ErrnoException {
        Sock sk = sk(sock);
        synchronized (sk) {
            if (sk.peer == null) {
                throw new ErrnoException(Errno.ENOTCONN, "shutdown: not connected");
            }
            if (how == SocketConstants.SHUT_RD || how == SocketConstants.SHUT_RDWR) {
                sk.shutRead = true;
            }
        }
        sock.wakeUp(EPOLLIN);
    }

    // ==== options: IPV6_UNICAST_HOPS, IPV6_RECVHOPLIMIT, IPV6_RECVERR

    @Override
    public void setsockopt(ProtoSocket sock, int level, int name, Object value) throws ErrnoException {
        Sock sk = sk(sock);
        if (level == SocketConstants.SOL_IPV6 && value instanceof Integer v) {
            synchronized (sk) {
                switch (name) {
                    case SocketConstants.IPV6_UNICAST_HOPS -> {
                        if (v < -1 || v > 255) {
                            throw new ErrnoException(Errno.EINVAL, "IPV6_UNICAST_HOPS: " + v + " not in -1..255");
                        }
                        sk.hopLimit = v;
                        return;
                    }
                    case SocketConstants.IPV6_RECVHOPLIMIT -> {
                        sk.recvHopLimit = v != 0;
                        return;
                    }
                    case SocketConstants.IPV6_RECVERR -> {
                        sk.recvErr = v != 0;
                        return;
                    }
                    default -> {
                    }
                }
            }
        }
        throw new ErrnoException(Errno.ENOPROTOOPT, "setsockopt(level " + level + ", " + name
                + "): not an option of ping6 sockets");
    }

    @Override
    public Object getsockopt(ProtoSocket sock, int level, int name) throws ErrnoException {
        Sock sk = sk(sock);
        if (level == SocketConstants.SOL_IPV6) {
            synchronized (sk) {
                switch (name) {
                    case SocketConstants.IPV6_UNICAST_HOPS:
                        return sk.hopLimit < 0 ? output.hopLimit() : sk.hopLimit;
                    case SocketConstants.IPV6_RECVHOPLIMIT:
                        return sk.recvHopLimit ? 1 : 0;
                    case SocketConstants.IPV6_RECVERR:
                        return sk.recvErr ? 1 : 0;
                    default:
                        break;
                }
            }
        }
        throw new ErrnoException(Errno.ENOPROTOOPT, "getsockopt(level " + level + ", " + name
                + "): not an option of ping6 sockets");
    }

    // ==== ping_v6_sendmsg

    @Override
    public int sendmsg(ProtoSocket sock, ByteBuffer data, SockAddr to, int flags) throws ErrnoException {
        int length = data.remaining();
        if (length < Icmpv6Packet.HEADER_LENGTH) {
            throw new ErrnoException(Errno.EINVAL, "ping6 sendmsg: " + length + " bytes are less than an ICMPv6 header");
        }
        if (length > 0xffff) {
            throw new ErrnoException(Errno.EMSGSIZE, "ping6 sendmsg: " + length + " bytes are more than 65535");
        }
        int type = data.get(data.position()) & 0xff;
        int code = data.get(data.position() + 1) & 0xff;
        if (type != Icmpv6Types.ECHO_REQUEST || code != 0) {
            throw new ErrnoException(Errno.EINVAL, "ping6 sendmsg: type " + type + " code " + code
                    + " is not an echo request");
        }
        Sock sk = sk(sock);
        Inet6SockAddr dest;
        Ipv6Address bound;
        int identifier;
        int hops;
        synchronized (sk) {
            dest = to == null ? sk.peer : address(to, "ping6 sendmsg");
            if (dest == null) {
                throw new ErrnoException(Errno.EDESTADDRREQ, "ping6 sendmsg: no destination and not connected");
            }
            if (sk.identifier < 0) {
                claim(sk, 0);
            }
            identifier = sk.identifier;
            bound = sk.bound;
            hops = sk.hopLimit;
        }
        Ipv6Address destination = new Ipv6Address(dest.high(), dest.low());
        Dst6 dst = output.route(destination, dest.scopeId());
        Ipv6Address source = bound.isUnspecified() ? output.source(dst, destination) : bound;
        Packet packet = allocator.allocate(Ip6Output.HEADROOM, length);
        ByteBuf buf = packet.buf();
        int at = buf.writerIndex();
        buf.writeBytes(data.duplicate());
        buf.setShort(at + 2, 0);
        buf.setShort(at + 4, identifier);
        buf.setShort(at + 2, InetChecksum.transportChecksum6(buf, at, length, source, destination,
                InetChecksum.IPPROTO_ICMPV6));
        output.xmit(packet, dst, source, destination, Ipv6ExtHeader.ICMPV6, hops, 0);
        mib.icmpOut(Icmpv6Types.ECHO_REQUEST);
        data.position(data.limit());
        return length;
    }

    // ==== ping_recvmsg

    @Override
    public int recvmsg(ProtoSocket sock, ByteBuffer dst, int flags, MsgHeader msg) throws ErrnoException {
        return receive(sock, dst, flags, msg);
    }

    /** The socket layer's header is filled in place, control messages included. */
    @Override
    public int tryRecvmsg(ProtoSocket sock, ByteBuffer dst, int flags, net.tern.api.socket.MsgHeader msg)
            throws ErrnoException {
        try {
            return receive(sock, dst, flags, msg);
        } catch (ErrnoException e) {
            return ProtoOps.wouldBlockAsValue(e);
        }
    }

    private int receive(ProtoSocket sock, ByteBuffer dst, int flags, net.tern.api.socket.MsgHeader msg)
            throws ErrnoException {
        if ((flags & SocketConstants.MSG_ERRQUEUE) != 0) {
            throw new ErrnoException(Errno.EAGAIN, "ping6 recvmsg(MSG_ERRQUEUE): no error queued");
        }
        Sock sk = sk(sock);
        Reply reply;
        boolean hopLimit;
        synchronized (sk) {
            reply = (flags & SocketConstants.MSG_PEEK) != 0 ? sk.replies.peekFirst() : sk.replies.pollFirst();
            if (reply == null) {
                if (sk.shutRead) {
                    return 0;
                }
                throw new ErrnoException(Errno.EAGAIN, "ping6 recvmsg: no reply waiting");
            }
            hopLimit = sk.recvHopLimit;
        }
        int n = Math.min(dst.remaining(), reply.message().length);
        dst.put(reply.message(), 0, n);
        if (msg != null) {
            msg.from = new Inet6SockAddr(reply.from().high(), reply.from().low(), 0);
            if (n < reply.message().length) {
                msg.flags |= SocketConstants.MSG_TRUNC;
            }
            if (hopLimit) {
                msg.addControl(SocketConstants.SOL_IPV6, SocketConstants.IPV6_HOPLIMIT, reply.hopLimit());
            }
        }
        return (flags & SocketConstants.MSG_TRUNC) != 0 ? reply.message().length : n;
    }

    // ==== ping_rcv: an echo reply for one of the sockets

    @Override
    public void echoReply(int identifier, int sequence, ByteBuf buf, int offset, int length, Ipv6Address from,
            Ipv6Address to, int hopLimit) {
        Sock sk = byIdentifier.get(identifier);
        if (sk == null) {
            return;
        }
        byte[] message = new byte[Icmpv6Packet.HEADER_LENGTH + length];
        buf.getBytes(offset - Icmpv6Packet.HEADER_LENGTH, message);
        synchronized (sk) {
            if (!sk.bound.isUnspecified() && !sk.bound.equals(to)) {
                return;
            }
            if (sk.replies.size() >= MAX_QUEUED) {
                return;
            }
            sk.replies.addLast(new Reply(message, from, hopLimit));
        }
        sk.socket.wakeUp(EPOLLIN);
    }

    /** The open sockets' count, for tests. */
    int bound() {
        return byIdentifier.size();
    }
}
