package net.tern.netlink.impl;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.SockAddr;
import net.tern.api.socket.SocketConstants;
import net.tern.netlink.Netlink;
import net.tern.netlink.SockAddrNl;
import net.tern.spi.proto.MsgHeader;
import net.tern.spi.proto.ProtoOps;
import net.tern.spi.proto.ProtoSocket;

/**
 * {@code netlink_ops}: the socket calls of a netlink socket. Sending to the stack
 * ({@code netlink_sendmsg} to port 0) runs the request at once on the caller's thread, as
 * Linux runs {@code netlink_rcv_skb} in the sender's context, and leaves the answer in the
 * sender's receive queue; {@code recvmsg} hands out one datagram at a time.
 */
final class NetlinkOps implements ProtoOps {
    /** Linux's {@code SO_RCVBUF} floor ({@code SOCK_MIN_RCVBUF}, about 2.3 KiB). */
    private static final int MIN_RCVBUF = 2304;

    private final NetlinkFamily family;

    NetlinkOps(NetlinkFamily family) {
        this.family = family;
    }

    @Override
    public int family() {
        return Netlink.AF_NETLINK;
    }

    private static NetlinkSock sk(ProtoSocket sock) {
        return sock.sk(NetlinkSock.class);
    }

    /** {@code netlink_release}. */
    @Override
    public void release(ProtoSocket sock) {
        NetlinkSock sk = sk(sock);
        family.table(sk.protocol).remove(sk);
        sk.release();
    }

    private static SockAddrNl nlAddress(SockAddr address, String call) throws ErrnoException {
        if (address instanceof SockAddrNl nl) {
            return nl;
        }
        throw new ErrnoException(Errno.EINVAL, call + ": " + address + " is not a netlink address (sockaddr_nl)");
    }

    /**
     * {@code netlink_bind}: the port id asked for (0: the stack picks one, {@code netlink_autobind})
     * and the groups of {@code nl_groups}. A socket bound already keeps its id: asking for
     * another is EINVAL.
     */
    @Override
    public void bind(ProtoSocket sock, SockAddr address) throws ErrnoException {
        SockAddrNl nl = nlAddress(address, "netlink_bind");
        NetlinkSock sk = sk(sock);
        synchronized (sk) {
            int bound = sk.portid();
            if (bound != 0 && nl.pid() != 0 && nl.pid() != bound) {
                throw new ErrnoException(Errno.EINVAL, "netlink_bind: bound to port id " + bound + " already");
            }
            if (bound == 0) {
                if (nl.pid() != 0) {
                    family.table(sk.protocol).insert(sk, nl.pid());
                } else {
                    family.table(sk.protocol).autobind(sk);
                }
            }
            sk.groups(sk.groups() & ~0xffffffffL | Integer.toUnsignedLong(nl.groups()));
        }
    }

    private void autobind(NetlinkSock sk) {
        synchronized (sk) {
            if (sk.portid() == 0) {
                family.table(sk.protocol).autobind(sk);
            }
        }
    }

    /** {@code netlink_connect}: only the stack (port 0) is a peer here; AF_UNSPEC dissolves it. */
    @Override
    public void connect(ProtoSocket sock, SockAddr address, int flags) throws ErrnoException {
        if (address.family() == SocketConstants.AF_UNSPEC) {
            return;
        }
        SockAddrNl nl = nlAddress(address, "netlink_connect");
        if (nl.groups() != 0) {
            throw new ErrnoException(Errno.EPERM, "netlink_connect: sending to groups is not allowed on this protocol");
        }
        if (nl.pid() != 0 && family.table(sk(sock).protocol).lookup(nl.pid()) == null) {
            throw new ErrnoException(Errno.ECONNREFUSED, "netlink_connect: no socket has port id " + nl.pid());
        }
        autobind(sk(sock));
    }

    @Override
    public void listen(ProtoSocket sock, int backlog) throws ErrnoException {
        throw new ErrnoException(Errno.EOPNOTSUPP, "listen: netlink sockets do not listen");
    }

    @Override
    public void accept(ProtoSocket sock, ProtoSocket newSock, int flags) throws ErrnoException {
        throw new ErrnoException(Errno.EOPNOTSUPP, "accept: netlink sockets do not accept");
    }

    /** {@code netlink_getname}: our port id and groups; the peer is the stack. */
    @Override
    public SockAddr getname(ProtoSocket sock, boolean peer) {
        NetlinkSock sk = sk(sock);
        return peer ? SockAddrNl.KERNEL : new SockAddrNl(sk.portid(), (int) sk.groups());
    }

    @Override
    public int poll(ProtoSocket sock) {
        NetlinkSock sk = sk(sock);
        return SocketConstants.EPOLLOUT | (sk.readable() ? SocketConstants.EPOLLIN : 0)
                | (sk.overrunPending() ? SocketConstants.EPOLLERR : 0);
    }

    @Override
    public void shutdown(ProtoSocket sock, int how) throws ErrnoException {
        throw new ErrnoException(Errno.EOPNOTSUPP, "shutdown: netlink sockets have no connection to shut down");
    }

    /** {@code netlink_setsockopt}: group membership, acknowledgement and strict-check options; {@code SO_RCVBUF}. */
    @Override
    public void setsockopt(ProtoSocket sock, int level, int name, Object value) throws ErrnoException {
        NetlinkSock sk = sk(sock);
        if (!(value instanceof Integer number)) {
            throw new ErrnoException(Errno.EINVAL, "setsockopt(level " + level + ", " + name + "): needs an integer");
        }
        int v = number;
        if (level == SocketConstants.SOL_SOCKET) {
            switch (name) {
                case SocketConstants.SO_RCVBUF -> sk.rcvbuf(Math.max(MIN_RCVBUF, (int) Math.min(Integer.MAX_VALUE, 2L * v)));
                case SocketConstants.SO_SNDBUF -> { } // sends run at once: nothing waits in a send buffer
                default -> throw new ErrnoException(Errno.ENOPROTOOPT, "setsockopt(SOL_SOCKET, " + name
                        + "): not an option of netlink sockets");
            }
            return;
        }
        if (level != Netlink.SOL_NETLINK) {
            throw new ErrnoException(Errno.ENOPROTOOPT, "setsockopt(level " + level + "): netlink options are SOL_NETLINK");
        }
        switch (name) {
            case Netlink.NETLINK_ADD_MEMBERSHIP, Netlink.NETLINK_DROP_MEMBERSHIP -> {
                if (v < 1 || v > 64) {
                    throw new ErrnoException(Errno.EINVAL, "setsockopt(NETLINK_"
                            + (name == Netlink.NETLINK_ADD_MEMBERSHIP ? "ADD" : "DROP") + "_MEMBERSHIP, " + v
                            + "): groups are 1..64");
                }
                autobind(sk);
                synchronized (sk) {
                    long bit = 1L << (v - 1);
                    sk.groups(name == Netlink.NETLINK_ADD_MEMBERSHIP ? sk.groups() | bit : sk.groups() & ~bit);
                }
            }
            case Netlink.NETLINK_EXT_ACK -> sk.extAck(v != 0);
            case Netlink.NETLINK_CAP_ACK -> sk.capAck(v != 0);
            case Netlink.NETLINK_GET_STRICT_CHK -> sk.strictCheck(v != 0);
            default -> throw new ErrnoException(Errno.ENOPROTOOPT, "setsockopt(SOL_NETLINK, " + name
                    + "): not an option Tern's netlink has");
        }
    }

    @Override
    public Object getsockopt(ProtoSocket sock, int level, int name) throws ErrnoException {
        NetlinkSock sk = sk(sock);
        if (level == SocketConstants.SOL_SOCKET && name == SocketConstants.SO_RCVBUF) {
            return sk.rcvbuf();
        }
        if (level == Netlink.SOL_NETLINK) {
            switch (name) {
                case Netlink.NETLINK_EXT_ACK -> {
                    return sk.extAck() ? 1 : 0;
                }
                case Netlink.NETLINK_CAP_ACK -> {
                    return sk.capAck() ? 1 : 0;
                }
                case Netlink.NETLINK_GET_STRICT_CHK -> {
                    return sk.strictCheck() ? 1 : 0;
                }
                default -> {
                }
            }
        }
        throw new ErrnoException(Errno.ENOPROTOOPT, "getsockopt(level " + level + ", " + name
                + "): not an option of netlink sockets");
    }

    /**
     * {@code netlink_sendmsg}: to the stack (port 0, the default), the datagram is its
     * requests, run now ({@link NetlinkFamily#netlinkRcvSkb}); to another socket's port id, it is
     * queued there. Sending to groups needs privileges Linux grants no one on these protocols:
     * EPERM.
     */
    @Override
    public int sendmsg(ProtoSocket sock, ByteBuffer data, SockAddr to, int flags) throws ErrnoException {
        NetlinkSock sk = sk(sock);
        SockAddrNl dst = to == null ? SockAddrNl.KERNEL : nlAddress(to, "netlink_sendmsg");
        if (dst.groups() != 0) {
            throw new ErrnoException(Errno.EPERM, "netlink_sendmsg: sending to groups " + dst.groups() + " is not allowed");
        }
        autobind(sk);
        int length = data.remaining();
        byte[] bytes = new byte[length];
        data.get(bytes);
        if (dst.pid() != 0) {
            NetlinkSock peer = family.table(sk.protocol).lookup(dst.pid());
            if (peer == null) {
                throw new ErrnoException(Errno.ECONNREFUSED, "netlink_sendmsg: no socket has port id " + dst.pid());
            }
            if (!peer.deliver(new NetlinkSock.Datagram(bytes, sk.portid(), 0), true)) {
                throw new ErrnoException(Errno.EAGAIN, "netlink_sendmsg: port " + dst.pid() + "'s queue is full");
            }
            return length;
        }
        family.netlinkRcvSkb(sk, ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN));
        return length;
    }

    /**
     * {@code netlink_recvmsg}: the next datagram, cut to {@code dst} ({@code MSG_TRUNC} in
     * {@code msg}); with {@code MSG_TRUNC} in {@code flags} the datagram's whole length is
     * returned, with {@code MSG_PEEK} it stays queued. After a lost notification, ENOBUFS once.
     */
    @Override
    public int recvmsg(ProtoSocket sock, ByteBuffer dst, int flags, MsgHeader msg) throws ErrnoException {
        NetlinkSock sk = sk(sock);
        if (sk.takeOverrun()) {
            throw new ErrnoException(Errno.ENOBUFS, "netlink_recvmsg: notifications were lost, the receive queue was full");
        }
        NetlinkSock.Datagram d = sk.take((flags & SocketConstants.MSG_PEEK) != 0);
        if (d == null) {
            throw new ErrnoException(Errno.EAGAIN, "netlink_recvmsg: nothing queued");
        }
        byte[] bytes = d.bytes();
        int n = Math.min(dst.remaining(), bytes.length);
        dst.put(bytes, 0, n);
        if (msg != null) {
            msg.from = new SockAddrNl(d.fromPid(), d.fromGroup() == 0 ? 0 : SockAddrNl.groupBit(Math.min(d.fromGroup(), 32)));
            msg.flags = n < bytes.length ? SocketConstants.MSG_TRUNC : 0;
        }
        return (flags & SocketConstants.MSG_TRUNC) != 0 ? bytes.length : n;
    }
}
