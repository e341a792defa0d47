package net.tern.spi.net;

/**
 * Device offload features ({@code netdev_features_t}, {@code include/linux/netdev_features.h}),
 * the ones Tern's protocols honour. The bits are Tern's own, named after Linux's flags.
 */
public final class NetdevFeatures {
    private NetdevFeatures() {
    }

    /**
     * {@code NETIF_F_HW_CSUM}: the device fills in a UDP or TCP checksum for any protocol
     * from the partial sum the stack leaves in the field ({@code CHECKSUM_PARTIAL}). The
     * loopback device needs no checksum at all, so it "offloads" it to nowhere, as Linux's does.
     */
    public static final int NETIF_F_HW_CSUM = 1;
    /** {@code NETIF_F_RXCSUM}: what the device receives needs no checksum verification. */
    public static final int NETIF_F_RXCSUM = 1 << 1;
    /** {@code NETIF_F_LOOPBACK}: the device is a loopback. */
    public static final int NETIF_F_LOOPBACK = 1 << 2;
    /**
     * {@code NETIF_F_TSO}: the device takes TCP over IPv4 packets of up to 64 KiB marked
     * {@link Packet#GSO_TCPV4} and segments them itself; TCP sends such packets through it
     * ({@code sk_can_gso}). Implies {@link #NETIF_F_HW_CSUM} in Tern.
     */
    public static final int NETIF_F_TSO = 1 << 3;
    /** {@code NETIF_F_TSO6}: as {@link #NETIF_F_TSO}, for TCP over IPv6 ({@link Packet#GSO_TCPV6}). */
    public static final int NETIF_F_TSO6 = 1 << 4;

    /** The feature a device needs to take packets of {@code gsoType} whole ({@code net_gso_ok}); 0 for none. */
    public static int forGsoType(int gsoType) {
        switch (gsoType) {
            case Packet.GSO_TCPV4:
                return NETIF_F_TSO;
            case Packet.GSO_TCPV6:
                return NETIF_F_TSO6;
            default:
                return 0;
        }
    }
}
