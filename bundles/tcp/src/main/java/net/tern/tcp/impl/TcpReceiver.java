package net.tern.tcp.impl;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.ByteBuffer;
import java.util.function.Consumer;
import net.tern.spi.net.Packet;

/**
 * The receiving half of a connection (RFC 9293 3.3.1's receive sequence space, as gVisor's
 * {@code receiver} and Linux's {@code rcv_nxt}, {@code rcv_wup}, {@code rcv_wnd},
 * {@code rx_opt.dsack}, {@code rcv_ssthresh}, {@code rcvq_space}): the next sequence number expected, the window
 * last advertised and where it was, the memory clamp on the window offered, the stream
 * offset of {@code rcv_nxt}, the FIN, the D-SACK block to report, and the queues: the in-order data for the reader (first any
 * still in the packets they came in, then the ring's) and the out-of-order runs placed beyond
 * them in the ring. Its fields change only through its methods, which keep
 * {@code rcv_nxt} and the stream offset moving together with the ring.
 *
 * <p>Used under the socket lock.
 */
final class TcpReceiver {
    /** The in-order data for the reader, and the out-of-order data at their places beyond them. */
    private final ByteRing queue;
    /** The runs of {@link #queue} placed beyond {@code rcv_nxt}. */
    private final OutOfOrderQueue outOfOrder = new OutOfOrderQueue();
    /**
     * In-order data held in the packets they came in ({@code sk_receive_queue}'s skbs), each
     * after the ring's bytes that came before it: retained slices of the packets' buffers, so a
     * segment that arrives in order while no out-of-order data are held is not copied on its
     * way to the reader. Made on first use.
     */
    private KeptPackets packets;
    /**
     * The largest ring array kept while data go into packets instead: a larger one is given
     * back, so the memory charged is the packets' and not also an empty ring's.
     */
    static final int RING_KEPT_WHILE_EMPTY = 4096;
    /** What {@link #packets} hold: each slice's whole packet buffer and a packet's overhead. */
    private long sliceTruesize;

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
    /** What receive-buffer autotuning measures; made when the connection is established. */
    private RcvSpace rcvSpace;

    TcpReceiver(int firstCapacity) {
        this.queue = new ByteRing(firstCapacity);
    }

    // ---- what others read

    ByteRing queue() {
        return queue;
    }

    /** {@code tcp_inq}: the in-order bytes queued for the reader, in packets and in the ring. */
    int queued() {
        return sliceBytes() + queue.size();
    }

    /** The bytes queued in packets. */
    private int sliceBytes() {
        return packets == null ? 0 : packets.bytes();
    }

    /**
     * The bytes a read takes first in one piece: the first packet's, or the ring's before it
     * (as Linux copies skb by skb).
     */
    int firstChunk() {
        ByteBuf head = packets == null ? null : packets.head();
        if (head == null) {
            return queue.size();
        }
        int ringFirst = packets.ringBeforeHead();
        return ringFirst > 0 ? ringFirst : head.readableBytes();
    }

    /** Whether no in-order byte is queued for the reader. */
    boolean queueEmpty() {
        return sliceBytes() == 0 && queue.isEmpty();
    }

    /** The memory the queued packets hold ({@code skb->truesize} of each), beside the ring's. */
    long sliceTruesize() {
        return sliceTruesize;
    }

    /**
     * Whether in-order data may stay in their packet: only while the ring holds no out-of-order
     * data, which are placed beyond its in-order bytes and join them when the gap fills.
     */
    boolean mayQueuePacket() {
        return queue.extent() == queue.size();
    }

    /** The memory a slice of {@code buf} holds while queued: the whole buffer, as an skb's truesize counts its head. */
    static int sliceTruesize(ByteBuf buf) {
        ByteBuf root = buf;
        while (root.unwrap() != null) {
            root = root.unwrap();
        }
        return root.writerIndex() + root.maxFastWritableBytes() + Packet.OVERHEAD; // Packet.truesize()'s
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

    /** What receive-buffer autotuning measures, null before the connection is established. */
    RcvSpace rcvSpace() {
        return rcvSpace;
    }

    /** {@code tcp_init_buffer_space}'s {@code rcvq_space}: the first space, from the stream offset read. */
    void initRcvSpace(int space, long copied, long nowNanos) {
        rcvSpace = new RcvSpace(space, copied, nowNanos);
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
     * Before data are kept in their packet that would not fit in the buffer beside it: an
     * empty ring gives back an array larger than {@link #RING_KEPT_WHILE_EMPTY}, so the memory
     * charged is the packets' and not also an empty ring's (kept otherwise: growing it again
     * costs an array). Returns whether it did (the charge is to be settled).
     */
    boolean shrinkEmptyRing() {
        return queue.capacity() > RING_KEPT_WHILE_EMPTY && queue.release();
    }

    /**
     * In-order data at {@code rcv_nxt} join the reader's queue in their packet, without a
     * copy: a retained slice of {@code buf}, which the sender no longer writes (a packet's
     * buffer is its own; retransmissions are built anew), after the ring's bytes queued now.
     * Only when {@link #mayQueuePacket}.
     */
    void queueInOrderInPacket(ByteBuf buf, int index, int length) {
        if (!mayQueuePacket()) {
            throw new IllegalStateException("packet data queued while " + (queue.extent() - queue.size())
                    + " bytes are placed out of order");
        }
        ByteBuf slice = buf.retainedSlice(index, length);
        if (packets == null) {
            packets = new KeptPackets();
        }
        packets.add(slice, queue.size());
        sliceTruesize += sliceTruesize(slice);
        rcvNxt += length;
        offset += length;
    }

    /**
     * {@code tcp_recvmsg}'s copy: up to {@code dst.remaining()} bytes from the front of the
     * queue, packets' and ring's in the order they arrived, into {@code dst}; consumed unless
     * {@code peek}. Returns how many.
     */
    int read(ByteBuffer dst, boolean peek) {
        if (peek) {
            return peek(dst);
        }
        int n = 0;
        while (dst.hasRemaining()) {
            ByteBuf head = packets == null ? null : packets.head();
            if (head == null) {
                n += queue.read(dst, false);
                break;
            }
            int ringFirst = packets.ringBeforeHead();
            if (ringFirst > 0) {
                int read = readRing(dst, ringFirst);
                packets.ringRead(read);
                n += read;
                continue;
            }
            int take = Math.min(dst.remaining(), head.readableBytes());
            copyOut(head, head.readerIndex(), take, dst);
            head.skipBytes(take);
            packets.headRead(take);
            n += take;
            if (!head.isReadable()) {
                packets.poll();
                sliceTruesize -= sliceTruesize(head);
                head.release();
            }
        }
        return n;
    }

    /** Up to {@code max} bytes from the ring's front into {@code dst}, consumed. */
    private int readRing(ByteBuffer dst, int max) {
        int limit = dst.limit();
        dst.limit(dst.position() + Math.min(dst.remaining(), max));
        try {
            return queue.read(dst, false);
        } finally {
            dst.limit(limit);
        }
    }

    /** {@code MSG_PEEK}: the front of the queue copied, nothing consumed. */
    private int peek(ByteBuffer dst) {
        int n = 0;
        int ringAt = 0;
        int kept = packets == null ? 0 : packets.size();
        for (int i = 0; i < kept && dst.hasRemaining(); i++) {
            int ringFirst = Math.min(dst.remaining(), packets.ringBeforeAt(i));
            queue.peekAt(ringAt, dst, ringFirst);
            ringAt += ringFirst;
            n += ringFirst;
            ByteBuf slice = packets.at(i);
            int take = Math.min(dst.remaining(), slice.readableBytes());
            copyOut(slice, slice.readerIndex(), take, dst);
            n += take;
        }
        int ringLast = Math.min(dst.remaining(), queue.size() - ringAt);
        if (ringLast > 0) {
            queue.peekAt(ringAt, dst, ringLast);
            n += ringLast;
        }
        return n;
    }

    /**
     * {@code tcp_recvmsg} without the copy where the data allow, as {@code TCP_ZEROCOPY_RECEIVE}
     * maps the pages of the skbs instead of copying them: up to {@code maxBytes} from the front
     * of the queue given to {@code sink}, in order. Packets' bytes go as the retained slices the
     * queue holds (the front one split when it is larger than what is left to give); the ring's
     * bytes are copied into a buffer from {@code alloc} per run between packets. Returns how
     * many bytes; the queue's memory charge for handed-over packets is to be settled, as for a read.
     */
    int handOver(ByteBufAllocator alloc, int maxBytes, Consumer<? super ByteBuf> sink) {
        int n = 0;
        while (n < maxBytes) {
            ByteBuf head = packets == null ? null : packets.head();
            int ringRun = head == null ? queue.size() : packets.ringBeforeHead();
            if (ringRun > 0) {
                // The ring's bytes are copied in the same call, so that the ring empties.
                int take = Math.min(maxBytes - n, ringRun);
                ByteBuf copy = alloc.ioBuffer(take, take);
                int read = queue.read(copy.internalNioBuffer(0, take), false);
                if (head != null) {
                    packets.ringRead(read);
                }
                sink.accept(copy.writerIndex(read));
                n += read;
                continue;
            }
            if (head == null) {
                break;
            }
            int take = Math.min(maxBytes - n, head.readableBytes());
            if (take == head.readableBytes()) {
                packets.poll();
                sliceTruesize -= sliceTruesize(head);
                sink.accept(head); // the queue's reference goes with it
            } else {
                ByteBuf part = head.retainedSlice(head.readerIndex(), take);
                head.skipBytes(take);
                packets.headRead(take);
                sink.accept(part);
            }
            n += take;
        }
        return n;
    }

    /** Copies {@code length} bytes of {@code src} at {@code index} to {@code dst}'s position, moving it. */
    private static void copyOut(ByteBuf src, int index, int length, ByteBuffer dst) {
        int limit = dst.limit();
        dst.limit(dst.position() + length);
        src.getBytes(index, dst);
        dst.limit(limit);
        PayloadCopies.copied(length);
    }

    /** Drops every byte queued in packets (a reset, a disconnect, the socket destroyed). */
    void releasePackets() {
        if (packets != null) {
            packets.releaseAll();
        }
        sliceTruesize = 0;
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

    // ---- the window's growth and memory clamp (rcv_ssthresh)

    /**
     * {@code rcv_ssthresh}: the most the window offered may be: the buffer's window at
     * establishment, grown by the data that arrive once the buffer grew, and clamped when
     * memory runs short; {@code Integer.MAX_VALUE} before the connection is established.
     */
    int rcvSsthresh() {
        return rcvSsthresh;
    }

    /** {@code tcp_clamp_window}: the window offered is clamped to {@code window} bytes. */
    void clampWindow(int window) {
        rcvSsthresh = window;
    }

    /** {@code tcp_adjust_rcv_ssthresh}: lowered to {@code window} bytes if above. */
    void adjustRcvSsthresh(int window) {
        rcvSsthresh = Math.min(rcvSsthresh, window);
    }

    /** {@code tcp_grow_window}: the window may grow by {@code bytes} more. */
    void growRcvSsthresh(int bytes) {
        rcvSsthresh += bytes;
    }

    /** The connection is forgotten (a disconnect): no FIN, nothing queued in order, no clamp, nothing measured. */
    void reset() {
        rcvSsthresh = Integer.MAX_VALUE;
        rcvSpace = null;
        releasePackets();
        queue.clear();
        finReceived = false;
        oooFin = false;
    }
}
