package net.tern.netlink;

import java.util.ArrayList;
import java.util.List;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.SocketConstants;

/**
 * An IPv4 route as an {@code RTM_NEWROUTE} message gives it (what iproute2's
 * {@code print_route} reads): the {@code rtmsg} fields and {@code RTA_TABLE},
 * {@code RTA_DST}, {@code RTA_GATEWAY}, {@code RTA_OIF}, {@code RTA_PREFSRC},
 * {@code RTA_PRIORITY}, and {@code RTA_METRICS}' {@code RTAX_MTU}; 0 for what is absent.
 */
public record RouteMessage(int table, int dstLen, int protocol, int scope, int type, int destination, int gateway,
        int oif, int prefsrc, int priority, int mtu) {

    public static RouteMessage from(NlMsg m) throws ErrnoException {
        RtMsg rtm = RtMsg.read(m);
        NlAttrs a = m.attrs(RtMsg.SIZE);
        int mtu = 0;
        if (a.has(Rtnetlink.RTA_METRICS)) {
            NlAttrs metrics = a.nested(Rtnetlink.RTA_METRICS);
            mtu = metrics.has(Rtnetlink.RTAX_MTU) ? metrics.u32(Rtnetlink.RTAX_MTU) : 0;
        }
        return new RouteMessage(a.has(Rtnetlink.RTA_TABLE) ? a.u32(Rtnetlink.RTA_TABLE) : rtm.table(), rtm.dstLen(),
                rtm.protocol(), rtm.scope(), rtm.type(), inAddr(a, Rtnetlink.RTA_DST), inAddr(a, Rtnetlink.RTA_GATEWAY),
                a.has(Rtnetlink.RTA_OIF) ? a.u32(Rtnetlink.RTA_OIF) : 0, inAddr(a, Rtnetlink.RTA_PREFSRC),
                a.has(Rtnetlink.RTA_PRIORITY) ? a.u32(Rtnetlink.RTA_PRIORITY) : 0, mtu);
    }

    private static int inAddr(NlAttrs a, int type) throws ErrnoException {
        return a.has(type) ? a.inAddr(type) : 0;
    }

    /** {@code RTM_GETROUTE} of AF_INET with {@code NLM_F_DUMP}: every route of every table, in the stack's dump order. */
    public static List<RouteMessage> dump(NetlinkSocket nl) throws ErrnoException {
        NlWriter w = nl.request(Rtnetlink.RTM_GETROUTE, Netlink.NLM_F_DUMP);
        new RtMsg(SocketConstants.AF_INET, 0, 0, 0, 0, 0, 0, 0, 0).write(w);
        List<RouteMessage> routes = new ArrayList<>();
        for (NlMsg m : nl.dump(w)) {
            if (m.type() == Rtnetlink.RTM_NEWROUTE) {
                routes.add(from(m));
            }
        }
        return routes;
    }
}
