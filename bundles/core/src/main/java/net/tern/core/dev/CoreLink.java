package net.tern.core.dev;

import io.netty.buffer.ByteBuf;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.spi.net.EtherType;
import net.tern.spi.net.FlowHash;
import net.tern.spi.net.IfAddress;
import net.tern.spi.net.Impairment;
import net.tern.spi.net.ImpairmentStats;
import net.tern.spi.net.Link;
import net.tern.spi.net.LinkEvent;
import net.tern.spi.net.LinkFlags;
import net.tern.spi.net.LinkStats;
import net.tern.spi.net.NetDevice;
import net.tern.spi.net.NetDeviceContext;
import net.tern.spi.net.NetXmit;
import net.tern.spi.net.NetdevFeatures;
import net.tern.spi.net.Packet;
import net.tern.spi.net.PacketAllocator;
import net.tern.spi.net.PacketHandler;
import net.tern.spi.net.PacketTap;
import net.tern.spi.net.Softnet;
import net.tern.spi.trace.Tracepoints;
import net.tern.wire.InetChecksum;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A registered device: the stack's {@link Link} ({@code struct net_device} as the rest of the
 * stack sees it) and, to its driver, the {@link NetDeviceContext} it hands received packets to.
 *
 * <p>Configuration changes (up/down, MTU, addresses) are serialised by the registry's lock,
 * as Linux serialises them under RTNL, and listeners hear of them in order. The data path
 * ({@link #transmit}, {@link #receive}) takes no lock: it reads the volatile state and
 * updates the counters. Packet taps ({@link #addTap}) see what is transmitted just before the
 * driver does, and what is received just before dispatch.
 */
final class CoreLink implements Link, NetDeviceContext {
    private static final Logger LOG = LoggerFactory.getLogger(CoreLink.class);
    private static final int RUNNING_FLAGS = LinkFlags.IFF_UP | LinkFlags.IFF_RUNNING | LinkFlags.IFF_LOWER_UP;
    /** The smallest MTU IPv4 allows (RFC 791: every host must take 68-octet datagrams whole). */
    static final int MIN_MTU = 68;

    private final DeviceRegistry registry;
    private final NetDevice device;
    private final int index;
    private final String name;
    private final int type;
    private final int deviceFlags;
    private final int maxMtu;
    private final LinkStats stats = new LinkStats();
    private final List<IfAddress> addresses = new CopyOnWriteArrayList<>();
    private final LinkTaps taps = new LinkTaps();
    private final LinkImpairment impairment;
    /** One receive queue per network thread; a packet goes to its flow's (receive-side scaling). */
    private final Backlog[] backlogs;
    /** A loopback device: its packets are received on the sending thread. */
    private final boolean loopback;
    private final PacketHandler receiveHere = this::dispatchReceived;
    /** Where the segments of a packet cut in software go: on, one by one, as packets of their own. */
    private final java.util.function.ToIntFunction<Packet> transmitSegment = this::passOn;
    private volatile boolean up;
    private volatile boolean registered = true;
    private volatile int mtu;

    CoreLink(DeviceRegistry registry, NetDevice device, int index, String name) {
        this.registry = registry;
        this.device = device;
        this.index = index;
        this.name = name;
        this.type = device.type();
        this.deviceFlags = device.flags() & ~RUNNING_FLAGS;
        this.maxMtu = device.maxMtu();
        this.loopback = (device.flags() & LinkFlags.IFF_LOOPBACK) != 0;
        this.mtu = device.mtu();
        this.impairment = new LinkImpairment(this::deliver, registry.timers(), registry.allocator(), stats);
        this.backlogs = new Backlog[Math.max(1, registry.networkThread().count())];
        for (int i = 0; i < backlogs.length; i++) {
            backlogs[i] = new Backlog(registry.networkThread(), i, Backlog.DEFAULT_LIMIT, this::dispatchReceived,
                    this::dropOnFullBacklog, this::dropUndelivered);
        }
    }

    NetDevice device() {
        return device;
    }

    @Override
    public int index() {
        return index;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int type() {
        return type;
    }

    @Override
    public int flags() {
        return up ? deviceFlags | RUNNING_FLAGS : deviceFlags;
    }

    @Override
    public int features() {
        return device.features();
    }

    @Override
    public boolean isUp() {
        return up;
    }

    /** {@code dev_open} / {@code dev_close}. */
    @Override
    public void setUp(boolean wantUp) throws ErrnoException {
        registry.rtnlLock();
        try {
            requireRegistered(wantUp ? "ip link set " + name + " up" : "ip link set " + name + " down");
            if (wantUp == up) {
                return;
            }
            if (wantUp) {
                try {
                    device.open(this);
                } catch (ErrnoException e) {
                    throw e.in("ip link set " + name + " up");
                } catch (RuntimeException e) {
                    throw new ErrnoException(Errno.ENODEV, "ip link set " + name + " up: the device failed to open: " + e, e);
                }
                up = true;
                registry.notifyListeners(this, LinkEvent.UP);
            } else {
                // Down first, so the data path stops handing packets to a stopping device.
                up = false;
                impairment.discardQueued();
                try {
                    device.stop();
                } catch (RuntimeException e) {
                    LOG.error("device {} threw while stopping; it is down regardless", name, e);
                }
                registry.notifyListeners(this, LinkEvent.DOWN);
            }
        } finally {
            registry.rtnlUnlock();
        }
    }

    @Override
    public int mtu() {
        return mtu;
    }

    /** {@code dev_set_mtu}. */
    @Override
    public void setMtu(int newMtu) throws ErrnoException {
        registry.rtnlLock();
        try {
            String call = "ip link set " + name + " mtu " + newMtu;
            requireRegistered(call);
            if (newMtu < MIN_MTU || newMtu > maxMtu) {
                throw new ErrnoException(Errno.EINVAL, call + ": MTU must be in " + MIN_MTU + ".." + maxMtu);
            }
            if (newMtu == mtu) {
                return;
            }
            mtu = newMtu;
            registry.notifyListeners(this, LinkEvent.CHANGE_MTU);
        } finally {
            registry.rtnlUnlock();
        }
    }

    @Override
    public List<IfAddress> addresses() {
        return List.copyOf(addresses);
    }

    /** {@code inet_insert_ifa}. */
    @Override
    public void addAddress(IfAddress address) throws ErrnoException {
        registry.rtnlLock();
        try {
            String call = "ip addr add " + address + " dev " + name;
            requireRegistered(call);
            if (address == null) {
                throw new ErrnoException(Errno.EINVAL, call + ": no address given");
            }
            if (addresses.contains(address)) {
                throw new ErrnoException(Errno.EEXIST, call + ": " + address + " is already on " + name);
            }
            addresses.add(address);
            registry.notifyListeners(this, LinkEvent.CHANGE_ADDR);
        } finally {
            registry.rtnlUnlock();
        }
    }

    /** {@code inet_del_ifa}. */
    @Override
    public void removeAddress(IfAddress address) throws ErrnoException {
        registry.rtnlLock();
        try {
            String call = "ip addr del " + address + " dev " + name;
            requireRegistered(call);
            if (address == null) {
                throw new ErrnoException(Errno.EINVAL, call + ": no address given");
            }
            if (!addresses.remove(address)) {
                throw new ErrnoException(Errno.EADDRNOTAVAIL, call + ": " + address + " is not on " + name);
            }
            registry.notifyListeners(this, LinkEvent.CHANGE_ADDR);
        } finally {
            registry.rtnlUnlock();
        }
    }

    /** The device's initial addresses, applied at registration without events (none is listening yet). */
    void applyInitialAddresses(List<IfAddress> initial) {
        for (IfAddress a : initial) {
            if (a != null && !addresses.contains(a)) {
                addresses.add(a);
            }
        }
    }

    void markUnregistered() {
        registered = false;
    }

    @Override
    public LinkStats stats() {
        return stats;
    }

    // ---- the way out

    /**
     * {@code dev_queue_xmit}: drops (counting {@code tx_dropped}) a packet for a link that is
     * down or one longer than the MTU (for a packet of several TCP segments, one whose
     * segments are); otherwise passes it through the impairment, when one is set (netem, the
     * root qdisc), and hands it to the driver. A packet of several segments goes to the driver
     * whole when the device segments it ({@code NETIF_F_TSO}) and nothing on the way must see
     * the wire's segments (no tap, no impairment); otherwise it is cut here first
     * ({@link GsoSegmenter}).
     */
    @Override
    public int xmit(Packet packet) {
        if (!up) {
            stats.txDropped.increment();
            packet.release();
            return -Errno.ENETDOWN.number();
        }
        int length = packet.length();
        if (length > mtu && !(packet.isGso() && gsoFits(packet))) {
            stats.txDropped.increment();
            LOG.debug("{}: dropped a {}-byte packet over the MTU of {}", name, length, mtu);
            packet.release();
            return -Errno.EMSGSIZE.number();
        }
        packet.device(this);
        if (packet.isGso() && ((device.features() & NetdevFeatures.forGsoType(packet.gsoType())) == 0
                || impairment.isOn() || !taps.isEmpty())) {
            // validate_xmit_skb: segmented here for a device that cannot, and so that the
            // impairment and the taps see what the wire carries. Linux's qdisc takes the GSO
            // packet whole and answers once; here the answer is the first segment's.
            int status = GsoSegmenter.segment(packet, registry.allocator(), transmitSegment);
            if (status == GsoSegmenter.NOT_SEGMENTABLE) {
                stats.txDropped.increment();
                return NetXmit.DROP;
            }
            return status;
        }
        return passOn(packet);
    }

    /** One packet to the driver: through the impairment (netem, the root qdisc) when one is set. */
    private int passOn(Packet packet) {
        if (impairment.isOn()) {
            return impairment.transmit(packet);
        }
        return deliver(packet);
    }

    /**
     * {@code skb_gso_validate_network_len}: whether each segment of a packet standing for
     * several TCP segments fits the MTU, its headers and one segment's payload.
     */
    private boolean gsoFits(Packet packet) {
        int headers = GsoSegmenter.headerLength(packet);
        return headers >= 0 && headers + packet.gsoSize() <= mtu;
    }

    /**
     * {@code dev_hard_start_xmit}: counts the packet, shows it to the taps and hands it to the
     * driver. Packets coming out of the impairment arrive here too, some later (on a timer):
     * one whose link went down meanwhile is a transmit drop ({@code -ENETDOWN}). A driver that
     * throws is a transmit error ({@code -ENOBUFS}).
     */
    private int deliver(Packet packet) {
        if (!up) {
            stats.txDropped.increment();
            packet.release();
            return -Errno.ENETDOWN.number();
        }
        stats.transmitted(packet.length());
        if (packet.ipSummed() == Packet.CHECKSUM_PARTIAL
                && ((device.features() & NetdevFeatures.NETIF_F_HW_CSUM) == 0 || !taps.isEmpty())) {
            completeChecksum(packet);
        }
        Tracepoints.packet("net_dev_xmit", packet, this, false, 0, 0, 0, 0, -1, packet.length());
        if (!taps.isEmpty()) {
            // dev_queue_xmit_nit: taps see the packet as it goes to the driver.
            taps.deliver(this, PacketTap.Direction.TRANSMIT, registry.clock().nanoTime(), packet);
        }
        try {
            device.transmit(packet);
        } catch (RuntimeException e) {
            stats.txErrors.increment();
            LOG.error("{}: driver threw on transmit of {}", name, packet, e);
            if (!packet.isReleased()) {
                packet.release();
            }
            return -Errno.ENOBUFS.number();
        }
        return NetXmit.SUCCESS;
    }

    /**
     * {@code skb_checksum_help}, as {@code validate_xmit_skb} calls it for a device without
     * {@link NetdevFeatures#NETIF_F_HW_CSUM}: the partial checksum is completed before the
     * packet leaves. Tern also completes it while a tap is attached, where Linux lets
     * captures of {@code lo} show the partial sum, so that what a capture shows verifies; the
     * packet stays one that needs no verification on the way in.
     */
    private void completeChecksum(Packet packet) {
        InetChecksum.completePartial(packet.buf(), packet.csumStart(), packet.buf().writerIndex(), packet.csumOffset());
        boolean offloaded = (device.features() & NetdevFeatures.NETIF_F_HW_CSUM) != 0;
        packet.ipSummed(offloaded ? Packet.CHECKSUM_UNNECESSARY : Packet.CHECKSUM_NONE);
    }

    // ---- impairment (netem)

    @Override
    public Impairment impairment() {
        return impairment.spec();
    }

    /** {@code tc qdisc replace dev NAME root netem ...}, serialised with the other changes by RTNL. */
    @Override
    public void setImpairment(Impairment next) throws ErrnoException {
        registry.rtnlLock();
        try {
            String call = "tc qdisc replace dev " + name + " root netem " + next;
            requireRegistered(call);
            if (next == null) {
                throw new ErrnoException(Errno.EINVAL, call + ": no impairment given");
            }
            impairment.configure(next);
            LOG.info("{}: impairment {}", name, impairment.spec());
        } finally {
            registry.rtnlUnlock();
        }
    }

    @Override
    public ImpairmentStats impairmentStats() {
        return impairment.stats();
    }

    /** Packets the impairment holds back or delays now. */
    int impairmentQueued() {
        return impairment.queued();
    }

    @Override
    public void addTap(PacketTap tap) {
        taps.add(Objects.requireNonNull(tap, "tap"));
    }

    @Override
    public boolean removeTap(PacketTap tap) {
        return taps.remove(tap);
    }

    /** Tap calls that threw. */
    long tapFailures() {
        return taps.failures();
    }

    // ---- NetDeviceContext: the way in

    @Override
    public Link link() {
        return this;
    }

    /**
     * {@code netif_rx}: counts the packet, stamps it with this link and the time, and hands it
     * to {@code netif_receive_skb}. Any thread may call it. A loopback device's packet is
     * received on the calling thread, to completion ({@link Softnet}: {@code loopback_xmit}
     * runs the receive softirq on the sender's CPU); any other device's is queued on the
     * receive queue of its flow ({@link #receiveQueue}) for that queue's network thread. A full queue drops the packet (counted in
     * {@code rx_dropped} and the dispatcher's {@code backlogDrops}).
     */
    @Override
    public void receive(Packet packet) {
        if (!up) {
            stats.rxDropped.increment();
            registry.dispatcher().countLinkDown();
            packet.release();
            return;
        }
        stats.received(packet.length());
        packet.device(this).timestampNanos(registry.clock().nanoTime());
        if (loopback) {
            if (!Softnet.receive(packet, receiveHere)) {
                dropOnFullBacklog(packet);
            }
        } else {
            receiveQueue(packet).enqueue(packet);
        }
    }

    /**
     * {@code get_rps_cpu}: the receive queue of the packet's flow, by {@link FlowHash} of its
     * IPv4 4-tuple, so one flow's packets stay in order on one network thread, the one its
     * connection's timers run on.
     */
    private Backlog receiveQueue(Packet packet) {
        if (backlogs.length == 1 || packet.protocol() != EtherType.IPV4) {
            return backlogs[0];
        }
        ByteBuf buf = packet.buf();
        return backlogs[Math.floorMod(FlowHash.ofIpv4(buf, buf.readerIndex()), backlogs.length)];
    }

    /** In a receive section ({@link Softnet}), for each packet the backlog or the sending thread hands on. */
    private void dispatchReceived(Packet packet) {
        Tracepoints.packet("netif_receive_skb", packet, this, true, 0, 0, 0, 0, -1, packet.length());
        if (!taps.isEmpty() && up) {
            if (packet.ipSummed() == Packet.CHECKSUM_PARTIAL) {
                completeChecksum(packet); // a tap attached after the packet was sent
            }
            // __netif_receive_skb_core: ptype_all sees the packet before ptype_base.
            taps.deliver(this, PacketTap.Direction.RECEIVE, packet.timestampNanos(), packet);
        }
        registry.dispatcher().dispatch(packet);
    }

    private void dropOnFullBacklog(Packet packet) {
        registry.dispatcher().countBacklogDrop();
        dropUndelivered(packet);
    }

    private void dropUndelivered(Packet packet) {
        stats.rxDropped.increment();
        packet.release();
    }

    @Override
    public PacketAllocator allocator() {
        return registry.allocator();
    }

    private void requireRegistered(String call) throws ErrnoException {
        if (!registered) {
            throw new ErrnoException(Errno.ENODEV, call + ": " + name + " is no longer registered");
        }
    }

    @Override
    public String toString() {
        return index + ": " + name + " <" + LinkFlags.toString(flags()) + "> mtu " + mtu;
    }
}
