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
}
