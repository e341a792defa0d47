package net.tern.netlink.impl;

import java.nio.ByteBuffer;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.netlink.NetemOptions;
import net.tern.netlink.NlAttrs;
import net.tern.netlink.NlWriter;
import net.tern.netlink.PktSched;
import net.tern.spi.net.Impairment;

/**
 * netem's netlink side ({@code net/sched/sch_netem.c}): {@link #netemChange} reads the options
 * into the link's {@link Impairment}, {@link #netemDump} writes them back. Tern's impairment
 * loses, duplicates, reorders and delays, from a seed; what it cannot do is refused with
 * EOPNOTSUPP and the reason, rather than taken and ignored: jitter, corruption, rate, slots,
 * ECN, loss models, delay distributions, correlations and a gap above 1.
 */
final class SchNetem {
    private SchNetem() {
    }

    /**
     * {@code netem_change}: EINVAL without options ({@code netem_init} needs them) or with a
     * malformed qopt; EOPNOTSUPP for what Tern's impairment does not do, or a delay over its
     * minute.
     */
    static Impairment netemChange(NlAttrs tca) throws ErrnoException {
        if (!tca.has(PktSched.TCA_OPTIONS)) {
            throw new ErrnoException(Errno.EINVAL, "netem needs its options (TCA_OPTIONS)");
        }
        ByteBuffer raw = tca.payload(PktSched.TCA_OPTIONS);
        NetemOptions o = NetemOptions.read(raw);
        NlAttrs a = NlAttrs.parse(raw.position(PktSched.TC_NETEM_QOPT_SIZE).slice());
        refuseUnless(o.jitterNanos() == 0, "jitter");
        refuseUnless(o.corruptPercent() == 0, "corrupt");
        refuseUnless(o.rateBytesPerSecond() == 0, "rate");
        refuseUnless(o.gap() <= 1, "gap above 1");
        for (int unsupported : new int[] {PktSched.TCA_NETEM_DELAY_DIST, PktSched.TCA_NETEM_LOSS, PktSched.TCA_NETEM_ECN,
                PktSched.TCA_NETEM_SLOT, PktSched.TCA_NETEM_SLOT_DIST}) {
            refuseUnless(!a.has(unsupported), "option " + unsupported + " (distributions, loss models, ECN, slots)");
        }
        refuseUnless(!a.has(PktSched.TCA_NETEM_CORR) || allZero(a.payload(PktSched.TCA_NETEM_CORR)), "correlation");
        for (int pair : new int[] {PktSched.TCA_NETEM_REORDER, PktSched.TCA_NETEM_CORRUPT}) {
            ByteBuffer p = a.payload(pair);
            refuseUnless(p == null || p.remaining() < 8 || p.getInt(4) == 0, "correlation");
        }
        if (o.latencyNanos() > Impairment.MAX_DELAY_NANOS) {
            throw new ErrnoException(Errno.EOPNOTSUPP, "Tern's netem delays at most 60s");
        }
        return new Impairment(o.lossPercent(), o.duplicatePercent(), o.reorderPercent(), o.latencyNanos(), o.seed(),
                o.limit());
    }

    /** {@code netem_dump}: the impairment as netem's options, with the seed it runs on. */
    static void netemDump(NlWriter w, Impairment impairment) {
        int reorderGap = impairment.reorderPercent() != 0 ? 1 : 0;
        NetemOptions o = new NetemOptions(impairment.delayNanos(), 0, impairment.limit(), impairment.lossPercent(), reorderGap,
                impairment.duplicatePercent(), impairment.reorderPercent(), 0, 0, impairment.seed());
        int start = w.beginAttr(PktSched.TCA_OPTIONS);
        o.write(w);
        w.endAttr(start);
    }

    /** Tern's netem counters beyond Linux's, as attribute {@code type} ({@code TCA_STATS_APP}, {@code TCA_XSTATS}). */
    static void netemDumpStats(NlWriter w, int type, long duplicated, long reordered, long delayed) {
        int start = w.beginAttr(type);
        w.u64(duplicated).u64(reordered).u64(delayed);
        w.endAttr(start);
    }

    private static void refuseUnless(boolean ok, String what) throws ErrnoException {
        if (!ok) {
            throw new ErrnoException(Errno.EOPNOTSUPP, "Tern's netem has no " + what);
        }
    }

    private static boolean allZero(ByteBuffer b) {
        for (int i = b.position(); i < b.limit(); i++) {
            if (b.get(i) != 0) {
                return false;
            }
        }
        return true;
    }
}
