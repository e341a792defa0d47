package net.tern.shell;

import java.util.ArrayList;
import java.util.List;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.InetSockAddr;
import net.tern.api.socket.SocketApi;
import net.tern.api.socket.SocketConstants;
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
            "IFADDR := A.B.C.D[/PLEN]   (add: /32 when PLEN is left out;",
            "                            del: any prefix length then, as Linux's wildcard deletion)");

    private final SocketApi sockets;

    IpAddr(SocketApi sockets) {
        super("address", USAGE);
        this.sockets = sockets;
    }

    // ---- show

    @Override
    String show(Args args) {
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
            List<AddrMessage> addresses = AddrMessage.dump(rtnl.nl);
            List<String> lines = new ArrayList<>();
            for (LinkMessage link : shown) {
                describe(link, addresses, lines);
            }
            return lines.isEmpty() ? null : String.join("\n", lines);
        } catch (ErrnoException e) {
            throw Iproute2Errors.rtnetlink(e);
        }
    }

    /** One link as {@code ip addr} prints it: the link line, its type, then each address. */
    private static void describe(LinkMessage link, List<AddrMessage> addresses, List<String> lines) {
        lines.add(link.index() + ": " + link.name() + ": <" + Rtnetlink.ifFlagsToString(link.flags()) + "> mtu "
                + link.mtu() + " state " + (link.isUp() ? "UP" : "DOWN"));
        lines.add("    " + linkType(link.type()));
        for (AddrMessage a : addresses) {
            if (a.index() == link.index()) {
                lines.add("    inet " + InetSockAddr.formatAddress(a.local()) + "/" + a.prefixLen() + " scope "
                        + scope(a.scope()) + " " + link.name());
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

    @Override
    String modify(Args args, boolean add) {
        Inet4Prefix local = null;
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
                local = Inet4Prefix.parsePrefix(value);
            } else if (Args.matches(word, "help")) {
                return USAGE;
            } else {
                if (local != null) {
                    throw Iproute2Errors.duplicateOrGarbage("local", word);
                }
                local = Inet4Prefix.parsePrefix(word);
            }
        }
        if (device == null) {
            throw new IllegalArgumentException("Not enough information: \"dev\" argument is required.");
        }
        if (local == null) {
            throw new IllegalArgumentException("Error: ipv4: Local address is not supplied.");
        }
        try (Rtnl rtnl = Rtnl.open(sockets)) {
            int index = rtnl.index(device);
            NlWriter w = rtnl.nl.request(add ? Rtnetlink.RTM_NEWADDR : Rtnetlink.RTM_DELADDR,
                    Netlink.NLM_F_ACK | (add ? Netlink.NLM_F_CREATE | Netlink.NLM_F_EXCL : 0));
            // ipaddr_modify: 127/8 is scope host by default, every other address global.
            int scope = (local.address() >>> 24) == 127 ? Rtnetlink.RT_SCOPE_HOST : Rtnetlink.RT_SCOPE_UNIVERSE;
            new IfAddrMsg(SocketConstants.AF_INET, local.length(), 0, scope, index).write(w);
            w.attrInAddr(Rtnetlink.IFA_LOCAL, local.address());
            // A deletion without a prefix length leaves IFA_ADDRESS out: the stack then deletes
            // the first address equal to it whatever its length (Linux's wildcard deletion).
            if (add || local.lengthGiven()) {
                w.attrInAddr(Rtnetlink.IFA_ADDRESS, local.address());
            }
            rtnl.nl.talk(w);
        } catch (ErrnoException e) {
            throw Iproute2Errors.rtnetlink(e);
        }
        return null;
    }
}
