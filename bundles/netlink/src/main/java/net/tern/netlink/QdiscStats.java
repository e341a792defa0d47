package net.tern.netlink;

import java.nio.ByteBuffer;
import net.tern.api.socket.ErrnoException;

/**
 * A qdisc's statistics as {@code TCA_STATS2} carries them ({@code include/uapi/linux/gen_stats.h}):
 * {@code struct gnet_stats_basic} (bytes and packets sent), {@code struct gnet_stats_queue}
 * (queue length, backlog, drops, requeues, overlimits), and, for Tern's netem, its own counters
 * in {@code TCA_STATS_APP}: duplicated, reordered and delayed packets, u64 each
 * ({@link #NETEM_XSTATS_SIZE} bytes). Linux's netem keeps no such counters and sends no
 * {@code TCA_STATS_APP}; a reader of a Linux dump sees them 0.
 */
public record QdiscStats(long bytes, long packets, int qlen, int backlog, long drops, long requeues, long overlimits,
        long duplicated, long reordered, long delayed) {

    /** Tern's netem counters in {@code TCA_STATS_APP}: duplicated, reordered, delayed, u64 each. */
    public static final int NETEM_XSTATS_SIZE = 24;

    public static final QdiscStats ZERO = new QdiscStats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

    /** Reads {@code TCA_STATS2}'s nested attributes; what is missing is 0. */
    public static QdiscStats read(NlAttrs stats2) throws ErrnoException {
        long bytes = 0;
        long packets = 0;
        int qlen = 0;
        int backlog = 0;
        long drops = 0;
        long requeues = 0;
        long overlimits = 0;
        long duplicated = 0;
        long reordered = 0;
        long delayed = 0;
        ByteBuffer basic = stats2.payload(PktSched.TCA_STATS_BASIC);
        if (basic != null && basic.remaining() >= 12) {
            bytes = basic.getLong(0);
            packets = Integer.toUnsignedLong(basic.getInt(8));
        }
        ByteBuffer queue = stats2.payload(PktSched.TCA_STATS_QUEUE);
        if (queue != null && queue.remaining() >= PktSched.GNET_STATS_QUEUE_SIZE) {
            qlen = queue.getInt(0);
            backlog = queue.getInt(4);
            drops = Integer.toUnsignedLong(queue.getInt(8));
            requeues = Integer.toUnsignedLong(queue.getInt(12));
            overlimits = Integer.toUnsignedLong(queue.getInt(16));
        }
        ByteBuffer app = stats2.payload(PktSched.TCA_STATS_APP);
        if (app != null && app.remaining() >= NETEM_XSTATS_SIZE) {
            duplicated = app.getLong(0);
            reordered = app.getLong(8);
            delayed = app.getLong(16);
        }
        return new QdiscStats(bytes, packets, qlen, backlog, drops, requeues, overlimits, duplicated, reordered, delayed);
    }
}
