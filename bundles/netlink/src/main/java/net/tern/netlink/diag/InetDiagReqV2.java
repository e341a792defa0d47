package net.tern.netlink.diag;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.InetSockAddr;
import net.tern.netlink.NlMsg;
import net.tern.netlink.NlWriter;

/**
 * {@code struct inet_diag_req_v2} (56 bytes): family u8, protocol u8, ext u8, pad u8,
 * states u32, then {@code struct inet_diag_sockid}: ports (big-endian u16), source and
 * destination addresses (four big-endian u32 each, IPv4 in the first), interface u32,
 * cookie u32[2].
 *
 * @param family   {@code AF_INET}
 * @param protocol {@code IPPROTO_TCP}, {@code IPPROTO_UDP}
 * @param ext      the answer attributes asked for, bit (attribute - 1) each ({@link InetDiag#ext})
 * @param states   the states to dump, bit n for state n ({@link InetDiag#TCPF_ALL})
 * @param local    for a lookup, the socket's local address and port (a dump ignores it)
 * @param peer     for a lookup, the peer's address and port
 * @param ifindex  {@code idiag_if}
 * @param cookie   {@code idiag_cookie}, both halves ({@code INET_DIAG_NOCOOKIE} twice for none)
 */
public record InetDiagReqV2(int family, int protocol, int ext, int states, InetSockAddr local, InetSockAddr peer,
        int ifindex, long cookie) {
    public static final int SIZE = 56;
    /** {@code INET_DIAG_NOCOOKIE} in both halves. */
    public static final long NO_COOKIE = -1L;

    /** A dump of {@code protocol}'s sockets in {@code states}, with the answer attributes {@code ext}. */
    public static InetDiagReqV2 dump(int family, int protocol, int ext, int states) {
        InetSockAddr any = new InetSockAddr(0, 0);
        return new InetDiagReqV2(family, protocol, ext, states, any, any, 0, NO_COOKIE);
    }

    public static InetDiagReqV2 read(NlMsg msg) throws ErrnoException {
        ByteBuffer b = msg.body();
        if (b.remaining() < SIZE) {
            throw new ErrnoException(Errno.EINVAL, "inet_diag_req_v2 needs " + SIZE + " bytes, the message has "
                    + b.remaining());
        }
        ByteBuffer be = b.duplicate().order(ByteOrder.BIG_ENDIAN);
        int sport = be.getShort(8) & 0xffff;
        int dport = be.getShort(10) & 0xffff;
        int src = be.getInt(12);
        int dst = be.getInt(28);
        return new InetDiagReqV2(b.get(0) & 0xff, b.get(1) & 0xff, b.get(2) & 0xff, b.getInt(4),
                new InetSockAddr(src, sport), new InetSockAddr(dst, dport), b.getInt(44), b.getLong(48));
    }

    public NlWriter write(NlWriter w) {
        w.u8(family).u8(protocol).u8(ext).u8(0).u32(states);
        InetDiagMsg.writeSockId(w, local, peer, ifindex, cookie);
        return w;
    }
}
