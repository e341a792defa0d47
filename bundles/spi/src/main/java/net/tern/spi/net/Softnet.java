package net.tern.spi.net;

import java.util.ArrayDeque;

/**
 * Receive processing on the calling thread ({@code struct softnet_data} with
 * {@code netif_rx}, {@code local_bh_disable}/{@code local_bh_enable} and
 * {@code do_softirq}): a thread that hands a packet to the stack and is not receiving
 * already runs receive dispatch for it at once, to completion; a thread that is inside
 * receive processing queues it on its own per-thread queue, drained when its outermost
 * receive section ends. So the loopback device receives on the sending thread, as Linux's
 * {@code loopback_xmit} → {@code netif_rx} runs the softirq on the sender's CPU when the
 * sender leaves its BH-disabled section, and receive processing never nests: a protocol
 * that sends while it handles input never re-enters input on the same thread.
 *
 * <p>The queue holds at most {@value #MAX_BACKLOG} packets ({@code netdev_max_backlog});
 * beyond that {@link #receive} refuses the packet and the caller counts the drop, as
 * {@code enqueue_to_backlog} drops when the per-CPU backlog is full.
 *
 * <p>Sections that must not run receive dispatch nested inside them (processing a socket's
 * backlog in {@code release_sock}, a network thread draining a device's queue) bracket
 * themselves with {@link #enter()} and {@link #exit()}; packets received meanwhile on the
 * same thread run at the outermost {@link #exit()}.
 */
public final class Softnet {
    /** {@code netdev_max_backlog}: packets one thread may have waiting. */
    public static final int MAX_BACKLOG = 1000;

    private static final ThreadLocal<Softnet> CURRENT = ThreadLocal.withInitial(Softnet::new);

    /** How deep the thread is in receive sections; 0 outside. */
    private int depth;
    private final ArrayDeque<Packet> packets = new ArrayDeque<>();
    private final ArrayDeque<PacketHandler> receivers = new ArrayDeque<>();

    private Softnet() {
    }

    /**
     * {@code netif_rx} on the calling thread: runs {@code receiver.receive(packet)} now, then
     * whatever it queued, when the thread is not in a receive section; queues them otherwise.
     * Returns false, without taking the packet, when the thread's queue is full.
     */
    public static boolean receive(Packet packet, PacketHandler receiver) {
        Softnet softnet = CURRENT.get();
        if (softnet.depth > 0) {
            if (softnet.packets.size() >= MAX_BACKLOG) {
                return false;
            }
            softnet.packets.addLast(packet);
            softnet.receivers.addLast(receiver);
            return true;
        }
        softnet.depth = 1;
        try {
            receiver.receive(packet);
        } finally {
            softnet.leave();
        }
        return true;
    }

    /** {@code local_bh_disable}: receive processing on this thread waits until the matching {@link #exit()}. */
    public static void enter() {
        CURRENT.get().depth++;
    }

    /** {@code local_bh_enable}: at the outermost exit, runs the packets queued meanwhile. */
    public static void exit() {
        Softnet softnet = CURRENT.get();
        if (softnet.depth > 1) {
            softnet.depth--;
        } else {
            softnet.leave();
        }
    }

    /** Whether the calling thread is inside a receive section ({@code in_softirq()}). */
    public static boolean inReceive() {
        return CURRENT.get().depth > 0;
    }

    /** {@code process_backlog} at the end of the outermost section: runs the queue empty, then leaves. */
    private void leave() {
        try {
            Packet packet;
            while ((packet = packets.pollFirst()) != null) {
                PacketHandler receiver = receivers.pollFirst();
                receiver.receive(packet);
            }
        } finally {
            depth = 0;
            if (!packets.isEmpty()) {
                // A receiver threw: what it left is dropped here rather than held by a thread
                // that may never receive again.
                Packet packet;
                while ((packet = packets.pollFirst()) != null) {
                    receivers.pollFirst();
                    packet.release();
                }
            }
        }
    }
}
