package net.tern.udp.impl;

import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;
import net.tern.api.socket.Inet6SockAddr;
import net.tern.api.socket.SocketConstants;
import net.tern.inet.ip.TxParams;
import net.tern.inet.route.Rtable;
import net.tern.inet.sock.InetSock;
import net.tern.inet.sock.ProtoMemory;
import net.tern.inet.sock.SockMemory;
import net.tern.spi.net.Packet;
import net.tern.wire.Ipv4Packet;
import net.tern.wire.Ipv6Address;
import net.tern.wire.Ipv6Packet;
import net.tern.wire.UdpPacket;

/**
 * A UDP socket ({@code struct udp_sock}): the inet state plus the receive queue and its
 * memory account, the bind locks that decide what a disconnect gives back, and where the
 * port table has it hashed.
 *
 * <h2>Receive memory ({@code sk_rmem_alloc}, {@code udp_mem})</h2>
 * Each queued datagram is charged its packet's {@link Packet#truesize true size} (the whole
 * buffer holding it, the pool's size class, plus the packet's overhead), as Linux charges an
 * skb's {@code truesize}, so many tiny datagrams in large buffers cannot hold more memory
 * than the budget says. {@link #enqueue} is {@code __udp_enqueue_schedule_skb}: a datagram is
 * refused when the memory already charged is over {@code SO_RCVBUF} ({@code sk_rcvbuf},
 * which {@code setsockopt} doubles), so the queue may pass the budget by one datagram; then
 * its memory is scheduled from UDP's stack-wide pool ({@link SockMemory} against a
 * {@link ProtoMemory} without a pressure state: past {@code udp_mem}'s min only a socket
 * under {@code udp_rmem_min} gets more), which may refuse it too. Reading a datagram (not
 * peeking) uncharges it and gives whole pages back to the pool; closing gives back all.
 *
 * <p>Guarded by the socket lock ({@link #lock()}), except the receive queue and its memory,
 * which the queue's own lock guards ({@code sk_receive_queue.lock}), so that input queues a
 * datagram without the socket; {@link #queued()}, the memory figures and the dead flag are
 * volatile for the lockless {@code poll} and diagnostics.
 */
public final class UdpSock extends InetSock {
    /** What {@link #enqueue} did with a datagram. */
    enum Admission {
        /** Queued and charged. */
        QUEUED,
        /** Refused: the queue is over {@code SO_RCVBUF} ({@code -ENOMEM}, {@code RcvbufErrors}). */
        RCVBUF_FULL,
        /** Refused: UDP's memory pool would not give the socket more ({@code -ENOBUFS}, {@code MemErrors}). */
        NO_MEMORY,
        /** Refused: the socket was closed or withdrawn since it was looked up ({@code InErrors}). */
        DEAD
    }

    /**
     * Datagrams as they arrived ({@code sk_receive_queue}): each packet's data are its
     * payload, and its network and transport headers say who sent it, so queueing one
     * allocates nothing. Its monitor is the queue's lock, held only for a queue operation.
     */
    private final ArrayDeque<Packet> receiveQueue = new ArrayDeque<>();
    private final SockMemory memory;
    private volatile int queued;
    private volatile long drops;
    private static final AtomicLongFieldUpdater<UdpSock> DROPS = AtomicLongFieldUpdater.newUpdater(UdpSock.class, "drops");
    private volatile boolean dead;

    /** {@code SOCK_BINDPORT_LOCK}: the application bound a port itself, so disconnect keeps it. */
    boolean bindPortLocked;
    /** {@code SOCK_BINDADDR_LOCK}: the application bound an address itself, so disconnect keeps it. */
    boolean bindAddrLocked;

    /** The port the table has this socket under, 0 when unhashed. Guarded by the table's lock. */
    int hashedPort;
    /** The connected flow the table has this socket under, or null. Guarded by the table's lock. */
    FlowKey hashedFlow;

    /**
     * {@code sk_dst_cache}: the route {@code sendmsg} looked up last, to {@link #dstDestination}
     * from the source and TOS the socket had then, while the routing tables had generation
     * {@link #dstGenid}; null when none. Guarded by the socket lock.
     */
    private Rtable dst;
    private int dstDestination;
    private int dstSource;
    private int dstTos;
    private int dstGenid;
    /** How the socket's datagrams are sent (its TTL and TOS), made again only when they change. */
    private TxParams txParams = DEFAULT_TX_PARAMS;
    private static final TxParams DEFAULT_TX_PARAMS = new TxParams(SocketConstants.IPPROTO_UDP, -1, 0, false);

    /** A socket of {@code prot}, drawing on UDP's memory pool {@code pool}, which counts it. */
    UdpSock(UdpProt prot, ProtoMemory pool) {
        super(prot, SocketConstants.IPPROTO_UDP);
        this.memory = new SockMemory(pool);
        pool.socketOpened();
    }

    /** Datagrams queued now (read without the lock by {@code poll}). */
    public int queued() {
        return queued;
    }

    /** Receive memory charged now ({@code sk_rmem_alloc}). */
    public int rmemAlloc() {
        return memory.rmemAlloc();
    }

    /** The socket's memory account: charged, and taken ahead from UDP's pool ({@code sk_forward_alloc}). */
    public SockMemory memory() {
        return memory;
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

    /**
     * {@code sk_dst_check}: the cached route to {@code destination} if it was looked up from
     * the socket's source and TOS as they are now, under routing generation {@code genid},
     * and its link is up; else null.
     */
    Rtable dstCheck(int destination, int genid) {
        Rtable rt = dst;
        if (rt != null && dstDestination == destination && dstGenid == genid && dstSource == saddr()
                && dstTos == tos() && rt.link().isUp()) {
            return rt;
        }
        return null;
    }

    /** {@code sk_dst_set}: {@code rt}, looked up for {@code destination} under routing generation {@code genid}. */
    void dstSet(Rtable rt, int destination, int genid) {
        dst = rt;
        dstDestination = destination;
        dstSource = saddr();
        dstTos = tos();
        dstGenid = genid;
    }

    /** The parameters IP sends this socket's datagrams with: its TTL and TOS, no DF. */
    TxParams txParams() {
        TxParams p = txParams;
        if (p.ttl() != ttl() || p.tos() != tos()) {
            p = new TxParams(SocketConstants.IPPROTO_UDP, ttl(), tos(), false);
            txParams = p;
        }
        return p;
    }

    /**
     * {@code __udp_enqueue_schedule_skb}: queues {@code datagram} and charges it, or says why
     * not (the caller counts and releases a refused one). Takes only the queue's own lock
     * ({@code sk_receive_queue.lock}), not the socket's: input queues a datagram while a reader
     * holds the socket in {@code recvmsg}, as Linux's UDP does, instead of leaving it on the
     * socket's backlog for the reader to queue when it lets go. A socket killed meanwhile
     * refuses it ({@link Admission#DEAD}).
     */
    Admission enqueue(Packet datagram) {
        synchronized (receiveQueue) {
            if (dead) {
                return Admission.DEAD;
            }
            // "Always allow at least a packet": only a queue already over the budget refuses.
            if (memory.rmemAlloc() > rcvbuf()) {
                return Admission.RCVBUF_FULL;
            }
            int size = datagram.truesize();
            if (!memory.rmemSchedule(size)) {
                return Admission.NO_MEMORY;
            }
            memory.chargeRecv(size);
            receiveQueue.addLast(datagram);
            queued = receiveQueue.size();
            return Admission.QUEUED;
        }
    }

    /** Counts a drop; atomic, since input counts one without the lock when the backlog is full. */
    void countDrop() {
        DROPS.incrementAndGet(this);
    }

    /**
     * The head datagram, or null. Only readers, who hold the socket lock, take datagrams off
     * the queue, so the head stays while the lock is held.
     */
    Packet peek() {
        synchronized (receiveQueue) {
            return receiveQueue.peekFirst();
        }
    }

    /** Takes the head datagram off the queue and uncharges it; the caller owns it. */
    Packet dequeue() {
        synchronized (receiveQueue) {
            Packet d = receiveQueue.pollFirst();
            if (d != null) {
                memory.unchargeRecv(d.truesize());
                queued = receiveQueue.size();
            }
            return d;
        }
    }

    /** The sender's address of a queued datagram (host order), from its IP header. */
    static int sourceOf(Packet datagram) {
        return Ipv4Packet.source(datagram.buf(), datagram.networkHeader());
    }

    /**
     * The sender of a datagram queued on an IPv6 socket, from its IP and UDP headers: an IPv4
     * sender (a datagram a dual-stack socket took from UDP over IPv4) as {@code ::ffff:a.b.c.d}.
     */
    static Inet6SockAddr source6Of(Packet datagram) {
        int header = datagram.networkHeader();
        Ipv6Address source = (datagram.buf().getByte(header) & 0xf0) == 0x40
                ? InetSock.v4Mapped(Ipv4Packet.source(datagram.buf(), header))
                : Ipv6Packet.at(datagram.buf(), header).source();
        return new Inet6SockAddr(source.high(), source.low(), sourcePortOf(datagram));
    }

    /** The sender's port of a queued datagram, from its UDP header. */
    static int sourcePortOf(Packet datagram) {
        return UdpPacket.at(datagram.buf(), datagram.transportHeader()).sourcePort();
    }

    /**
     * Releases every queued datagram ({@code skb_queue_purge}), gives the socket's memory back
     * to UDP's pool ({@code udp_destruct_sock}) and marks the socket dead. Once only.
     */
    void purgeAndKill() {
        synchronized (receiveQueue) {
            if (dead) {
                return;
            }
            dead = true;
            Packet d;
            while ((d = receiveQueue.pollFirst()) != null) {
                d.release();
            }
            queued = 0;
            memory.releaseAll();
        }
        memory.proto().socketClosed();
    }
}
