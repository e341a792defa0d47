package net.tern.tcp.impl;


/**
 * The sending half of a connection (RFC 9293 3.3.1's send sequence space, as gVisor's
 * {@code sender} and Linux's {@code snd_una}, {@code snd_nxt}, {@code snd_wnd},
 * {@code snd_wl1}, {@code max_window}): the first unacknowledged and the next sequence
 * numbers and the highest sent, the peer's window and the segment that last updated it, the
 * send queue with the FIN that follows it, and the bytes acknowledged. Its fields change
 * only through its methods, which keep SND.UNA, the send queue and the FIN moving together.
 * The segments in flight and their scoreboard are the connection's {@link RtxQueue}.
 *
 * <p>It also keeps what Linux's {@code tcp_sendmsg} and {@code tcp_write_xmit} decide with:
 * where the unsent data carry PSH ({@code tcp_mark_push}, {@code pushed_seq}), the end of the
 * last small segment sent ({@code snd_sml}, Minshall's Nagle), the Nagle and cork mode
 * ({@code nonagle}), where the last unsent "skb" of the queue starts (the unit
 * {@code tcp_sendmsg} fills up to its size goal before it starts another), and the
 * socket's {@code TCP_NOTSENT_LOWAT}.
 *
 * <p>Used under the socket lock.
 */
final class TcpSender {
    /** The data the application queued and the peer has not acknowledged; sent from {@code snd_una}. */
    private final ByteRing queue;

    /** {@code TCP_NAGLE_OFF}: TCP_NODELAY is set. */
    static final int NAGLE_OFF = 1;
    /** {@code TCP_NAGLE_CORK}: TCP_CORK is set (or, for one push, MSG_MORE). */
    static final int NAGLE_CORK = 2;
    /** {@code TCP_NAGLE_PUSH}: push what is queued whatever Nagle says, until the next skb is started. */
    static final int NAGLE_PUSH = 4;

    private int iss;
    private int sndUna;
    private int sndNxt;
    /** The highest sequence number sent ({@code snd_nxt} before a go-back after a timeout). */
    private int sndMax;
    private int sndWnd;
    private int sndWl1;
    private int sndWl2;
    private int maxWindow;
    /** The stack refused memory to grow the send queue: not writable until an ACK frees room. */
    private boolean memoryLimited;
    /** shutdown(SHUT_WR) or close(): a FIN follows the queued data. */
    private boolean finQueued;
    /** Our FIN has been acknowledged. */
    private boolean finAcked;
    /** Bytes acknowledged, the SYN included ({@code bytes_acked}). */
    private long bytesAcked;

    /** {@code pushed_seq}: the end of the data last marked with PSH. */
    private int pushedSeq;
    /** {@code snd_sml}: the end of the last segment sent smaller than the MSS. */
    private int sndSml;
    /** {@code nonagle}: {@link #NAGLE_OFF}, {@link #NAGLE_CORK}, {@link #NAGLE_PUSH}. */
    private int nonagle;
    /**
     * The ends of unsent data that carry PSH ({@code TCPHDR_PSH} on an skb of the write
     * queue), in sequence order; a segment ends at the first one and carries PSH.
     */
    private final SeqMarks pushMarks = new SeqMarks();
    /**
     * The ends of unsent "skbs" that carry no PSH: where {@code tcp_sendmsg} started a new skb
     * after one reached its size goal. A packet {@code tcp_write_xmit} sends ends at an skb's
     * end ({@link #nextSkbEnd}).
     */
    private final SeqMarks skbEnds = new SeqMarks();
    /** Where the last "skb" of the unsent data starts ({@code tcp_write_queue_tail}). */
    private int tailStart;
    /** The unsent "skbs" (of {@code sk_write_queue}): started by {@link #startSkb}, gone when sent to their end. */
    private int unsentSkbs;
    /** {@code TCP_NOTSENT_LOWAT} of this socket, 0 when not set (the stack's {@code tcp_notsent_lowat} applies). */
    private int notsentLowat;

    TcpSender(int firstCapacity) {
        this.queue = new ByteRing(firstCapacity);
    }

    // ---- what others read

    ByteRing queue() {
        return queue;
    }

    int iss() {
        return iss;
    }

    int sndUna() {
        return sndUna;
    }

    int sndNxt() {
        return sndNxt;
    }

    int sndMax() {
        return sndMax;
    }

    int sndWnd() {
        return sndWnd;
    }

    int sndWl1() {
        return sndWl1;
    }

    int sndWl2() {
        return sndWl2;
    }

    /** The largest window the peer offered ({@code max_window}). */
    int maxWindow() {
        return maxWindow;
    }

    boolean memoryLimited() {
        return memoryLimited;
    }

    boolean finQueued() {
        return finQueued;
    }

    boolean finAcked() {
        return finAcked;
    }

    long bytesAcked() {
        return bytesAcked;
    }

    /**
     * Linux's {@code write_seq} itself: {@link #writeSeq} with the FIN counted once queued, as
     * {@code tcp_send_fin} advances it ({@code SIOCOUTQ}, {@code SIOCOUTQNSD} count it).
     */
    int writeSeqWithFin() {
        return writeSeq() + (finQueued && !finAcked ? 1 : 0);
    }

    // ---- the handshake

    /** {@code tcp_connect_init}: our SYN takes {@code isn}; nothing is acknowledged yet. */
    void connectInit(int isn) {
        iss = isn;
        sndUna = isn;
        sndNxt = isn + 1;
        sndMax = sndNxt;
        startWriteQueue(sndNxt);
    }

    /** A passive open's child: our SYN-ACK took {@code isn} and is acknowledged. */
    void openreqInit(int isn) {
        iss = isn;
        sndUna = isn + 1;
        sndNxt = isn + 1;
        sndMax = isn + 1;
        startWriteQueue(sndNxt);
    }

    /** {@code write_seq}, {@code pushed_seq} and {@code snd_sml} start after our SYN. */
    private void startWriteQueue(int seq) {
        pushedSeq = seq;
        sndSml = seq;
        tailStart = seq;
        unsentSkbs = 0;
        pushMarks.clear();
        skbEnds.clear();
    }

    /** The peer's first window: {@code window} from the segment at {@code seq} (SND.WL1), WL2 not yet known. */
    void firstWindow(int window, int seq) {
        sndWnd = window;
        sndWl1 = seq;
        maxWindow = window;
    }

    /** The peer's first window: {@code window} from the segment at {@code seq} acknowledging {@code ack}. */
    void firstWindow(int window, int seq, int ack) {
        firstWindow(window, seq);
        sndWl2 = ack;
    }

    /** Our SYN is acknowledged by {@code ack} ({@code tcp_snd_una_update} for the SYN). */
    void synAcked(int ack) {
        bytesAcked += ack - sndUna;
        sndUna = ack;
    }

    // ---- ACKs

    /**
     * {@code tcp_ack_update_window}: {@code window} is the send window if the segment at
     * {@code seq} acknowledging {@code ack} may update it ({@code tcp_may_update_window}): it
     * moves SND.UNA, or it is newer than the last update (SND.WL1), or as new and it opens the
     * window or closes it. Call before SND.UNA moves. Returns whether the window changed.
     *
     * <p>RFC 9293 3.10.7.4's test (SND.WL1 &lt; SEG.SEQ, or equal and SND.WL2 =&lt; SEG.ACK)
     * alone is not enough: a peer that sends data too sends its retransmissions with older
     * sequence numbers, and when such a segment acknowledges new data with a smaller window
     * (the peer's reader stalled), ignoring its window while SND.UNA moves slides the send
     * window's right edge past the peer's. Linux 6.18 drops a segment past its window whole,
     * ACK included ({@code TcpExtBeyondWindow}), so then neither end hears the other's ACKs
     * and the connection stalls for good: seen as TunUpdateTcpIT's stall.
     */
    boolean ackUpdateWindow(int window, int seq, int ack) {
        if (Seq.after(ack, sndUna) || Seq.after(seq, sndWl1) || (seq == sndWl1 && (window > sndWnd || window == 0))) {
            boolean changed = window != sndWnd;
            sndWnd = window;
            sndWl1 = seq;
            sndWl2 = ack;
            maxWindow = Math.max(maxWindow, window);
            return changed;
        }
        return false;
    }

    /**
     * {@code tcp_snd_una_update}: SND.UNA moves to {@code ack}, beyond it; the acknowledged
     * bytes leave the send queue, and a FIN acknowledged with them is noted. Returns the data
     * bytes acknowledged.
     */
    int sndUnaUpdate(int ack) {
        int ackedBytes = ack - sndUna;
        int dataAcked = Math.min(ackedBytes, queue.size());
        queue.consume(dataAcked);
        if (ackedBytes > dataAcked && finQueued) {
            finAcked = true;
        }
        bytesAcked += ackedBytes;
        sndUna = ack;
        return dataAcked;
    }

    // ---- sending

    /** New data (or the FIN) went out up to {@code endSeq}: SND.NXT moves there. */
    void sent(int endSeq) {
        sndNxt = endSeq;
        sndMax = Seq.max(sndMax, sndNxt);
    }

    /** {@code tcp_send_fin}'s mark: a FIN follows the queued data. */
    void queueFin() {
        finQueued = true;
    }

    /** Whether the FIN is queued and everything before it has been sent ({@code tcp_send_fin}'s moment). */
    boolean finDue() {
        return finQueued && !finAcked && sndNxt == sndUna + queue.size();
    }

    /** The stack refused the send queue memory (true) or an ACK freed some (false). */
    void memoryLimited(boolean limited) {
        memoryLimited = limited;
    }

    /** The connection is forgotten (a disconnect): nothing queued, no FIN. */
    void reset() {
        queue.clear();
        pushMarks.clear();
        skbEnds.clear();
        unsentSkbs = 0;
        memoryLimited = false;
        finQueued = false;
        finAcked = false;
    }

    // ---- what tcp_sendmsg and tcp_write_xmit decide with

    /** {@code write_seq}: the end of the data queued. */
    int writeSeq() {
        return sndUna + queue.size();
    }

    /** {@code write_seq - snd_nxt}: the bytes queued and not yet sent ({@code tcpi_notsent_bytes}). */
    int notSent() {
        return Math.max(0, writeSeq() - sndNxt);
    }

    int nonagle() {
        return nonagle;
    }

    /** TCP_NODELAY ({@code __tcp_sock_set_nodelay}): on also pushes once; off leaves a push pending. */
    void nodelay(boolean on) {
        nonagle = on ? nonagle | NAGLE_OFF | NAGLE_PUSH : nonagle & ~NAGLE_OFF;
    }

    /** TCP_CORK ({@code __tcp_sock_set_cork}): off with TCP_NODELAY set pushes what the cork held. */
    void cork(boolean on) {
        if (on) {
            nonagle |= NAGLE_CORK;
        } else {
            nonagle &= ~NAGLE_CORK;
            if ((nonagle & NAGLE_OFF) != 0) {
                nonagle |= NAGLE_PUSH;
            }
        }
    }

    /** An accepted connection starts with its listener's Nagle and cork mode, as Linux's clone of the socket. */
    void inheritNagle(TcpSender listener) {
        nonagle = listener.nonagle & (NAGLE_OFF | NAGLE_CORK);
        notsentLowat = listener.notsentLowat;
    }

    int notsentLowatOption() {
        return notsentLowat;
    }

    void notsentLowatOption(int lowat) {
        notsentLowat = lowat;
    }

    /** {@code snd_sml}. */
    int sndSml() {
        return sndSml;
    }

    /**
     * {@code tcp_minshall_check}: a small segment sent is not yet acknowledged (Minshall's
     * variant of Nagle, draft-minshall-nagle: only one small segment in flight, however much
     * full-sized data is).
     */
    boolean minshallCheck() {
        return Seq.after(sndSml, sndUna) && !Seq.after(sndSml, sndNxt);
    }

    /** {@code tcp_minshall_update}: a segment shorter than the MSS went out, ending at {@code endSeq}. */
    void smallSegmentSent(int endSeq) {
        sndSml = endSeq;
    }

    /** {@code forced_push}: more than half the largest window the peer offered was queued since the last PSH. */
    boolean forcedPush() {
        return Seq.after(writeSeq(), pushedSeq + (maxWindow >>> 1));
    }

    /** {@code tcp_mark_push} of the last unsent data: PSH at {@code write_seq}. */
    void markPush() {
        int end = writeSeq();
        if (pushMarks.isEmpty() || pushMarks.last() != end) {
            pushMarks.addLast(end);
        }
        pushedSeq = end;
    }

    /**
     * The length of the last unsent "skb" ({@code tcp_write_queue_tail}): the unsent data
     * since it was started, 0 when all queued data are sent.
     */
    int tailLength() {
        int start = Seq.after(tailStart, sndNxt) ? tailStart : sndNxt;
        return Math.max(0, writeSeq() - start);
    }

    /** {@code tcp_skb_entail}: a new skb starts at {@code write_seq}; a pending push is used up. */
    void startSkb() {
        if (Seq.after(writeSeq(), sndNxt) && (skbEnds.isEmpty() || skbEnds.last() != writeSeq())) {
            skbEnds.addLast(writeSeq()); // the skb before ends here, unsent
        }
        tailStart = writeSeq();
        unsentSkbs++;
        nonagle &= ~NAGLE_PUSH;
    }

    /** The unsent "skbs": each costs its overhead in the send buffer ({@link TcpMemory#sndbufUsed}). */
    int unsentSkbs() {
        return unsentSkbs;
    }

    /**
     * New data from {@code seq} to {@code endSeq} are about to go: when they reach the end of
     * their skb ({@link #nextSkbEnd}), it leaves the unsent ones (its last piece is now in
     * flight). Call before {@link #takePush} uses the mark that ends it.
     */
    void sendingData(int seq, int endSeq) {
        if (Seq.after(endSeq, seq) && endSeq == nextSkbEnd(seq) && unsentSkbs > 0) {
            unsentSkbs--;
        }
    }

    /**
     * The first bytes a write appends to an unsent skb take its PSH away ({@code tcp_sendmsg}:
     * {@code if (!copied) tcp_flags &= ~TCPHDR_PSH}): it moves to the end of this write.
     */
    void appendToTail() {
        if (!pushMarks.isEmpty() && pushMarks.last() == writeSeq() && Seq.after(pushMarks.last(), sndNxt)) {
            pushMarks.removeLast();
        }
    }

    /** The first PSH mark beyond {@code seq}, or {@code seq} itself when there is none. */
    int nextPushMark(int seq) {
        while (!pushMarks.isEmpty() && !Seq.after(pushMarks.first(), seq)) {
            pushMarks.removeFirst();
        }
        return pushMarks.isEmpty() ? seq : pushMarks.first();
    }

    /**
     * The end of the unsent skb that holds {@code seq}: the next PSH mark or skb start beyond
     * it, else {@code write_seq} (the tail skb). {@code tcp_write_xmit} sends an skb, or a
     * first part of it ({@code tso_fragment}), as one packet, never two skbs together.
     */
    int nextSkbEnd(int seq) {
        while (!skbEnds.isEmpty() && !Seq.after(skbEnds.first(), seq)) {
            skbEnds.removeFirst();
        }
        int end = writeSeq();
        int mark = nextPushMark(seq);
        if (Seq.after(mark, seq) && Seq.before(mark, end)) {
            end = mark;
        }
        if (!skbEnds.isEmpty() && Seq.before(skbEnds.first(), end)) {
            end = skbEnds.first();
        }
        return end;
    }

    /** Whether new data from {@code seq} to {@code endSeq} would end where PSH is marked ({@link #takePush} without using the mark). */
    boolean pushMarkAt(int seq, int endSeq) {
        int mark = nextPushMark(seq);
        return mark == endSeq && Seq.after(mark, seq);
    }

    /** Whether new data sent from {@code seq} to {@code endSeq} end where PSH is marked; the mark is used. */
    boolean takePush(int seq, int endSeq) {
        int mark = nextPushMark(seq);
        if (mark == endSeq && Seq.after(mark, seq)) {
            pushMarks.removeFirst();
            return true;
        }
        return false;
    }

    /** {@code tcp_write_wakeup}: a probe sent the head up to {@code endSeq}, so PSH was pushed that far. */
    void pushedTo(int endSeq) {
        if (Seq.before(pushedSeq, endSeq)) {
            pushedSeq = endSeq;
        }
    }

    /**
     * {@code tcp_acceptable_seq}: the sequence number of a segment without data. After a
     * timeout {@code snd_nxt} goes back to {@code snd_una}, but the peer may hold data up to
     * {@code snd_max}; an ACK from below its {@code rcv_wup} would be dropped as old, so
     * control segments carry the highest sequence number sent.
     */
    int acceptableSeq() {
        return sndMax;
    }
}
