package net.tern.tcp.impl;

import java.util.function.Supplier;
import net.tern.inet.sock.ProtoMemory;
import net.tern.inet.sock.SockMemory;
import net.tern.spi.net.Clock;

/**
 * TCP's memory accounting, as Linux keeps it ({@code tcp_prot}'s {@code memory_allocated}
 * and {@code tcp_mem}, each socket's {@code sk_rmem_alloc} and {@code sk_wmem_queued}):
 * every buffer a socket holds is charged at its true size to the socket's budget and, in
 * pages, to the stack-wide {@link ProtoMemory} shared by every TCP socket.
 *
 * <h2>What is charged</h2>
 * <ul>
 * <li>Receive ({@code sk_rmem_alloc}, against {@code SO_RCVBUF}): the receive ring's array
 *     ({@link ByteRing#truesize()}), which holds the in-order data and the out-of-order data
 *     at their places, and one {@link OutOfOrderQueue#ENTRY_TRUESIZE} per out-of-order run.
 *     The ring grows to at most the window's share of the buffer ({@link #fullSpace},
 *     {@code tcp_win_from_space} with {@code tcp_adv_win_scale}); the rest of the buffer is
 *     for the runs' bookkeeping, as Linux keeps it for skb overhead.</li>
 * <li>Send ({@code sk_wmem_queued}): the send ring's array and one
 *     {@link #TX_SEGMENT_TRUESIZE} per segment in the retransmission queue. What
 *     {@code SO_SNDBUF} admits is counted as Linux counts it ({@link #sndbufUsed}): the bytes
 *     queued plus {@link #SKB_OVERHEAD} per skb Linux would hold for them, tested when a write
 *     starts an skb ({@code sk_stream_memory_free}), so a write may pass the buffer by the rest
 *     of one skb, and writers are woken when a third of the buffer is free
 *     ({@link #streamWriteable}), both as on Linux. The ring grows to at most the buffer plus
 *     one skb's most ({@link TcpSock#sendLimit}).</li>
 * </ul>
 *
 * <h2>When a segment would exceed the budget</h2>
 * {@link #tryRmemSchedule} is {@code tcp_try_rmem_schedule}: when the socket's receive memory
 * with the segment's cost would pass {@code SO_RCVBUF}, or the stack refuses the pages
 * ({@code tcp_mem}), {@code tcp_prune_queue} runs ({@code PruneCalled}): it clamps the window,
 * then (there is nothing to collapse: the ring holds every byte once, contiguous runs are
 * one entry) prunes the out-of-order queue from its far end ({@code tcp_prune_ofo_queue},
 * {@code OfoPruned}), keeping the data nearest {@code rcv_nxt} and anything before the
 * arriving segment; if that is not enough the segment is dropped ({@code RcvPruned}, and the
 * caller counts {@code TCPOFODrop} or {@code TCPRcvQDrop}). Pruned data were never
 * acknowledged (only SACKed, which RFC 2018 lets a receiver take back); the SACK blocks sent
 * after are the runs still held. Unlike Linux, which tests the memory before adding the
 * segment and so may pass the budget by one skb, the test includes the segment: the budget
 * is a bound.
 *
 * <h2>Memory pressure</h2>
 * Above {@code tcp_mem}'s pressure mark ({@code TCPMemoryPressures}), windows are clamped to
 * four segments as they shrink ({@code tcp_adjust_rcv_ssthresh}), they do not grow back,
 * pruning goes on past the socket's budget, and rings emptied by the reader or by ACKs give
 * their arrays back. Above max, charges are refused: arriving data are dropped and counted,
 * and a sender whose queue must grow waits ({@code EAGAIN}, not writable) until ACKs free
 * room in the memory it holds. Pressure ends when the total falls under min
 * ({@code TCPMemoryPressuresChrono} adds its length in ms).
 *
 * <p>Every method runs under the socket's lock, except the pool's own atomics.
 */
final class TcpMemory {
    /**
     * Heap per retransmission-queue segment: a {@link TxSegment} with the two links
     * that chain it into its queue (64 bytes without compressed references; no list node).
     */
    static final int TX_SEGMENT_TRUESIZE = 64;
    /**
     * What an skb of the send queues costs Linux beyond its data: {@code SKB_TRUESIZE} of the
     * head {@code tcp_stream_alloc_skb} allocates, the data being in page fragments. Measured on
     * Linux 6.18 (x86_64) as {@code ss -m}'s {@code w} less the bytes queued: 932 for one skb of
     * 100 bytes, 33664 for two of 16000.
     */
    static final int SKB_OVERHEAD = 832;

    private final Clock clock;
    private final Supplier<TcpSettings> settings;
    private final TcpCounters counters;
    private final ProtoMemory pool;
    /** Buffer autotuning, which grows the budgets this accounting holds sockets to. */
    private final TcpBufferTuning tuning;

    /** The pool starts with the settings of now; every later use reads {@code settings} afresh. */
    TcpMemory(Clock clock, Supplier<TcpSettings> settings, TcpCounters counters) {
        this.clock = clock;
        this.settings = settings;
        this.counters = counters;
        TcpSettings.Memory initial = settings.get().memory();
        this.pool = new ProtoMemory("TCP", clock, initial.tcpMem(), initial.rmemMin(), initial.wmemMin(),
                new ProtoMemory.PressureListener() {
                    @Override
                    public void entered() {
                        counters.inc(TcpExtMib.TCPMemoryPressures);
                    }

                    @Override
                    public void left(long millis) {
                        counters.add(TcpExtMib.TCPMemoryPressuresChrono, millis);
                    }
                });
        this.tuning = new TcpBufferTuning(clock, settings, this);
    }

    /** Buffer autotuning ({@code tcp_rcv_space_adjust}, {@code tcp_sndbuf_expand}, ...). */
    TcpBufferTuning tuning() {
        return tuning;
    }

    /** The stack-wide pool ({@code tcp_memory_allocated}, {@code tcp_mem}). */
    ProtoMemory pool() {
        return pool;
    }

    /** {@code sysctl -w net.ipv4.tcp_mem / tcp_rmem / tcp_wmem}: in place, nothing taken back. */
    void reconfigure(TcpSettings.Memory settings) {
        pool.limits(settings.tcpMem());
        pool.minimums(settings.rmemMin(), settings.wmemMin());
    }

    private TcpSettings.Memory settings() {
        return settings.get().memory();
    }

    // ---- windows from the buffer (tcp_full_space, tcp_space)

    /** {@code tcp_full_space}: the window the whole receive buffer offers; the receive ring's limit. */
    int fullSpace(TcpSock sk) {
        return Math.max(0, settings().winFromSpace(sk.rcvbuf()));
    }

    /**
     * {@code tcp_space}: the window the buffer offers now, less the data queued for the reader;
     * none while the memory charged is over the budget (a buffer shrunk under its data).
     */
    int space(TcpSock sk) {
        if (sk.mem().rmemAlloc() > sk.rcvbuf()) {
            return 0;
        }
        return Math.max(0, fullSpace(sk) - sk.rcv().queued());
    }

    /** {@code rcv_ssthresh} as {@code tcp_info} reports it: the clamp, or the full window when there is none. */
    int rcvSsthresh(TcpSock sk) {
        return Math.min(sk.rcv().rcvSsthresh(), fullSpace(sk));
    }

    /**
     * {@code tcp_clamp_window}: the socket is at its budget (a segment's {@code size} more
     * would pass it; Linux's check, made after the skb was counted, is {@code sk_rmem_alloc}
     * over {@code sk_rcvbuf}): no more quick ACKs; the buffer becomes what the socket holds
     * with the segment, up to {@code tcp_rmem[2]}, when the application did not set it and
     * TCP's memory is under {@code tcp_mem}'s min and not under pressure; if it still does not
     * fit, the window offers two segments until data in order let it grow back.
     */
    private void clampWindow(TcpSock sk, int size) {
        sk.ackMode().stopQuickAcks();
        int max = settings.get().rmemMax();
        if (sk.rcvbuf() < max && !sk.rcvbufLocked() && !pool.underPressure()
                && pool.allocatedPages() < pool.limits().min()) {
            long held = sk.mem().rmemAlloc() + (long) size;
            sk.rcvbuf((int) Math.max(sk.rcvbuf(), Math.min(held, max)));
        }
        if (!fits(sk, size)) {
            sk.rcv().clampWindow(Math.min(fullSpace(sk), 2 * sk.opts().advmss()));
        }
    }

    /** {@code tcp_adjust_rcv_ssthresh}: under memory pressure, offer at most four segments. */
    void adjustRcvSsthresh(TcpSock sk) {
        sk.rcv().adjustRcvSsthresh(4 * sk.opts().advmss());
    }

    /**
     * {@code tcp_grow_window}: a segment of {@code length} bytes that costs {@code truesize}
     * bytes of memory lets the window grow ({@code rcv_ssthresh}) by two segments, or twice its
     * data, up to the window the buffer allows and the space free, when such segments would fit
     * the buffer (check #2: the window's share of their memory is at most their data, else
     * {@link #slowGrowWindow}); the peer hears of it at once. Under memory pressure the window
     * is clamped instead.
     */
    void growWindow(TcpSock sk, int length, int truesize) {
        int room = Math.min(fullSpace(sk), space(sk)) - sk.rcv().rcvSsthresh();
        if (room <= 0) {
            return;
        }
        if (pool.underPressure()) {
            adjustRcvSsthresh(sk);
            return;
        }
        TcpSettings.Memory m = settings();
        int incr = m.winFromSpace(truesize) <= length ? 2 * sk.opts().advmss() : slowGrowWindow(sk, length, truesize);
        if (incr > 0) {
            incr = Math.max(incr, 2 * length);
            sk.ackMode().quickAckOnce(); // icsk_ack.quick |= 1: tell the peer at once
            sk.rcv().growRcvSsthresh(Math.min(room, incr));
        }
    }

    /**
     * {@code __tcp_grow_window}: a segment whose memory is large for its data still lets the
     * window grow (by two segments) while the window is small beside {@code tcp_rmem[2]}: the
     * more so the smaller, halving both sides until its data pass its memory's share.
     */
    private int slowGrowWindow(TcpSock sk, int length, int truesize) {
        TcpSettings.Memory m = settings();
        int share = m.winFromSpace(truesize) >> 1;
        int window = m.winFromSpace(settings.get().rmemMax()) >> 1;
        while (sk.rcv().rcvSsthresh() <= window) {
            if (share <= length) {
                return 2 * sk.opts().rcvMss();
            }
            share >>= 1;
            window >>= 1;
        }
        return 0;
    }

    // ---- receive memory

    /** What the receive ring would newly take to hold {@code needed} bytes from its head. */
    static int ringGrowth(ByteRing ring, int needed) {
        int capacity = ring.capacityFor(needed);
        if (capacity == ring.capacity()) {
            return 0;
        }
        return capacity - ring.capacity() + (ring.capacity() == 0 ? ByteRing.ARRAY_OVERHEAD : 0);
    }

    /** The receive memory {@code sk} holds now: the packets queued, its ring and its out-of-order runs. */
    static long recvTruesize(TcpSock sk) {
        return sk.rcv().sliceTruesize() + sk.rcv().queue().truesize() + sk.rcv().outOfOrder().truesize();
    }

    /**
     * Brings {@code sk_rmem_alloc} to what the receive queues hold, after they changed: a
     * growth was made room for by {@link #tryRmemSchedule} (or is forced), a release gives
     * whole pages back.
     */
    void settleRecv(TcpSock sk) {
        long delta = recvTruesize(sk) - sk.mem().rmemAlloc();
        if (delta > 0) {
            sk.mem().forceSchedule((int) delta);
            sk.mem().chargeRecv((int) delta);
        } else if (delta < 0) {
            sk.mem().unchargeRecv((int) -delta);
        }
    }

    /**
     * {@code tcp_try_rmem_schedule}: makes room for {@code size} more bytes of receive memory
     * for a segment starting at stream offset {@code keepFrom}, pruning if the socket's budget
     * or the stack's {@code tcp_mem} says no; false when the segment must be dropped.
     */
    boolean tryRmemSchedule(TcpSock sk, int size, long keepFrom) {
        if (sk.mem().rmemAlloc() + (long) size <= sk.rcvbuf() && sk.mem().rmemSchedule(size)) {
            return true;
        }
        if (!pruneQueue(sk, size, keepFrom)) {
            return false;
        }
        while (!sk.mem().rmemSchedule(size)) {
            if (!pruneOfoQueue(sk, size, keepFrom)) {
                return false;
            }
        }
        return true;
    }

    /** The socket's receive memory with {@code size} more is within its budget. */
    private static boolean fits(TcpSock sk, int size) {
        return sk.mem().rmemAlloc() + (long) size <= sk.rcvbuf();
    }

    /**
     * {@code tcp_prune_queue}: true when {@code size} more bytes fit the socket's budget
     * afterwards. Clamps the window, then prunes the out-of-order queue; counts
     * {@code PruneCalled} and, when even that is not enough, {@code RcvPruned}.
     */
    private boolean pruneQueue(TcpSock sk, int size, long keepFrom) {
        counters.inc(TcpExtMib.PruneCalled);
        if (!fits(sk, size)) {
            clampWindow(sk, size);
        } else if (pool.underPressure()) {
            adjustRcvSsthresh(sk);
        }
        if (fits(sk, size)) {
            return true;
        }
        // tcp_collapse_ofo_queue / tcp_collapse have nothing to do: the ring holds every byte
        // once, and adjoining runs are one entry already.
        pruneOfoQueue(sk, size, keepFrom);
        if (fits(sk, size)) {
            return true;
        }
        counters.inc(TcpExtMib.RcvPruned);
        return false;
    }

    /**
     * {@code tcp_prune_ofo_queue}: drops out-of-order runs from the far end, at least an
     * eighth of the buffer's worth at a time ({@code sk_rcvbuf >> 3}, so a peer cannot make
     * it work per segment), until {@code size} more bytes fit and the stack is not under
     * pressure, never a run starting before {@code keepFrom}. Counts {@code OfoPruned}; the
     * SACK blocks sent from now on are the runs left. Returns whether anything was dropped.
     */
    boolean pruneOfoQueue(TcpSock sk, int size, long keepFrom) {
        OutOfOrderQueue ooo = sk.rcv().outOfOrder();
        boolean pruned = false;
        long goal = sk.rcvbuf() >> 3;
        while (!ooo.isEmpty()) {
            long dropped = ooo.pruneLast(keepFrom);
            if (dropped < 0) {
                break;
            }
            pruned = true;
            goal -= OutOfOrderQueue.ENTRY_TRUESIZE;
            if (ooo.isEmpty() || goal <= 0) {
                settleRecv(sk);
                if (fits(sk, size) && !pool.underPressure()) {
                    break;
                }
                goal = sk.rcvbuf() >> 3;
            }
        }
        if (pruned) {
            counters.inc(TcpExtMib.OfoPruned);
            trimPlaced(sk);
            settleRecv(sk);
        }
        return pruned;
    }

    /** The ring forgets placed bytes past the last run held (pruned, or dropped with the queue). */
    static void trimPlaced(TcpSock sk) {
        long end = sk.rcv().outOfOrder().highestEnd();
        int placed = end < 0 ? 0 : (int) (end - sk.rcv().offset());
        sk.rcv().queue().trimPlaced(sk.rcv().queue().size() + Math.max(0, placed));
    }

    /** Drops the out-of-order queue (a FIN, a reset, a disconnect) and settles the charge. */
    void clearOutOfOrder(TcpSock sk) {
        sk.rcv().outOfOrder().clear();
        trimPlaced(sk);
        settleRecv(sk);
    }

    // ---- send memory

    /** The send memory {@code sk} holds now: its ring and its retransmission queue's segments. */
    static long sendTruesize(TcpSock sk) {
        return sk.snd().queue().truesize() + (long) sk.rtx().size() * TX_SEGMENT_TRUESIZE;
    }

    /** Brings {@code sk_wmem_queued} to what the send queues hold (segments sent are charged whatever the limits). */
    void settleSend(TcpSock sk) {
        long delta = sendTruesize(sk) - sk.mem().wmemQueued();
        if (delta > 0) {
            sk.mem().forceSchedule((int) delta);
            sk.mem().chargeSend((int) delta);
        } else if (delta < 0) {
            sk.mem().unchargeSend((int) -delta);
        }
    }

    /**
     * {@code sk_wmem_queued} as Linux counts it against {@code SO_SNDBUF}: the bytes queued
     * (unsent and unacknowledged) and {@link #SKB_OVERHEAD} for each skb that holds them, those
     * in flight ({@link TxList#skbs}) and those not sent ({@link TcpSender#unsentSkbs}).
     */
    static long sndbufUsed(TcpSock sk) {
        return sk.snd().queue().size() + (long) SKB_OVERHEAD * (sk.rtx().skbs() + sk.snd().unsentSkbs());
    }

    /**
     * {@code sk_stream_memory_free}, as {@code tcp_sendmsg} asks it before it starts an skb:
     * the send buffer is not full ({@link #sndbufUsed} below {@code SO_SNDBUF}) and fewer than
     * TCP_NOTSENT_LOWAT bytes wait unsent ({@link #streamMemoryFree}).
     */
    boolean skStreamMemoryFree(TcpSock sk) {
        return sndbufUsed(sk) < sk.sndbuf() && streamMemoryFree(sk, sk.snd().notSent(), 0);
    }

    /**
     * How many of {@code wanted} bytes the application's data may take of memory now
     * ({@code sk_wmem_schedule}): what the ring may grow to ({@link TcpSock#sendLimit}) and
     * whose growth the stack grants; {@code SO_SNDBUF} itself is tested per skb
     * ({@link #skStreamMemoryFree}). An empty queue may always grow to take one segment
     * ({@code sk_forced_mem_schedule} of the first skb), so a sender is never stuck waiting
     * for an ACK that cannot come. Returns 0 when the sender must wait.
     */
    int sendRoom(TcpSock sk, int wanted) {
        ByteRing ring = sk.snd().queue();
        int limit = sk.sendLimit();
        ring.limit(limit);
        int n = Math.min(wanted, limit - ring.size());
        if (n <= 0) {
            return 0;
        }
        int growth = ringGrowth(ring, ring.size() + n);
        if (growth == 0 || sk.mem().wmemSchedule(growth)) {
            return n;
        }
        if (ring.isEmpty() && sk.rtx().isEmpty()) {
            // sk_forced_mem_schedule of the first skb: one segment goes, so an ACK will come.
            n = Math.min(n, Math.max(1, sk.opts().mssCache()));
            sk.mem().forceSchedule(ringGrowth(ring, n));
            return n;
        }
        // The stack refused the growth: what fits in the array held now, else wait.
        sk.snd().memoryLimited(true);
        return Math.max(0, Math.min(n, ring.capacity() - ring.size()));
    }

    // ---- giving memory back

    /**
     * Under memory pressure an emptied ring gives its array back ({@code sk_mem_reclaim}
     * with the queue's skbs freed); otherwise it is kept for the next data, as most
     * connections go on.
     */
    void reclaimIdle(TcpSock sk) {
        if (!pool.underPressure()) {
            return;
        }
        if (sk.rcv().outOfOrder().isEmpty() && sk.rcv().queue().release()) {
            settleRecv(sk);
        }
        if (sk.rtx().isEmpty() && sk.snd().queue().release()) {
            settleSend(sk);
        }
    }

    /** The socket joins the pool ({@code sk_sockets_allocated_inc}). */
    void opened(TcpSock sk) {
        pool.socketOpened();
    }

    /** The socket is destroyed: its queues are gone, every page it held goes back. */
    void destroyed(TcpSock sk) {
        sk.rcv().releasePackets();
        sk.rcv().queue().clear();
        sk.rcv().queue().release();
        sk.snd().queue().clear();
        sk.snd().queue().release();
        sk.rcv().outOfOrder().clear();
        sk.mem().releaseAll();
        pool.socketClosed();
    }

    // ---- writers (tcp_poll's EPOLLOUT, sk_stream_write_space)

    /**
     * {@code tcp_stream_memory_free}: fewer than TCP_NOTSENT_LOWAT bytes (the socket's, else
     * {@code tcp_notsent_lowat}) are queued and not sent. With {@code wake} 1, as
     * {@code tcp_poll} and the wake-up ask, fewer than half of it: a writer woken finds room
     * for a good part of a low-water mark, not a few bytes.
     */
    boolean streamMemoryFree(TcpSock sk, int notSent, int wake) {
        int option = sk.snd().notsentLowatOption();
        long lowat = option != 0 ? Integer.toUnsignedLong(option) : settings.get().memory().notsentLowat();
        return ((long) notSent << wake) < lowat;
    }

    /**
     * {@code __sk_stream_is_writeable(sk, 1)}: the send buffer has at least a third of it free
     * ({@code sk_stream_wspace}, {@code SO_SNDBUF} less {@link #sndbufUsed}, at least half of
     * what is used), the stack let the queue grow, and {@link #streamMemoryFree} with
     * {@code wake} 1. Reads what {@link TcpSock#publishQueues} published, so {@code tcp_poll}
     * may call it without the lock.
     */
    boolean streamWriteable(TcpSock sk) {
        long used = sk.pollSndbufUsed();
        long free = sk.sndbuf() - used;
        return !sk.pollMemoryLimited() && free > 0 && free >= used >> 1
                && streamMemoryFree(sk, sk.pollNotSent(), 1);
    }

    /**
     * {@code tcp_check_space} after an ACK and the sending it allowed: if a writer found no
     * room ({@code SOCK_NOSPACE}), let the send buffer grow with the congestion window
     * ({@link TcpBufferTuning#newSpace}), and if the socket is writable, wake it with EPOLLOUT
     * ({@code sk_stream_write_space}). Writers are not woken for every ACK: an edge-triggered
     * epoll sees EPOLLOUT again only after it saw the socket full.
     */
    void checkSpace(TcpSock sk) {
        if (sk.noSpace()) {
            tuning.newSpace(sk); // tcp_new_space: the buffer may grow first
            writeSpace(sk);
        }
    }

    /** {@code sk_stream_write_space}: wakes writers with EPOLLOUT if the socket is writable. */
    void writeSpace(TcpSock sk) {
        sk.publishQueues();
        if (streamWriteable(sk)) {
            if (sk.noSpace()) {
                sk.chronoStop(TcpChrono.SNDBUF_LIMITED, clock.nanoTime());
            }
            sk.noSpace(false);
            sk.wakeUp(net.tern.api.socket.SocketConstants.EPOLLOUT);
        }
    }
}
