package net.tern.spi.net;

import java.util.List;
import net.tern.api.socket.ErrnoException;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A link driver's device ({@code struct net_device} with its {@code net_device_ops}).
 *
 * <p>A driver registers its devices as services ({@code register_netdev}); the core's device
 * registry gives each an index, wraps it in a {@link Link}, and calls {@link #open} when the
 * link is set up and {@link #stop} when it is set down or leaves. The driver hands received
 * packets to {@link NetDeviceContext#receive}; the core calls {@link #transmit} for packets
 * going out.
 */
@ConsumerType
public interface NetDevice {
    /** The interface name, unique in the stack: {@code lo}, {@code tun0}. */
    String name();

    /** The link type, such as {@link LinkFlags#ARPHRD_LOOPBACK}. */
    int type();

    /** The device's own flags: {@link LinkFlags#IFF_LOOPBACK}, {@link LinkFlags#IFF_POINTOPOINT}, ... (not UP). */
    int flags();

    /** The MTU the device starts with. */
    int mtu();

    /** The largest MTU the device can carry; {@link Link#setMtu} refuses more. */
    default int maxMtu() {
        return 65535;
    }

    /**
     * The offloads the device provides ({@code dev->features}): {@link NetdevFeatures} bits.
     * Protocols leave the transport checksum to a device with
     * {@link NetdevFeatures#NETIF_F_HW_CSUM}; none by default.
     */
    default int features() {
        return 0;
    }

    /** The addresses the device is configured with when it registers (loopback: 127.0.0.1/8). */
    default List<IfAddress> addresses() {
        return List.of();
    }

    /** {@code ndo_open}: start moving packets; received ones go to {@code ctx}. */
    void open(NetDeviceContext ctx) throws ErrnoException;

    /** {@code ndo_stop}: stop moving packets and release what {@link #open} took. */
    void stop();

    /**
     * {@code ndo_start_xmit}: send one packet. The device owns the packet from here and
     * releases it (after sending, or when it drops it, counting the drop in
     * {@link NetDeviceContext#stats()}).
     */
    void transmit(Packet packet);
}
