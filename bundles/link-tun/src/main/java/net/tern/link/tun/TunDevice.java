package net.tern.link.tun;

import com.sun.jna.LastErrorException;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.spi.net.IfAddress;
import net.tern.spi.net.LinkFlags;
import net.tern.spi.net.LinkStats;
import net.tern.spi.net.NetDevice;
import net.tern.spi.net.NetdevFeatures;
import net.tern.spi.net.NetDeviceContext;
import net.tern.spi.net.NetworkThread;
import net.tern.spi.net.Packet;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Linux TUN interface as a Tern link ({@code drivers/net/tun.c} seen from user space): a
 * point-to-point device without link-layer header whose packets are IP datagrams.
 *
 * <p>One device per factory configuration of PID {@value #PID}. {@link #open}
 * ({@code ndo_open}) opens the clone device, attaches to or creates the interface with
 * {@code TUNSETIFF}, and starts the reader threads; {@link #stop} stops the readers (bounded)
 * and closes the files, so an interface the device created disappears with them. When the file
 * cannot be opened (not root, no tun module) {@code open} fails with an errno that names the
 * cause; the core logs it and leaves the link down, and the rest of the stack runs on.
 *
 * <p>Queues: as many TUN files as the stack has network threads (or as configured), opened with
 * {@code IFF_MULTI_QUEUE}; one when the kernel or a persistent interface refuses it.
 *
 * <p>Threading: {@link #transmit} may be called from any thread and writes one packet per
 * {@code write(2)} on its flow's queue, its virtio-net header in front when offload is on;
 * receive runs on one reader thread per queue, each handing packets to the core, which moves
 * them onto their flow's network thread.
 */
@Component(service = NetDevice.class, configurationPid = TunDevice.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE, immediate = true)
@Designate(ocd = TunConfig.class, factory = true)
public final class TunDevice implements NetDevice {
    public static final String PID = "net.tern.link.tun";
    /** How long {@link #stop} waits for the reader thread, and for writes in progress. */
    static final long STOP_TIMEOUT_MILLIS = 5_000;

    private static final Logger LOG = LoggerFactory.getLogger(TunDevice.class);

    private final TunSettings settings;
    private final TunOpener opener;
    /** The stack's network threads: one queue each unless the settings say how many. */
    private final int networkThreads;
    /** Guards open and stop against each other; the core calls both under its link lock anyway. */
    private final Object lifecycle = new Object();
    /** The open queues ({@code IFF_MULTI_QUEUE} files, or the one file); null while closed. */
    private volatile TunFile[] files;
    private volatile NetDeviceContext context;
    private TunReader[] readers;
    /** Packets read on a queue other than their flow's, since the device was made. */
    private final LongAdder misqueued = new LongAdder();
    /** Drops before the device was ever opened, when there is no link to count them on. */
    private final LongAdder droppedBeforeOpen = new LongAdder();
    private volatile LinkStats stats;

    /** The DS constructor: one device per configuration, one queue per network thread unless configured. */
    @Activate
    public TunDevice(TunConfig config, @Reference NetworkThread networkThread) {
        this(TunSettings.from(config), networkThread.count());
        LOG.info("TUN device {} configured: MTU {}, addresses {}, {}{}, {} queues", settings.name(), settings.mtu(),
                settings.addresses(), settings.devicePath(),
                settings.netns().isEmpty() ? "" : ", namespace " + settings.netns(), settings.queuesFor(networkThreads));
    }

    /** A device on a stack with one network thread: one queue unless the settings ask for more. */
    public TunDevice(TunSettings settings) {
        this(settings, 1);
    }

    /** A device on a stack with {@code networkThreads}: that many queues unless the settings say how many. */
    public TunDevice(TunSettings settings, int networkThreads) {
        this(settings, TunOpener.KERNEL, networkThreads);
    }

    TunDevice(TunSettings settings, TunOpener opener) {
        this(settings, opener, 1);
    }

    TunDevice(TunSettings settings, TunOpener opener, int networkThreads) {
        this.settings = settings;
        this.opener = opener;
        this.networkThreads = Math.max(1, networkThreads);
    }

    public TunSettings settings() {
        return settings;
    }

    @Override
    public String name() {
        return settings.name();
    }

    /** No link-layer header: packets start with the IP header. */
    @Override
    public int type() {
        return LinkFlags.ARPHRD_NONE;
    }

    /** As {@code ip link} shows a TUN: point-to-point, no ARP, multicast. */
    @Override
    public int flags() {
        return LinkFlags.IFF_POINTOPOINT | LinkFlags.IFF_NOARP | LinkFlags.IFF_MULTICAST;
    }

    @Override
    public int mtu() {
        return settings.mtu();
    }

    /**
     * With offload and a file that carries virtio-net headers: the kernel completes partial
     * checksums ({@code NETIF_F_HW_CSUM}, NEEDS_CSUM) and segments TCP packets of up to 64 KiB
     * ({@code NETIF_F_TSO}, {@code NETIF_F_TSO6}), as {@code tun_get_user} takes them from any
     * writer whatever {@code TUNSETOFFLOAD} said. None while the device is closed or opened
     * without the header.
     */
    @Override
    public int features() {
        TunFile[] current = files;
        if (current == null || !current[0].vnetHdr()) {
            return 0;
        }
        return NetdevFeatures.NETIF_F_HW_CSUM | NetdevFeatures.NETIF_F_TSO | NetdevFeatures.NETIF_F_TSO6;
    }

    @Override
    public int maxMtu() {
        return TunSettings.MAX_MTU;
    }

    @Override
    public List<IfAddress> addresses() {
        return settings.addresses();
    }

    /** {@code ndo_open}: opens the TUN file and starts receiving. */
    @Override
    public void open(NetDeviceContext ctx) throws ErrnoException {
        synchronized (lifecycle) {
            if (files != null) {
                throw new ErrnoException(Errno.EBUSY, "open(" + settings.name() + "): the TUN device is already open");
            }
            TunFile[] opened;
            try {
                opened = opener.openQueues(settings, settings.queuesFor(networkThreads)).toArray(new TunFile[0]);
            } catch (ErrnoException e) {
                LOG.error("TUN device {} cannot open: {}", settings.name(), e.getMessage());
                throw e;
            }
            stats = ctx.stats();
            context = ctx;
            files = opened;
            readers = new TunReader[opened.length];
            // The interface going away ends every queue's reader; the link goes down once.
            AtomicBoolean gone = new AtomicBoolean();
            Runnable whenGone = () -> {
                if (gone.compareAndSet(false, true)) {
                    interfaceGone(ctx);
                }
            };
            for (int q = 0; q < opened.length; q++) {
                readers[q] = new TunReader(opened[q], ctx, settings.mtu(), whenGone, q, opened.length, misqueued);
            }
            for (TunReader reader : readers) {
                reader.start();
            }
        }
    }

    /**
     * The kernel's interface went away under the open file ({@code ip link del}, the namespace
     * deleted): the reader has ended and counted it as an {@code rx_error}; the link is taken
     * down, so its routes go and transmits count as drops instead of failing writes, and the
     * rest of the stack runs on. Done on a thread of its own, because taking the link down
     * stops the device, which waits for the reader thread that calls this.
     */
    private void interfaceGone(NetDeviceContext ctx) {
        Thread down = new Thread(() -> {
            try {
                ctx.link().setUp(false);
                LOG.warn("TUN device {}: the interface is gone; link taken down", settings.name());
            } catch (ErrnoException | RuntimeException e) {
                LOG.error("TUN device {}: the interface is gone and the link could not be taken down: {}",
                        settings.name(), e.getMessage());
            }
        }, "tern-tun-" + settings.name() + "-gone");
        down.setDaemon(true);
        down.start();
    }

    /** {@code ndo_stop}: stops the reader, then closes the file (the kernel removes an interface it made for it). */
    @Override
    public void stop() {
        synchronized (lifecycle) {
            TunFile[] closing = files;
            if (closing == null) {
                return;
            }
            files = null;
            context = null;
            long[] read = new long[readers.length];
            for (int q = 0; q < readers.length; q++) {
                if (!readers[q].stop(STOP_TIMEOUT_MILLIS)) {
                    LOG.error("TUN device {}: the reader thread of queue {} did not stop within {} ms", settings.name(),
                            q, STOP_TIMEOUT_MILLIS);
                }
                read[q] = readers[q].packets();
            }
            readers = null;
            for (TunFile queue : closing) {
                queue.close(STOP_TIMEOUT_MILLIS);
            }
            LOG.info("TUN device {} closed; packets read per queue {}, {} of them on a queue not their flow's",
                    settings.name(), Arrays.toString(read), misqueued.sum());
        }
    }

    /**
     * {@code tun_net_xmit}: writes the packet as one datagram to the kernel, on its flow's queue
     * ({@link TunSteering}), so that the kernel sends the flow's packets back on that queue.
     * Dropped (and counted as {@code tx_dropped}) while stopped or when it is not IP; a write
     * the kernel refuses counts as {@code tx_errors}. The packet is released in every case.
     */
    @Override
    public void transmit(Packet packet) {
        try {
            TunFile[] open = files;
            LinkStats counters = stats;
            if (open == null || !PacketType.writable(packet.protocol())) {
                countDrop(counters);
                return;
            }
            TunFile current = open[TunSteering.queueOf(packet.protocol(), packet.buf(), packet.buf().readerIndex(),
                    open.length)];
            if (current.vnetHdr()) {
                packet = withVnetHdr(packet);
            }
            try {
                if (!current.write(packet.buf())) {
                    countDrop(counters);
                }
            } catch (LastErrorException e) {
                if (e.getErrorCode() == Errno.EAGAIN.number() || e.getErrorCode() == Errno.ENOBUFS.number()) {
                    countDrop(counters);
                } else {
                    counters.txErrors.increment();
                    LOG.debug("{}: write of {} failed with errno {}", settings.name(), packet, e.getErrorCode());
                }
            }
        } finally {
            packet.release();
        }
    }

    /**
     * Puts the packet's {@link VirtioNetHdr} in front of it, in its headroom: one
     * {@code write} then sends both. A packet without the room is copied into one with it.
     */
    private Packet withVnetHdr(Packet packet) {
        Packet out = packet;
        NetDeviceContext ctx = context;
        if (packet.headroom() < VirtioNetHdr.SIZE && ctx != null) {
            out = ctx.allocator().allocate(VirtioNetHdr.SIZE, packet.length());
            out.buf().writeBytes(packet.buf(), packet.buf().readerIndex(), packet.length());
            out.copyChecksumState(packet).gso(packet.gsoType(), packet.gsoSize()).protocol(packet.protocol());
            packet.release();
        }
        int data = out.buf().readerIndex();
        VirtioNetHdr.encode(out, out.buf(), data - VirtioNetHdr.SIZE);
        out.push(VirtioNetHdr.SIZE);
        return out;
    }

    private void countDrop(LinkStats counters) {
        if (counters != null) {
            counters.txDropped.increment();
        } else {
            droppedBeforeOpen.increment();
        }
    }

    /**
     * The configuration is gone or the bundle stops: the core normally stopped the device
     * already as its service left, but the file and the reader must not outlive the
     * component even when it did not.
     */
    @Deactivate
    void deactivate() {
        stop();
    }

    /** Whether the device is open with all its readers running. */
    public boolean isReceiving() {
        TunReader[] r;
        synchronized (lifecycle) {
            r = readers;
        }
        if (r == null) {
            return false;
        }
        for (TunReader reader : r) {
            if (!reader.isAlive()) {
                return false;
            }
        }
        return true;
    }

    /** The queues open now (0 while closed). */
    public int queues() {
        TunFile[] open = files;
        return open == null ? 0 : open.length;
    }

    /** Packets each queue's reader has handed to the stack since the device opened; empty while closed. */
    public long[] packetsPerQueue() {
        TunReader[] r;
        synchronized (lifecycle) {
            r = readers;
        }
        if (r == null) {
            return new long[0];
        }
        long[] read = new long[r.length];
        for (int q = 0; q < r.length; q++) {
            read[q] = r[q].packets();
        }
        return read;
    }

    /**
     * Packets read on a queue other than their flow's ({@link TunSteering}): the kernel had no
     * entry for the flow yet, or its entry aged out. The core handed them to their flow's
     * network thread all the same.
     */
    public long misqueued() {
        return misqueued.sum();
    }

    /** Packets dropped before the device was ever opened. */
    public long droppedBeforeOpen() {
        return droppedBeforeOpen.sum();
    }
}
