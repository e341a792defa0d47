package net.tern.wire;

import io.netty.buffer.ByteBuf;
import java.util.Objects;

/**
 * A view of the IPv6 fragment header (RFC 8200 4.5, {@code struct frag_hdr}).
 *
 * <pre>
 * |  Next Header  |   Reserved    |      Fragment Offset    |Res|M|
 * |                         Identification                        |
 * </pre>
 */
public final class Ipv6FragmentHeader {
    public static final int LENGTH = 8;

    private ByteBuf buf;
    private int offset;

    public Ipv6FragmentHeader() {
    }

    public static Ipv6FragmentHeader at(ByteBuf buf, int offset) {
        return new Ipv6FragmentHeader().wrap(buf, offset);
    }

    public Ipv6FragmentHeader wrap(ByteBuf buf, int offset) {
        this.buf = Objects.requireNonNull(buf, "buf");
        this.offset = offset;
        return this;
    }

    public int nextHeader() {
        return buf.getUnsignedByte(offset);
    }

    /** The offset of this fragment's data in the original payload, in bytes (a multiple of 8). */
    public int fragmentOffset() {
        return buf.getUnsignedShort(offset + 2) & 0xfff8;
    }

    /** The M flag: more fragments follow. */
    public boolean moreFragments() {
        return (buf.getUnsignedShort(offset + 2) & 1) != 0;
    }

    public int identification() {
        return buf.getInt(offset + 4);
    }

    /** Whether this is an atomic fragment (offset 0, no more): RFC 6946 processes it as a whole packet. */
    public boolean isAtomic() {
        return fragmentOffset() == 0 && !moreFragments();
    }

    /** Writes a fragment header at absolute {@code offset}; {@code fragmentOffset} in bytes, a multiple of 8. */
    public static Ipv6FragmentHeader emit(ByteBuf buf, int offset, int nextHeader, int fragmentOffset, boolean more,
            int identification) {
        if ((fragmentOffset & 7) != 0 || fragmentOffset < 0 || fragmentOffset > 0xfff8) {
            throw new IllegalArgumentException("fragment offset must be a multiple of 8 in 0..65528: " + fragmentOffset);
        }
        buf.setByte(offset, nextHeader);
        buf.setByte(offset + 1, 0);
        buf.setShort(offset + 2, fragmentOffset | (more ? 1 : 0));
        buf.setInt(offset + 4, identification);
        return at(buf, offset);
    }
}
