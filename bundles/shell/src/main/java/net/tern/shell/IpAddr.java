package net.tern.shell;

import java.util.ArrayList;
import java.util.List;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.InetSockAddr;
import net.tern.api.socket.SocketApi;
import net.tern.api.socket.SocketConstants;
import net.tern.netlink.Addr6Message;
import net.tern.netlink.AddrMessage;
import net.tern.netlink.IfAddrMsg;
import net.tern.netlink.LinkMessage;
import net.tern.netlink.Netlink;
import net.tern.netlink.NlWriter;
import net.tern.netlink.Rtnetlink;

/**
 * {@code ip address} ({@code ip/ipaddress.c}) over {@code NETLINK_ROUTE}: {@code show [[dev]
 * NAME]} from the {@code RTM_GETLINK} and {@code RTM_GETADDR} dumps, and {@code add}/{@code del
 * IFADDR dev NAME} as {@code RTM_NEWADDR} ({@code NLM_F_CREATE | NLM_F_EXCL}) and
 * {@code RTM_DELADDR}; the stack's routing table follows the addresses.
 */
final class IpAddr extends Iproute2Object {
    static final String USAGE = String.join("\n",
            "Usage: net:ip address { add | del } IFADDR dev IFNAME",
            "       net:ip address [ show [ [ dev ] IFNAME ] ]",
            "       (net:ip -4 address, net:ip -6 address: one family only)",
            "IFADDR := A.B.C.D[/PLEN]   (add: /32 when PLEN is left out;",
            "                            del: any prefix length then, as Linux's wildcard deletion)",
            "        | X:X::X[/PLEN]   (/128 when PLEN is left out, for add and del alike)");

    private final SocketApi sockets;

    IpAddr(SocketApi sockets) {
        super("address", USAGE);
        this.sockets = sockets;
    }

    // ---- show

    @Override
    String show(Args args, int family) {
        String device = null;
        while (args.hasNext()) {
            String word = args.next();
            if (word.equals("dev")) {
                String name = args.nextValue();
                if (device != null) {
                    throw Iproute2Errors.duplicate("dev", name);
                }
                device = name;
            } else if (Args.matches(word, "help")) {
                return USAGE;
            } else {
                // A bare word is the device, as in "ip addr show lo".
                if (device != null) {
                    throw Iproute2Errors.duplicateOrGarbage("dev", word);
                }
                device = word;
            }
        }
        try (Rtnl rtnl = Rtnl.open(sockets)) {
            List<LinkMessage> shown;
            if (device == null) {
                shown = rtnl.links();
            } else {
                String name = device;
                shown = List.of(rtnl.link(name)
                        .orElseThrow(() -> new IllegalArgumentException("Device \"" + name + "\" does not exist.")));
            }
            List<AddrMessage> addresses = family == SocketConstants.AF_INET6 ? List.of() : AddrMessage.dump(rtnl.nl);
            List<Addr6Message> addresses6 = family == SocketConstants.AF_INET ? List.of() : Addr6Message.dump(rtnl.nl);
            List<String> lines = new ArrayList<>();
            for (LinkMessage link : shown) {
                // With -4 or -6, ip lists only the links that have an address of that family.
                boolean has = addresses.stream().anyMatch(a -> a.index() == link.index())
                        || addresses6.stream().anyMatch(a -> a.index() == link.index());
                if (family == SocketConstants.AF_UNSPEC || has) {
                    describe(link, addresses, addresses6, lines);
                }
            }
            return lines.isEmpty() ? null : String.join("\n", lines);
        } catch (ErrnoException e) {
            throw Iproute2Errors.rtnetlink(e);
        }
    }

    /** One link as {@code ip addr} prints it: the link line, its type, then each address, IPv4's first. */
    private static void describe(LinkMessage link, List<AddrMessage> addresses, List<Addr6Message> addresses6,
            List<String> lines) {
        lines.add(link.index() + ": " + link.name() + ": <" + Rtnetlink.ifFlagsToString(link.flags()) + "> mtu "
                + link.mtu() + " state " + (link.isUp() ? "UP" : "DOWN"));
        lines.add("    " + linkType(link.type()));
        for (AddrMessage a : addresses) {
            if (a.index() == link.index()) {
                lines.add("    inet " + InetSockAddr.formatAddress(a.local()) + "/" + a.prefixLen() + " scope "
                        + scope(a.scope()) + " " + link.name());
            }
        }
        for (Addr6Message a : addresses6) {
            if (a.index() == link.index()) {
                lines.add("    inet6 " + a.address() + "/" + a.prefixLen() + " scope " + scope(a.scope()));
            }
        }
    }

    /** The {@code link/...} line; the stack's links have no hardware address except loopback's zeros. */
    private static String linkType(int type) {
        return switch (type) {
            case Rtnetlink.ARPHRD_LOOPBACK -> "link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00";
            case Rtnetlink.ARPHRD_NONE -> "link/none";
            default -> "link/[" + type + "]";
        };
    }

    /** {@code rtnl_rtscope_n2a} for the scopes addresses have. */
    private static String scope(int scope) {
        return switch (scope) {
            case Rtnetlink.RT_SCOPE_UNIVERSE -> "global";
            case Rtnetlink.RT_SCOPE_LINK -> "link";
            case Rtnetlink.RT_SCOPE_HOST -> "host";
            default -> Integer.toString(scope);
        };
    }

    // ---- add / del

    /**
     * {@code ip addr add|del IFADDR dev NAME}: the address's family is {@code -4}'s or
     * {@code -6}'s, or without either the address's own ({@code get_prefix} of AF_UNSPEC).
     */
    @Override
    String modify(Args args, boolean add, int family) {
        String local = null;
        String device = null;
        while (args.hasNext()) {
            String word = args.next();
            if (word.equals("dev")) {
                String name = args.nextValue();
                if (device != null) {
                    throw Iproute2Errors.duplicate("dev", name);
                }
                device = name;
            } else if (word.equals("local")) {
                String value = args.nextValue();
                if (local != null) {
                    throw Iproute2Errors.duplicate("local", value);
                }
                local = value;
            } else if (Args.matches(word, "help")) {
                return USAGE;
            } else {
                if (local != null) {
                    throw Iproute2Errors.duplicateOrGarbage("local", word);
                }
                local = word;
            }
        }
        boolean inet6 = family == SocketConstants.AF_INET6
                || (family == SocketConstants.AF_UNSPEC && local != null && Inet6Prefix.looksIpv6(local));
        // Read as ip reads it, before the rest is checked.
        Inet6Prefix p6 = inet6 && local != null ? Inet6Prefix.parsePrefix(local) : null;
        Inet4Prefix p4 = !inet6 && local != null ? Inet4Prefix.parsePrefix(local) : null;
        if (device == null) {
            throw new IllegalArgumentException("Not enough information: \"dev\" argument is required.");
        }
        if (local == null) {
            throw new IllegalArgumentException("Error: ipv" + (inet6 ? 6 : 4) + ": Local address is not supplied.");
        }
        try (Rtnl rtnl = Rtnl.open(sockets)) {
            int index = rtnl.index(device);
            NlWriter w = rtnl.nl.request(add ? Rtnetlink.RTM_NEWADDR : Rtnetlink.RTM_DELADDR,
                    Netlink.NLM_F_ACK | (add ? Netlink.NLM_F_CREATE | Netlink.NLM_F_EXCL : 0));
            if (inet6) {
                // A length left out is 128 for add and del alike, so a deletion must name the
                // address's own length (inet6_addr_del matches it).
                new IfAddrMsg(SocketConstants.AF_INET6, p6.length(), 0, Rtnetlink.RT_SCOPE_UNIVERSE, index).write(w);
                w.attrIn6Addr(Rtnetlink.IFA_LOCAL, p6.high(), p6.low());
                if (add) {
                    w.attrIn6Addr(Rtnetlink.IFA_ADDRESS, p6.high(), p6.low());
                }
            } else {
                // ipaddr_modify: 127/8 is scope host by default, every other address global.
                int scope = (p4.address() >>> 24) == 127 ? Rtnetlink.RT_SCOPE_HOST : Rtnetlink.RT_SCOPE_UNIVERSE;
                new IfAddrMsg(SocketConstants.AF_INET, p4.length(), 0, scope, index).write(w);
                w.attrInAddr(Rtnetlink.IFA_LOCAL, p4.address());
                // A deletion without a prefix length leaves IFA_ADDRESS out: the stack then deletes
                // the first address equal to it whatever its length (Linux's wildcard deletion).
                if (add || p4.lengthGiven()) {
                    w.attrInAddr(Rtnetlink.IFA_ADDRESS, p4.address());
                }
            }
            rtnl.nl.talk(w);
        } catch (ErrnoException e) {
            throw Iproute2Errors.rtnetlink(e);
        }
        return null;
    }
}
