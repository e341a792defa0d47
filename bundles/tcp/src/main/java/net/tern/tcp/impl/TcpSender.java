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
 * <p>Used under the socket lock.
 */
final class TcpSender {
    /** The data the application queued and the peer has not acknowledged; sent from {@code snd_una}. */
    private final ByteRing queue;

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

    // ---- the handshake

    /** {@code tcp_connect_init}: our SYN takes {@code isn}; nothing is acknowledged yet. */
    void connectInit(int isn) {
        iss = isn;
        sndUna = isn;
        sndNxt = isn + 1;
        sndMax = sndNxt;
    }

    /** A passive open's child: our SYN-ACK took {@code isn} and is acknowledged. */
    void openreqInit(int isn) {
        iss = isn;
        sndUna = isn + 1;
        sndNxt = isn + 1;
        sndMax = isn + 1;
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
     * {@code tcp_ack_update_window} (RFC 9293 3.10.7.4, fifth): {@code window} is the send
     * window if the segment at {@code seq} acknowledging {@code ack} is newer than the last
     * update (SND.WL1, SND.WL2). Returns whether the window changed.
     */
    boolean ackUpdateWindow(int window, int seq, int ack) {
        if (Seq.before(sndWl1, seq) || (sndWl1 == seq && !Seq.before(ack, sndWl2))) {
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
        memoryLimited = false;
        finQueued = false;
        finAcked = false;
    }
}
