package net.tern.netlink;

import java.nio.ByteBuffer;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;

/**
 * {@code struct rtmsg}, the fixed header of the route messages: family, destination and
 * source prefix lengths, TOS, table, protocol, scope, type (u8 each), flags u32 (12 bytes).
 *
 * @param family   {@code AF_INET}
 * @param dstLen   the destination's prefix length
 * @param srcLen   the source's prefix length (0: Tern has no source routing)
 * @param tos      the TOS selector (0)
 * @param table    {@code RT_TABLE_*} (the low 8 bits; {@code RTA_TABLE} has all 32)
 * @param protocol {@code RTPROT_*}: who installed it
 * @param scope    {@code RT_SCOPE_*}
 * @param type     {@code RTN_*}
 * @param flags    {@code RTM_F_*}
 */
public record RtMsg(int family, int dstLen, int srcLen, int tos, int table, int protocol, int scope, int type,
        int flags) {
    public static final int SIZE = 12;

    public static RtMsg read(NlMsg msg) throws ErrnoException {
        ByteBuffer b = msg.body();
        if (b.remaining() < SIZE) {
            throw new ErrnoException(Errno.EINVAL, "rtmsg needs " + SIZE + " bytes, the message has " + b.remaining());
        }
        return new RtMsg(b.get(0) & 0xff, b.get(1) & 0xff, b.get(2) & 0xff, b.get(3) & 0xff, b.get(4) & 0xff,
                b.get(5) & 0xff, b.get(6) & 0xff, b.get(7) & 0xff, b.getInt(8));
    }

    public NlWriter write(NlWriter w) {
        return w.u8(family).u8(dstLen).u8(srcLen).u8(tos).u8(table).u8(protocol).u8(scope).u8(type).u32(flags);
    }
}
