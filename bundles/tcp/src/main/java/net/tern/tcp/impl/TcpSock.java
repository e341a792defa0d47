package net.tern.tcp.impl;

import java.util.ArrayDeque;
import net.tern.inet.route.Rtable;
import net.tern.inet.sock.InetSock;
import net.tern.spi.net.Timeout;
import net.tern.tcp.cc.CaState;
import net.tern.tcp.cc.CongestionControl;
import net.tern.tcp.cc.CongestionController;
import net.tern.tcp.cc.CongestionState;

/**
 * A TCP socket's state ({@code struct tcp_sock}): the send and receive sequence variables of
 * RFC 9293 3.3.1, the queues, the negotiated options, the RTT estimator and timers, the
 * congestion window, and for a listener its accept queue. Fields are package-private and
 * touched only under {@link #lock()} (socket calls, input, timers all take it); the few that
 * {@code tcp_poll} reads without the lock are volatile.
 *
 * <p>It is also the {@link CongestionState} its congestion controller sees.
 */
public final class TcpSock extends InetSock implements CongestionState {
    final Tcp tcp;

    // ---- identity and route
    /** The port was given by bind() with a number ({@code SOCK_BINDPORT_LOCK}). */
    boolean userBound;
    /** The 4-tuple while hashed in the established table. */
    ConnKey key;
    Rtable route;
    boolean orphan;
    boolean everConnected;

    // ---- send sequence space (RFC 9293 3.3.1)
    int iss;
    int sndUna;
    int sndNxt;
    /** The highest sequence number sent ({@code snd_nxt} before a go-back after a timeout). */
    int sndMax;
    int sndWnd;
    int sndWl1;
    int sndWl2;
    int maxWindow;
    final ByteRing sendQueue;
    /** shutdown(SHUT_WR) or close(): a FIN follows the queued data. */
    boolean finQueued;
    /** Our FIN has been acknowledged. */
    boolean finAcked;
    final ArrayDeque<TxSegment> rtxQueue = new ArrayDeque<>();

    // ---- receive sequence space
    int irs;
    int rcvNxt;
    /** The window last advertised, in bytes. */
    int rcvWnd;
    /** {@code rcv_nxt} when the window was last advertised. */
    int rcvWup;
    /** Stream offset of {@code rcv_nxt}: in-order bytes received so far. */
    long rcvOffset;
    final ByteRing recvQueue;
    final OutOfOrderQueue outOfOrder = new OutOfOrderQueue();
    boolean finReceived;
    /** A FIN that arrived beyond {@code rcv_nxt}, with its sequence number. */
    boolean oooFin;
    int oooFinSeq;

    // ---- options
    int mssCache = 536;
    int advmss = 536;
    int rcvMss = 536;
    int userMss;
    int sndWscale;
    int rcvWscale;
    boolean wscaleOk;
    boolean tsOk;
    boolean sackOk;
    int tsRecent;
    long tsRecentStampNanos;
    int tsOffset;
    boolean nodelay;
    int keepIdleSeconds;
    int keepIntvlSeconds;
    int keepCnt;

    // ---- RTT and timers (RFC 6298)
    long srttUs;
    long rttvarUs;
    long rtoUs;
    long minRttUs;
    int backoff;
    int retransmits;
    long retransStampNanos;
    int totalRetrans;
    Timeout rtxTimer;
    int rtxGeneration;
    int delackGeneration;
    int keepaliveGeneration;
    /** What {@link #rtxTimer} is for ({@code icsk_pending}). */
    TcpTimers.Pending pending = TcpTimers.Pending.NONE;
    int probesOut;
    Timeout delackTimer;
    boolean ackPending;
    int quickAcks;
    int unackedFullSegments;
    /** The delayed-ACK engine has seen data ({@code icsk_ack.ato} set). */
    boolean atoInitialised;
    Timeout keepaliveTimer;
    int keepaliveProbes;
    long lastReceivedNanos;
    /** When an ACK last answered an out-of-window segment ({@code last_oow_ack_time}). */
    final long[] lastOowAckNanos = {Long.MIN_VALUE};

    // ---- congestion control
    CongestionControl ccAlgorithm;
    CongestionController cc;
    String ccName;
    int cwnd;
    int ssthresh = Integer.MAX_VALUE;
    int cwndCount;
    int priorCwnd;
    int cwndClamp = Integer.MAX_VALUE;
    volatile CaState caState = CaState.OPEN;
    int highSeq;
    int dupAcks;
    boolean cwndLimited;

    // ---- listener
    int maxBacklog;
    final ArrayDeque<TcpSock> acceptQueue = new ArrayDeque<>();
    final java.util.LinkedHashSet<RequestSock> synQueue = new java.util.LinkedHashSet<>();
    TcpSock parent;

    // ---- what tcp_poll reads without the lock
    volatile int readable;
    volatile int writeSpace;
    volatile int acceptable;

    // ---- statistics (struct tcp_info)
    long bytesAcked;
    long bytesReceived;
    long segsOut;
    long segsIn;
    long dataSegsOut;
    long dataSegsIn;
    /** Data bytes sent, retransmissions included, and of those retransmitted. */
    long bytesSent;
    long bytesRetrans;
    /** When data were last sent ({@code lsndtime}) and received ({@code icsk_ack.lrcvtime}), and an acceptable ACK ({@code rcv_tstamp}). */
    long lastDataSentNanos;
    long lastDataRecvNanos;
    long lastAckRecvNanos;

    TcpSock(Tcp tcp) {
        super(tcp.prot(), 6, tcp.settings().rmemDefault(), tcp.settings().wmemDefault());
        this.tcp = tcp;
        this.sendQueue = new ByteRing(4096);
        this.recvQueue = new ByteRing(4096);
        this.rtoUs = tcp.settings().rtoInitialMillis() * 1000;
        this.writeSpace = sndbuf();
        long now = tcp.clock().nanoTime();
        this.lastDataSentNanos = now;
        this.lastDataRecvNanos = now;
        this.lastAckRecvNanos = now;
    }

    /** The 4-tuple of this socket now. */
    ConnKey connKey() {
        return new ConnKey(saddr(), num(), daddr(), dport());
    }

    /** Bytes queued to send and not yet acknowledged. */
    int sendQueued() {
        return sendQueue.size();
    }

    /** Refreshes what {@code tcp_poll} reads. */
    void publishQueues() {
        readable = recvQueue.size();
        writeSpace = sndbuf() - sendQueue.size();
        acceptable = acceptQueue.size();
    }

    // ---- CongestionState

    @Override
    public int cwnd() {
        return cwnd;
    }

    @Override
    public void cwnd(int segments) {
        cwnd = Math.max(1, Math.min(segments, cwndClamp));
    }

    @Override
    public int ssthresh() {
        return ssthresh;
    }

    @Override
    public int cwndCount() {
        return cwndCount;
    }

    @Override
    public void cwndCount(int count) {
        cwndCount = count;
    }

    @Override
    public int cwndClamp() {
        return cwndClamp;
    }

    @Override
    public int priorCwnd() {
        return priorCwnd;
    }

    @Override
    public int packetsInFlight() {
        return rtxQueue.size();
    }

    @Override
    public int mss() {
        return mssCache;
    }

    @Override
    public long srttMicros() {
        return srttUs;
    }

    @Override
    public long minRttMicros() {
        return minRttUs;
    }

    @Override
    public long nowMicros() {
        return tcp.clock().nanoTime() / 1000;
    }

    @Override
    public boolean isCwndLimited() {
        return cwndLimited;
    }

    @Override
    public CaState caState() {
        return caState;
    }
}
