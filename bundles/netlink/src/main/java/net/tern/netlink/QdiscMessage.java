package net.tern.netlink;

import java.util.ArrayList;
import java.util.List;
import net.tern.api.socket.ErrnoException;

/**
 * A qdisc as an {@code RTM_NEWQDISC} message gives it (what {@code tc -s qdisc show} reads):
 * the {@code tcmsg} fields, {@code TCA_KIND}, netem's options when the kind is {@code netem},
 * and the statistics of {@code TCA_STATS2}. And the requests {@code tc qdisc replace|del dev DEV
 * root netem ...} sends.
 *
 * @param netem the options when {@code kind} is {@code netem}, else null
 */
public record QdiscMessage(int ifindex, int handle, int parent, int info, String kind, NetemOptions netem,
        QdiscStats stats) {

    public static final String NETEM = "netem";

    public boolean isNetem() {
        return NETEM.equals(kind);
    }

    public static QdiscMessage from(NlMsg m) throws ErrnoException {
        TcMsg tcm = TcMsg.read(m);
        NlAttrs a = m.attrs(TcMsg.SIZE);
        String kind = a.has(PktSched.TCA_KIND) ? a.string(PktSched.TCA_KIND) : "";
        NetemOptions netem = NETEM.equals(kind) && a.has(PktSched.TCA_OPTIONS)
                ? NetemOptions.read(a.payload(PktSched.TCA_OPTIONS)) : null;
        QdiscStats stats = a.has(PktSched.TCA_STATS2) ? QdiscStats.read(a.nested(PktSched.TCA_STATS2)) : QdiscStats.ZERO;
        return new QdiscMessage(tcm.ifindex(), tcm.handle(), tcm.parent(), tcm.info(), kind, netem, stats);
    }

    /** {@code RTM_GETQDISC} with {@code NLM_F_DUMP}: every device's qdiscs. */
    public static List<QdiscMessage> dump(NetlinkSocket nl) throws ErrnoException {
        NlWriter w = nl.request(Rtnetlink.RTM_GETQDISC, Netlink.NLM_F_DUMP);
        new TcMsg(0, 0, 0, 0, 0).write(w);
        List<QdiscMessage> qdiscs = new ArrayList<>();
        for (NlMsg m : nl.dump(w)) {
            if (m.type() == Rtnetlink.RTM_NEWQDISC) {
                qdiscs.add(from(m));
            }
        }
        return qdiscs;
    }

    /**
     * {@code tc qdisc replace dev DEV root netem ...}: {@code RTM_NEWQDISC} with
     * {@code NLM_F_CREATE | NLM_F_REPLACE}, acknowledged.
     */
    public static void replaceRootNetem(NetlinkSocket nl, int ifindex, NetemOptions options) throws ErrnoException {
        NlWriter w = nl.request(Rtnetlink.RTM_NEWQDISC, Netlink.NLM_F_CREATE | Netlink.NLM_F_REPLACE | Netlink.NLM_F_ACK);
        new TcMsg(0, ifindex, 0, PktSched.TC_H_ROOT, 0).write(w);
        w.attrString(PktSched.TCA_KIND, NETEM);
        int opt = w.beginAttr(PktSched.TCA_OPTIONS);
        options.write(w);
        w.endAttr(opt);
        nl.talk(w);
    }

    /** {@code tc qdisc del dev DEV root}: {@code RTM_DELQDISC}, acknowledged; ENOENT when only the default is there. */
    public static void deleteRoot(NetlinkSocket nl, int ifindex) throws ErrnoException {
        NlWriter w = nl.request(Rtnetlink.RTM_DELQDISC, Netlink.NLM_F_ACK);
        new TcMsg(0, ifindex, 0, PktSched.TC_H_ROOT, 0).write(w);
        nl.talk(w);
    }
}
