package net.tern.netlink.impl;

import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.SocketConstants;
import net.tern.netlink.IfAddrMsg;
import net.tern.netlink.Netlink;
import net.tern.netlink.NlAttrs;
import net.tern.netlink.NlMsg;
import net.tern.netlink.NlWriter;
import net.tern.netlink.Rtnetlink;
import net.tern.spi.net.IfAddress;
import net.tern.spi.net.Link;
import net.tern.spi.net.LinkRegistry;

/**
 * The IPv4 address messages of {@code net/ipv4/devinet.c}: {@code RTM_GETADDR} dumps
 * ({@code inet_dump_ifaddr}), {@code RTM_NEWADDR} ({@code inet_rtm_newaddr}) and
 * {@code RTM_DELADDR} ({@code inet_rtm_deladdr}), each address written as
 * {@code inet_fill_ifaddr} writes it.
 */
final class DevinetAddr {
    /** {@code INFINITY_LIFE_TIME}: a permanent address's lifetimes. */
    private static final int INFINITY_LIFE_TIME = 0xffffffff;

    private final LinkRegistry links;

    DevinetAddr(LinkRegistry links) {
        this.links = links;
    }

    /**
     * {@code inet_dump_ifaddr}: every IPv4 address of every link, into a dump the caller began;
     * of link {@code only} alone when it is not 0.
     */
    void inetDumpIfaddr(int only, NetlinkReply reply) {
        for (Link link : links.links()) {
            if (only > 0 && link.index() != only) {
                continue;
            }
            for (IfAddress a : link.addresses()) {
                inetFillIfaddr(reply.begin(Rtnetlink.RTM_NEWADDR, 0), link, a);
                reply.end();
            }
        }
    }

    /**
     * The link an address dump is of: {@code ifa_index} when the requester set
     * {@code NETLINK_GET_STRICT_CHK} (without it Linux reads no filter from the header, and
     * neither does the stack), else 0 for every link.
     */
    static int dumpIndex(NlMsg request, NetlinkReply reply) {
        return reply.requester().strictCheck() && request.body().remaining() >= IfAddrMsg.SIZE
                ? request.body().getInt(4) : 0;
    }

    /**
     * {@code inet_rtm_newaddr}: {@code IFA_LOCAL} (or {@code IFA_ADDRESS}) with
     * {@code ifa_prefixlen} on link {@code ifa_index}. EINVAL without an address or with a
     * prefix beyond 32, ENODEV for no such link; the same address and length there already:
     * EEXIST with {@code NLM_F_EXCL} or without {@code NLM_F_REPLACE}, else nothing to do
     * ({@code find_matching_ifa}).
     */
    void inetRtmNewaddr(NlMsg request) throws ErrnoException {
        IfAddrMsg ifm = IfAddrMsg.read(request);
        NlAttrs attrs = request.attrs(IfAddrMsg.SIZE);
        checkFamily(ifm);
        if (ifm.prefixLen() > 32) {
            throw new ErrnoException(Errno.EINVAL, "ipv4: prefix length " + ifm.prefixLen() + " beyond 32");
        }
        int local = localAddress(attrs);
        Link link = link(ifm);
        IfAddress address = new IfAddress(local, ifm.prefixLen());
        if (link.addresses().contains(address)) {
            if ((request.flags() & Netlink.NLM_F_EXCL) != 0 || (request.flags() & Netlink.NLM_F_REPLACE) == 0) {
                throw new ErrnoException(Errno.EEXIST, address + " is on " + link.name() + " already");
            }
            return;
        }
        link.addAddress(address);
    }

    /**
     * {@code inet_rtm_deladdr}: the first address of link {@code ifa_index} that matches
     * what the request gives: {@code IFA_LOCAL}, {@code IFA_LABEL}, and with
     * {@code IFA_ADDRESS} the prefix length and network too. Without {@code IFA_ADDRESS}
     * any prefix length matches (iproute2's wildcard deletion). EADDRNOTAVAIL when none does.
     */
    void inetRtmDeladdr(NlMsg request) throws ErrnoException {
        IfAddrMsg ifm = IfAddrMsg.read(request);
        NlAttrs attrs = request.attrs(IfAddrMsg.SIZE);
        checkFamily(ifm);
        Link link = link(ifm);
        for (IfAddress a : link.addresses()) {
            if (attrs.has(Rtnetlink.IFA_LOCAL) && attrs.inAddr(Rtnetlink.IFA_LOCAL) != a.address()) {
                continue;
            }
            if (attrs.has(Rtnetlink.IFA_LABEL) && !attrs.string(Rtnetlink.IFA_LABEL).equals(link.name())) {
                continue;
            }
            if (attrs.has(Rtnetlink.IFA_ADDRESS) && (ifm.prefixLen() != a.prefixLength()
                    || !a.contains(attrs.inAddr(Rtnetlink.IFA_ADDRESS)))) {
                continue;
            }
            link.removeAddress(a);
            return;
        }
        throw new ErrnoException(Errno.EADDRNOTAVAIL, "no such address on " + link.name());
    }

    private static void checkFamily(IfAddrMsg ifm) throws ErrnoException {
        if (ifm.family() != SocketConstants.AF_INET) {
            throw new ErrnoException(Errno.EOPNOTSUPP, "address family " + ifm.family() + ": only AF_INET addresses are served");
        }
    }

    private static int localAddress(NlAttrs attrs) throws ErrnoException {
        if (attrs.has(Rtnetlink.IFA_LOCAL)) {
            return attrs.inAddr(Rtnetlink.IFA_LOCAL);
        }
        if (attrs.has(Rtnetlink.IFA_ADDRESS)) {
            return attrs.inAddr(Rtnetlink.IFA_ADDRESS);
        }
        throw new ErrnoException(Errno.EINVAL, "ipv4: Local address is not supplied");
    }

    private Link link(IfAddrMsg ifm) throws ErrnoException {
        return links.byIndex(ifm.index())
                .orElseThrow(() -> new ErrnoException(Errno.ENODEV, "no link has index " + ifm.index()));
    }

    /**
     * {@code inet_fill_ifaddr}: {@code ifaddrmsg} (permanent; scope host for 127/8, which
     * never leaves the host, global otherwise, as {@code ip addr add} picks by default), then
     * {@code IFA_ADDRESS}, {@code IFA_LOCAL}, {@code IFA_LABEL}, {@code IFA_FLAGS} and
     * {@code IFA_CACHEINFO} (infinite lifetimes; the stack keeps no creation time, so 0).
     */
    static void inetFillIfaddr(NlWriter w, Link link, IfAddress a) {
        new IfAddrMsg(SocketConstants.AF_INET, a.prefixLength(), Rtnetlink.IFA_F_PERMANENT, scope(a.address()),
                link.index()).write(w);
        w.attrInAddr(Rtnetlink.IFA_ADDRESS, a.address());
        w.attrInAddr(Rtnetlink.IFA_LOCAL, a.address());
        w.attrString(Rtnetlink.IFA_LABEL, link.name());
        w.attrU32(Rtnetlink.IFA_FLAGS, Rtnetlink.IFA_F_PERMANENT);
        int cache = w.beginAttr(Rtnetlink.IFA_CACHEINFO);
        w.u32(INFINITY_LIFE_TIME).u32(INFINITY_LIFE_TIME).u32(0).u32(0);
        w.endAttr(cache);
    }

    static int scope(int address) {
        return (address >>> 24) == 127 ? Rtnetlink.RT_SCOPE_HOST : Rtnetlink.RT_SCOPE_UNIVERSE;
    }
}
