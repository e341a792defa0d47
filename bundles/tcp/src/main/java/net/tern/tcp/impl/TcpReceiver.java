package net.tern.tcp.impl;

import io.netty.buffer.ByteBuf;

/**
 * The receiving half of a connection (RFC 9293 3.3.1's receive sequence space, as gVisor's
 * {@code receiver} and Linux's {@code rcv_nxt}, {@code rcv_wup}, {@code rcv_wnd},
 * {@code rx_opt.dsack}, {@code rcv_ssthresh}): the next sequence number expected, the window
 * last advertised and where it was, the memory clamp on the window offered, the stream
 * offset of {@code rcv_nxt}, the FIN, the D-SACK block to report, and the queues: the in-order data for the reader and the out-of-order runs placed beyond
 * them in the same ring. Its fields change only through its methods, which keep
 * {@code rcv_nxt} and the stream offset moving together with the ring.
 *
 * <p>Used under the socket lock.
 */
final class TcpReceiver {
    /** The in-order data for the reader, and the out-of-order data at their places beyond them. */
    private final ByteRing queue;
    /** The runs of {@link #queue} placed beyond {@code rcv_nxt}. */
    private final OutOfOrderQueue outOfOrder = new OutOfOrderQueue();

    private int irs;
    private int rcvNxt;
    /** The window last advertised, in bytes. */
    private int rcvWnd;
    /** {@code rcv_nxt} when the window was last advertised. */
    private int rcvWup;
    /** Stream offset of {@code rcv_nxt}: in-order bytes received so far. */
    private long offset;
    private boolean finReceived;
    /** A FIN that arrived beyond {@code rcv_nxt}, with its sequence number. */
    private boolean oooFin;
    private int oooFinSeq;
    /** A D-SACK block (RFC 2883) to report on the next ACK: data received twice ({@code rx_opt.dsack}). */
    private boolean dsackPending;
    private int dsackStart;
    private int dsackEnd;
    /**
     * {@code rcv_ssthresh}: a clamp on the window offered, set when the socket hit its memory
     * budget or TCP is under memory pressure, and grown back by the data that follow
     * ({@link TcpMemory}); {@code Integer.MAX_VALUE} when there is none.
     */
    private int rcvSsthresh = Integer.MAX_VALUE;

    TcpReceiver(int firstCapacity) {
        this.queue = new ByteRing(firstCapacity);
    }

    // ---- what others read

    ByteRing queue() {
        return queue;
    }

    OutOfOrderQueue outOfOrder() {
        return outOfOrder;
    }

    int irs() {
        return irs;
    }

    int rcvNxt() {
        return rcvNxt;
    }

    int rcvWnd() {
        return rcvWnd;
    }

    int rcvWup() {
        return rcvWup;
    }

    /** The stream offset of {@code rcv_nxt}. */
    long offset() {
        return offset;
    }

    boolean finReceived() {
        return finReceived;
    }

    /** {@code tcp_receive_window}: what is left of the window last advertised. */
    int receiveWindow() {
        return Math.max(0, rcvWup + rcvWnd - rcvNxt);
    }

    // ---- the handshake and the window

    /** The peer's SYN with sequence number {@code irs}: {@code rcv_nxt} is the byte after it. */
    void synReceived(int peerIsn) {
        irs = peerIsn;
        rcvNxt = peerIsn + 1;
        rcvWup = rcvNxt;
    }

    /** The window a SYN or SYN-ACK offers ({@code tcp_select_initial_window}). */
    void initialWindow(int window) {
        rcvWnd = window;
    }

    /** {@code tcp_select_window}'s bookkeeping: {@code window} is advertised now, from {@code rcv_nxt}. */
    void windowAdvertised(int window) {
        rcvWnd = window;
        rcvWup = rcvNxt;
    }

    // ---- data (tcp_data_queue)

    /** In-order data at {@code rcv_nxt} join the reader's queue; {@code rcv_nxt} moves past them. */
    void queueInOrder(ByteBuf buf, int index, int length) {
        queue.append(buf, index, length);
        rcvNxt += length;
        offset += length;
    }

    /**
     * The out-of-order runs that now continue the in-order data join it ({@code tcp_ofo_queue});
     * returns the bytes {@code rcv_nxt} moved by.
     */
    int drainOutOfOrder() {
        if (outOfOrder.isEmpty()) {
            return 0;
        }
        long reached = outOfOrder.drain(offset);
        int filled = (int) (reached - offset);
        queue.commit(filled);
        offset = reached;
        rcvNxt += filled;
        return filled;
    }

    /** The stream offset of sequence number {@code seq}, which is at or beyond {@code rcv_nxt}. */
    long offsetOf(int seq) {
        return offset + (seq - rcvNxt);
    }

    /** The sequence number at stream offset {@code at}. */
    int seqAt(long at) {
        return rcvNxt + (int) (at - offset);
    }

    // ---- FIN

    /** A FIN beyond {@code rcv_nxt}, at {@code finSeq}: taken once the data before it arrive. */
    void finOutOfOrder(int finSeq) {
        oooFin = true;
        oooFinSeq = finSeq;
    }

    /** Whether the FIN that came out of order is next now. */
    boolean oooFinDue() {
        return oooFin && rcvNxt == oooFinSeq;
    }

    /** {@code tcp_fin}'s sequence part: the FIN takes its sequence number; no more data come. */
    void finReceivedInOrder() {
        rcvNxt++;
        finReceived = true;
        oooFin = false;
    }

    // ---- D-SACK

    /** {@code tcp_dsack_set}: {@code [start, end)} arrived twice and goes in a D-SACK block on the next ACK. */
    void dsackSet(int start, int end) {
        dsackPending = true;
        dsackStart = start;
        dsackEnd = end;
    }

    boolean dsackPending() {
        return dsackPending;
    }

    int dsackStart() {
        return dsackStart;
    }

    int dsackEnd() {
        return dsackEnd;
    }

    /** The D-SACK block went out (once, RFC 2883 4). */
    void dsackSent() {
        dsackPending = false;
    }

    // ---- the memory clamp (rcv_ssthresh)

    /** The clamp on the window offered, {@code Integer.MAX_VALUE} when there is none. */
    int rcvSsthresh() {
        return rcvSsthresh;
    }

    /** {@code tcp_clamp_window}: the window offered is clamped to {@code window} bytes. */
    void clampWindow(int window) {
        rcvSsthresh = window;
    }

    /** {@code tcp_adjust_rcv_ssthresh}: the clamp is lowered to {@code window} bytes if above. */
    void adjustRcvSsthresh(int window) {
        rcvSsthresh = Math.min(rcvSsthresh, window);
    }

    /**
     * {@code tcp_grow_window}: the clamp grows by {@code bytes}; once it reaches
     * {@code fullSpace}, the window the buffer allows, there is no clamp any more.
     */
    void growRcvSsthresh(int bytes, int fullSpace) {
        rcvSsthresh += bytes;
        unclampIfReached(fullSpace);
    }

    /** No clamp any more once it has reached {@code fullSpace}. */
    void unclampIfReached(int fullSpace) {
        if (rcvSsthresh >= fullSpace) {
            rcvSsthresh = Integer.MAX_VALUE;
        }
    }

    /** The connection is forgotten (a disconnect): no FIN, nothing queued in order, no clamp. */
    void reset() {
        rcvSsthresh = Integer.MAX_VALUE;
        queue.clear();
        finReceived = false;
        oooFin = false;
    }
}
