package net.tern.tcp.impl;

import java.util.function.Supplier;
import net.tern.api.socket.Errno;
import net.tern.inet.route.Rtable;
import net.tern.inet.sock.InetSock;
import net.tern.inet.sock.SockMemory;
import net.tern.spi.net.Clock;
import net.tern.spi.net.TimerService;
import net.tern.tcp.cc.CaState;
import net.tern.tcp.cc.CongestionState;

/**
 * A TCP socket ({@code struct tcp_sock}), made of parts that own their state and change it
 * only through their methods: the sending half ({@link TcpSender}), the segments in flight
 * with the SACK scoreboard ({@link RtxQueue}), congestion control and loss recovery
 * ({@link TcpCongestion}), the receiving half ({@link TcpReceiver}), the RTT estimator
 * ({@link RttEstimator}), the timers ({@link SockTimers}), the ACK mode ({@link DelayedAck}),
 * what the handshake negotiated ({@link NegotiatedOptions}), the timestamp state
 * ({@link TcpTimestamps}), the options the application set ({@link TcpUserOptions}), the
 * retry and probe counters ({@link TcpRetries}), a listener's queues
 * ({@link RequestSockQueue}) and the {@code tcp_info} statistics ({@link TcpSockStats}). Its
 * own fields (4-tuple, route, bind and orphan flags) are private and change through its
 * methods. Everything is touched only under {@link #lock()} (socket calls, input, timers all
 * take it); the few values {@code tcp_poll} reads without the lock are volatile.
 *
 * <p>It is also the {@link CongestionState} its congestion controller sees.
 */
public final class TcpSock extends InetSock implements CongestionState, PortOwner {
    /** The stack's TCP memory accounting this socket charges ({@code sk_prot->memory_allocated}). */
    private final TcpMemory memory;
    private final Clock clock;
    /** This connection's timers. */
    private final SockTimers timers;
    /** This connection's RTT estimate and RTO. */
    private final RttEstimator rtt;
    /** The receiving half of this connection. */
    private final TcpReceiver rcv;
    /** The sending half of this connection. */
    private final TcpSender snd;
    /** This connection's congestion control and loss recovery. */
    private final TcpCongestion ca;
    /** This connection's ACK mode ({@code icsk_ack}). */
    private final DelayedAck ackMode = new DelayedAck();

    // ---- identity and route
    /** The port was given by bind() with a number ({@code SOCK_BINDPORT_LOCK}). */
    private boolean userBound;
    /** This socket's place on its port's owner list in the bind hash ({@link PortOwner}). */
    private int ownerSlot = NOT_LISTED;
    /** The 4-tuple while hashed in the established table, else null. */
    private ConnKey key;
    /** The cached route ({@code sk_dst_cache}), null until looked up or once obsolete. */
    private Rtable route;
    /**
     * An IPv6 connection's cached route, as {@code TcpIpv6} keeps it; untyped here so that TCP
     * over IPv4 runs without the inet6 bundle's classes.
     */
    private Object route6;
    /** {@code icsk_af_ops}: the network layer of its family. */
    private TcpAfOps af;
    /** The application has closed it ({@code SOCK_DEAD}): nobody will read or write it any more. */
    private boolean orphan;
    /** It reached ESTABLISHED since its last connect or disconnect. */
    private boolean everConnected;
    /** {@code SOCK_RCVBUF_LOCK}, {@code SOCK_SNDBUF_LOCK}: the application set the buffer, autotuning leaves it. */
    private boolean rcvbufLocked;
    private boolean sndbufLocked;

    // ---- sending: the send sequence space, queue and FIN are the sender's, the segments in flight the RtxQueue's
    /** Segments sent and not yet acknowledged, with the SACK scoreboard ({@code tcp_rtx_queue}). */
    private final RtxQueue rtx = new RtxQueue();
    /** Made when a chronograph first starts: a connection that never queued data holds none. */
    private TcpChrono chrono;
    /**
     * The packets Linux would hand a device with segmentation offload, and their PSH: made when
     * data are first sent or acknowledged, so an idle end and one that only receives hold none.
     */
    private TcpTso tso;
    // ---- receiving: the sequence space, window, memory clamp (rcv_ssthresh), queues, FIN and D-SACK are the receiver's

    // ---- options
    /** What the handshake negotiated: window scale, timestamps, SACK, the MSS ({@code rx_opt}, {@code mss_cache}). */
    private final NegotiatedOptions opts = new NegotiatedOptions();
    /** TS.Recent with its PAWS stamp, and this connection's timestamp offset. */
    private final TcpTimestamps ts = new TcpTimestamps();
    /** The keepalive times and count, the TIME-WAIT length, as the application set them. */
    private TcpUserOptions userOptions;

    // ---- retries and probes
    /** Retransmission timeouts, backoff and probes unanswered ({@code icsk_retransmits}, {@code icsk_backoff}, ...). */
    private final TcpRetries retries = new TcpRetries();
    /** When an ACK last answered an out-of-window segment ({@code last_oow_ack_time}). */
    private OowRateLimit oowRateLimit;

    // ---- congestion control and loss recovery are the connection's TcpCongestion

    // ---- listener
    /**
     * A listener's SYN and accept queues with its backlog ({@code icsk_accept_queue}), made at
     * first use: a connection never has them, and they cost an idle connection about 250 bytes.
     */
    private RequestSockQueue acceptQueue;
    /** The listener whose accept queue holds this connection, until accept() or the listener's close. */
    private TcpSock parent;

    // ---- memory: the receive and send queues charged at their true size (TcpMemory)
    private final SockMemory mem;

    // ---- what tcp_poll reads without the lock
    private volatile int readable;
    /** {@link TcpMemory#sndbufUsed}: the send buffer as Linux counts it. */
    private volatile long sndbufUsed;
    /** The stack refused the send queue memory to grow ({@link TcpSender#memoryLimited}). */
    private volatile boolean memoryLimited;
    /** The bytes queued and not yet sent ({@code write_seq - snd_nxt}), for TCP_NOTSENT_LOWAT. */
    private volatile int notSent;
    private volatile int acceptable;
    /**
     * {@code SOCK_NOSPACE}: a writer found the socket not writable (a send that could not
     * queue everything, a poll without EPOLLOUT), so {@code sk_stream_write_space} wakes
     * writers once it is writable again; set without the lock by poll, as Linux's set_bit.
     */
    private volatile boolean noSpace;

    /** This connection's {@code tcp_info} statistics. */
    private final TcpSockStats stats;

    /**
     * The first array of each byte ring: small, since the ring doubles to what a write or the
     * window needs. A connection that exchanges a request and a reply of a few bytes (connection
     * rate, request/response) then zeroes and holds four small arrays rather than 16 KiB.
     */
    static final int RING_FIRST_CAPACITY = 64;

    TcpSock(TcpProt prot, Supplier<TcpSettings> stackSettings, TcpMemory memory, Clock clock, TimerService timerService,
            TcpTimers timerHandlers, CongestionRegistry registry, TcpCounters counters) {
        super(prot, 6, stackSettings.get().rmemDefault(), stackSettings.get().wmemDefault());
        TcpSettings settings = stackSettings.get();
        this.ca = new TcpCongestion(this, stackSettings, registry, counters, clock);
        this.memory = memory;
        this.clock = clock;
        this.timers = new SockTimers(this, clock, timerService, timerHandlers);
        this.snd = new TcpSender(RING_FIRST_CAPACITY);
        this.rcv = new TcpReceiver(RING_FIRST_CAPACITY);
        this.mem = new SockMemory(memory.pool());
        memory.opened(this);
        this.rtt = new RttEstimator(settings.rtoInitialMillis() * 1000);
        this.stats = new TcpSockStats(clock.nanoTime());
    }

    /** This connection's ACK mode ({@code icsk_ack}): an ACK owed, quick ACKs, interactive mode. */
    DelayedAck ackMode() {
        return ackMode;
    }

    /** This connection's congestion control and loss recovery. */
    TcpCongestion ca() {
        return ca;
    }

    /** The sending half of this connection. */
    TcpSender snd() {
        return snd;
    }

    /** The receiving half of this connection. */
    TcpReceiver rcv() {
        return rcv;
    }

    /** What the handshake negotiated: window scale, timestamps, SACK, the MSS. */
    NegotiatedOptions opts() {
        return opts;
    }

    /** The keepalive times and count, the TIME-WAIT length, as the application set them. */
    TcpUserOptions userOptions() {
        return userOptions == null ? TcpUserOptions.NONE_SET : userOptions;
    }

    /** This socket's own options to set, made at the first (a connection that sets none holds none). */
    TcpUserOptions userOptionsToSet() {
        if (userOptions == null) {
            userOptions = new TcpUserOptions();
        }
        return userOptions;
    }

    /** TS.Recent with its PAWS stamp, and this connection's timestamp offset. */
    TcpTimestamps ts() {
        return ts;
    }

    /** Retransmission timeouts, backoff and probes unanswered. */
    TcpRetries retries() {
        return retries;
    }

    /** When an ACK last answered an out-of-window segment ({@code last_oow_ack_time}). */
    OowRateLimit oowRateLimit() {
        if (oowRateLimit == null) {
            oowRateLimit = new OowRateLimit(); // at the first invalid segment answered: most connections see none
        }
        return oowRateLimit;
    }

    /** This connection's {@code tcp_info} statistics. */
    TcpSockStats stats() {
        return stats;
    }

    /** This connection's RTT estimate and RTO. */
    RttEstimator rtt() {
        return rtt;
    }

    /** This connection's timers. */
    SockTimers timers() {
        return timers;
    }

    /**
     * Cancels every timer ({@code tcp_clear_xmit_timers}, keepalive). Clearing the delayed-ACK
     * timer clears the ACK it was for, as {@code inet_csk_clear_xmit_timers} clears
     * {@code icsk_ack.pending}: a closed socket owes no ACK, and a stale mark would send one
     * on the next connection of this socket.
     */
    void clearXmitTimers() {
        timers.clearAll();
        ackMode.clearPending();
    }

    /** The segments sent and not yet acknowledged, with the SACK scoreboard. */
    /**
     * The connection's {@link TcpTso}, made at first use with the pacing rate the handshake left
     * ({@code tcp_update_pacing_rate} of the handshake: nothing since moved cwnd or SRTT, as only
     * ACKs of data do).
     */
    TcpTso tso() {
        if (tso == null) {
            tso = new TcpTso();
            tso.updatePacingRate(this);
        }
        return tso;
    }

    /** {@code tcp_write_xmit} starts: a packet being measured ends here ({@link TcpTso#startXmit}), if any was. */
    void startTsoXmit() {
        if (tso != null) {
            tso.startXmit();
        }
    }

    RtxQueue rtx() {
        return rtx;
    }

    /** Empties the retransmission queue and its scoreboard. */
    void clearRtxQueue() {
        rtx.clear();
        memory.settleSend(this);
    }

    @Override
    public int ownerSlot() {
        return ownerSlot;
    }

    @Override
    public void ownerSlot(int slot) {
        ownerSlot = slot;
    }

    // ---- identity and route

    /** The port was given by bind() with a number, and stays bound when the connection ends. */
    boolean userBound() {
        return userBound;
    }

    /** bind() chose the port: by number ({@code SOCK_BINDPORT_LOCK}) or, for 0, as any ephemeral port. */
    void userBound(boolean byNumber) {
        userBound = byNumber;
    }

    /** The 4-tuple under which this connection is in the established hash, or null. */
    ConnKey key() {
        return key;
    }

    /** This connection was hashed under {@code hashed} in the established table. */
    void setKey(ConnKey hashed) {
        key = hashed;
        timers.onFlow(hashed.flowHash());
    }

    /** This connection left the established hash ({@code inet_unhash}, or replaced by a TIME-WAIT entry). */
    void clearKey() {
        key = null;
    }

    /** The cached route ({@code __sk_dst_get}), or null. */
    Rtable route() {
        return route;
    }

    /** {@code sk_dst_set}: {@code rt} is the route to the peer until it goes stale. */
    void dstSet(Rtable rt) {
        route = rt;
    }

    /** {@code sk_dst_reset}: the route is looked up again before the next segment. */
    void dstReset() {
        route = null;
        route6 = null;
    }

    Object route6() {
        return route6;
    }

    void route6(Object dst) {
        route6 = dst;
    }

    /** {@code icsk_af_ops}: {@link Ipv4Specific} unless the socket is of AF_INET6. */
    TcpAfOps af() {
        return af;
    }

    /** Sets the network layer, and the MSS's header length with it. */
    void af(TcpAfOps ops) {
        af = ops;
        opts().netHeaderLength(ops.netHeaderLength());
    }

    /** Whether the application has closed it ({@code sock_flag(sk, SOCK_DEAD)}). */
    boolean orphaned() {
        return orphan;
    }

    /** The application closed it, or nobody ever will accept it ({@code sock_orphan}). */
    void setOrphan() {
        orphan = true;
    }

    /** Whether it reached ESTABLISHED since its last connect or disconnect. */
    boolean everConnected() {
        return everConnected;
    }

    /** {@code SOCK_RCVBUF_LOCK}: {@code SO_RCVBUF} was set, so the receive buffer is not autotuned. */
    boolean rcvbufLocked() {
        return rcvbufLocked;
    }

    /** {@code SOCK_SNDBUF_LOCK}: {@code SO_SNDBUF} was set, so the send buffer is not autotuned. */
    boolean sndbufLocked() {
        return sndbufLocked;
    }

    /** {@code sk_userlocks}' buffer bits, as {@code sock_setsockopt} sets them or {@code sk_clone_lock} copies them. */
    void lockBuffers(boolean rcvbuf, boolean sndbuf) {
        rcvbufLocked |= rcvbuf;
        sndbufLocked |= sndbuf;
    }

    /** It reached ESTABLISHED ({@code true}), or was disconnected ({@code false}). */
    void everConnected(boolean connected) {
        everConnected = connected;
    }

    /** Its receive and send memory as charged ({@code sk_rmem_alloc}, {@code sk_wmem_queued}, {@code sk_forward_alloc}). */
    SockMemory mem() {
        return mem;
    }

    /** The 4-tuple of this socket now. */
    ConnKey connKey() {
        return new ConnKey(saddr(), num(), daddr(), dport());
    }

    /** Bytes queued to send and not yet acknowledged. */
    int sendQueued() {
        return snd.queue().size();
    }

    /**
     * The most the send ring may grow to: {@code SO_SNDBUF} and one skb of the most a device's
     * segmentation offload takes, since a write that finds the buffer not full fills the skb it
     * starts ({@link TcpMemory#skStreamMemoryFree}).
     */
    int sendLimit() {
        return (int) Math.min(Integer.MAX_VALUE, (long) sndbuf() + TcpTso.GSO_MAX_SIZE);
    }

    /** Refreshes what {@code tcp_poll} reads. */
    void publishQueues() {
        readable = rcv.queued();
        sndbufUsed = TcpMemory.sndbufUsed(this);
        memoryLimited = snd.memoryLimited();
        notSent = snd.notSent();
        acceptable = acceptQueue == null ? 0 : acceptQueue.acceptqLen();
    }

    /** Bytes to read, as last published: read by {@code tcp_poll} without the lock. */
    int pollReadable() {
        return readable;
    }

    /** The send buffer used as Linux counts it, as last published: read by {@code tcp_poll} without the lock. */
    long pollSndbufUsed() {
        return sndbufUsed;
    }

    /** Whether the stack refused the send queue memory, as last published: read by {@code tcp_poll} without the lock. */
    boolean pollMemoryLimited() {
        return memoryLimited;
    }

    /** Bytes queued and not yet sent, as last published: read by {@code tcp_poll} without the lock. */
    int pollNotSent() {
        return notSent;
    }

    /** The sending-time chronographs of {@code TCP_INFO} ({@code chrono_type}, {@code chrono_stat}), to start one. */
    TcpChrono chrono() {
        if (chrono == null) {
            chrono = new TcpChrono();
        }
        return chrono;
    }

    /** {@code tcp_chrono_stop}: nothing to stop before one ever started. */
    void chronoStop(int kind, long nowNanos) {
        if (chrono != null) {
            chrono.chronoStop(kind, queuesEmpty(), nowNanos);
        }
    }

    /** The chronographs to read, or null while none ever started (every time is 0). */
    TcpChrono chronoIfStarted() {
        return chrono;
    }

    /** {@code tcp_rtx_and_write_queues_empty}: nothing sent unacknowledged and nothing unsent. */
    boolean queuesEmpty() {
        return rtx.isEmpty() && snd.notSent() == 0;
    }

    /** {@code SOCK_NOSPACE}: whether a writer found the socket full since it was last woken. */
    boolean noSpace() {
        return noSpace;
    }

    /** Sets or clears {@code SOCK_NOSPACE} (poll sets it without the lock). */
    void noSpace(boolean full) {
        noSpace = full;
    }

    /** Connections waiting for accept(), as last published: read by {@code tcp_poll} without the lock. */
    int pollAcceptable() {
        return acceptable;
    }

    /** A listener's SYN and accept queues with its backlog ({@code icsk_accept_queue}). */
    RequestSockQueue acceptQueue() {
        RequestSockQueue queue = acceptQueue;
        if (queue == null) {
            queue = new RequestSockQueue();
            acceptQueue = queue;
        }
        return queue;
    }

    /** The listener whose accept queue holds this connection, or null. */
    TcpSock parent() {
        return parent;
    }

    /** A passive open's child is born to {@code listener}; null once accepted or abandoned. */
    void parent(TcpSock listener) {
        parent = listener;
    }

    // ---- CongestionState

    @Override
    public int cwnd() {
        return ca.cwnd();
    }

    @Override
    public void cwnd(int segments) {
        ca.setCwnd(segments);
    }

    @Override
    public int ssthresh() {
        return ca.ssthresh();
    }

    @Override
    public void ssthresh(int segments) {
        ca.setSsthresh(segments);
    }

    @Override
    public int cwndCount() {
        return ca.cwndCount();
    }

    @Override
    public void cwndCount(int count) {
        ca.setCwndCount(count);
    }

    @Override
    public int cwndClamp() {
        return ca.cwndClamp();
    }

    @Override
    public int priorCwnd() {
        return ca.priorCwnd();
    }

    @Override
    public int packetsInFlight() {
        // tcp_packets_in_flight: packets_out - (sacked_out + lost_out) + retrans_out, RFC 6675's pipe.
        return rtx.packetsInFlight();
    }

    @Override
    public int mss() {
        return opts.mssCache();
    }

    @Override
    public long srttMicros() {
        return rtt.srttUs();
    }

    @Override
    public long minRttMicros() {
        return rtt.minRttUs();
    }

    @Override
    public long nowMicros() {
        return clock.nanoTime() / 1000;
    }

    @Override
    public boolean isCwndLimited() {
        return ca.isCwndLimited();
    }

    @Override
    public CaState caState() {
        return ca.caState();
    }

    @Override
    public int sndUna() {
        return snd.sndUna();
    }

    @Override
    public int sndNxt() {
        return snd.sndNxt();
    }

    @Override
    public long lastSendMicros() {
        return stats.lastDataSentNanos() / 1000;
    }
}
