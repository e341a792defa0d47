package net.tern.netlink;

import java.util.ArrayList;
import java.util.List;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.SocketConstants;

/**
 * An IPv4 address as an {@code RTM_NEWADDR} message gives it: the {@code ifaddrmsg} fields,
 * {@code IFA_LOCAL} (or {@code IFA_ADDRESS}) and {@code IFA_LABEL}.
 */
public record AddrMessage(int index, int prefixLen, int scope, int flags, int local, String label) {

    public static AddrMessage from(NlMsg m) throws ErrnoException {
        IfAddrMsg ifa = IfAddrMsg.read(m);
        NlAttrs a = m.attrs(IfAddrMsg.SIZE);
        int local = a.has(Rtnetlink.IFA_LOCAL) ? a.inAddr(Rtnetlink.IFA_LOCAL)
                : a.has(Rtnetlink.IFA_ADDRESS) ? a.inAddr(Rtnetlink.IFA_ADDRESS) : 0;
        int flags = a.has(Rtnetlink.IFA_FLAGS) ? a.u32(Rtnetlink.IFA_FLAGS) : ifa.flags();
        return new AddrMessage(ifa.index(), ifa.prefixLen(), ifa.scope(), flags, local,
                a.has(Rtnetlink.IFA_LABEL) ? a.string(Rtnetlink.IFA_LABEL) : "");
    }

    /** {@code RTM_GETADDR} of AF_INET with {@code NLM_F_DUMP}: every address, link by link. */
    public static List<AddrMessage> dump(NetlinkSocket nl) throws ErrnoException {
        NlWriter w = nl.request(Rtnetlink.RTM_GETADDR, Netlink.NLM_F_DUMP);
        new IfAddrMsg(SocketConstants.AF_INET, 0, 0, 0, 0).write(w);
        List<AddrMessage> addresses = new ArrayList<>();
        for (NlMsg m : nl.dump(w)) {
            if (m.type() == Rtnetlink.RTM_NEWADDR) {
                addresses.add(from(m));
            }
        }
        return addresses;
    }
}
