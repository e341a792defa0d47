package net.tern.netlink;

import java.nio.ByteBuffer;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;

/**
 * {@code struct ifinfomsg}, the fixed header of the link messages: family u8, pad u8,
 * type u16, index s32, flags u32, change u32 (16 bytes).
 *
 * @param family {@code AF_UNSPEC}
 * @param type   {@code ARPHRD_*}
 * @param index  the link's index; 0 in a request means "by name"
 * @param flags  {@code IFF_*}
 * @param change in a request, the flags to change; in a reply, 0xffffffff (all may have)
 */
public record IfInfoMsg(int family, int type, int index, int flags, int change) {
    public static final int SIZE = 16;

    public static IfInfoMsg read(NlMsg msg) throws ErrnoException {
        ByteBuffer b = msg.body();
        if (b.remaining() < SIZE) {
            throw new ErrnoException(Errno.EINVAL, "ifinfomsg needs " + SIZE + " bytes, the message has " + b.remaining());
        }
        return new IfInfoMsg(b.get(0) & 0xff, b.getShort(2) & 0xffff, b.getInt(4), b.getInt(8), b.getInt(12));
    }

    public NlWriter write(NlWriter w) {
        return w.u8(family).u8(0).u16(type).u32(index).u32(flags).u32(change);
    }
}
