package net.tern.netlink;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import net.tern.api.socket.ErrnoException;

/**
 * A link as an {@code RTM_NEWLINK} message gives it (what iproute2's {@code print_linkinfo}
 * reads): the {@code ifinfomsg} fields, {@code IFLA_IFNAME}, {@code IFLA_MTU} and the first
 * eight counters of {@code IFLA_STATS64}.
 */
public record LinkMessage(int index, int type, int flags, String name, int mtu, long rxPackets, long txPackets,
        long rxBytes, long txBytes, long rxErrors, long txErrors, long rxDropped, long txDropped) {

    public boolean isUp() {
        return (flags & Rtnetlink.IFF_UP) != 0;
    }

    public static LinkMessage from(NlMsg m) throws ErrnoException {
        IfInfoMsg ifi = IfInfoMsg.read(m);
        NlAttrs a = m.attrs(IfInfoMsg.SIZE);
        long[] s = new long[8];
        if (a.has(Rtnetlink.IFLA_STATS64)) {
            ByteBuffer stats = a.payload(Rtnetlink.IFLA_STATS64);
            for (int i = 0; i < s.length && stats.remaining() >= (i + 1) * 8; i++) {
                s[i] = stats.getLong(i * 8);
            }
        }
        return new LinkMessage(ifi.index(), ifi.type(), ifi.flags(), a.has(Rtnetlink.IFLA_IFNAME)
                ? a.string(Rtnetlink.IFLA_IFNAME) : "", a.has(Rtnetlink.IFLA_MTU) ? a.u32(Rtnetlink.IFLA_MTU) : 0,
                s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7]);
    }

    /** {@code RTM_GETLINK} with {@code NLM_F_DUMP}: every link, by index. */
    public static List<LinkMessage> dump(NetlinkSocket nl) throws ErrnoException {
        NlWriter w = nl.request(Rtnetlink.RTM_GETLINK, Netlink.NLM_F_DUMP);
        new IfInfoMsg(0, 0, 0, 0, 0).write(w);
        List<LinkMessage> links = new ArrayList<>();
        for (NlMsg m : nl.dump(w)) {
            if (m.type() == Rtnetlink.RTM_NEWLINK) {
                links.add(from(m));
            }
        }
        return links;
    }
}
