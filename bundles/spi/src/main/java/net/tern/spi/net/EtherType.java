package net.tern.spi.net;

/** Link-layer packet types ({@code include/uapi/linux/if_ether.h}), as {@code skb->protocol} holds them. */
public final class EtherType {
    private EtherType() {
    }

    public static final int IPV4 = 0x0800;
    public static final int ARP = 0x0806;
    public static final int IPV6 = 0x86DD;

    /** A readable name for the handlers' listing. */
    public static String name(int ethertype) {
        switch (ethertype) {
            case IPV4:
                return "IPv4";
            case ARP:
                return "ARP";
            case IPV6:
                return "IPv6";
            default:
                return String.format("0x%04x", ethertype);
        }
    }
}
