package net.tern.link.tun;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import net.tern.spi.net.IfAddress;

/**
 * A TUN device's settings, checked: what a configuration says, or what a test builds.
 *
 * @param name       the interface name, in the stack and in the kernel
 * @param mtu        the link's MTU (68..65535); the kernel side is set to it as well
 * @param addresses  the stack's addresses on the link
 * @param devicePath the clone device, normally {@value #DEFAULT_DEVICE_PATH}
 * @param netns      a network namespace (name under {@code /var/run/netns}, or a path) to
 *                   create the interface in; empty for the process's own
 * @param offload    whether the file carries a {@code virtio_net_hdr} with each packet
 *                   ({@code IFF_VNET_HDR}) and the kernel may hand over large TCP packets and
 *                   partial checksums ({@code TUNSETOFFLOAD}); the device then advertises
 *                   {@code NETIF_F_TSO} and {@code NETIF_F_HW_CSUM}. Off: one wire-sized,
 *                   checksummed packet per read and write.
 * @param queues     TUN queues (file descriptors) to open with {@code IFF_MULTI_QUEUE}, each
 *                   read by a thread of its own; 0 for one per network thread. One queue opens
 *                   the file without {@code IFF_MULTI_QUEUE}.
 */
public record TunSettings(String name, int mtu, List<IfAddress> addresses, String devicePath, String netns,
        boolean offload, int queues) {
    public static final String DEFAULT_DEVICE_PATH = "/dev/net/tun";
    public static final int DEFAULT_MTU = 1500;
    /** RFC 791: every IPv4 host must take 68-byte datagrams unfragmented. */
    public static final int MIN_MTU = 68;
    /** The largest IPv4 datagram; a TUN without offloads never carries more. */
    public static final int MAX_MTU = 65535;
    /** {@code MAX_TAP_QUEUES} in {@code drivers/net/tun.c}: the most queues one interface takes. */
    public static final int MAX_QUEUES = 256;

    public TunSettings {
        Objects.requireNonNull(name, "name");
        if (name.isEmpty() || name.length() >= Ifreq.IFNAMSIZ) {
            throw new IllegalArgumentException("TUN name must be 1.." + (Ifreq.IFNAMSIZ - 1)
                    + " characters: '" + name + "'");
        }
        if (mtu < MIN_MTU || mtu > MAX_MTU) {
            throw new IllegalArgumentException("TUN " + name + ": MTU " + mtu + " outside " + MIN_MTU + ".." + MAX_MTU);
        }
        addresses = List.copyOf(addresses);
        if (devicePath == null || devicePath.isEmpty()) {
            throw new IllegalArgumentException("TUN " + name + ": devicePath is empty");
        }
        netns = netns == null ? "" : netns.trim();
        if (queues < 0 || queues > MAX_QUEUES) {
            throw new IllegalArgumentException("TUN " + name + ": queues " + queues + " outside 0.." + MAX_QUEUES
                    + " (0: one per network thread)");
        }
    }

    /** Settings with one queue per network thread ({@code queues} 0). */
    public TunSettings(String name, int mtu, List<IfAddress> addresses, String devicePath, String netns,
            boolean offload) {
        this(name, mtu, addresses, devicePath, netns, offload, 0);
    }

    /** The queues to open when the stack has {@code networkThreads}: the configured count, or one per thread. */
    public int queuesFor(int networkThreads) {
        return queues > 0 ? queues : Math.max(1, Math.min(networkThreads, MAX_QUEUES));
    }

    /**
     * Settings for {@code name} with the defaults: MTU 1500, no addresses, {@code /dev/net/tun},
     * this namespace, offload on, one queue per network thread.
     */
    public static TunSettings of(String name) {
        return new TunSettings(name, DEFAULT_MTU, List.of(), DEFAULT_DEVICE_PATH, "", true);
    }

    /** From a configuration; an address that does not parse is refused with the configuration's words. */
    static TunSettings from(TunConfig config) {
        List<IfAddress> parsed = new ArrayList<>();
        for (String a : config.addresses() == null ? new String[0] : config.addresses()) {
            String text = a.trim();
            if (text.isEmpty()) {
                continue;
            }
            try {
                parsed.add(IfAddress.parse(text));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("TUN " + config.name() + ": bad address '" + text
                        + "' (expected A.B.C.D/N): " + e.getMessage(), e);
            }
        }
        return new TunSettings(config.name(), config.mtu(), parsed, config.devicePath(), config.netns(),
                config.offload(), config.queues());
    }

    public TunSettings withMtu(int newMtu) {
        return new TunSettings(name, newMtu, addresses, devicePath, netns, offload, queues);
    }

    public TunSettings withAddresses(List<IfAddress> newAddresses) {
        return new TunSettings(name, mtu, newAddresses, devicePath, netns, offload, queues);
    }

    public TunSettings withDevicePath(String newDevicePath) {
        return new TunSettings(name, mtu, addresses, newDevicePath, netns, offload, queues);
    }

    public TunSettings withNetns(String newNetns) {
        return new TunSettings(name, mtu, addresses, devicePath, newNetns, offload, queues);
    }

    public TunSettings withOffload(boolean newOffload) {
        return new TunSettings(name, mtu, addresses, devicePath, netns, newOffload, queues);
    }

    public TunSettings withQueues(int newQueues) {
        return new TunSettings(name, mtu, addresses, devicePath, netns, offload, newQueues);
    }
}
