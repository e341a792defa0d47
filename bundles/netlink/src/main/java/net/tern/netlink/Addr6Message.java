package net.tern.netlink;

import java.util.ArrayList;
import java.util.List;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.Inet6SockAddr;
import net.tern.api.socket.SocketConstants;

/**
 * An IPv6 address as an {@code RTM_NEWADDR} message of AF_INET6 gives it
 * ({@code inet6_fill_ifaddr}): the {@code ifaddrmsg} fields and {@code IFA_ADDRESS} (or
 * {@code IFA_LOCAL}) as its first and last 64 bits, with {@code IFA_FLAGS} over the header's
 * 8 bits of flags.
 */
public record Addr6Message(int index, int prefixLen, int scope, int flags, long high, long low) {

    public static Addr6Message from(NlMsg m) throws ErrnoException {
        IfAddrMsg ifa = IfAddrMsg.read(m);
        NlAttrs a = m.attrs(IfAddrMsg.SIZE);
        long[] address = a.has(Rtnetlink.IFA_LOCAL) ? a.in6Addr(Rtnetlink.IFA_LOCAL)
                : a.has(Rtnetlink.IFA_ADDRESS) ? a.in6Addr(Rtnetlink.IFA_ADDRESS) : new long[2];
        int flags = a.has(Rtnetlink.IFA_FLAGS) ? a.u32(Rtnetlink.IFA_FLAGS) : ifa.flags();
        return new Addr6Message(ifa.index(), ifa.prefixLen(), ifa.scope(), flags, address[0], address[1]);
    }

    /** The address in RFC 5952's text form. */
    public String address() {
        return Inet6SockAddr.formatAddress(high, low);
    }

    /** {@code RTM_GETADDR} of AF_INET6 with {@code NLM_F_DUMP}: every IPv6 address, link by link (none while IPv6 is not running). */
    public static List<Addr6Message> dump(NetlinkSocket nl) throws ErrnoException {
        NlWriter w = nl.request(Rtnetlink.RTM_GETADDR, Netlink.NLM_F_DUMP);
        new IfAddrMsg(SocketConstants.AF_INET6, 0, 0, 0, 0).write(w);
        List<Addr6Message> addresses = new ArrayList<>();
        for (NlMsg m : nl.dump(w)) {
            if (m.type() == Rtnetlink.RTM_NEWADDR && (m.body().get(0) & 0xff) == SocketConstants.AF_INET6) {
                addresses.add(from(m));
            }
        }
        return addresses;
    }
}
