package net.tern.link.tun;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * {@code struct ifreq} ({@code include/uapi/linux/if.h}) as the 40 bytes the kernel reads
 * and writes on 64-bit Linux:
 *
 * <pre>
 * offset  0  char  ifr_name[IFNAMSIZ]   16 bytes, NUL-terminated (at most 15 characters)
 * offset 16  union ifr_ifru             24 bytes (its largest member is struct ifmap);
 *            short ifr_flags            at 16, for TUNSETIFF (IFF_TUN | IFF_NO_PI)
 *            int   ifr_mtu              at 16, for SIOCGIFMTU / SIOCSIFMTU
 * </pre>
 *
 * Numbers are in the machine's byte order, as the kernel copies the struct verbatim. A
 * byte array rather than a JNA {@code Structure} keeps the layout visible here and lets JNA
 * copy it in and out of the call as a plain buffer.
 */
final class Ifreq {
    /** {@code IFNAMSIZ}: the name field, including its terminating NUL. */
    static final int IFNAMSIZ = 16;
    static final int SIZE = 40;
    static final int NAME_OFFSET = 0;
    static final int UNION_OFFSET = 16;

    private final ByteBuffer bytes = ByteBuffer.allocate(SIZE).order(ByteOrder.nativeOrder());

    private Ifreq() {
    }

    /** An ifreq naming {@code name}, with the union zeroed. */
    static Ifreq named(String name) {
        byte[] encoded = name.getBytes(StandardCharsets.US_ASCII);
        if (name.isEmpty() || encoded.length >= IFNAMSIZ) {
            throw new IllegalArgumentException("interface name must be 1.." + (IFNAMSIZ - 1)
                    + " characters: '" + name + "'");
        }
        Ifreq ifr = new Ifreq();
        ifr.bytes.put(NAME_OFFSET, encoded);
        return ifr;
    }

    /** {@code ifr_flags}: TUNSETIFF's request (and, after the call, what the kernel kept). */
    Ifreq flags(int flags) {
        bytes.putShort(UNION_OFFSET, (short) flags);
        return this;
    }

    int flags() {
        return bytes.getShort(UNION_OFFSET) & 0xffff;
    }

    /** {@code ifr_mtu}, for SIOCSIFMTU. */
    Ifreq mtu(int mtu) {
        bytes.putInt(UNION_OFFSET, mtu);
        return this;
    }

    int mtu() {
        return bytes.getInt(UNION_OFFSET);
    }

    /** The name now in the struct: TUNSETIFF writes back the name the kernel gave the device. */
    String name() {
        byte[] raw = bytes.array();
        int end = NAME_OFFSET;
        while (end < NAME_OFFSET + IFNAMSIZ && raw[end] != 0) {
            end++;
        }
        return new String(raw, NAME_OFFSET, end - NAME_OFFSET, StandardCharsets.US_ASCII);
    }

    /** The struct itself, passed to {@code ioctl}; JNA copies it back after the call. */
    byte[] array() {
        return bytes.array();
    }
}
