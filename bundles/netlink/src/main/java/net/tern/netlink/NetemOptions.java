package net.tern.netlink;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.OptionalLong;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.spi.net.Impairment;

/**
 * netem's options as {@code TCA_OPTIONS} carries them ({@code include/uapi/linux/pkt_sched.h}):
 * {@code struct tc_netem_qopt} (24 bytes: latency and jitter in 64 ns ticks, limit, loss, gap,
 * duplicate), then attributes: {@code TCA_NETEM_LATENCY64} and {@code TCA_NETEM_JITTER64} (ns),
 * {@code TCA_NETEM_CORR}, {@code TCA_NETEM_REORDER}, {@code TCA_NETEM_CORRUPT},
 * {@code TCA_NETEM_RATE} (with {@code TCA_NETEM_RATE64} past 32 bits) and
 * {@code TCA_NETEM_PRNG_SEED}, written in the order {@code netem_dump} writes them.
 * Probabilities are percentages here and netem's u32 on the wire ({@link PktSched#probability}).
 *
 * @param latencyNanos       {@code delay}
 * @param jitterNanos        {@code delay}'s second value (Tern's netem has none: it refuses a nonzero one)
 * @param limit              the queue limit in packets (1000 unless given)
 * @param lossPercent        {@code loss}
 * @param gap                {@code gap}: reordering every gap-th packet; 0 or 1 with {@code reorder}
 * @param duplicatePercent   {@code duplicate}
 * @param reorderPercent     {@code reorder}
 * @param corruptPercent     {@code corrupt} (Tern's netem refuses it)
 * @param rateBytesPerSecond {@code rate} (Tern's netem refuses it)
 * @param seed               {@code seed}; empty in a request lets the stack pick one, which dumps show
 */
public record NetemOptions(long latencyNanos, long jitterNanos, int limit, double lossPercent, int gap,
        double duplicatePercent, double reorderPercent, double corruptPercent, long rateBytesPerSecond, OptionalLong seed) {

    /** {@code struct tc_netem_corr}, {@code tc_netem_reorder}, {@code tc_netem_corrupt}: their sizes. */
    private static final int CORR_SIZE = 12;
    private static final int PROBABILITY_PAIR_SIZE = 8;

    /**
     * Parses netem's words as {@code tc qdisc ... netem} and Tern's impairment take them:
     * {@code loss PCT}, {@code duplicate PCT}, {@code reorder PCT}, {@code delay MS}, {@code seed N}
     * ({@code PCT} as {@code 2} or {@code 2%}, {@code MS} as {@code 10} or {@code 10ms}, {@code us},
     * {@code s}); {@code off} or nothing is no impairment. Throws {@link IllegalArgumentException}
     * naming the word that is wrong.
     */
    public static NetemOptions parse(List<String> words) {
        Impairment i = Impairment.parse(words);
        return new NetemOptions(i.delayNanos(), 0, i.limit(), i.lossPercent(),
                i.reorderPercent() != 0 ? 1 : 0, i.duplicatePercent(), i.reorderPercent(), 0, 0, i.seed());
    }

    /** Whether these options do nothing to packets (the seed does not count, nor a limit above 0: nothing waits without a delay). */
    public boolean isNone() {
        return latencyNanos == 0 && jitterNanos == 0 && lossPercent == 0 && duplicatePercent == 0
                && reorderPercent == 0 && corruptPercent == 0 && rateBytesPerSecond == 0 && limit > 0;
    }

    /**
     * {@code netem_dump}'s layout, written into an open {@code TCA_OPTIONS} attribute: the
     * qopt, then the attributes. The caller begins and ends the attribute.
     */
    public NlWriter write(NlWriter w) {
        w.u32(ticks(latencyNanos)).u32(limit).u32(PktSched.probability(lossPercent)).u32(gap)
                .u32(PktSched.probability(duplicatePercent)).u32(ticks(jitterNanos));
        w.attrU64(PktSched.TCA_NETEM_LATENCY64, latencyNanos);
        w.attrU64(PktSched.TCA_NETEM_JITTER64, jitterNanos);
        w.attrBytes(PktSched.TCA_NETEM_CORR, new byte[CORR_SIZE]);
        int reorder = w.beginAttr(PktSched.TCA_NETEM_REORDER);
        w.u32(PktSched.probability(reorderPercent)).u32(0);
        w.endAttr(reorder);
        int corrupt = w.beginAttr(PktSched.TCA_NETEM_CORRUPT);
        w.u32(PktSched.probability(corruptPercent)).u32(0);
        w.endAttr(corrupt);
        boolean rate64 = rateBytesPerSecond >= 1L << 32;
        if (rate64) {
            w.attrU64(PktSched.TCA_NETEM_RATE64, rateBytesPerSecond);
        }
        int rate = w.beginAttr(PktSched.TCA_NETEM_RATE);
        w.u32(rate64 ? 0xFFFFFFFF : (int) rateBytesPerSecond).u32(0).u32(0).u32(0);
        w.endAttr(rate);
        seed.ifPresent(s -> w.attrU64(PktSched.TCA_NETEM_PRNG_SEED, s));
        return w;
    }

    /**
     * Reads {@code TCA_OPTIONS}' payload as {@code netem_change} does: the qopt's values, then
     * the attributes that override them (the 64-bit delay and jitter, the reorder probability;
     * without one, a nonzero gap means reorder 100%). EINVAL when the qopt is cut short or an
     * attribute is malformed.
     */
    public static NetemOptions read(ByteBuffer options) throws ErrnoException {
        ByteBuffer b = options.duplicate().order(java.nio.ByteOrder.LITTLE_ENDIAN);
        if (b.remaining() < PktSched.TC_NETEM_QOPT_SIZE) {
            throw new ErrnoException(Errno.EINVAL, "tc_netem_qopt needs " + PktSched.TC_NETEM_QOPT_SIZE + " bytes, TCA_OPTIONS has "
                    + b.remaining());
        }
        int p = b.position();
        long latency = Integer.toUnsignedLong(b.getInt(p)) << PktSched.PSCHED_SHIFT;
        int limit = b.getInt(p + 4);
        int loss = b.getInt(p + 8);
        int gap = b.getInt(p + 12);
        int duplicate = b.getInt(p + 16);
        long jitter = Integer.toUnsignedLong(b.getInt(p + 20)) << PktSched.PSCHED_SHIFT;
        NlAttrs a = NlAttrs.parse(b.position(p + PktSched.TC_NETEM_QOPT_SIZE).slice());
        if (a.has(PktSched.TCA_NETEM_LATENCY64)) {
            latency = Math.max(0, a.u64(PktSched.TCA_NETEM_LATENCY64));
        }
        if (a.has(PktSched.TCA_NETEM_JITTER64)) {
            jitter = Math.max(0, a.u64(PktSched.TCA_NETEM_JITTER64));
        }
        double reorder = gap != 0 ? 100 : 0;
        if (a.has(PktSched.TCA_NETEM_REORDER)) {
            reorder = PktSched.percent(sized(a, PktSched.TCA_NETEM_REORDER, PROBABILITY_PAIR_SIZE).getInt(0));
        }
        double corrupt = a.has(PktSched.TCA_NETEM_CORRUPT)
                ? PktSched.percent(sized(a, PktSched.TCA_NETEM_CORRUPT, PROBABILITY_PAIR_SIZE).getInt(0)) : 0;
        long rate = a.has(PktSched.TCA_NETEM_RATE)
                ? Integer.toUnsignedLong(sized(a, PktSched.TCA_NETEM_RATE, PktSched.TC_NETEM_RATE_SIZE).getInt(0)) : 0;
        if (a.has(PktSched.TCA_NETEM_RATE64)) {
            rate = a.u64(PktSched.TCA_NETEM_RATE64);
        }
        OptionalLong seed = a.has(PktSched.TCA_NETEM_PRNG_SEED) ? OptionalLong.of(a.u64(PktSched.TCA_NETEM_PRNG_SEED))
                : OptionalLong.empty();
        return new NetemOptions(latency, jitter, limit, PktSched.percent(loss), gap, PktSched.percent(duplicate), reorder,
                corrupt, rate, seed);
    }

    private static ByteBuffer sized(NlAttrs a, int type, int size) throws ErrnoException {
        ByteBuffer p = a.payload(type);
        if (p.remaining() < size) {
            throw new ErrnoException(Errno.EINVAL, "netem attribute " + type + " holds " + p.remaining() + " bytes, not "
                    + size);
        }
        return p;
    }

    /** {@code PSCHED_NS2TICKS}, capped at 32 bits as {@code netem_dump} caps it. */
    private static int ticks(long nanos) {
        return (int) Math.min(nanos >> PktSched.PSCHED_SHIFT, 0xFFFFFFFFL);
    }

    /**
     * In the words of Tern's impairment ({@code net:impair}): {@code loss 2% reorder 5% delay 10ms
     * seed 1}, {@code off} when it does nothing. Options beyond those words (jitter, corrupt,
     * rate) are added in netem's words.
     */
    @Override
    public String toString() {
        String words = new Impairment(lossPercent, duplicatePercent, reorderPercent, latencyNanos, seed, limit).toString();
        if (jitterNanos == 0 && corruptPercent == 0 && rateBytesPerSecond == 0) {
            return isNone() ? "off" : words;
        }
        StringBuilder sb = new StringBuilder(words.equals("off") ? "" : words);
        if (jitterNanos != 0) {
            sb.append(" jitter ").append(jitterNanos / 1000).append("us");
        }
        if (corruptPercent != 0) {
            sb.append(" corrupt ").append(corruptPercent).append('%');
        }
        if (rateBytesPerSecond != 0) {
            sb.append(" rate ").append(rateBytesPerSecond * 8).append("bit");
        }
        return sb.toString().strip();
    }
}
