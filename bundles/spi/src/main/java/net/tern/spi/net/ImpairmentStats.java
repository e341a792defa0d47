package net.tern.spi.net;

import java.util.concurrent.atomic.LongAdder;

/**
 * What a link's {@link Impairment} did, since the link registered (netem's qdisc statistics):
 * packets it dropped on purpose, extra copies it sent, packets it held back that a later
 * packet overtook, and packets it delayed; and what it passed on to the driver (netem's
 * {@code bstats}: packets and bytes dequeued). Read by the netlink family's {@code RTM_GETQDISC}.
 */
public final class ImpairmentStats {
    /** Packets lost on purpose ({@code loss}). */
    public final LongAdder dropped = new LongAdder();
    /** Extra copies sent ({@code duplicate}). */
    public final LongAdder duplicated = new LongAdder();
    /** Packets held back and sent after a later one ({@code reorder}). */
    public final LongAdder reordered = new LongAdder();
    /** Packets sent late ({@code delay}). */
    public final LongAdder delayed = new LongAdder();
    /** Packets passed on to the driver, copies and late ones included ({@code gnet_stats_basic}'s packets). @since 1.4 */
    public final LongAdder sentPackets = new LongAdder();
    /** Bytes of those packets ({@code gnet_stats_basic}'s bytes). @since 1.4 */
    public final LongAdder sentBytes = new LongAdder();

    /** Whether the impairment has done anything yet. */
    public boolean isZero() {
        return dropped.sum() == 0 && duplicated.sum() == 0 && reordered.sum() == 0 && delayed.sum() == 0;
    }
}
