package net.tern.netlink;

import java.util.ArrayList;
import java.util.List;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.Inet6SockAddr;
import net.tern.api.socket.SocketConstants;

/**
 * An IPv6 route as an {@code RTM_NEWROUTE} message of AF_INET6 gives it ({@code rt6_fill_node},
 * what iproute2's {@code print_route} reads): the {@code rtmsg} fields, {@code RTA_TABLE},
 * {@code RTA_DST} and {@code RTA_GATEWAY} (each as its two halves, 0 when absent),
 * {@code RTA_OIF} and {@code RTA_PRIORITY}.
 */
public record Route6Message(int table, int dstLen, int protocol, int type, long dstHigh, long dstLow, long gatewayHigh,
        long gatewayLow, int oif, int priority) {

    public static Route6Message from(NlMsg m) throws ErrnoException {
        RtMsg rtm = RtMsg.read(m);
        NlAttrs a = m.attrs(RtMsg.SIZE);
        long[] dst = a.has(Rtnetlink.RTA_DST) ? a.in6Addr(Rtnetlink.RTA_DST) : new long[2];
        long[] gateway = a.has(Rtnetlink.RTA_GATEWAY) ? a.in6Addr(Rtnetlink.RTA_GATEWAY) : new long[2];
        return new Route6Message(a.has(Rtnetlink.RTA_TABLE) ? a.u32(Rtnetlink.RTA_TABLE) : rtm.table(), rtm.dstLen(),
                rtm.protocol(), rtm.type(), dst[0], dst[1], gateway[0], gateway[1],
                a.has(Rtnetlink.RTA_OIF) ? a.u32(Rtnetlink.RTA_OIF) : 0,
                a.has(Rtnetlink.RTA_PRIORITY) ? a.u32(Rtnetlink.RTA_PRIORITY) : 0);
    }

    public boolean hasGateway() {
        return gatewayHigh != 0 || gatewayLow != 0;
    }

    /** {@code default}, {@code fd00::/64}, or a host's address alone (/128). */
    public String prefix() {
        if (dstLen == 0) {
            return "default";
        }
        String address = Inet6SockAddr.formatAddress(dstHigh, dstLow);
        return dstLen == 128 ? address : address + "/" + dstLen;
    }

    public String gateway() {
        return Inet6SockAddr.formatAddress(gatewayHigh, gatewayLow);
    }

    /** {@code RTM_GETROUTE} of AF_INET6 with {@code NLM_F_DUMP}: every IPv6 route (none while IPv6 is not running). */
    public static List<Route6Message> dump(NetlinkSocket nl) throws ErrnoException {
        NlWriter w = nl.request(Rtnetlink.RTM_GETROUTE, Netlink.NLM_F_DUMP);
        new RtMsg(SocketConstants.AF_INET6, 0, 0, 0, 0, 0, 0, 0, 0).write(w);
        List<Route6Message> routes = new ArrayList<>();
        for (NlMsg m : nl.dump(w)) {
            if (m.type() == Rtnetlink.RTM_NEWROUTE && (m.body().get(0) & 0xff) == SocketConstants.AF_INET6) {
                routes.add(from(m));
            }
        }
        return routes;
    }
}
