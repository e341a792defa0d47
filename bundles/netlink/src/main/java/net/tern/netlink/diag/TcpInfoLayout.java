package net.tern.netlink.diag;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import net.tern.api.socket.TcpInfo;
import net.tern.netlink.NlWriter;

/**
 * {@code struct tcp_info} in Linux's layout ({@code include/uapi/linux/tcp.h}, as of 6.7:
 * through {@code tcpi_total_rto_time}, {@value #SIZE} bytes), as {@code INET_DIAG_INFO}
 * carries it. Fields the stack does not track are written as 0 (pacing and delivery rates,
 * {@code fackets}, {@code last_ack_sent}, which Linux leaves 0 too, DSACK and
 * reordering counts, RTO totals). A reader takes what a shorter or longer struct has, as
 * {@code ss} does: fields beyond the length given are 0.
 */
public final class TcpInfoLayout {
    /** The bytes written. */
    public static final int SIZE = 248;

    private TcpInfoLayout() {
    }

    /** Writes {@code info}'s fields in the struct's order (the congestion control's name goes in {@code INET_DIAG_CONG}). */
    public static NlWriter write(NlWriter w, TcpInfo i) {
        w.u8(i.state()).u8(i.caState()).u8(i.retransmits()).u8(i.probes()).u8(i.backoff()).u8(i.options())
                .u8((i.sndWscale() & 0xf) | (i.rcvWscale() & 0xf) << 4).u8(0);
        w.u32((int) i.rto()).u32((int) i.ato()).u32(i.sndMss()).u32(i.rcvMss());
        w.u32(i.unacked()).u32(i.sacked()).u32(i.lost()).u32(i.retrans()).u32(0);            // fackets
        w.u32((int) i.lastDataSent()).u32(0).u32((int) i.lastDataRecv()).u32((int) i.lastAckRecv());
        w.u32(i.pmtu()).u32(i.rcvSsthresh()).u32((int) i.rtt()).u32((int) i.rttvar()).u32(i.sndSsthresh())
                .u32(i.sndCwnd()).u32(i.advmss()).u32(i.reordering());
        w.u32((int) i.rcvRtt()).u32(i.rcvSpace()).u32(i.totalRetrans());
        w.u64(0).u64(0).u64(i.bytesAcked()).u64(i.bytesReceived());                          // pacing rates
        w.u32((int) i.segsOut()).u32((int) i.segsIn());
        w.u32((int) i.notsentBytes()).u32((int) i.minRtt()).u32((int) i.dataSegsIn()).u32((int) i.dataSegsOut());
        w.u64(0).u64(i.busyTime()).u64(i.rwndLimited()).u64(i.sndbufLimited());           // delivery_rate
        w.u32(0).u32(0);                          // delivered, delivered_ce
        w.u64(i.bytesSent()).u64(i.bytesRetrans());
        w.u32(i.dsackDups()).u32(i.reordSeen()).u32(0);                                      // rcv_ooopack
        w.u32((int) i.sndWnd()).u32((int) i.rcvWnd()).u32(0);                                // rehash
        w.u16(0).u16(0).u32(0);                   // total_rto, total_rto_recoveries, total_rto_time
        return w;
    }

    /** Reads a {@code struct tcp_info} of any length; {@code congestion} is {@code INET_DIAG_CONG}'s name, or null. */
    public static TcpInfo read(ByteBuffer payload, String congestion) {
        ByteBuffer b = ByteBuffer.allocate(Math.max(SIZE, payload.remaining())).order(ByteOrder.LITTLE_ENDIAN);
        b.put(payload.duplicate()).clear();
        int wscale = b.get(6) & 0xff;
        return new TcpInfo(b.get(0) & 0xff, b.get(1) & 0xff, b.get(2) & 0xff, b.get(3) & 0xff, b.get(4) & 0xff,
                b.get(5) & 0xff, wscale & 0xf, wscale >>> 4,
                u32(b, 8), u32(b, 12), b.getInt(16), b.getInt(20),
                b.getInt(24), b.getInt(28), b.getInt(32), b.getInt(36),
                u32(b, 44), u32(b, 52), u32(b, 56),
                b.getInt(60), b.getInt(64), u32(b, 68), u32(b, 72), b.getInt(76), b.getInt(80), b.getInt(84),
                b.getInt(88), u32(b, 92), b.getInt(96), b.getInt(100),
                b.getLong(120), b.getLong(128), u32(b, 136), u32(b, 140),
                u32(b, 144), u32(b, 148), u32(b, 152), u32(b, 156), b.getLong(168), b.getLong(176), b.getLong(184),
                b.getLong(200), b.getLong(208), b.getInt(216), b.getInt(220), u32(b, 228), u32(b, 232), congestion);
    }

    private static long u32(ByteBuffer b, int offset) {
        return Integer.toUnsignedLong(b.getInt(offset));
    }
}
