package net.tern.udp.impl;

import java.util.ArrayDeque;
import net.tern.api.socket.SocketConstants;
import net.tern.inet.sock.InetSock;
import net.tern.spi.net.Packet;

/**
 * A UDP socket ({@code struct udp_sock}): the inet state plus the receive queue and its
 * memory account, the bind locks that decide what a disconnect gives back, and where the
 * port table has it hashed.
 *
 * <h2>Receive memory ({@code sk_rmem_alloc})</h2>
 * Each queued datagram is charged its {@link #truesize}: the capacity of the buffer holding
 * it plus {@link #PACKET_OVERHEAD}, as Linux charges an skb's {@code truesize} (its data
 * buffer and the {@code sk_buff} itself), so many tiny datagrams in large buffers cannot hold
 * more memory than the budget says. A datagram is queued when the memory already charged is
 * at most {@code SO_RCVBUF} ({@code sk_rcvbuf}, which {@code setsockopt} doubles), so the queue
 * may pass the budget by one datagram, as in {@code __udp_enqueue_schedule_skb}; otherwise it
 * is dropped and counted in {@code RcvbufErrors} and {@code InErrors}. Reading a datagram
 * (not peeking) uncharges it.
 *
 * <p>Guarded by the socket lock ({@link #lock()}); {@link #queued()} and the dead flag are
 * volatile for the lockless {@code poll}.
 */
public final class UdpSock extends InetSock {
    /** What a queued datagram costs beyond its buffer: Linux's {@code sk_buff} and shared info. */
    public static final int PACKET_OVERHEAD = 256;

    private final ArrayDeque<UdpDatagram> receiveQueue = new ArrayDeque<>();
    private volatile int queued;
    private volatile int rmemAlloc;
    private volatile long drops;
    private volatile boolean dead;

    /** {@code SOCK_BINDPORT_LOCK}: the application bound a port itself, so disconnect keeps it. */
    boolean bindPortLocked;
    /** {@code SOCK_BINDADDR_LOCK}: the application bound an address itself, so disconnect keeps it. */
    boolean bindAddrLocked;

    /** The port the table has this socket under, 0 when unhashed. Guarded by the table's lock. */
    int hashedPort;
    /** The connected flow the table has this socket under, or null. Guarded by the table's lock. */
    FlowKey hashedFlow;

    UdpSock(UdpProt prot) {
        super(prot, SocketConstants.IPPROTO_UDP);
    }

    /** The memory a queued {@code packet} is charged. */
    public static int truesize(Packet packet) {
        return packet.buf().capacity() + PACKET_OVERHEAD;
    }

    /** Datagrams queued now (read without the lock by {@code poll}). */
    public int queued() {
        return queued;
    }

    /** Receive memory charged now ({@code sk_rmem_alloc}). */
    public int rmemAlloc() {
        return rmemAlloc;
    }

    /** Datagrams dropped at this socket for want of receive memory ({@code sk_drops}). */
    public long drops() {
        return drops;
    }

    /** Whether the socket is closed or withdrawn: no longer in the table, its queue purged. */
    public boolean isDead() {
        return dead;
    }

    // ---- under the socket lock

    /** {@code __udp_enqueue_schedule_skb}'s admission test: the memory charged is within the budget. */
    boolean hasRoom() {
        return rmemAlloc <= rcvbuf();
    }

    void enqueue(UdpDatagram datagram) {
        receiveQueue.addLast(datagram);
        rmemAlloc += datagram.truesize();
        queued = receiveQueue.size();
    }

    void countDrop() {
        drops++;
    }

    UdpDatagram peek() {
        return receiveQueue.peekFirst();
    }

    /** Takes the head datagram off the queue and uncharges it; the caller owns its packet. */
    UdpDatagram dequeue() {
        UdpDatagram d = receiveQueue.pollFirst();
        if (d != null) {
            rmemAlloc -= d.truesize();
            queued = receiveQueue.size();
        }
        return d;
    }

    /** Releases every queued datagram ({@code skb_queue_purge}) and marks the socket dead. */
    void purgeAndKill() {
        dead = true;
        UdpDatagram d;
        while ((d = receiveQueue.pollFirst()) != null) {
            d.packet().release();
        }
        rmemAlloc = 0;
        queued = 0;
    }
}
