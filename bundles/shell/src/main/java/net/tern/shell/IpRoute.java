package net.tern.shell;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.SocketApi;
import net.tern.api.socket.SocketConstants;
import net.tern.netlink.Netlink;
import net.tern.netlink.NlWriter;
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
            "SELECTOR := [ table { main | local | all } ] [ dev IFNAME ] [ [ root | match | exact ] PREFIX ]",
            "ROUTE := [ TYPE ] PREFIX [ via ADDRESS ] [ dev IFNAME ] [ src ADDRESS ]",
            "         [ metric NUMBER ] [ mtu [ lock ] NUMBER ] [ table main ]",
            "TYPE := { unicast | unreachable | blackhole | prohibit }",
            "PREFIX := { A.B.C.D[/PLEN] | default }");

    private final SocketApi sockets;

    IpRoute(SocketApi sockets) {
        super("route", USAGE);
        this.sockets = sockets;
    }

    // ---- show

    @Override
    String show(Args args) {
        int table = Rtnetlink.RT_TABLE_MAIN;
        boolean allTables = false;
        String device = null;
        RouteSelector selector = null;
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
                if (selector != null) {
                    throw Iproute2Errors.duplicateOrGarbage("to", word);
                }
                selector = new RouteSelector(kind, Inet4Prefix.parsePrefix(word));
            }
        }
        try (Rtnl rtnl = Rtnl.open(sockets)) {
            if (device != null) {
                rtnl.index(device);
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

    @Override
    String modify(Args args, boolean add) {
        int type = 0;
        Inet4Prefix destination = null;
        int gateway = 0;
        String device = null;
        int source = 0;
        int metric = -1;
        int mtu = 0;
        boolean gatewaySet = false;
        boolean sourceSet = false;
        while (args.hasNext()) {
            String word = args.next();
            switch (word) {
                case "via" -> {
                    String value = args.nextValue();
                    if (value.equals("inet")) {
                        value = args.nextValue();
                    }
                    if (gatewaySet) {
                        throw Iproute2Errors.duplicate("via", value);
                    }
                    gateway = Inet4Prefix.parseAddress(value);
                    gatewaySet = true;
                }
                case "src" -> {
                    String value = args.nextValue();
                    if (sourceSet) {
                        throw Iproute2Errors.duplicate("src", value);
                    }
                    source = Inet4Prefix.parseAddress(value);
                    sourceSet = true;
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
                    destination = Inet4Prefix.parsePrefix(word);
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
            new RtMsg(SocketConstants.AF_INET, destination.length(), 0, 0, Rtnetlink.RT_TABLE_MAIN,
                    add ? Rtnetlink.RTPROT_BOOT : Rtnetlink.RTPROT_UNSPEC, add ? scope(rtnType, gateway) : Rtnetlink.RT_SCOPE_NOWHERE,
                    rtnType, 0).write(w);
            // The address goes as typed: host bits beyond the length are the stack's EINVAL to give.
            w.attrInAddr(Rtnetlink.RTA_DST, destination.address());
            if (gatewaySet) {
                w.attrInAddr(Rtnetlink.RTA_GATEWAY, gateway);
            }
            if (oif != 0) {
                w.attrU32(Rtnetlink.RTA_OIF, oif);
            }
            if (sourceSet) {
                w.attrInAddr(Rtnetlink.RTA_PREFSRC, source);
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
}
