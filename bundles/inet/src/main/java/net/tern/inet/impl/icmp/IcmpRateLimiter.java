package net.tern.inet.impl.icmp;

import java.util.LinkedHashMap;
import java.util.Map;
import net.tern.spi.net.Clock;

/**
 * ICMP output rate limits ({@code icmpv4_xrlim_allow}, {@code icmp_global_allow}): for the
 * types in {@code icmp_ratemask} (by default destination unreachable, source quench, time
 * exceeded and parameter problem), a global budget of {@code icmp_msgs_per_sec} with a burst
 * of {@code icmp_msgs_burst}, and a budget per destination of one message per
 * {@code icmp_ratelimit} with a burst of six ({@code XRLIM_BURST_FACTOR}). Destinations
 * reached through the loopback link have no per-destination limit, as on Linux. A rate of 0
 * turns that limit off. Buckets run on the stack's {@link Clock}, so tests run them in
 * virtual time. Per-destination state is bounded (least recently used goes first), as
 * Linux's inet_peer cache is.
 */
final class IcmpRateLimiter {
    /** What a check concluded. */
    enum Verdict { ALLOW, GLOBAL_LIMIT, HOST_LIMIT }

    static final int BURST_FACTOR = 6;
    static final int MAX_HOSTS = 4096;

    private final Clock clock;
    private final int ratemask;
    private final long hostIntervalNanos;
    private final long globalIntervalNanos;
    private final int globalBurst;
    private TokenBucket global;
    private final Map<Integer, TokenBucket> hosts = new LinkedHashMap<>(64, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<Integer, TokenBucket> eldest) {
            return size() > MAX_HOSTS;
        }
    };

    /**
     * @param ratemask          bit {@code n} set: type {@code n} is limited ({@code icmp_ratemask}, 0x1818)
     * @param hostIntervalNanos one message per this, per destination ({@code icmp_ratelimit}); 0: no limit
     * @param msgsPerSec        global rate ({@code icmp_msgs_per_sec}); 0: no limit
     * @param msgsBurst         global burst ({@code icmp_msgs_burst})
     */
    IcmpRateLimiter(Clock clock, int ratemask, long hostIntervalNanos, int msgsPerSec, int msgsBurst) {
        this.clock = clock;
        this.ratemask = ratemask;
        this.hostIntervalNanos = hostIntervalNanos;
        this.globalIntervalNanos = msgsPerSec <= 0 ? 0 : 1_000_000_000L / msgsPerSec;
        this.globalBurst = msgsBurst;
    }

    /** Whether a message of {@code type} may go to {@code destination}; spends the budgets if so. */
    synchronized Verdict check(int type, int destination, boolean viaLoopback) {
        if (type < 0 || type > 31 || ((ratemask >>> type) & 1) == 0) {
            return Verdict.ALLOW;
        }
        long now = clock.nanoTime();
        if (globalIntervalNanos > 0) {
            if (global == null) {
                global = new TokenBucket(globalIntervalNanos, globalBurst, now);
            }
            if (!global.tryAcquire(now)) {
                return Verdict.GLOBAL_LIMIT;
            }
        }
        if (hostIntervalNanos > 0 && !viaLoopback) {
            TokenBucket bucket = hosts.computeIfAbsent(destination, d -> new TokenBucket(hostIntervalNanos, BURST_FACTOR, now));
            if (!bucket.tryAcquire(now)) {
                return Verdict.HOST_LIMIT;
            }
        }
        return Verdict.ALLOW;
    }
}
