package net.tern.packet.impl;

import java.nio.ByteBuffer;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.SockAddr;
import net.tern.api.socket.SocketConstants;
import net.tern.packet.IfPacket;
import net.tern.packet.SockAddrLl;
import net.tern.spi.net.Link;
import net.tern.spi.net.Packet;
import net.tern.spi.proto.MsgHeader;
import net.tern.spi.proto.ProtoOps;
import net.tern.spi.proto.ProtoSocket;

/**
 * {@code packet_ops}: the socket calls of a packet socket. {@code bind} picks the link and
 * protocol ({@code packet_bind}); {@code recvmsg} hands out one packet at a time with its
 * {@code sockaddr_ll} and, when asked, its time ({@code packet_recvmsg}); {@code sendmsg}
 * puts a whole packet on a link ({@code packet_snd}).
 */
final class PacketOps implements ProtoOps {
    /** Headroom left in front of a sent packet, for a driver that adds a header (TUN's). */
    private static final int HEADROOM = 128;

    private final PacketFamily family;

    PacketOps(PacketFamily family) {
        this.family = family;
    }

    @Override
    public int family() {
        return IfPacket.AF_PACKET;
    }

    private static PacketSock sk(ProtoSocket sock) {
        return sock.sk(PacketSock.class);
    }

    /** {@code packet_release}: unhooked, the queue dropped. */
    @Override
    public void release(ProtoSocket sock) {
        PacketSock sk = sk(sock);
        family.unhook(sk);
        sk.release();
    }

    private static SockAddrLl llAddress(SockAddr address, String call) throws ErrnoException {
        if (address instanceof SockAddrLl ll) {
            return ll;
        }
        throw new ErrnoException(Errno.EINVAL, call + ": " + address + " is not a packet address (sockaddr_ll)");
    }

    /**
     * {@code packet_bind}: the link {@code sll_ifindex} (0: every link) and the protocol
     * {@code sll_protocol} (0: the socket's own). ENODEV for an index no link has; a link that
     * is down leaves ENETDOWN pending, as Linux's {@code packet_do_bind}.
     */
    @Override
    public void bind(ProtoSocket sock, SockAddr address) throws ErrnoException {
        SockAddrLl ll = llAddress(address, "packet_bind");
        PacketSock sk = sk(sock);
        Link link = null;
        if (ll.ifindex() != 0) {
            link = family.link(ll.ifindex());
            if (link == null) {
                throw new ErrnoException(Errno.ENODEV, "packet_bind: no link has index " + ll.ifindex());
            }
        }
        sk.bindTo(ll.protocol() != 0 ? ll.protocol() : sk.protocol(), ll.ifindex());
        family.hook(sk);
        if (link != null && !link.isUp()) {
            sock.setError(Errno.ENETDOWN);
        }
    }

    @Override
    public void connect(ProtoSocket sock, SockAddr address, int flags) throws ErrnoException {
        throw new ErrnoException(Errno.EOPNOTSUPP, "connect: packet sockets do not connect");
    }

    @Override
    public void listen(ProtoSocket sock, int backlog) throws ErrnoException {
        throw new ErrnoException(Errno.EOPNOTSUPP, "listen: packet sockets do not listen");
    }

    @Override
    public void accept(ProtoSocket sock, ProtoSocket newSock, int flags) throws ErrnoException {
        throw new ErrnoException(Errno.EOPNOTSUPP, "accept: packet sockets do not accept");
    }

    /** {@code packet_getname}: the link and protocol bound; a packet socket has no peer (EOPNOTSUPP). */
    @Override
    public SockAddr getname(ProtoSocket sock, boolean peer) throws ErrnoException {
        if (peer) {
            throw new ErrnoException(Errno.EOPNOTSUPP, "getpeername: packet sockets have no peer");
        }
        PacketSock sk = sk(sock);
        Link link = sk.ifindex() == 0 ? null : family.link(sk.ifindex());
        return new SockAddrLl(sk.protocol(), sk.ifindex(), link == null ? 0 : link.type(), 0);
    }

    @Override
    public int poll(ProtoSocket sock) {
        return SocketConstants.EPOLLOUT | (sk(sock).readable() ? SocketConstants.EPOLLIN : 0)
                | (sock.peekError() != null ? SocketConstants.EPOLLERR : 0);
    }

    @Override
    public void shutdown(ProtoSocket sock, int how) throws ErrnoException {
        throw new ErrnoException(Errno.EOPNOTSUPP, "shutdown: packet sockets have no connection to shut down");
    }

    /**
     * {@code packet_setsockopt} and the socket-level options a packet socket keeps:
     * {@code SO_RCVBUF} (doubled, at most {@code rmem_max}), {@code SO_RCVBUFFORCE} (doubled,
     * no maximum), {@code SO_TIMESTAMP}, {@code SO_TIMESTAMPNS}, {@code PACKET_IGNORE_OUTGOING}.
     */
    @Override
    public void setsockopt(ProtoSocket sock, int level, int name, Object value) throws ErrnoException {
        PacketSock sk = sk(sock);
        if (!(value instanceof Integer number)) {
            throw new ErrnoException(Errno.EINVAL, "setsockopt(level " + level + ", " + name + "): needs an integer");
        }
        int v = number;
        if (level == SocketConstants.SOL_SOCKET) {
            switch (name) {
                case SocketConstants.SO_RCVBUF -> sk.rcvbuf(Math.max(PacketSock.MIN_RCVBUF, 2 * Math.min(Math.max(v, 0),
                        PacketSock.RMEM_MAX)));
                case SocketConstants.SO_RCVBUFFORCE -> sk.rcvbuf(Math.max(PacketSock.MIN_RCVBUF,
                        (int) Math.min(Integer.MAX_VALUE, 2L * Math.max(v, 0))));
                case SocketConstants.SO_SNDBUF -> { } // a send goes to the link at once: nothing waits in a send buffer
                case SocketConstants.SO_TIMESTAMP -> sk.stamps(v != 0 ? PacketSock.Stamps.MICRO : PacketSock.Stamps.NONE);
                case SocketConstants.SO_TIMESTAMPNS -> sk.stamps(v != 0 ? PacketSock.Stamps.NANO : PacketSock.Stamps.NONE);
                default -> throw new ErrnoException(Errno.ENOPROTOOPT, "setsockopt(SOL_SOCKET, " + name
                        + "): not an option of packet sockets");
            }
            return;
        }
        if (level != SocketConstants.SOL_PACKET) {
            throw new ErrnoException(Errno.ENOPROTOOPT, "setsockopt(level " + level + "): packet options are SOL_PACKET");
        }
        if (name == IfPacket.PACKET_IGNORE_OUTGOING) {
            if (v < 0 || v > 1) {
                throw new ErrnoException(Errno.EINVAL, "setsockopt(PACKET_IGNORE_OUTGOING, " + v + "): 0 or 1");
            }
            sk.ignoreOutgoing(v == 1);
            return;
        }
        throw new ErrnoException(Errno.ENOPROTOOPT, "setsockopt(SOL_PACKET, " + name + "): not an option Tern's packet sockets have"
                + (name == IfPacket.PACKET_ADD_MEMBERSHIP ? " (links here deliver every packet: no promiscuous mode to ask for)" : ""));
    }

    /** {@code packet_getsockopt}: the options above, and {@code PACKET_STATISTICS} as a {@link net.tern.packet.TpacketStats}, read and reset. */
    @Override
    public Object getsockopt(ProtoSocket sock, int level, int name) throws ErrnoException {
        PacketSock sk = sk(sock);
        if (level == SocketConstants.SOL_SOCKET) {
            switch (name) {
                case SocketConstants.SO_RCVBUF -> {
                    return sk.rcvbuf();
                }
                case SocketConstants.SO_TIMESTAMP -> {
                    return sk.stamps() == PacketSock.Stamps.MICRO ? 1 : 0;
                }
                case SocketConstants.SO_TIMESTAMPNS -> {
                    return sk.stamps() == PacketSock.Stamps.NANO ? 1 : 0;
                }
                default -> {
                }
            }
        }
        if (level == SocketConstants.SOL_PACKET) {
            if (name == IfPacket.PACKET_STATISTICS) {
                return sk.takeStats();
            }
            if (name == IfPacket.PACKET_IGNORE_OUTGOING) {
                return sk.ignoreOutgoing() ? 1 : 0;
            }
        }
        throw new ErrnoException(Errno.ENOPROTOOPT, "getsockopt(level " + level + ", " + name + "): not an option of packet sockets");
    }

    /**
     * {@code packet_snd}: the whole of {@code data} as one packet on the link of {@code to}
     * (or the one bound), with {@code sll_protocol} (or the socket's) as its type. ENXIO
     * without a link, ENETDOWN when it is down, EMSGSIZE over its MTU, ENOBUFS when the link
     * refused it. A protocol of 0 or {@code ETH_P_ALL} takes the type from the IP version in
     * the first byte (4 or 6; else EINVAL), as the links here carry IP only.
     */
    @Override
    public int sendmsg(ProtoSocket sock, ByteBuffer data, SockAddr to, int flags) throws ErrnoException {
        PacketSock sk = sk(sock);
        SockAddrLl ll = to == null ? null : llAddress(to, "packet_sendmsg");
        int ifindex = ll != null ? ll.ifindex() : sk.ifindex();
        Link link = ifindex == 0 ? null : family.link(ifindex);
        if (link == null) {
            throw new ErrnoException(Errno.ENXIO, "packet_sendmsg: no link to send on (bind to one, or give sll_ifindex)");
        }
        if (!link.isUp()) {
            throw new ErrnoException(Errno.ENETDOWN, "packet_sendmsg: " + link.name() + " is down");
        }
        int length = data.remaining();
        if (length > link.mtu()) {
            throw new ErrnoException(Errno.EMSGSIZE, "packet_sendmsg: " + length + " bytes exceed " + link.name() + "'s MTU of "
                    + link.mtu());
        }
        int protocol = ll != null && ll.protocol() != 0 ? ll.protocol() : sk.protocol();
        if (protocol == 0 || protocol == IfPacket.ETH_P_ALL) {
            int version = length == 0 ? 0 : (data.get(data.position()) & 0xff) >>> 4;
            protocol = version == 4 ? IfPacket.ETH_P_IP : version == 6 ? IfPacket.ETH_P_IPV6 : -1;
            if (protocol < 0) {
                throw new ErrnoException(Errno.EINVAL, "packet_sendmsg: no protocol given and the data is not IPv4 or IPv6");
            }
        }
        Packet packet = family.allocator().allocate(HEADROOM, length);
        packet.buf().writeBytes(data);
        packet.protocol(protocol);
        if (!family.sendAs(sk, link, packet)) {
            throw new ErrnoException(Errno.ENOBUFS, "packet_sendmsg: " + link.name() + " dropped the packet");
        }
        return length;
    }

    /**
     * {@code packet_recvmsg}: the next packet, cut to {@code dst} ({@code MSG_TRUNC} in
     * {@code msg}); with {@code MSG_TRUNC} in {@code flags} its whole length is returned, with
     * {@code MSG_PEEK} it stays queued. {@code msg} gets its {@code sockaddr_ll} and, with
     * {@code SO_TIMESTAMP(NS)}, its time. With nothing queued: a pending error (ENETDOWN),
     * else EAGAIN.
     */
    @Override
    public int tryRecvmsg(ProtoSocket sock, ByteBuffer dst, int flags, net.tern.api.socket.MsgHeader msg) {
        PacketSock sk = sk(sock);
        PacketSock.Frame f = sk.take((flags & SocketConstants.MSG_PEEK) != 0);
        if (f == null) {
            Errno error = sock.takeError();
            return error != null ? error.negative() : Errno.EAGAIN.negative();
        }
        byte[] bytes = f.data();
        int n = Math.min(dst.remaining(), bytes.length);
        dst.put(bytes, 0, n);
        if (msg != null) {
            msg.from = f.from();
            msg.flags = n < bytes.length ? SocketConstants.MSG_TRUNC : 0;
            PacketSock.Stamps stamps = sk.stamps();
            msg.timestampNanos = stamps == PacketSock.Stamps.NANO ? f.wallNanos()
                    : stamps == PacketSock.Stamps.MICRO ? Math.floorDiv(f.wallNanos(), 1000) * 1000
                    : net.tern.api.socket.MsgHeader.NO_TIMESTAMP;
        }
        return (flags & SocketConstants.MSG_TRUNC) != 0 ? bytes.length : n;
    }

    @Override
    public int recvmsg(ProtoSocket sock, ByteBuffer dst, int flags, MsgHeader msg) throws ErrnoException {
        int n = tryRecvmsg(sock, dst, flags, msg);
        if (n < 0) {
            throw new ErrnoException(Errno.ofResult(n), "packet_recvmsg");
        }
        return n;
    }

    @Override
    public int trySendmsg(ProtoSocket sock, ByteBuffer data, SockAddr to, int flags) throws ErrnoException {
        return sendmsg(sock, data, to, flags);
    }
}
