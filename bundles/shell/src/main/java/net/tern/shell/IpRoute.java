package net.tern.shell;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.SocketApi;
import net.tern.api.socket.SocketConstants;
import net.tern.netlink.Netlink;
import net.tern.netlink.NlWriter;
import net.tern.netlink.Route6Message;
import net.tern.netlink.RouteMessage;
import net.tern.netlink.RtMsg;
import net.tern.netlink.Rtnetlink;

/**
 * {@code ip route} ({@code ip/iproute.c}) over {@code NETLINK_ROUTE}: {@code show} of the
 * main table, the local table or both from the {@code RTM_GETROUTE} dump, and
 * {@code add}/{@code del} in the main table as {@code RTM_NEWROUTE}
 * ({@code NLM_F_CREATE | NLM_F_EXCL}) and {@code RTM_DELROUTE}.
 */
final class IpRoute extends Iproute2Object {
    static final String USAGE = String.join("\n",
            "Usage: net:ip route [ list | show ] [ SELECTOR ]",
            "       net:ip route { add | del } ROUTE",
            "       (net:ip -6 route: IPv6's; net:ip route shows IPv4's)",
            "SELECTOR := [ table { main | local | all } ] [ dev IFNAME ] [ [ root | match | exact ] PREFIX ]",
            "ROUTE := [ TYPE ] PREFIX [ via ADDRESS ] [ dev IFNAME ] [ src ADDRESS ]",
            "         [ metric NUMBER ] [ mtu [ lock ] NUMBER ] [ table main ]",
            "TYPE := { unicast | unreachable | blackhole | prohibit }",
            "PREFIX := { A.B.C.D[/PLEN] | X:X::X[/PLEN] | default }",
            "IPv6 routes (-6, or an IPv6 PREFIX) are unicast, in table main, with no src or mtu.");

    private final SocketApi sockets;

    IpRoute(SocketApi sockets) {
        super("route", USAGE);
        this.sockets = sockets;
    }

    // ---- show

    @Override
    String show(Args args, int family) {
        int table = Rtnetlink.RT_TABLE_MAIN;
        boolean allTables = false;
        String device = null;
        RouteSelector selector = null;
        Inet6Prefix selector6 = null;
        RouteSelector.Kind kind6 = RouteSelector.Kind.EXACT;
        while (args.hasNext()) {
            String word = args.next();
            if (word.equals("table")) {
                String name = args.nextValue();
                switch (name) {
                    case "main" -> table = Rtnetlink.RT_TABLE_MAIN;
                    case "local" -> table = Rtnetlink.RT_TABLE_LOCAL;
                    case "all", "0" -> allTables = true;
                    default -> throw Iproute2Errors.invalidArgument("table id value is invalid", name);
                }
            } else if (word.equals("dev") || word.equals("oif")) {
                String name = args.nextValue();
                if (device != null) {
                    throw Iproute2Errors.duplicate(word, name);
                }
                device = name;
            } else if (Args.matches(word, "help")) {
                return USAGE;
            } else {
                if (word.equals("to")) {
                    word = args.nextValue();
                }
                RouteSelector.Kind kind = RouteSelector.Kind.EXACT;
                if (word.equals("root") || word.equals("match") || word.equals("exact")) {
                    kind = RouteSelector.Kind.valueOf(word.toUpperCase(Locale.ROOT));
                    word = args.nextValue();
                }
                if (selector != null || selector6 != null) {
                    throw Iproute2Errors.duplicateOrGarbage("to", word);
                }
                if (family == SocketConstants.AF_INET6) {
                    selector6 = Inet6Prefix.parsePrefix(word);
                    kind6 = kind;
                } else {
                    selector = new RouteSelector(kind, Inet4Prefix.parsePrefix(word));
                }
            }
        }
        try (Rtnl rtnl = Rtnl.open(sockets)) {
            if (device != null) {
                rtnl.index(device);
            }
            if (family == SocketConstants.AF_INET6) {
                // IPv6's routes are all in table main.
                return table == Rtnetlink.RT_TABLE_MAIN || allTables ? show6(rtnl, device, kind6, selector6) : null;
            }
            List<RouteMessage> routes = RouteMessage.dump(rtnl.nl);
            List<String> lines = new ArrayList<>();
            if (allTables) {
                dump(routes, Rtnetlink.RT_TABLE_MAIN, device, selector, true, rtnl, lines);
                dump(routes, Rtnetlink.RT_TABLE_LOCAL, device, selector, true, rtnl, lines);
            } else {
                dump(routes, table, device, selector, false, rtnl, lines);
            }
            return lines.isEmpty() ? null : String.join("\n", lines);
        } catch (ErrnoException e) {
            throw Iproute2Errors.rtnetlink(e);
        }
    }

    private static void dump(List<RouteMessage> routes, int table, String device, RouteSelector selector,
            boolean showTable, Rtnl rtnl, List<String> lines) throws ErrnoException {
        List<RouteMessage> shown = new ArrayList<>();
        for (RouteMessage r : routes) {
            if (r.table() == table && (device == null || (r.oif() != 0 && rtnl.name(r.oif()).equals(device)))
                    && (selector == null || selector.selects(r))) {
                shown.add(r);
            }
        }
        shown.sort(RouteLine.DUMP_ORDER);
        for (RouteMessage r : shown) {
            lines.add(RouteLine.format(r, r.oif() == 0 ? "" : rtnl.name(r.oif()), showTable, device == null));
        }
    }

    // ---- add / del

    /**
     * {@code ip route add|del ROUTE}: IPv4's, or IPv6's with {@code -6} or an IPv6 prefix or
     * gateway given ({@code get_prefix} of AF_UNSPEC). IPv6 takes the same words; what its table
     * does not hold (a type other than unicast, {@code src}, {@code mtu}) the stack refuses.
     */
    @Override
    String modify(Args args, boolean add, int family) {
        boolean inet6 = family == SocketConstants.AF_INET6
                || (family == SocketConstants.AF_UNSPEC && args.remaining().stream().anyMatch(Inet6Prefix::looksIpv6));
        int type = 0;
        String destination = null;
        String gateway = null;
        String device = null;
        String source = null;
        int metric = -1;
        int mtu = 0;
        while (args.hasNext()) {
            String word = args.next();
            switch (word) {
                case "via" -> {
                    String value = args.nextValue();
                    if (value.equals("inet") || value.equals("inet6")) {
                        value = args.nextValue();
                    }
                    if (gateway != null) {
                        throw Iproute2Errors.duplicate("via", value);
                    }
                    gateway = value;
                }
                case "src" -> {
                    String value = args.nextValue();
                    if (source != null) {
                        throw Iproute2Errors.duplicate("src", value);
                    }
                    source = value;
                }
                case "dev", "oif" -> {
                    String value = args.nextValue();
                    if (device != null) {
                        throw Iproute2Errors.duplicate(word, value);
                    }
                    device = value;
                }
                case "metric", "priority", "preference" -> {
                    String value = args.nextValue();
                    if (metric >= 0) {
                        throw Iproute2Errors.duplicate("metric", value);
                    }
                    metric = unsigned(value, "\"metric\" value is invalid");
                }
                case "mtu" -> {
                    String value = args.nextValue();
                    if (value.equals("lock")) {
                        value = args.nextValue();
                    }
                    mtu = unsigned(value, "\"mtu\" value is invalid");
                }
                case "table" -> {
                    String value = args.nextValue();
                    if (!value.equals("main")) {
                        throw Iproute2Errors.invalidArgument("routes are added to and deleted from table main only",
                                value);
                    }
                }
                default -> {
                    if (Args.matches(word, "help")) {
                        return USAGE;
                    }
                    if (word.equals("to")) {
                        word = args.nextValue();
                    }
                    int named = RouteLine.typeNamed(word);
                    if (named != 0 && destination == null && type == 0) {
                        type = named;
                        word = args.nextValue();
                    }
                    if (destination != null) {
                        throw Iproute2Errors.duplicateOrGarbage("to", word);
                    }
                    // Read at once, as ip does, so a bad prefix is the first complaint.
                    if (inet6) {
                        Inet6Prefix.parsePrefix(word);
                    } else {
                        Inet4Prefix.parsePrefix(word);
                    }
                    destination = word;
                }
            }
        }
        if (destination == null) {
            throw new IllegalArgumentException(USAGE);
        }
        try (Rtnl rtnl = Rtnl.open(sockets)) {
            int oif = device == null ? 0 : rtnl.index(device);
            NlWriter w = rtnl.nl.request(add ? Rtnetlink.RTM_NEWROUTE : Rtnetlink.RTM_DELROUTE,
                    Netlink.NLM_F_ACK | (add ? Netlink.NLM_F_CREATE | Netlink.NLM_F_EXCL : 0));
            int rtnType = type == 0 && add ? Rtnetlink.RTN_UNICAST : type;
            if (inet6) {
                Inet6Prefix dst = Inet6Prefix.parsePrefix(destination);
                new RtMsg(SocketConstants.AF_INET6, dst.length(), 0, 0, Rtnetlink.RT_TABLE_MAIN,
                        add ? Rtnetlink.RTPROT_BOOT : Rtnetlink.RTPROT_UNSPEC,
                        add ? Rtnetlink.RT_SCOPE_UNIVERSE : Rtnetlink.RT_SCOPE_NOWHERE, rtnType, 0).write(w);
                w.attrIn6Addr(Rtnetlink.RTA_DST, dst.high(), dst.low());
                if (gateway != null) {
                    long[] g = Inet6Prefix.parseAddress(gateway);
                    w.attrIn6Addr(Rtnetlink.RTA_GATEWAY, g[0], g[1]);
                }
                if (source != null) {
                    long[] a = Inet6Prefix.parseAddress(source);
                    w.attrIn6Addr(Rtnetlink.RTA_PREFSRC, a[0], a[1]);
                }
            } else {
                Inet4Prefix dst = Inet4Prefix.parsePrefix(destination);
                int via = gateway == null ? 0 : Inet4Prefix.parseAddress(gateway);
                new RtMsg(SocketConstants.AF_INET, dst.length(), 0, 0, Rtnetlink.RT_TABLE_MAIN,
                        add ? Rtnetlink.RTPROT_BOOT : Rtnetlink.RTPROT_UNSPEC, add ? scope(rtnType, via) : Rtnetlink.RT_SCOPE_NOWHERE,
                        rtnType, 0).write(w);
                // The address goes as typed: host bits beyond the length are the stack's EINVAL to give.
                w.attrInAddr(Rtnetlink.RTA_DST, dst.address());
                if (gateway != null) {
                    w.attrInAddr(Rtnetlink.RTA_GATEWAY, via);
                }
                if (source != null) {
                    w.attrInAddr(Rtnetlink.RTA_PREFSRC, Inet4Prefix.parseAddress(source));
                }
            }
            if (oif != 0) {
                w.attrU32(Rtnetlink.RTA_OIF, oif);
            }
            if (metric >= 0) {
                w.attrU32(Rtnetlink.RTA_PRIORITY, metric);
            }
            if (mtu != 0) {
                int metrics = w.beginNested(Rtnetlink.RTA_METRICS);
                w.attrU32(Rtnetlink.RTAX_LOCK, 1 << Rtnetlink.RTAX_MTU);
                w.attrU32(Rtnetlink.RTAX_MTU, mtu);
                w.endNested(metrics);
            }
            rtnl.nl.talk(w);
        } catch (ErrnoException e) {
            throw Iproute2Errors.rtnetlink(e);
        }
        return null;
    }

    /** iproute2's default scope of a new route: host for local, link for broadcast and gateway-less unicast, else universe. */
    private static int scope(int type, int gateway) {
        return switch (type) {
            case Rtnetlink.RTN_LOCAL -> Rtnetlink.RT_SCOPE_HOST;
            case Rtnetlink.RTN_BROADCAST -> Rtnetlink.RT_SCOPE_LINK;
            case Rtnetlink.RTN_UNICAST -> gateway == 0 ? Rtnetlink.RT_SCOPE_LINK : Rtnetlink.RT_SCOPE_UNIVERSE;
            default -> Rtnetlink.RT_SCOPE_UNIVERSE;
        };
    }

    private static int unsigned(String value, String problem) {
        if (value.isEmpty() || value.length() > 10 || !value.chars().allMatch(Character::isDigit)) {
            throw Iproute2Errors.invalidArgument(problem, value);
        }
        long number = Long.parseLong(value);
        if (number > Integer.MAX_VALUE) {
            throw Iproute2Errors.invalidArgument(problem, value);
        }
        return (int) number;
    }

    // ---- IPv6

    /** {@code ip -6 route show}: the AF_INET6 dump in the kernel's order, each as {@code ip -6 route} prints it. */
    private static String show6(Rtnl rtnl, String device, RouteSelector.Kind kind, Inet6Prefix selector)
            throws ErrnoException {
        List<String> lines = new ArrayList<>();
        for (Route6Message r : Route6Message.dump(rtnl.nl)) {
            String name = r.oif() == 0 ? "" : rtnl.name(r.oif());
            if ((device == null || name.equals(device)) && (selector == null || selects(kind, selector, r))) {
                lines.add(format6(r, name, device == null));
            }
        }
        return lines.isEmpty() ? null : String.join("\n", lines);
    }

    /** {@code exact}: the prefix itself; {@code root}: it and the longer ones inside it; {@code match}: it and the shorter ones that hold it. */
    private static boolean selects(RouteSelector.Kind kind, Inet6Prefix p, Route6Message r) {
        return switch (kind) {
            case ROOT -> r.dstLen() >= p.length()
                    && Inet6Prefix.samePrefix(r.dstHigh(), r.dstLow(), p.high(), p.low(), p.length());
            case MATCH -> r.dstLen() <= p.length()
                    && Inet6Prefix.samePrefix(r.dstHigh(), r.dstLow(), p.high(), p.low(), r.dstLen());
            case EXACT -> r.dstLen() == p.length()
                    && Inet6Prefix.samePrefix(r.dstHigh(), r.dstLow(), p.high(), p.low(), p.length());
        };
    }

    /** {@code print_route} of an IPv6 route: {@code PREFIX [via G] [dev D] [proto kernel] metric M pref medium}. */
    static String format6(Route6Message r, String device, boolean showDevice) {
        StringBuilder sb = new StringBuilder(r.prefix());
        if (r.hasGateway()) {
            sb.append(" via ").append(r.gateway());
        }
        if (showDevice && !device.isEmpty()) {
            sb.append(" dev ").append(device);
        }
        if (r.protocol() == Rtnetlink.RTPROT_KERNEL) {
            sb.append(" proto kernel");
        }
        sb.append(" metric ").append(Integer.toUnsignedString(r.priority())).append(" pref medium");
        return sb.toString();
    }
}
