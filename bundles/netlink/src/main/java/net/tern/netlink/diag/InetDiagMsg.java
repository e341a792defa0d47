package net.tern.netlink.diag;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.Inet6SockAddr;
import net.tern.api.socket.InetSockAddr;
import net.tern.api.socket.SockAddr;
import net.tern.api.socket.SocketConstants;
import net.tern.netlink.NlMsg;
import net.tern.netlink.NlWriter;

/**
 * {@code struct inet_diag_msg} (72 bytes), one socket of a {@code SOCK_DIAG_BY_FAMILY}
 * answer: family u8, state u8, timer u8, retrans u8, the {@code inet_diag_sockid}, then
 * expires, rqueue, wqueue, uid, inode (u32 each). Attributes follow it
 * ({@link InetDiag#INET_DIAG_INFO}, {@link InetDiag#INET_DIAG_CONG}).
 *
 * @param family  {@code AF_INET} or {@code AF_INET6}
 * @param state   Linux's {@code TCP_*} state number (a connected UDP socket is ESTABLISHED, any other CLOSE)
 * @param timer   the pending timer ({@code idiag_timer}: 0 none, 1 retransmit, 2 keepalive, 3 TIME-WAIT, 4 zero-window probe)
 * @param retrans {@code idiag_retrans}
 * @param local   the local address and port; for AF_INET6 its IPv4 view
 *                ({@link net.tern.spi.diag.InetDiagMsg#v4View}), {@link #localName} the full one
 * @param peer    the peer's address and port; for AF_INET6 its IPv4 view
 * @param ifindex {@code idiag_if}: the bound device, 0 for none
 * @param cookie  {@code idiag_cookie}, both halves
 * @param expires ms until the timer fires
 * @param rqueue  bytes received and not read; a listener's accept queue length
 * @param wqueue  bytes written and not acknowledged; a listener's backlog
 * @param uid     the owner's user id (0: the stack has one user)
 * @param inode   Linux's socket inode, the key {@code ss -p} maps to a process. The stack's
 *                sockets have no inodes: it holds the descriptor the socket is open as
 *                (descriptors start at 3), or 0 for a socket no descriptor holds (a request,
 *                a TIME-WAIT entry, an orphan), as Linux gives those inode 0
 * @param localName the local address of the family: an {@link InetSockAddr} for AF_INET, an
 *                {@link Inet6SockAddr} for AF_INET6 (null in the constructor: {@code local})
 * @param peerName the peer's address of the family (null in the constructor: {@code peer})
 */
public record InetDiagMsg(int family, int state, int timer, int retrans, InetSockAddr local, InetSockAddr peer,
        int ifindex, long cookie, int expires, int rqueue, int wqueue, int uid, int inode, SockAddr localName,
        SockAddr peerName) {
    public static final int SIZE = 72;

    public InetDiagMsg {
        localName = localName == null ? local : localName;
        peerName = peerName == null ? peer : peerName;
    }

    /** An AF_INET socket (the record as 1.1 had it). */
    public InetDiagMsg(int family, int state, int timer, int retrans, InetSockAddr local, InetSockAddr peer,
            int ifindex, long cookie, int expires, int rqueue, int wqueue, int uid, int inode) {
        this(family, state, timer, retrans, local, peer, ifindex, cookie, expires, rqueue, wqueue, uid, inode, local,
                peer);
    }

    public static InetDiagMsg read(NlMsg msg) throws ErrnoException {
        ByteBuffer b = msg.body();
        if (b.remaining() < SIZE) {
            throw new ErrnoException(Errno.EINVAL, "inet_diag_msg needs " + SIZE + " bytes, the message has "
                    + b.remaining());
        }
        int family = b.get(0) & 0xff;
        SockAddr local = sockIdAddress(b, family, 8, 4);
        SockAddr peer = sockIdAddress(b, family, 24, 6);
        return new InetDiagMsg(family, b.get(1) & 0xff, b.get(2) & 0xff, b.get(3) & 0xff,
                net.tern.spi.diag.InetDiagMsg.v4View(local), net.tern.spi.diag.InetDiagMsg.v4View(peer),
                b.getInt(40), b.getLong(44), b.getInt(52), b.getInt(56), b.getInt(60), b.getInt(64), b.getInt(68),
                local, peer);
    }

    public NlWriter write(NlWriter w) {
        w.u8(family).u8(state).u8(timer).u8(retrans);
        writeSockId(w, localName, peerName, ifindex, cookie);
        return w.u32(expires).u32(rqueue).u32(wqueue).u32(uid).u32(inode);
    }

    /**
     * One address of an {@code inet_diag_sockid} at {@code at} (16 bytes) with its port at
     * {@code portAt}: AF_INET6 reads all 16 bytes, any other family the first word.
     */
    static SockAddr sockIdAddress(ByteBuffer b, int family, int at, int portAt) {
        ByteBuffer be = b.duplicate().order(ByteOrder.BIG_ENDIAN);
        int port = be.getShort(portAt) & 0xffff;
        if (family == SocketConstants.AF_INET6) {
            return new Inet6SockAddr(be.getLong(at), be.getLong(at + 8), port);
        }
        return new InetSockAddr(be.getInt(at), port);
    }

    /**
     * {@code struct inet_diag_sockid} (48 bytes): addresses in 16 bytes each, an IPv4 one in
     * the first word and zeros after it ({@code inet_diag_msg_common_fill}).
     */
    static void writeSockId(NlWriter w, SockAddr local, SockAddr peer, int ifindex, long cookie) {
        w.be16(port(local)).be16(port(peer));
        writeAddress(w, local);
        writeAddress(w, peer);
        w.u32(ifindex).u64(cookie);
    }

    private static int port(SockAddr address) {
        return address instanceof Inet6SockAddr v6 ? v6.port() : ((InetSockAddr) address).port();
    }

    private static void writeAddress(NlWriter w, SockAddr address) {
        if (address instanceof Inet6SockAddr v6) {
            w.be32((int) (v6.high() >>> 32)).be32((int) v6.high()).be32((int) (v6.low() >>> 32)).be32((int) v6.low());
        } else {
            w.be32(((InetSockAddr) address).address()).zeros(12);
        }
    }

    /** The descriptor {@link #inode} stands for, or -1 when no descriptor holds the socket. */
    public int fd() {
        return inode == 0 ? -1 : inode;
    }
}
