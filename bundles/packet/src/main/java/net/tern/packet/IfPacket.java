package net.tern.packet;

/**
 * The numbers of packet sockets ({@code include/uapi/linux/if_packet.h}, {@code if_ether.h}):
 * protocols ({@code ETH_P_*}), packet types ({@code PACKET_*} of {@code sll_pkttype}) and
 * {@code SOL_PACKET} options.
 */
public final class IfPacket {
    private IfPacket() {
    }

    /** {@code AF_PACKET}. */
    public static final int AF_PACKET = 17;

    /** Every protocol: {@code socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL))} sees all packets. */
    public static final int ETH_P_ALL = 0x0003;
    public static final int ETH_P_IP = 0x0800;
    public static final int ETH_P_ARP = 0x0806;
    public static final int ETH_P_IPV6 = 0x86DD;

    // sll_pkttype
    /** Received, addressed to this host. */
    public static final int PACKET_HOST = 0;
    public static final int PACKET_BROADCAST = 1;
    public static final int PACKET_MULTICAST = 2;
    public static final int PACKET_OTHERHOST = 3;
    /** Sent by this host ({@code dev_queue_xmit_nit}). */
    public static final int PACKET_OUTGOING = 4;

    // SOL_PACKET options
    public static final int PACKET_ADD_MEMBERSHIP = 1;
    public static final int PACKET_DROP_MEMBERSHIP = 2;
    /** {@link TpacketStats}: packets seen and dropped since the last read, which resets them. */
    public static final int PACKET_STATISTICS = 6;
    /** 1: outgoing packets are not seen. */
    public static final int PACKET_IGNORE_OUTGOING = 23;

    /**
     * {@code htons}: the protocol as {@code socket()} takes it, in network byte order on a
     * little-endian host ({@code htons(ETH_P_ALL)} is 0x0300), as C code writes it.
     */
    public static int htons(int protocol) {
        return Integer.reverseBytes(protocol) >>> 16 & 0xFFFF;
    }

    /** {@code ntohs}, the same swap. */
    public static int ntohs(int protocol) {
        return htons(protocol);
    }

    /** A packet type as {@code tcpdump} names a direction: {@code In}, {@code Out}, ... */
    public static String pkttypeName(int pkttype) {
        return switch (pkttype) {
            case PACKET_HOST -> "In";
            case PACKET_BROADCAST -> "B";
            case PACKET_MULTICAST -> "M";
            case PACKET_OTHERHOST -> "P";
            case PACKET_OUTGOING -> "Out";
            default -> Integer.toString(pkttype);
        };
    }
}
