package net.tern.netlink.diag;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.InetSockAddr;
import net.tern.netlink.NlMsg;
import net.tern.netlink.NlWriter;

/**
 * {@code struct inet_diag_msg} (72 bytes), one socket of a {@code SOCK_DIAG_BY_FAMILY}
 * answer: family u8, state u8, timer u8, retrans u8, the {@code inet_diag_sockid}, then
 * expires, rqueue, wqueue, uid, inode (u32 each). Attributes follow it
 * ({@link InetDiag#INET_DIAG_INFO}, {@link InetDiag#INET_DIAG_CONG}).
 *
 * @param family  {@code AF_INET}
 * @param state   Linux's {@code TCP_*} state number (a connected UDP socket is ESTABLISHED, any other CLOSE)
 * @param timer   the pending timer ({@code idiag_timer}: 0 none, 1 retransmit, 2 keepalive, 3 TIME-WAIT, 4 zero-window probe)
 * @param retrans {@code idiag_retrans}
 * @param local   the local address and port
 * @param peer    the peer's address and port
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
 */
public record InetDiagMsg(int family, int state, int timer, int retrans, InetSockAddr local, InetSockAddr peer,
        int ifindex, long cookie, int expires, int rqueue, int wqueue, int uid, int inode) {
    public static final int SIZE = 72;

    public static InetDiagMsg read(NlMsg msg) throws ErrnoException {
        ByteBuffer b = msg.body();
        if (b.remaining() < SIZE) {
            throw new ErrnoException(Errno.EINVAL, "inet_diag_msg needs " + SIZE + " bytes, the message has "
                    + b.remaining());
        }
        ByteBuffer be = b.duplicate().order(ByteOrder.BIG_ENDIAN);
        return new InetDiagMsg(b.get(0) & 0xff, b.get(1) & 0xff, b.get(2) & 0xff, b.get(3) & 0xff,
                new InetSockAddr(be.getInt(8), be.getShort(4) & 0xffff),
                new InetSockAddr(be.getInt(24), be.getShort(6) & 0xffff),
                b.getInt(40), b.getLong(44), b.getInt(52), b.getInt(56), b.getInt(60), b.getInt(64), b.getInt(68));
    }

    public NlWriter write(NlWriter w) {
        w.u8(family).u8(state).u8(timer).u8(retrans);
        writeSockId(w, local, peer, ifindex, cookie);
        return w.u32(expires).u32(rqueue).u32(wqueue).u32(uid).u32(inode);
    }

    /** {@code struct inet_diag_sockid} (48 bytes). */
    static void writeSockId(NlWriter w, InetSockAddr local, InetSockAddr peer, int ifindex, long cookie) {
        w.be16(local.port()).be16(peer.port());
        w.be32(local.address()).zeros(12);
        w.be32(peer.address()).zeros(12);
        w.u32(ifindex).u64(cookie);
    }

    /** The descriptor {@link #inode} stands for, or -1 when no descriptor holds the socket. */
    public int fd() {
        return inode == 0 ? -1 : inode;
    }
}
