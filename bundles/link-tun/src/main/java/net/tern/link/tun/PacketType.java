package net.tern.link.tun;

import net.tern.spi.net.EtherType;

/**
 * What a TUN packet is. With {@code IFF_NO_PI} the kernel prepends no protocol header, so
 * the type comes from the IP version nibble, as {@code tun_get_user} itself decides it for
 * what user space writes.
 */
final class PacketType {
    /** The packet is not one the stack handles: counted as an rx error and dropped. */
    static final int UNSUPPORTED = -1;

    private PacketType() {
    }

    /** The ethertype for a packet whose first byte is {@code firstByte}: IPv4 for version 4, IPv6 for 6. */
    static int of(int firstByte) {
        switch ((firstByte & 0xf0) >>> 4) {
            case 4:
                return EtherType.IPV4;
            case 6:
                return EtherType.IPV6;
            default:
                return UNSUPPORTED;
        }
    }

    /** Whether the kernel can take a packet of this type on a TUN device (it parses IPv4 and IPv6). */
    static boolean writable(int ethertype) {
        return ethertype == EtherType.IPV4 || ethertype == EtherType.IPV6;
    }
}
