package net.tern.link.loopback;

import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import net.tern.spi.net.IfAddress;
import net.tern.spi.net.LinkFlags;
import net.tern.spi.net.LinkStats;
import net.tern.spi.net.NetDevice;
import net.tern.spi.net.NetDeviceContext;
import net.tern.spi.net.NetdevFeatures;
import net.tern.spi.net.Packet;
import org.osgi.service.component.annotations.Component;

/**
 * The loopback device {@code lo} ({@code drivers/net/loopback.c}): what the stack transmits
 * on it comes straight back in, as {@code loopback_xmit} hands the skb to {@code netif_rx}.
 * The core counts both directions (transmit in {@code dev_queue_xmit}, receive in
 * {@code netif_rx}), so the device keeps no counters of its own except for drops while it
 * is stopped.
 *
 * <p>The packet goes back through the core's receive queue rather than straight into the
 * handler, so a protocol that sends to itself from the network thread is not re-entered:
 * the echo is dispatched after the current task, as Linux defers it to the softirq.
 */
@Component(service = NetDevice.class, immediate = true)
public final class LoopbackDevice implements NetDevice {
    public static final String NAME = "lo";
    /** Linux's loopback MTU since 3.2 ({@code LOOPBACK_MTU}, 64 KiB). */
    public static final int MTU = 65536;
    public static final IfAddress ADDRESS = IfAddress.parse("127.0.0.1/8");

    private volatile NetDeviceContext context;
    /** The counters of the link this device was last opened as; null before the first open. */
    private volatile LinkStats stats;
    /** Drops while stopped before any open, when there is no link to count them on. */
    private final LongAdder droppedUnregistered = new LongAdder();

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int type() {
        return LinkFlags.ARPHRD_LOOPBACK;
    }

    @Override
    public int flags() {
        return LinkFlags.IFF_LOOPBACK;
    }

    /**
     * Linux's {@code LOOPBACK_FEATURES} as far as Tern has them: checksums are offloaded
     * ({@code NETIF_F_HW_CSUM}: TCP and UDP leave the partial sum, nothing completes it) and
     * what comes back needs no verification ({@code NETIF_F_RXCSUM}): the bytes never leave
     * the process's memory.
     */
    @Override
    public int features() {
        return NetdevFeatures.NETIF_F_HW_CSUM | NetdevFeatures.NETIF_F_RXCSUM | NetdevFeatures.NETIF_F_LOOPBACK;
    }

    @Override
    public int mtu() {
        return MTU;
    }

    @Override
    public int maxMtu() {
        return MTU;
    }

    @Override
    public List<IfAddress> addresses() {
        return List.of(ADDRESS);
    }

    @Override
    public void open(NetDeviceContext ctx) {
        stats = ctx.stats();
        context = ctx;
    }

    @Override
    public void stop() {
        context = null;
    }

    /** {@code loopback_xmit}: the packet is received on this device. Stopped: dropped and counted. */
    @Override
    public void transmit(Packet packet) {
        NetDeviceContext ctx = context;
        if (ctx == null) {
            LinkStats counters = stats;
            if (counters != null) {
                counters.txDropped.increment();
            } else {
                droppedUnregistered.increment();
            }
            packet.release();
            return;
        }
        ctx.receive(packet);
    }

    /** Packets dropped while stopped before the device was ever opened. */
    public long droppedBeforeOpen() {
        return droppedUnregistered.sum();
    }
}
