package net.tern.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;

/**
 * The attributes of a message or of a nested attribute ({@code struct nlattr}, the same
 * layout as {@code struct rtattr}), by type, as {@code nla_parse} finds them: the last of a
 * type wins. An attribute whose length is below its header or beyond the end is malformed
 * (EINVAL, as {@code nla_parse} answers); so is one shorter than the value asked of it.
 */
public final class NlAttrs {
    private final Map<Integer, ByteBuffer> byType = new HashMap<>();
    private final List<Integer> order = new ArrayList<>();

    private NlAttrs() {
    }

    /** Parses {@code region} (position to limit) as a run of attributes. */
    public static NlAttrs parse(ByteBuffer region) throws ErrnoException {
        ByteBuffer b = region.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        NlAttrs attrs = new NlAttrs();
        while (b.remaining() >= Netlink.NLA_HDRLEN) {
            int start = b.position();
            int length = b.getShort(start) & 0xffff;
            int type = b.getShort(start + 2) & Netlink.NLA_TYPE_MASK;
            if (length < Netlink.NLA_HDRLEN || length > b.remaining()) {
                throw new ErrnoException(Errno.EINVAL, "attribute of type " + type + " at byte " + start
                        + " has length " + length + ", outside " + Netlink.NLA_HDRLEN + ".." + b.remaining());
            }
            ByteBuffer payload = b.duplicate().position(start + Netlink.NLA_HDRLEN).limit(start + length).slice()
                    .order(ByteOrder.LITTLE_ENDIAN);
            if (attrs.byType.put(type, payload) == null) {
                attrs.order.add(type);
            }
            b.position(Math.min(b.limit(), start + Netlink.align(length)));
        }
        if (b.hasRemaining() && b.remaining() < Netlink.NLA_HDRLEN && !allZero(b)) {
            throw new ErrnoException(Errno.EINVAL, b.remaining() + " bytes after the last attribute");
        }
        return attrs;
    }

    private static boolean allZero(ByteBuffer b) {
        for (int i = b.position(); i < b.limit(); i++) {
            if (b.get(i) != 0) {
                return false;
            }
        }
        return true;
    }

    public boolean has(int type) {
        return byType.containsKey(type);
    }

    /** The types present, in the order they first came. */
    public List<Integer> types() {
        return List.copyOf(order);
    }

    /** The payload of {@code type}, or null. */
    public ByteBuffer payload(int type) {
        ByteBuffer p = byType.get(type);
        return p == null ? null : p.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }

    public int u8(int type) throws ErrnoException {
        return sized(type, 1).get(0) & 0xff;
    }

    public int u16(int type) throws ErrnoException {
        return sized(type, 2).getShort(0) & 0xffff;
    }

    public int u32(int type) throws ErrnoException {
        return sized(type, 4).getInt(0);
    }

    public long u64(int type) throws ErrnoException {
        return sized(type, 8).getLong(0);
    }

    /** An IPv4 address attribute: 4 bytes in network order, as an int (high byte first). */
    public int inAddr(int type) throws ErrnoException {
        return sized(type, 4).order(ByteOrder.BIG_ENDIAN).getInt(0);
    }

    /**
     * An IPv6 address attribute ({@code nla_get_in6_addr}): 16 bytes in network order, as
     * its first and last 64 bits ({@code Inet6SockAddr}'s halves).
     */
    public long[] in6Addr(int type) throws ErrnoException {
        ByteBuffer p = sized(type, 16).order(ByteOrder.BIG_ENDIAN);
        return new long[] {p.getLong(0), p.getLong(8)};
    }

    /** A string attribute, up to its NUL (or its end when it has none). */
    public String string(int type) throws ErrnoException {
        ByteBuffer p = sized(type, 0);
        int end = 0;
        while (end < p.limit() && p.get(end) != 0) {
            end++;
        }
        byte[] text = new byte[end];
        p.get(0, text);
        return new String(text, StandardCharsets.UTF_8);
    }

    public byte[] bytes(int type) throws ErrnoException {
        ByteBuffer p = sized(type, 0);
        byte[] copy = new byte[p.remaining()];
        p.get(0, copy);
        return copy;
    }

    /** A nested attribute's attributes. */
    public NlAttrs nested(int type) throws ErrnoException {
        return parse(sized(type, 0));
    }

    private ByteBuffer sized(int type, int size) throws ErrnoException {
        ByteBuffer p = byType.get(type);
        if (p == null) {
            throw new ErrnoException(Errno.EINVAL, "attribute " + type + " is missing");
        }
        if (p.remaining() < size) {
            throw new ErrnoException(Errno.EINVAL, "attribute " + type + " holds " + p.remaining()
                    + " bytes, fewer than the " + size + " its value needs");
        }
        return p.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }
}
