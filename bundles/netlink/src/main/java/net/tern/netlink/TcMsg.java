package net.tern.netlink;

import java.nio.ByteBuffer;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;

/**
 * {@code struct tcmsg}, the fixed header of the traffic control messages: family u8, two pad
 * bytes, ifindex s32, handle u32, parent u32, info u32 (20 bytes).
 *
 * @param family  {@code AF_UNSPEC}
 * @param ifindex the device; 0 in a dump request (every device)
 * @param handle  the qdisc's handle ({@code 8001:} is 0x80010000; 0 for a device's default qdisc,
 *                or "any" in a request)
 * @param parent  {@link PktSched#TC_H_ROOT} for a root qdisc
 * @param info    in an answer, the qdisc's reference count ({@code refcnt} in {@code tc qdisc show})
 */
public record TcMsg(int family, int ifindex, int handle, int parent, int info) {
    public static final int SIZE = 20;

    public static TcMsg read(NlMsg msg) throws ErrnoException {
        ByteBuffer b = msg.body();
        if (b.remaining() < SIZE) {
            throw new ErrnoException(Errno.EINVAL, "tcmsg needs " + SIZE + " bytes, the message has " + b.remaining());
        }
        return new TcMsg(b.get(0) & 0xff, b.getInt(4), b.getInt(8), b.getInt(12), b.getInt(16));
    }

    public NlWriter write(NlWriter w) {
        return w.u8(family).u8(0).u16(0).u32(ifindex).u32(handle).u32(parent).u32(info);
    }
}
