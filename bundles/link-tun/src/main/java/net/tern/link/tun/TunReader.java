package net.tern.link.tun;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.FastThreadLocalThread;
import java.util.concurrent.atomic.LongAdder;
import net.tern.spi.net.LinkStats;
import net.tern.spi.net.NetDeviceContext;
import net.tern.spi.net.Packet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The receive side of one TUN queue (the device's only one, or one of its
 * {@code IFF_MULTI_QUEUE} files): a thread that waits in {@code poll(2)} for a packet or
 * a wake-up, reads each packet whole into a pooled packet, types it by its IP version nibble
 * and hands it to {@link NetDeviceContext#receive} ({@code netif_rx}), which counts it and
 * hops onto the network thread.
 *
 * <p>Closing a descriptor does not wake a thread blocked reading it, so the thread never
 * blocks in {@code read}: it reads only after {@code poll} reports the file readable (the
 * file is non-blocking besides), and {@link #stop} wakes the poll through a pipe. The poll
 * also times out every {@link #POLL_TIMEOUT_MILLIS} as a second guard.
 *
 * <p>Nothing is allocated per packet but the packet's header object: the packet is read in
 * place into pooled direct memory, through {@link DirectLibC}, on a thread for which Netty
 * recycles buffer objects. A packet no memory can be allocated for is dropped and counted in
 * {@code rx_dropped}, and the reader runs on.
 */
final class TunReader implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(TunReader.class);

    static final int POLL_TIMEOUT_MILLIS = 500;
    /**
     * Room left in front of a received packet, so a reply built in place (an ICMP echo
     * reply) can push its headers without a copy.
     */
    static final int HEADROOM = 128;
    /** Packets read per wake-up of {@code poll}, at most. */
    static final int BATCH = 64;
    /**
     * With offload, a packet of up to this many bytes is copied out of the 64 KiB buffer it
     * was read into, into one of its own size, and the buffer is kept for the next read: a
     * small packet is then charged to a socket's buffer for what it holds.
     */
    static final int COPY_LIMIT = 2048;

    /** {@link #readOne}: a packet was read (or dropped), read on. */
    private static final int READ = 0;
    /** {@link #readOne}: nothing to read now. */
    private static final int EMPTY = 1;
    /** {@link #readOne}: the file is closed or the device gone; receive stops. */
    private static final int STOP = 2;

    private final TunFile file;
    private final NetDeviceContext context;
    private final int mtu;
    private final Thread thread;
    private volatile boolean running = true;
    /** Called on the reader's thread when it ends on its own: the interface went away. */
    private final Runnable whenGone;
    /** Where a packet goes that no packet buffer could be allocated for; made on the first. */
    private Memory scratch;
    /** Whether packets are being dropped for want of memory, and how many so far. */
    private boolean exhausted;
    private long droppedExhausted;
    /** With offload: the 64 KiB packet buffer the last small packet was copied out of, for the next read. */
    private Packet spare;
    private final VirtioNetHdr header = new VirtioNetHdr();
    /** This reader's queue of the device's {@link #queues} ({@code tfile->queue_index}). */
    private final int queue;
    private final int queues;
    /** Packets read on this queue and handed to the stack. */
    private final LongAdder packets = new LongAdder();
    /** Shared by the device's readers: packets read on a queue other than their flow's ({@link TunSteering}). */
    private final LongAdder misqueued;

    /** The reader of a single-queue device. */
    TunReader(TunFile file, NetDeviceContext context, int mtu, Runnable whenGone) {
        this(file, context, mtu, whenGone, 0, 1, new LongAdder());
    }

    /**
     * The reader of queue {@code queue} of {@code queues}; a packet whose flow belongs to another
     * queue counts in {@code misqueued} and still goes to the stack, which hands it to its flow's
     * network thread.
     */
    TunReader(TunFile file, NetDeviceContext context, int mtu, Runnable whenGone, int queue, int queues,
            LongAdder misqueued) {
        this.file = file;
        this.context = context;
        this.mtu = mtu;
        this.whenGone = whenGone;
        this.queue = queue;
        this.queues = queues;
        this.misqueued = misqueued;
        // A FastThreadLocalThread: Netty's pooled allocator recycles its buffer objects and
        // keeps a cache of buffers only for these; on a plain thread each packet read would
        // cost a new buffer object (about 110 bytes of garbage) and a trip to a shared arena.
        this.thread = new FastThreadLocalThread(this, "tern-tun-" + file.name() + (queues > 1 ? "-" + queue : ""));
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Stops the thread and waits for it at most {@code timeoutMillis}; true when it has ended. */
    boolean stop(long timeoutMillis) {
        running = false;
        file.wakeUp();
        try {
            thread.join(timeoutMillis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return !thread.isAlive();
    }

    boolean isAlive() {
        return thread.isAlive();
    }

    /** Packets this queue's reader handed to the stack. */
    long packets() {
        return packets.sum();
    }

    @Override
    public void run() {
        try {
            receive();
        } finally {
            if (spare != null) {
                spare.release();
                spare = null;
            }
            if (running) {
                // Not stopped by us: the file failed or ended because the interface is gone.
                whenGone.run();
            }
        }
    }

    private void receive() {
        PollSet set = file.pollSet();
        try {
            while (running) {
                int ready = file.poll(set, POLL_TIMEOUT_MILLIS);
                if (ready == TunFile.CLOSED || !running) {
                    return;
                }
                if (ready == 0 || (set.deviceEvents() & (LibC.POLLIN | LibC.POLLERR | LibC.POLLHUP | LibC.POLLNVAL)) == 0) {
                    continue;
                }
                if ((set.deviceEvents() & LibC.POLLNVAL) != 0) {
                    context.stats().rxErrors.increment();
                    LOG.error("{}: the TUN descriptor is no longer valid; receive stops", file.name());
                    return;
                }
                // Several packets per wake-up: each poll costs a system call, and the file is
                // non-blocking, so the batch ends at the first EAGAIN.
                for (int i = 0; i < BATCH && running; i++) {
                    int read = readOne(i > 0);
                    if (read == STOP) {
                        return;
                    }
                    if (read == EMPTY) {
                        break;
                    }
                }
            }
        } catch (LastErrorException e) {
            // EBADFD or EIO: the interface was deleted under the open file (ip link del).
            context.stats().rxErrors.increment();
            LOG.error("{}: reading the TUN device failed with errno {}; the interface is gone, receive stops",
                    file.name(), e.getErrorCode());
        } catch (RuntimeException e) {
            LOG.error("{}: the TUN reader failed; receive stops", file.name(), e);
        }
    }

    /** Reads and delivers one packet ({@code more}: not the first of this wake-up): {@link #READ}, {@link #EMPTY} or {@link #STOP} (the device gone, or closed). */
    private int readOne(boolean more) {
        LinkStats stats = context.stats();
        // The kernel side's MTU was set to the configured one; a link MTU raised since is honoured too.
        // One byte more than the limit is read, so a longer packet shows whether the kernel
        // reports its whole length (TUN) or only what it copied (a socket). With offload the
        // kernel may send TCP packets of up to 64 KiB, its header in front.
        int mtuNow = Math.max(mtu, context.link().mtu());
        boolean vnet = file.vnetHdr();
        int limit = vnet ? VirtioNetHdr.SIZE + TunSettings.MAX_MTU : mtuNow;
        Packet packet = spare;
        spare = null;
        if (packet == null) {
            try {
                packet = context.allocator().allocate(HEADROOM, limit + 1);
            } catch (OutOfMemoryError exhausted) {
                // Direct memory is at its maximum (Netty's OutOfDirectMemoryError): as tun_get_user
                // does when it cannot allocate the skb, the packet is dropped and counted in rx_dropped.
                return dropUnallocated(limit, exhausted);
            }
        }
        if (exhausted) {
            exhausted = false;
            LOG.warn("{}: memory for received packets is available again; {} were dropped without it", file.name(),
                    droppedExhausted);
            droppedExhausted = 0;
        }
        boolean handedOver = false;
        try {
            int n = file.read(packet.buf(), more);
            if (n <= 0) {
                if (n == TunFile.AGAIN && vnet) {
                    spare = packet; // unused: kept for the next read rather than freed and taken again
                    handedOver = true;
                }
                return nothingRead(n);
            }
            if (vnet) {
                if (n < VirtioNetHdr.SIZE || !takeHeader(packet, n - VirtioNetHdr.SIZE, mtuNow)) {
                    stats.rxErrors.increment();
                    return READ;
                }
            } else if (n > limit) {
                // rx_length_errors: longer than the MTU, perhaps cut to fit the buffer.
                stats.rxErrors.increment();
                LOG.debug("{}: dropped a packet of at least {} bytes, over the MTU of {}", file.name(), n, limit);
                return READ;
            }
            int ethertype = PacketType.of(packet.buf().getUnsignedByte(packet.buf().readerIndex()));
            if (ethertype == PacketType.UNSUPPORTED) {
                stats.rxErrors.increment();
                return READ;
            }
            if (vnet && packet.length() <= COPY_LIMIT) {
                Packet small = copyOut(packet);
                if (small != null) {
                    packet.buf().setIndex(HEADROOM, HEADROOM);
                    packet.ipSummed(Packet.CHECKSUM_NONE).gso(Packet.GSO_NONE, 0);
                    spare = packet;
                    handedOver = true;
                    packet = small;
                }
            }
            if (queues > 1 && TunSteering.queueOf(ethertype, packet.buf(), packet.buf().readerIndex(), queues) != queue) {
                misqueued.increment();
            }
            packets.increment();
            packet.protocol(ethertype);
            packet.resetNetworkHeader();
            handedOver = true;
            context.receive(packet);
            return READ;
        } finally {
            if (!handedOver) {
                packet.release();
            }
        }
    }

    /**
     * {@code virtio_net_hdr_to_skb} for a packet read with its header in front ({@code length}
     * bytes after it): takes the header off and marks the packet as it says. A partial checksum
     * ({@code NEEDS_CSUM}) or one the kernel checked ({@code DATA_VALID}) is not verified again
     * ({@code CHECKSUM_PARTIAL}, {@code CHECKSUM_UNNECESSARY}); a TCP packet of several segments
     * ({@code GSO_TCPV4}, {@code GSO_TCPV6}) goes up whole, as one segment, with its segment
     * size. False for a packet to drop: a header that does not fit the packet, a kind of
     * packet never asked for ({@code TUNSETOFFLOAD} left out UDP), or a packet of one segment
     * over the MTU.
     */
    private boolean takeHeader(Packet packet, int length, int mtuNow) {
        ByteBuf buf = packet.buf();
        if (length > TunSettings.MAX_MTU) {
            return false;
        }
        header.decode(buf, buf.readerIndex());
        packet.pull(VirtioNetHdr.SIZE);
        int data = buf.readerIndex();
        int gsoType = header.packetGsoType();
        if (gsoType < 0 || (gsoType == Packet.GSO_NONE && length > mtuNow)) {
            LOG.debug("{}: dropped a packet of {} bytes, gso_type {}, MTU {}", file.name(), length, header.gsoType,
                    mtuNow);
            return false;
        }
        if (gsoType != Packet.GSO_NONE && header.gsoSize > 0) {
            packet.gso(gsoType, header.gsoSize);
        }
        if ((header.flags & VirtioNetHdr.F_NEEDS_CSUM) != 0) {
            if (header.csumStart + header.csumOffset + 2 > length) {
                return false;
            }
            packet.checksumPartial(data + header.csumStart, header.csumOffset);
        } else if ((header.flags & VirtioNetHdr.F_DATA_VALID) != 0) {
            packet.ipSummed(Packet.CHECKSUM_UNNECESSARY);
        }
        return true;
    }

    /** A copy of a small packet read into a 64 KiB buffer, in a buffer of its size; null without memory. */
    private Packet copyOut(Packet big) {
        Packet small;
        try {
            small = context.allocator().allocate(HEADROOM, big.length());
        } catch (OutOfMemoryError exhausted) {
            return null;
        }
        small.buf().writeBytes(big.buf(), big.buf().readerIndex(), big.length());
        small.copyChecksumState(big).gso(big.gsoType(), big.gsoSize());
        return small;
    }

    /**
     * What a read that returned no packet ({@code n} of 0 or less) means for the loop:
     * {@link #EMPTY} to go on (nothing there now), {@link #STOP} (closed, or end of file: the
     * device is gone).
     */
    private int nothingRead(int n) {
        if (n == TunFile.AGAIN) {
            return EMPTY;
        }
        if (n == 0) {
            context.stats().rxErrors.increment();
            LOG.error("{}: the TUN file reached end of file; the interface is gone, receive stops", file.name());
        }
        return STOP;
    }

    /**
     * Takes one packet off the file into a scratch area and drops it, counting
     * {@code rx_dropped}: unread, it would keep the file readable and the loop spinning. The
     * first drop of a spell is logged, and the end of the spell.
     */
    private int dropUnallocated(int limit, OutOfMemoryError cause) {
        if (scratch == null || scratch.size() < limit + 1) {
            scratch = new Memory(limit + 1L);
        }
        int n = file.read(Pointer.nativeValue(scratch), limit + 1);
        if (n <= 0) {
            return nothingRead(n);
        }
        context.stats().rxDropped.increment();
        droppedExhausted++;
        if (!exhausted) {
            exhausted = true;
            LOG.warn("{}: no memory for received packets ({}); dropping them, counted in rx_dropped", file.name(),
                    cause.getMessage());
        }
        return READ;
    }
}
