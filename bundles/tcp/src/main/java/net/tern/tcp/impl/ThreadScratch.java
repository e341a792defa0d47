package net.tern.tcp.impl;

import io.netty.util.concurrent.FastThreadLocal;
import net.tern.tcp.impl.RtxQueue.TxSegment;
import net.tern.wire.Ipv4Packet;
import net.tern.wire.TcpOptions;
import net.tern.wire.TcpPacket;

/**
 * What one thread that runs TCP reuses from segment to segment, so that a connection in steady
 * state allocates nothing: the receive side's header views, decoded {@link Segment} and lookup
 * key ({@code tcp_v4_rcv}), the options of the segment being built ({@code tcp_transmit_skb}),
 * and the retransmission-queue entries acknowledged, ready for the next segments sent. Any
 * thread may run input and output (the network threads, an application thread in a socket
 * call), so each has its own, never shared: a Netty {@link FastThreadLocal}, one indexed load
 * on the stack's threads.
 */
final class ThreadScratch {
    private static final FastThreadLocal<ThreadScratch> SCRATCH = new FastThreadLocal<>() {
        @Override
        protected ThreadScratch initialValue() {
            return new ThreadScratch();
        }
    };

    /** Retransmission-queue entries a thread keeps for reuse, at most. */
    private static final int SPARE_SEGMENTS = 1024;

    final TcpPacket th = new TcpPacket();
    final Ipv4Packet ip = new Ipv4Packet();
    final Segment seg = new Segment();
    final ConnKey.Probe probe = new ConnKey.Probe();
    /** Whether {@link #seg} and the views hold the segment input is handling now. */
    private boolean receiving;
    /** Filled and written into the packet before it goes to IP, so a segment sent from within another's sending finds it free. */
    final TcpOptions txOptions = new TcpOptions();
    /** Made at the first entry kept (a scratch made for re-entered input keeps none). */
    private TxSegment[] spareSegments;
    private int spareCount;

    /** The calling thread's. */
    static ThreadScratch get() {
        return SCRATCH.get();
    }

    /** Claims {@link #seg} and the views for a segment; false when this thread handles one already (input re-entered). */
    boolean startReceiving() {
        if (receiving) {
            return false;
        }
        receiving = true;
        return true;
    }

    void doneReceiving() {
        receiving = false;
    }

    /** A spare retransmission-queue entry, or null. */
    TxSegment takeSegment() {
        if (spareCount == 0) {
            return null;
        }
        TxSegment s = spareSegments[--spareCount];
        spareSegments[spareCount] = null;
        return s;
    }

    /** Keeps {@code s}, off its queue for good, unless enough are kept. */
    void keepSegment(TxSegment s) {
        if (spareSegments == null) {
            spareSegments = new TxSegment[SPARE_SEGMENTS];
        }
        if (spareCount < SPARE_SEGMENTS) {
            spareSegments[spareCount++] = s;
        }
    }
}
