package net.tern.netlink.diag;

import java.nio.ByteBuffer;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.InetSockAddr;
import net.tern.api.socket.SockAddr;
import net.tern.netlink.NlMsg;
import net.tern.netlink.NlWriter;

/**
 * {@code struct inet_diag_req_v2} (56 bytes): family u8, protocol u8, ext u8, pad u8,
 * states u32, then {@code struct inet_diag_sockid}: ports (big-endian u16), source and
 * destination addresses (four big-endian u32 each, IPv4 in the first), interface u32,
 * cookie u32[2].
 *
 * @param family   {@code AF_INET} or {@code AF_INET6}
 * @param protocol {@code IPPROTO_TCP}, {@code IPPROTO_UDP}
 * @param ext      the answer attributes asked for, bit (attribute - 1) each ({@link InetDiag#ext})
 * @param states   the states to dump, bit n for state n ({@link InetDiag#TCPF_ALL})
 * @param local    for a lookup, the socket's local address and port (a dump ignores it)
 * @param peer     for a lookup, the peer's address and port
 * @param ifindex  {@code idiag_if}
 * @param cookie   {@code idiag_cookie}, both halves ({@code INET_DIAG_NOCOOKIE} twice for none)
 * @param localName for a lookup, the local address of the family (AF_INET6: all 16 bytes;
 *                 null in the constructor: {@code local}); {@code local} is its IPv4 view
 * @param peerName for a lookup, the peer's address of the family (null in the constructor: {@code peer})
 */
public record InetDiagReqV2(int family, int protocol, int ext, int states, InetSockAddr local, InetSockAddr peer,
        int ifindex, long cookie, SockAddr localName, SockAddr peerName) {
    public static final int SIZE = 56;

    public InetDiagReqV2 {
        localName = localName == null ? local : localName;
        peerName = peerName == null ? peer : peerName;
    }

    /** A request naming AF_INET addresses (the record as 1.1 had it). */
    public InetDiagReqV2(int family, int protocol, int ext, int states, InetSockAddr local, InetSockAddr peer,
            int ifindex, long cookie) {
        this(family, protocol, ext, states, local, peer, ifindex, cookie, local, peer);
    }
    /** {@code INET_DIAG_NOCOOKIE} in both halves. */
    public static final long NO_COOKIE = -1L;

    /** A dump of {@code protocol}'s sockets in {@code states}, with the answer attributes {@code ext}. */
    public static InetDiagReqV2 dump(int family, int protocol, int ext, int states) {
        InetSockAddr any = new InetSockAddr(0, 0);
        SockAddr anyName = family == net.tern.api.socket.SocketConstants.AF_INET6
                ? net.tern.api.socket.Inet6SockAddr.ANY : any;
        return new InetDiagReqV2(family, protocol, ext, states, any, any, 0, NO_COOKIE, anyName, anyName);
    }

    public static InetDiagReqV2 read(NlMsg msg) throws ErrnoException {
        ByteBuffer b = msg.body();
        if (b.remaining() < SIZE) {
            throw new ErrnoException(Errno.EINVAL, "inet_diag_req_v2 needs " + SIZE + " bytes, the message has "
                    + b.remaining());
        }
        int family = b.get(0) & 0xff;
        SockAddr src = InetDiagMsg.sockIdAddress(b, family, 12, 8);
        SockAddr dst = InetDiagMsg.sockIdAddress(b, family, 28, 10);
        return new InetDiagReqV2(family, b.get(1) & 0xff, b.get(2) & 0xff, b.getInt(4),
                net.tern.spi.diag.InetDiagMsg.v4View(src), net.tern.spi.diag.InetDiagMsg.v4View(dst), b.getInt(44),
                b.getLong(48), src, dst);
    }

    public NlWriter write(NlWriter w) {
        w.u8(family).u8(protocol).u8(ext).u8(0).u32(states);
        InetDiagMsg.writeSockId(w, localName, peerName, ifindex, cookie);
        return w;
    }
}
