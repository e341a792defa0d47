package net.tern.netlink;

import java.nio.ByteBuffer;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;

/**
 * {@code struct ifaddrmsg}, the fixed header of the address messages: family u8, prefix
 * length u8, flags u8, scope u8, index u32 (8 bytes).
 *
 * @param family    {@code AF_INET}
 * @param prefixLen the address's prefix length
 * @param flags     {@code IFA_F_*} (the low 8 bits; {@code IFA_FLAGS} has them all)
 * @param scope     {@code RT_SCOPE_*}
 * @param index     the link's index
 */
public record IfAddrMsg(int family, int prefixLen, int flags, int scope, int index) {
    public static final int SIZE = 8;

    public static IfAddrMsg read(NlMsg msg) throws ErrnoException {
        ByteBuffer b = msg.body();
        if (b.remaining() < SIZE) {
            throw new ErrnoException(Errno.EINVAL, "ifaddrmsg needs " + SIZE + " bytes, the message has " + b.remaining());
        }
        return new IfAddrMsg(b.get(0) & 0xff, b.get(1) & 0xff, b.get(2) & 0xff, b.get(3) & 0xff, b.getInt(4));
    }

    public NlWriter write(NlWriter w) {
        return w.u8(family).u8(prefixLen).u8(flags).u8(scope).u32(index);
    }
}
