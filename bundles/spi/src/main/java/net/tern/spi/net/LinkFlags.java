package net.tern.spi.net;

/** Interface flags ({@code include/uapi/linux/if.h}) and link types ({@code if_arp.h}). */
public final class LinkFlags {
    private LinkFlags() {
    }

    public static final int IFF_UP = 0x1;
    public static final int IFF_BROADCAST = 0x2;
    public static final int IFF_LOOPBACK = 0x8;
    public static final int IFF_POINTOPOINT = 0x10;
    public static final int IFF_RUNNING = 0x40;
    public static final int IFF_NOARP = 0x80;
    public static final int IFF_MULTICAST = 0x1000;
    public static final int IFF_LOWER_UP = 0x10000;

    /** Link type of the loopback device. */
    public static final int ARPHRD_LOOPBACK = 772;
    /** Link type of a device without link-layer header, such as TUN. */
    public static final int ARPHRD_NONE = 0xfffe;

    /** The flags the way {@code ip link} prints them: {@code LOOPBACK,UP,LOWER_UP}. */
    public static String toString(int flags) {
        StringBuilder sb = new StringBuilder();
        append(sb, flags, IFF_LOOPBACK, "LOOPBACK");
        append(sb, flags, IFF_BROADCAST, "BROADCAST");
        append(sb, flags, IFF_POINTOPOINT, "POINTOPOINT");
        append(sb, flags, IFF_MULTICAST, "MULTICAST");
        append(sb, flags, IFF_NOARP, "NOARP");
        append(sb, flags, IFF_UP, "UP");
        append(sb, flags, IFF_LOWER_UP, "LOWER_UP");
        return sb.toString();
    }

    private static void append(StringBuilder sb, int flags, int bit, String name) {
        if ((flags & bit) != 0) {
            if (sb.length() > 0) {
                sb.append(',');
            }
            sb.append(name);
        }
    }
}
