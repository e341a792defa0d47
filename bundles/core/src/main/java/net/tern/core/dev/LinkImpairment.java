package net.tern.core.dev;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import net.tern.spi.net.Impairment;
import net.tern.spi.net.NetXmit;
import net.tern.spi.net.ImpairmentStats;
import net.tern.spi.net.LinkStats;
import net.tern.spi.net.Packet;
import net.tern.spi.net.PacketAllocator;
import net.tern.spi.net.Timeout;
import net.tern.spi.net.TimerService;

/**
 * netem on one link's transmit path ({@code net/sched/sch_netem.c}): loses, duplicates,
 * reorders and delays what the link sends, by seeded random choices, before the packet
 * reaches the taps and the driver (netem is a qdisc, so {@code tcpdump} on Linux sees its
 * output, not its input; the same holds here).
 *
 * <p>Per packet, in this order, with three draws from a {@link SplittableRandom} seeded by the
 * impairment's seed (always three, whatever the rates, so a schedule depends only on the seed
 * and the packets sent):
 * <ol>
 *   <li>loss: the packet is released and counted as dropped;</li>
 *   <li>duplicate: a copy follows the packet everywhere from here on;</li>
 *   <li>reorder: the packet (and its copy) is held back, to leave right after the next packet
 *       that is not held back, which so overtakes it. Unlike netem, whose reordering sends
 *       the chosen packets at once while the others wait out the delay (so it needs a delay),
 *       this reorders with or without one. A held packet that nothing overtakes within
 *       {@value #MAX_HOLD_MILLIS} ms leaves alone (not counted as reordered);</li>
 *   <li>delay: every packet leaving goes on a timer of the stack's {@link TimerService}, never
 *       a sleep; timers of equal delay fire in the order they were set, so delay alone keeps
 *       the order.</li>
 * </ol>
 *
 * <p>Threading: the decisions are made under this object's monitor (any thread may transmit);
 * packets that leave at once are handed to the driver after it is released, delayed and
 * held-too-long ones by timers on the network thread. With the impairment off, the link pays
 * one volatile read per packet ({@link #isOn()}).
 */
final class LinkImpairment {
    /** How long a held-back packet waits for a later one to overtake it. */
    static final long MAX_HOLD_MILLIS = 10;
    /** Packets held back at once; beyond this, a packet chosen to be held goes on. */
    static final int MAX_HELD = 64;

    /** Where packets leaving the impairment go: the taps and the driver. */
    @FunctionalInterface
    interface Output {
        /** Hands {@code packet} on; answers as {@link net.tern.spi.net.Link#xmit} does. */
        int deliver(Packet packet);
    }

    private final Output output;
    private final TimerService timers;
    private final PacketAllocator allocator;
    private final LinkStats linkStats;
    private final ImpairmentStats stats = new ImpairmentStats();

    private volatile Impairment spec = Impairment.NONE;
    private volatile boolean on;
    // Guarded by this.
    private SplittableRandom random = new SplittableRandom(0);
    private final ArrayDeque<Packet> held = new ArrayDeque<>();
    private Timeout holdTimer;
    /** Which hold timer is current: one that fired just as it was cancelled must do nothing. */
    private long holdGeneration;
    private final Set<DelayedPacket> delayed = new LinkedHashSet<>();

    LinkImpairment(Output output, TimerService timers, PacketAllocator allocator, LinkStats linkStats) {
        this.output = output;
        this.timers = timers;
        this.allocator = allocator;
        this.linkStats = linkStats;
    }

    /** Whether packets go through {@link #transmit} rather than straight to the driver. */
    boolean isOn() {
        return on;
    }

    Impairment spec() {
        return spec;
    }

    ImpairmentStats stats() {
        return stats;
    }

    /**
     * Replaces the impairment. A spec without a seed gets a fresh one (shown by {@link #spec()}).
     * Held packets leave at once; delayed ones keep their timers.
     */
    void configure(Impairment next) {
        List<Packet> now;
        synchronized (this) {
            Impairment seeded = next.isNone() || next.seed().isPresent()
                    ? next : next.withSeed(new SplittableRandom().nextLong());
            random = new SplittableRandom(seeded.seed().orElse(0));
            spec = seeded;
            on = !seeded.isNone();
            now = new ArrayList<>(held);
            held.clear();
            cancelHoldTimer();
        }
        deliverAll(now);
    }

    /**
     * Takes {@code packet} (which fits the MTU, on a link that is up): drops, copies, holds or
     * delays it as the impairment says, and hands what leaves now to the driver. Answers
     * {@link NetXmit#DROP} when the queue (held back and delayed packets) is at the limit, as
     * netem's enqueue does ({@code qdisc_drop}); {@link NetXmit#SUCCESS} otherwise, a packet
     * lost on purpose included (netem's {@code __NET_XMIT_BYPASS}: the sender is not told).
     */
    int transmit(Packet packet) {
        List<Packet> now = new ArrayList<>(4);
        synchronized (this) {
            Impairment s = spec;
            double lossDraw = random.nextDouble() * 100;
            double duplicateDraw = random.nextDouble() * 100;
            double reorderDraw = random.nextDouble() * 100;
            if (lossDraw < s.lossPercent()) {
                stats.dropped.increment();
                packet.release();
                return NetXmit.SUCCESS;
            }
            // After the loss, as netem_enqueue tests its limit: a packet lost on purpose is the
            // wire's whatever the queue holds, and the draws follow the seed packet by packet.
            if (held.size() + delayed.size() >= s.limit()) {
                stats.dropped.increment();
                packet.release();
                return NetXmit.DROP;
            }
            List<Packet> unit = new ArrayList<>(2);
            unit.add(packet);
            if (duplicateDraw < s.duplicatePercent()) {
                unit.add(copyOf(packet));
                stats.duplicated.increment();
            }
            if (reorderDraw < s.reorderPercent() && held.size() + unit.size() <= MAX_HELD) {
                held.addAll(unit);
                if (holdTimer == null) {
                    long generation = ++holdGeneration;
                    holdTimer = timers.schedule(MAX_HOLD_MILLIS, TimeUnit.MILLISECONDS, () -> holdExpired(generation));
                }
                return NetXmit.SUCCESS;
            }
            send(unit, now);
            if (!held.isEmpty()) {
                // The packets held back leave right behind the one that overtook them.
                stats.reordered.add(held.size());
                send(held, now);
                held.clear();
                cancelHoldTimer();
            }
        }
        deliverAll(now);
        return NetXmit.SUCCESS;
    }

    /**
     * The link went down: what is held back or delayed is dropped (counted as transmit drops)
     * and released, so nothing waits for a device that is gone. The impairment stays set.
     */
    void discardQueued() {
        List<Packet> dropped = new ArrayList<>();
        synchronized (this) {
            dropped.addAll(held);
            held.clear();
            cancelHoldTimer();
            for (DelayedPacket d : delayed) {
                if (d.timeout.cancel()) {
                    dropped.add(d.packet);
                }
            }
            delayed.clear();
        }
        for (Packet p : dropped) {
            linkStats.txDropped.increment();
            p.release();
        }
    }

    /** Packets held back or waiting out the delay. */
    synchronized int queued() {
        return held.size() + delayed.size();
    }

    /** Called with the monitor held: sends {@code packets} now or after the delay. */
    private void send(Iterable<Packet> packets, List<Packet> now) {
        long delay = spec.delayNanos();
        for (Packet p : packets) {
            if (delay == 0) {
                now.add(p);
            } else {
                DelayedPacket d = new DelayedPacket(p);
                delayed.add(d);
                d.timeout = timers.schedule(delay, TimeUnit.NANOSECONDS, d);
                stats.delayed.increment();
            }
        }
    }

    private void holdExpired(long generation) {
        List<Packet> now = new ArrayList<>();
        synchronized (this) {
            if (holdTimer == null || generation != holdGeneration) {
                return; // cancelled as it fired: the packets it guarded have left
            }
            holdTimer = null;
            send(held, now);
            held.clear();
        }
        deliverAll(now);
    }

    private void cancelHoldTimer() {
        if (holdTimer != null) {
            holdTimer.cancel();
            holdTimer = null;
        }
    }

    private void deliverAll(List<Packet> packets) {
        for (Packet p : packets) {
            passOn(p);
        }
    }

    /** netem's dequeue: counted in the qdisc's basic statistics, then to the taps and the driver. */
    private void passOn(Packet packet) {
        stats.sentPackets.increment();
        stats.sentBytes.add(packet.length());
        output.deliver(packet);
    }

    /** netem's duplicate: an independent packet with the same bytes and type. */
    private Packet copyOf(Packet packet) {
        Packet copy = allocator.allocate(packet.headroom(), packet.length());
        copy.buf().writeBytes(packet.buf(), packet.buf().readerIndex(), packet.length());
        copy.protocol(packet.protocol()).device(packet.device());
        copy.copyChecksumState(packet);
        return copy;
    }

    /** A packet waiting out the delay on its timer. */
    private final class DelayedPacket implements Runnable {
        final Packet packet;
        Timeout timeout;

        DelayedPacket(Packet packet) {
            this.packet = packet;
        }

        @Override
        public void run() {
            synchronized (LinkImpairment.this) {
                if (!delayed.remove(this)) {
                    return; // discarded as the link went down
                }
            }
            passOn(packet);
        }
    }
}
