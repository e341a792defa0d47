package net.tern.spi.net;

import java.util.concurrent.atomic.LongAdder;

/**
 * What a link's {@link Impairment} did, since the link registered (netem's qdisc statistics):
 * packets it dropped on purpose, extra copies it sent, packets it held back that a later
 * packet overtook, and packets it delayed. Read by {@code net:impair} and {@code net:links}.
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

    /** Whether the impairment has done anything yet. */
    public boolean isZero() {
        return dropped.sum() == 0 && duplicated.sum() == 0 && reordered.sum() == 0 && delayed.sum() == 0;
    }
}
