package net.tern.netlink.impl;

import java.util.List;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.netlink.IfInfoMsg;
import net.tern.netlink.Netlink;
import net.tern.netlink.NlAttrs;
import net.tern.netlink.NlMsg;
import net.tern.netlink.NlWriter;
import net.tern.netlink.Rtnetlink;
import net.tern.spi.net.Link;
import net.tern.spi.net.LinkFlags;
import net.tern.spi.net.LinkRegistry;
import net.tern.spi.net.LinkStats;

/**
 * The link messages of {@code net/core/rtnetlink.c}: {@code RTM_GETLINK} (one link, or a
 * dump), {@code RTM_NEWLINK} (changes to an existing link: up or down, MTU) and
 * {@code RTM_DELLINK}, each link written as {@code rtnl_fill_ifinfo} writes it.
 */
final class RtnlLink {
    /** {@code IFNAMSIZ}: names are at most 15 bytes and a NUL. */
    private static final int IFNAMSIZ = 16;

    private final LinkRegistry links;

    RtnlLink(LinkRegistry links) {
        this.links = links;
    }

    /** {@code rtnl_dump_ifinfo}. */
    void rtnlDumpIfinfo(NetlinkReply reply) {
        reply.beginDump();
        for (Link link : links.links()) {
            rtnlFillIfinfo(reply.begin(Rtnetlink.RTM_NEWLINK, 0), link);
            reply.end();
        }
        reply.done();
    }

    /** {@code rtnl_getlink}: the link named by index or {@code IFLA_IFNAME}, as one {@code RTM_NEWLINK}. */
    void rtnlGetlink(NlMsg request, NetlinkReply reply) throws ErrnoException {
        Link link = find(request, IfInfoMsg.read(request), request.attrs(IfInfoMsg.SIZE));
        if (link == null) {
            throw new ErrnoException(Errno.ENODEV, "no such link");
        }
        rtnlFillIfinfo(reply.begin(Rtnetlink.RTM_NEWLINK, 0), link);
        reply.end();
    }

    /**
     * {@code rtnl_newlink}: an existing link is changed ({@code do_setlink}: the flags of
     * {@code ifi_change}, IFF_UP being the one that can change, and {@code IFLA_MTU}); EEXIST
     * with {@code NLM_F_EXCL} ({@code ip link add} of a name in use). A link that is not
     * there: ENODEV without {@code NLM_F_CREATE}; with it, EOPNOTSUPP, as links come from
     * their drivers here and no {@code rtnl_link_ops} kind can be created.
     */
    void rtnlNewlink(NlMsg request) throws ErrnoException {
        IfInfoMsg ifm = IfInfoMsg.read(request);
        NlAttrs attrs = request.attrs(IfInfoMsg.SIZE);
        Link link = find(request, ifm, attrs);
        if (link == null) {
            if ((request.flags() & Netlink.NLM_F_CREATE) == 0) {
                throw new ErrnoException(Errno.ENODEV, "no such link");
            }
            String kind = attrs.has(Rtnetlink.IFLA_LINKINFO) && attrs.nested(Rtnetlink.IFLA_LINKINFO).has(Rtnetlink.IFLA_INFO_KIND)
                    ? attrs.nested(Rtnetlink.IFLA_LINKINFO).string(Rtnetlink.IFLA_INFO_KIND) : null;
            throw new ErrnoException(Errno.EOPNOTSUPP, kind == null ? "links are made by their drivers, not by request"
                    : "Unknown device type " + kind);
        }
        if ((request.flags() & Netlink.NLM_F_EXCL) != 0) {
            throw new ErrnoException(Errno.EEXIST, "link " + link.name() + " exists");
        }
        if (attrs.has(Rtnetlink.IFLA_IFNAME) && ifm.index() != 0 && !attrs.string(Rtnetlink.IFLA_IFNAME).equals(link.name())) {
            throw new ErrnoException(Errno.EOPNOTSUPP, "links cannot be renamed");
        }
        if (attrs.has(Rtnetlink.IFLA_MTU)) {
            int mtu = attrs.u32(Rtnetlink.IFLA_MTU);
            if (mtu != link.mtu()) {
                link.setMtu(mtu);
            }
        }
        if (ifm.flags() != 0 || ifm.change() != 0) {
            int flags = ifm.change() == 0 ? ifm.flags()
                    : (ifm.flags() & ifm.change()) | (link.flags() & ~ifm.change());
            boolean up = (flags & LinkFlags.IFF_UP) != 0;
            if (up != link.isUp()) {
                link.setUp(up);
            }
        }
    }

    /** {@code rtnl_dellink}: ENODEV for no such link; EOPNOTSUPP for any other, as for {@code lo} on Linux. */
    void rtnlDellink(NlMsg request) throws ErrnoException {
        Link link = find(request, IfInfoMsg.read(request), request.attrs(IfInfoMsg.SIZE));
        if (link == null) {
            throw new ErrnoException(Errno.ENODEV, "no such link");
        }
        throw new ErrnoException(Errno.EOPNOTSUPP, "link " + link.name() + " belongs to its driver and cannot be deleted");
    }

    /** The link a request names: by {@code ifi_index}, else by {@code IFLA_IFNAME}; EINVAL when it names none. */
    private Link find(NlMsg request, IfInfoMsg ifm, NlAttrs attrs) throws ErrnoException {
        if (ifm.index() > 0) {
            return links.byIndex(ifm.index()).orElse(null);
        }
        if (attrs.has(Rtnetlink.IFLA_IFNAME)) {
            if (attrs.payload(Rtnetlink.IFLA_IFNAME).remaining() > IFNAMSIZ) {
                throw new ErrnoException(Errno.EINVAL, "IFLA_IFNAME longer than " + (IFNAMSIZ - 1) + " bytes");
            }
            return links.byName(attrs.string(Rtnetlink.IFLA_IFNAME)).orElse(null);
        }
        if (request.type() == Rtnetlink.RTM_NEWLINK && (request.flags() & Netlink.NLM_F_CREATE) != 0) {
            return null;
        }
        throw new ErrnoException(Errno.EINVAL, "the request names no link (neither ifi_index nor IFLA_IFNAME)");
    }

    /**
     * {@code rtnl_fill_ifinfo}: {@code ifinfomsg} (change 0xffffffff, as in every answer), then
     * {@code IFLA_IFNAME}, {@code IFLA_OPERSTATE}, {@code IFLA_LINKMODE}, {@code IFLA_MTU},
     * {@code IFLA_GROUP}, {@code IFLA_PROMISCUITY}, {@code IFLA_CARRIER}, the hardware address
     * and broadcast for a link that has one (loopback's zeros), and {@code IFLA_STATS64}.
     */
    static void rtnlFillIfinfo(NlWriter w, Link link) {
        int flags = link.flags();
        new IfInfoMsg(0, link.type(), link.index(), flags, 0xffffffff).write(w);
        w.attrString(Rtnetlink.IFLA_IFNAME, link.name());
        w.attrU8(Rtnetlink.IFLA_OPERSTATE, operstate(link));
        w.attrU8(Rtnetlink.IFLA_LINKMODE, 0);
        w.attrU32(Rtnetlink.IFLA_MTU, link.mtu());
        w.attrU32(Rtnetlink.IFLA_GROUP, 0);
        w.attrU32(Rtnetlink.IFLA_PROMISCUITY, 0);
        w.attrU8(Rtnetlink.IFLA_CARRIER, (flags & LinkFlags.IFF_LOWER_UP) != 0 ? 1 : 0);
        if (link.type() == LinkFlags.ARPHRD_LOOPBACK) {
            w.attrBytes(Rtnetlink.IFLA_ADDRESS, new byte[6]);
            w.attrBytes(Rtnetlink.IFLA_BROADCAST, new byte[6]);
        }
        int stats = w.beginAttr(Rtnetlink.IFLA_STATS64);
        writeStats64(w, link.stats());
        w.endAttr(stats);
    }

    /**
     * {@code struct rtnl_link_stats64}: rx/tx packets, rx/tx bytes, rx/tx errors, rx/tx dropped,
     * then 17 counters the links do not keep (multicast, collisions, the detailed errors,
     * compressed, nohandler, otherhost dropped), 0.
     */
    private static void writeStats64(NlWriter w, LinkStats s) {
        w.u64(s.rxPackets.sum()).u64(s.txPackets.sum()).u64(s.rxBytes.sum()).u64(s.txBytes.sum())
                .u64(s.rxErrors.sum()).u64(s.txErrors.sum()).u64(s.rxDropped.sum()).u64(s.txDropped.sum());
        w.zeros(Rtnetlink.RTNL_LINK_STATS64_SIZE - 8 * 8);
    }

    /**
     * RFC 2863's operational state as Linux reports it: DOWN for a link down; UP for a link up
     * with its carrier; UNKNOWN for loopback, whose driver never reports one (as {@code ip}
     * shows {@code lo}: {@code state UNKNOWN}).
     */
    private static int operstate(Link link) {
        if (!link.isUp()) {
            return Rtnetlink.IF_OPER_DOWN;
        }
        if (link.type() == LinkFlags.ARPHRD_LOOPBACK) {
            return Rtnetlink.IF_OPER_UNKNOWN;
        }
        return (link.flags() & LinkFlags.IFF_LOWER_UP) != 0 ? Rtnetlink.IF_OPER_UP : Rtnetlink.IF_OPER_DOWN;
    }

    List<Link> links() {
        return links.links();
    }
}
