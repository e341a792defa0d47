package net.tern.spi.net;

import java.util.concurrent.atomic.LongAdder;

/**
 * A device's counters ({@code struct rtnl_link_stats64}), both ways: packets, bytes, drops
 * and errors. Updated by the core on transmit and receive and by the driver for what only
 * it sees (a full queue, a failed write); read by {@code net:links}.
 */
public final class LinkStats {
    public final LongAdder rxPackets = new LongAdder();
    public final LongAdder rxBytes = new LongAdder();
    public final LongAdder rxDropped = new LongAdder();
    public final LongAdder rxErrors = new LongAdder();
    public final LongAdder txPackets = new LongAdder();
    public final LongAdder txBytes = new LongAdder();
    public final LongAdder txDropped = new LongAdder();
    public final LongAdder txErrors = new LongAdder();

    /** Counts one packet of {@code bytes} received. */
    public void received(int bytes) {
        rxPackets.increment();
        rxBytes.add(bytes);
    }

    /** Counts one packet of {@code bytes} sent. */
    public void transmitted(int bytes) {
        txPackets.increment();
        txBytes.add(bytes);
    }
}
