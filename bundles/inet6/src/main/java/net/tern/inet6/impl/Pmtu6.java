package net.tern.inet6.impl;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import net.tern.spi.net.Clock;
import net.tern.wire.Ipv6Address;
import net.tern.wire.Ipv6Packet;

/**
 * Path MTU per destination (RFC 8201, Linux's route exceptions with {@code RTAX_MTU}): what
 * Packet Too Big messages taught, each forgotten after {@code ip6_rt_mtu_expires} (10
 * minutes, RFC 8201 5.3: an attempt to detect an increase no sooner than 5 minutes after a
 * decrease, 10 recommended), so a path that grows again is used again.
 *
 * <p>RFC 8201 4: a Packet Too Big reporting less than the IPv6 minimum link MTU (1280) is
 * discarded, and an estimate never grows from one; the estimate never goes below 1280.
 */
public final class Pmtu6 {
    /** {@code ip6_rt_mtu_expires}: 600 s. */
    public static final long DEFAULT_EXPIRES_NANOS = TimeUnit.MINUTES.toNanos(10);

    private record Entry(int mtu, long expiresNanos) {
    }

    private final Map<Ipv6Address, Entry> entries = new ConcurrentHashMap<>();
    private final Clock clock;
    private final long expiresNanos;

    public Pmtu6(Clock clock, long expiresNanos) {
        this.clock = clock;
        this.expiresNanos = expiresNanos;
    }

    /** The MTU to use towards {@code destination} over a link of {@code linkMtu}. */
    public int mtu(Ipv6Address destination, int linkMtu) {
        if (entries.isEmpty()) {
            return linkMtu;
        }
        Entry e = entries.get(destination);
        if (e == null) {
            return linkMtu;
        }
        if (clock.nanoTime() - e.expiresNanos >= 0) {
            entries.remove(destination, e);
            return linkMtu;
        }
        return Math.min(e.mtu, linkMtu);
    }

    /**
     * A Packet Too Big about a packet to {@code destination} reported {@code reported}; the
     * link's MTU is {@code linkMtu}. Returns whether the estimate went down: never below
     * 1280 (a report under it is discarded) and never up.
     */
    public boolean update(Ipv6Address destination, long reported, int linkMtu) {
        if (reported < Ipv6Packet.MIN_MTU) {
            return false;
        }
        int now = mtu(destination, linkMtu);
        if (reported >= now) {
            return false;
        }
        entries.put(destination, new Entry((int) reported, clock.nanoTime() + expiresNanos));
        return true;
    }

    /** The destinations with a learned MTU, for diagnostics. */
    public int size() {
        return entries.size();
    }
}
