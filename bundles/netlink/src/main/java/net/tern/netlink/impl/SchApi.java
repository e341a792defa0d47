package net.tern.netlink.impl;

import java.util.HashMap;
import java.util.Map;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.netlink.Netlink;
import net.tern.netlink.NlAttrs;
import net.tern.netlink.NlMsg;
import net.tern.netlink.NlWriter;
import net.tern.netlink.PktSched;
import net.tern.netlink.QdiscMessage;
import net.tern.netlink.Rtnetlink;
import net.tern.netlink.TcMsg;
import net.tern.spi.net.Impairment;
import net.tern.spi.net.ImpairmentStats;
import net.tern.spi.net.Link;
import net.tern.spi.net.LinkRegistry;

/**
 * The qdisc messages of {@code net/sched/sch_api.c}: {@code RTM_NEWQDISC}
 * ({@code tc_modify_qdisc}), {@code RTM_DELQDISC} and {@code RTM_GETQDISC} ({@code tc_get_qdisc}),
 * the dump ({@code tc_dump_qdisc}), each qdisc written as {@code tc_fill_qdisc} writes it, and
 * {@code qdisc_notify} to {@code RTNLGRP_TC}.
 *
 * <p>A link has one root qdisc: {@code noqueue} (handle 0, the default, as Linux gives loopback
 * and virtual devices) while it has no impairment, {@code netem} while it has one. netem is the
 * link's {@link Impairment}, whoever set it (a request here, or the interface configuration);
 * its handle is the one the request gave, or the next of {@code 8001:}, {@code 8002:} ... as
 * {@code qdisc_alloc_handle} picks them. Only a root qdisc of kind netem can be made.
 */
final class SchApi {
    /** {@code tcm_info} of a root qdisc: its reference count, 2 on a one-queue Linux device; Tern counts none. */
    private static final int ROOT_REFCNT = 2;
    private static final String NOQUEUE = "noqueue";

    private final NetlinkFamily family;
    private final LinkRegistry links;
    /** Each link's netem, by link index. Under rtnl. */
    private final Map<Integer, Netem> netems = new HashMap<>();
    /** {@code qdisc_alloc_handle}'s {@code autohandle}. */
    private int autohandle = 0x80000000;

    /**
     * A netem root: its handle (its limit is the impairment's), and the link's impairment counters when it was made
     * here (zero for one set otherwise, at boot by the configuration), which its statistics
     * count from, as a Linux qdisc's start at its creation: sent bytes, sent packets, dropped,
     * duplicated, reordered, delayed.
     */
    private record Netem(int handle, long[] base) {
        static long[] counters(ImpairmentStats s) {
            return new long[] {s.sentBytes.sum(), s.sentPackets.sum(), s.dropped.sum(), s.duplicated.sum(),
                s.reordered.sum(), s.delayed.sum()};
        }

        /** The counters since this netem was made. */
        long[] since(ImpairmentStats s) {
            long[] now = counters(s);
            for (int i = 0; i < now.length; i++) {
                now[i] -= base[i];
            }
            return now;
        }
    }

    SchApi(NetlinkFamily family, LinkRegistry links) {
        this.family = family;
        this.links = links;
    }

    /**
     * {@code tc_modify_qdisc} for a root: with netem on the link, {@code NLM_F_EXCL} with
     * {@code NLM_F_CREATE} is EEXIST, anything else changes it; with the default there,
     * {@code NLM_F_CREATE} makes a netem and its absence is ENOENT. A kind other than netem is
     * ENOENT (Linux's answer for a kind no module provides), a parent other than the root
     * EOPNOTSUPP.
     */
    void tcModifyQdisc(NlMsg request, NetlinkReply reply) throws ErrnoException {
        TcMsg tcm = TcMsg.read(request);
        NlAttrs tca = request.attrs(TcMsg.SIZE);
        Link link = link(tcm);
        requireRoot(tcm);
        int flags = request.flags();
        Netem current = current(link);
        if (current != null && (flags & (Netlink.NLM_F_CREATE | Netlink.NLM_F_EXCL)) == (Netlink.NLM_F_CREATE | Netlink.NLM_F_EXCL)) {
            throw new ErrnoException(Errno.EEXIST, "Exclusivity flag on, cannot modify.");
        }
        if (current == null && (flags & Netlink.NLM_F_CREATE) == 0) {
            throw new ErrnoException(Errno.ENOENT, "Qdisc not found. To create specify NLM_F_CREATE flag.");
        }
        if (current != null && tcm.handle() != 0 && tcm.handle() != current.handle() && (flags & Netlink.NLM_F_REPLACE) == 0) {
            throw new ErrnoException(Errno.EINVAL, "Change operation is not supported by the handle given");
        }
        if (!tca.has(PktSched.TCA_KIND) || !QdiscMessage.NETEM.equals(tca.string(PktSched.TCA_KIND))) {
            throw new ErrnoException(Errno.ENOENT, "Specified qdisc kind is unknown.");
        }
        Impairment next = SchNetem.netemChange(tca);
        if (next.isNone()) {
            // A netem that does nothing is still a netem on Linux; Tern's link has no such state.
            throw new ErrnoException(Errno.EOPNOTSUPP, "Tern's netem must do something (delay, loss, duplicate, reorder "
                    + "or a limit of 0); delete it to turn it off");
        }
        boolean same = current != null && (tcm.handle() == 0 || tcm.handle() == current.handle());
        int handle = same ? current.handle() : tcm.handle() != 0 ? PktSched.major(tcm.handle()) : allocHandle();
        long[] base = same ? current.base() : Netem.counters(link.impairmentStats());
        link.setImpairment(next);
        netems.put(link.index(), new Netem(handle, base));
        notify(request, reply, Rtnetlink.RTM_NEWQDISC, link);
    }

    /**
     * {@code tc_get_qdisc}: the root qdisc of the link. {@code RTM_DELQDISC} takes a netem away
     * (ENOENT for the default, whose handle is zero; EINVAL for a handle that is not the root's);
     * {@code RTM_GETQDISC} answers as Linux does, by {@code qdisc_notify}: to {@code RTNLGRP_TC}
     * and, only with {@code NLM_F_ECHO}, to the requester.
     */
    void tcGetQdisc(NlMsg request, NetlinkReply reply) throws ErrnoException {
        TcMsg tcm = TcMsg.read(request);
        Link link = link(tcm);
        requireRoot(tcm);
        Netem current = current(link);
        int handle = current == null ? 0 : current.handle();
        if (tcm.handle() != 0 && tcm.handle() != handle) {
            throw new ErrnoException(Errno.EINVAL, "Specified qdisc handle not found");
        }
        if (request.type() == Rtnetlink.RTM_DELQDISC) {
            if (current == null) {
                throw new ErrnoException(Errno.ENOENT, "Cannot delete qdisc with handle of zero.");
            }
            notify(request, reply, Rtnetlink.RTM_DELQDISC, link);
            link.setImpairment(Impairment.NONE);
            netems.remove(link.index());
            return;
        }
        notify(request, reply, Rtnetlink.RTM_NEWQDISC, link);
    }

    /** {@code tc_dump_qdisc}: every link's root qdisc, by index (the request's {@code tcm_ifindex} does not filter, as in Linux). */
    void tcDumpQdisc(NetlinkReply reply) {
        reply.beginDump();
        for (Link link : links.links()) {
            tcFillQdisc(reply.begin(Rtnetlink.RTM_NEWQDISC, 0), link);
            reply.end();
        }
        reply.done();
    }

    /**
     * {@code tc_fill_qdisc}: {@code tcmsg}, {@code TCA_KIND}, netem's {@code TCA_OPTIONS},
     * {@code TCA_HW_OFFLOAD} 0, {@code TCA_STATS2} (basic, queue, and for netem Tern's own
     * counters in {@code TCA_STATS_APP}), then the old {@code TCA_STATS} and, for netem,
     * {@code TCA_XSTATS}. netem's queue length and backlog are 0: the link does not report
     * what it holds back.
     */
    private void tcFillQdisc(NlWriter w, Link link) {
        Netem netem = current(link);
        new TcMsg(0, link.index(), netem == null ? 0 : netem.handle(), PktSched.TC_H_ROOT, ROOT_REFCNT).write(w);
        w.attrString(PktSched.TCA_KIND, netem == null ? NOQUEUE : QdiscMessage.NETEM);
        if (netem != null) {
            SchNetem.netemDump(w, link.impairment());
        }
        w.attrU8(PktSched.TCA_HW_OFFLOAD, 0);
        long[] c = netem == null ? new long[6] : netem.since(link.impairmentStats());
        long bytes = c[0];
        long packets = c[1];
        long drops = c[2];
        int stats2 = w.beginNested(PktSched.TCA_STATS2);
        if (netem != null) {
            SchNetem.netemDumpStats(w, PktSched.TCA_STATS_APP, c[3], c[4], c[5]);
        }
        int basic = w.beginAttr(PktSched.TCA_STATS_BASIC);
        w.u64(bytes).u32((int) packets).u32(0);
        w.endAttr(basic);
        int queue = w.beginAttr(PktSched.TCA_STATS_QUEUE);
        w.u32(0).u32(0).u32((int) drops).u32(0).u32(0);
        w.endAttr(queue);
        w.endNested(stats2);
        int old = w.beginAttr(PktSched.TCA_STATS);
        w.u64(bytes).u32((int) packets).u32((int) drops).zeros(PktSched.TC_STATS_SIZE - 16);
        w.endAttr(old);
        if (netem != null) {
            SchNetem.netemDumpStats(w, PktSched.TCA_XSTATS, c[3], c[4], c[5]);
        }
    }

    /** The link's netem, or null when its root is the default; a netem set otherwise gets a handle when first seen. */
    private Netem current(Link link) {
        if (link.impairment().isNone()) {
            netems.remove(link.index());
            return null;
        }
        return netems.computeIfAbsent(link.index(), i -> new Netem(allocHandle(), new long[6]));
    }

    private int allocHandle() {
        autohandle += 0x10000;
        if (autohandle == PktSched.TC_H_ROOT || autohandle == 0) {
            autohandle = 0x80010000;
        }
        return autohandle;
    }

    private Link link(TcMsg tcm) throws ErrnoException {
        return links.byIndex(tcm.ifindex()).orElseThrow(() -> new ErrnoException(Errno.ENODEV, "Cannot find device"));
    }

    private static void requireRoot(TcMsg tcm) throws ErrnoException {
        if (tcm.parent() != PktSched.TC_H_ROOT) {
            throw new ErrnoException(Errno.EOPNOTSUPP, "Tern's links have a root qdisc only (parent root)");
        }
    }

    /** {@code qdisc_notify}: to {@code RTNLGRP_TC}, and to the requester when it asked with {@code NLM_F_ECHO}. */
    private void notify(NlMsg request, NetlinkReply reply, int type, Link link) {
        boolean echo = (request.flags() & Netlink.NLM_F_ECHO) != 0;
        if (echo) {
            tcFillQdisc(reply.begin(type, 0), link);
            reply.end();
        }
        if (family.hasListeners(Netlink.NETLINK_ROUTE, Rtnetlink.RTNLGRP_TC)) {
            NlWriter w = new NlWriter().begin(type, 0, 0, 0);
            tcFillQdisc(w, link);
            family.broadcast(Netlink.NETLINK_ROUTE, Rtnetlink.RTNLGRP_TC, w.end().toByteArray());
        }
    }
}
