package net.tern.wire;

import io.netty.buffer.ByteBuf;
import net.tern.api.socket.Inet6SockAddr;

/**
 * An IPv6 address (RFC 4291) as two longs, the first and last 64 bits read big-endian, with
 * the address classes Linux's {@code ipv6_addr_type} tells apart. Equal addresses are equal
 * records, so they key maps directly.
 */
public record Ipv6Address(long high, long low) implements Comparable<Ipv6Address> {
    /** {@code ::}, the unspecified address. */
    public static final Ipv6Address UNSPECIFIED = new Ipv6Address(0, 0);
    /** {@code ::1}. */
    public static final Ipv6Address LOOPBACK = new Ipv6Address(0, 1);
    /** {@code ff02::1}, all nodes on the link. */
    public static final Ipv6Address ALL_NODES = new Ipv6Address(0xff02L << 48, 1);
    /** {@code ff02::2}, all routers on the link. */
    public static final Ipv6Address ALL_ROUTERS = new Ipv6Address(0xff02L << 48, 2);
    /** The address's length in bytes. */
    public static final int LENGTH = 16;

    /** Parses any RFC 4291 text form. */
    public static Ipv6Address parse(String text) {
        long[] a = Inet6SockAddr.parseAddress(text);
        return new Ipv6Address(a[0], a[1]);
    }

    /** The 16 bytes at absolute {@code index}. */
    public static Ipv6Address read(ByteBuf buf, int index) {
        return new Ipv6Address(buf.getLong(index), buf.getLong(index + 8));
    }

    /** Writes the 16 bytes at absolute {@code index}. */
    public void write(ByteBuf buf, int index) {
        buf.setLong(index, high);
        buf.setLong(index + 8, low);
    }

    public boolean isUnspecified() {
        return high == 0 && low == 0;
    }

    public boolean isLoopback() {
        return high == 0 && low == 1;
    }

    /** {@code ff00::/8}. */
    public boolean isMulticast() {
        return (high >>> 56) == 0xff;
    }

    /** {@code fe80::/10}, link-local unicast. */
    public boolean isLinkLocal() {
        return (high >>> 54) == (0xfe80L >>> 6);
    }

    /** {@code ::ffff:0:0/96} (RFC 4291 2.5.5.2). */
    public boolean isV4Mapped() {
        return high == 0 && (low >>> 32) == 0xffff;
    }

    /** The scope of a multicast address (RFC 4291 2.7): 1 interface-local, 2 link-local, ... */
    public int multicastScope() {
        return (int) (high >>> 48) & 0xf;
    }

    /** The solicited-node multicast address {@code ff02::1:ffXX:XXXX} of this address (RFC 4291 2.7.1). */
    public Ipv6Address solicitedNode() {
        return new Ipv6Address(0xff02L << 48, 0x1ff000000L | (low & 0xffffff));
    }

    /** This address with all but the first {@code prefixLength} bits cleared. */
    public Ipv6Address masked(int prefixLength) {
        checkPrefix(prefixLength);
        if (prefixLength == 0) {
            return UNSPECIFIED;
        }
        if (prefixLength <= 64) {
            return new Ipv6Address(high & (-1L << (64 - prefixLength)), 0);
        }
        return new Ipv6Address(high, prefixLength == 128 ? low : low & (-1L << (128 - prefixLength)));
    }

    /** Whether the first {@code prefixLength} bits of this address and {@code other} are equal. */
    public boolean samePrefix(Ipv6Address other, int prefixLength) {
        return masked(prefixLength).equals(other.masked(prefixLength));
    }

    /** How many leading bits this address shares with {@code other} (RFC 6724's CommonPrefixLen). */
    public int commonPrefixLength(Ipv6Address other) {
        long h = high ^ other.high;
        if (h != 0) {
            return Long.numberOfLeadingZeros(h);
        }
        return 64 + Long.numberOfLeadingZeros(low ^ other.low);
    }

    /** Throws unless {@code prefixLength} is 0..128. */
    public static int checkPrefix(int prefixLength) {
        if (prefixLength < 0 || prefixLength > 128) {
            throw new IllegalArgumentException("prefix length out of range 0..128: " + prefixLength);
        }
        return prefixLength;
    }

    @Override
    public int compareTo(Ipv6Address o) {
        int c = Long.compareUnsigned(high, o.high);
        return c != 0 ? c : Long.compareUnsigned(low, o.low);
    }

    /** RFC 5952's canonical text. */
    @Override
    public String toString() {
        return Inet6SockAddr.formatAddress(high, low);
    }
}
