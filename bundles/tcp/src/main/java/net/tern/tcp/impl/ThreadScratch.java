package net.tern.tcp.impl;

import io.netty.util.concurrent.FastThreadLocal;
import net.tern.wire.Ipv4Packet;
import net.tern.wire.TcpOptions;
import net.tern.wire.TcpPacket;

/**
 * What one thread that runs TCP reuses from segment to segment, so that a connection in steady
 * state allocates nothing: the receive side's header views, decoded {@link Segment} and lookup
 * key ({@code tcp_v4_rcv}) and the options of the segment being built ({@code tcp_transmit_skb});
 * the retransmission-queue entries acknowledged are kept by {@link TxSegment#of}. Any
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

    final TcpPacket th = new TcpPacket();
    final Ipv4Packet ip = new Ipv4Packet();
    final Segment seg = new Segment();
    final ConnKey.Probe probe = new ConnKey.Probe();
    /** Whether {@link #seg} and the views hold the segment input is handling now. */
    private boolean receiving;
    /** Filled and written into the packet before it goes to IP, so a segment sent from within another's sending finds it free. */
    final TcpOptions txOptions = new TcpOptions();

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
}
