package net.tern.netlink;

/**
 * Traffic control's numbers ({@code include/uapi/linux/rtnetlink.h}, {@code pkt_sched.h},
 * {@code gen_stats.h}): the attributes of a qdisc message, its statistics, and netem's
 * options.
 */
public final class PktSched {
    private PktSched() {
    }

    /** {@code TC_H_ROOT}: the parent of a device's root qdisc. */
    public static final int TC_H_ROOT = 0xFFFFFFFF;
    /** {@code TC_H_UNSPEC}: no handle (a default qdisc has handle 0). */
    public static final int TC_H_UNSPEC = 0;

    /** The major part of a handle ({@code TC_H_MAJ}): {@code 8001:} is 0x80010000. */
    public static int major(int handle) {
        return handle & 0xFFFF0000;
    }

    /** A handle as {@code tc} prints it: {@code 8001:}, {@code 0:}, {@code root}. */
    public static String handleToString(int handle) {
        if (handle == TC_H_ROOT) {
            return "root";
        }
        int minor = handle & 0xFFFF;
        return Integer.toHexString(handle >>> 16) + ":" + (minor == 0 ? "" : Integer.toHexString(minor));
    }

    // Attributes of a qdisc message (TCA_*)
    public static final int TCA_KIND = 1;
    public static final int TCA_OPTIONS = 2;
    /** The old statistics, {@code struct tc_stats} (40 bytes), kept beside {@link #TCA_STATS2}. */
    public static final int TCA_STATS = 3;
    /** The qdisc's own statistics in the old place (the same as {@link #TCA_STATS_APP}). */
    public static final int TCA_XSTATS = 4;
    /** The statistics, nested: {@link #TCA_STATS_BASIC}, {@link #TCA_STATS_QUEUE}, {@link #TCA_STATS_APP}. */
    public static final int TCA_STATS2 = 7;
    public static final int TCA_HW_OFFLOAD = 12;

    /** {@code struct tc_stats}: bytes u64, packets, drops, overlimits, bps, pps, qlen, backlog u32 (and 4 bytes of padding). */
    public static final int TC_STATS_SIZE = 40;

    // Nested in TCA_STATS2 (gen_stats.h)
    /** {@code struct gnet_stats_basic}: bytes u64, packets u32, padded to 16 bytes. */
    public static final int TCA_STATS_BASIC = 1;
    public static final int TCA_STATS_RATE_EST = 2;
    /** {@code struct gnet_stats_queue}: qlen, backlog, drops, requeues, overlimits, u32 each (20 bytes). */
    public static final int TCA_STATS_QUEUE = 3;
    /** The qdisc's own statistics ({@code dump_stats}). */
    public static final int TCA_STATS_APP = 4;
    public static final int GNET_STATS_BASIC_SIZE = 16;
    public static final int GNET_STATS_QUEUE_SIZE = 20;

    // netem (pkt_sched.h): TCA_OPTIONS is struct tc_netem_qopt, then these attributes
    /** {@code struct tc_netem_qopt}: latency, limit, loss, gap, duplicate, jitter, u32 each (24 bytes). */
    public static final int TC_NETEM_QOPT_SIZE = 24;
    /** {@code struct tc_netem_corr}: delay, loss and duplicate correlations. */
    public static final int TCA_NETEM_CORR = 1;
    public static final int TCA_NETEM_DELAY_DIST = 2;
    /** {@code struct tc_netem_reorder}: probability, correlation. */
    public static final int TCA_NETEM_REORDER = 3;
    /** {@code struct tc_netem_corrupt}: probability, correlation. */
    public static final int TCA_NETEM_CORRUPT = 4;
    public static final int TCA_NETEM_LOSS = 5;
    /** {@code struct tc_netem_rate}: rate (bytes/s), packet_overhead, cell_size, cell_overhead. */
    public static final int TCA_NETEM_RATE = 6;
    public static final int TCA_NETEM_ECN = 7;
    /** The rate when it does not fit 32 bits, u64. */
    public static final int TCA_NETEM_RATE64 = 8;
    public static final int TCA_NETEM_PAD = 9;
    /** The delay in nanoseconds, s64 (qopt's latency is in 64 ns ticks and capped at 32 bits). */
    public static final int TCA_NETEM_LATENCY64 = 10;
    public static final int TCA_NETEM_JITTER64 = 11;
    public static final int TCA_NETEM_SLOT = 12;
    public static final int TCA_NETEM_SLOT_DIST = 13;
    /** The random generator's seed, u64 (Linux 6.3 on; picked at random when not given, and dumped). */
    public static final int TCA_NETEM_PRNG_SEED = 14;
    /** {@code struct tc_netem_rate}'s size. */
    public static final int TC_NETEM_RATE_SIZE = 16;

    /** qopt's time unit: {@code PSCHED_SHIFT} 6, 64 ns a tick ({@code PSCHED_NS2TICKS}). */
    public static final int PSCHED_SHIFT = 6;
    /** netem's default queue limit, in packets. */
    public static final int NETEM_DEFAULT_LIMIT = net.tern.spi.net.Impairment.DEFAULT_LIMIT;

    /** A probability as netem's u32 ({@code 0} none, {@code 0xffffffff} always), from a percentage, as {@code tc} rounds it. */
    public static int probability(double percent) {
        return (int) Math.round(percent / 100 * 0xFFFFFFFFL);
    }

    /**
     * A netem u32 probability as a percentage, rounded to 10⁻⁷ % (the u32 resolves 2.3 × 10⁻⁸ %),
     * so that 2% comes back as 2, as {@code tc} prints it.
     */
    public static double percent(int probability) {
        double exact = Integer.toUnsignedLong(probability) * 100.0 / 0xFFFFFFFFL;
        return java.math.BigDecimal.valueOf(exact).setScale(7, java.math.RoundingMode.HALF_EVEN).doubleValue();
    }
}
