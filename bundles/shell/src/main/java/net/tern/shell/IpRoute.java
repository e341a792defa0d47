package net.tern.shell;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import net.tern.api.socket.ErrnoException;
import net.tern.inet.route.Route;
import net.tern.inet.route.RouteRequest;
import net.tern.inet.route.RouteTable;
import net.tern.inet.route.RouteType;
import net.tern.spi.net.LinkRegistry;

/**
 * {@code ip route} ({@code ip/iproute.c}): {@code show} of the main table, the local table
 * or both, and {@code add}/{@code del} in the main table through {@link RouteTable}.
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

    private final LinkRegistry links;
    private final RouteTable routes;

    IpRoute(LinkRegistry links, RouteTable routes) {
        super("route", USAGE);
        this.links = links;
        this.routes = routes;
    }

    // ---- show

    @Override
    String show(Args args) {
        Route.Table table = Route.Table.MAIN;
        boolean allTables = false;
        String device = null;
        RouteSelector selector = null;
        while (args.hasNext()) {
            String word = args.next();
            if (word.equals("table")) {
                String name = args.nextValue();
                switch (name) {
                    case "main" -> table = Route.Table.MAIN;
                    case "local" -> table = Route.Table.LOCAL;
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
        if (device != null) {
            String name = device;
            links.byName(name).orElseThrow(() -> Iproute2Errors.noDevice(name));
        }
        List<String> lines = new ArrayList<>();
        if (allTables) {
            dump(Route.Table.MAIN, device, selector, true, lines);
            dump(Route.Table.LOCAL, device, selector, true, lines);
        } else {
            dump(table, device, selector, false, lines);
        }
        return lines.isEmpty() ? null : String.join("\n", lines);
    }

    private void dump(Route.Table table, String device, RouteSelector selector, boolean showTable, List<String> lines) {
        routes.routes(table).stream()
                .filter(r -> device == null || r.linkName().equals(device))
                .filter(r -> selector == null || selector.selects(r))
                .sorted(RouteLine.DUMP_ORDER)
                .forEach(r -> lines.add(RouteLine.format(r, showTable, device == null)));
    }

    // ---- add / del

    @Override
    String modify(Args args, boolean add) {
        RouteType type = null;
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
                    RouteType named = routeType(word);
                    if (named != null && destination == null && type == null) {
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
        if (device != null) {
            String name = device;
            links.byName(name).orElseThrow(() -> Iproute2Errors.noDevice(name));
        }
        // The address goes as typed: host bits beyond the length are the table's EINVAL to give.
        RouteRequest request = new RouteRequest(destination.address(), destination.length(), type, gateway, device,
                source, metric, mtu);
        try {
            if (add) {
                routes.add(request);
            } else {
                routes.delete(request);
            }
        } catch (ErrnoException e) {
            throw Iproute2Errors.rtnetlink(e);
        }
        return null;
    }

    /** The route types {@code ip route} names before a prefix. */
    private static RouteType routeType(String word) {
        for (RouteType t : RouteType.values()) {
            if (t.keyword().equals(word)) {
                return t;
            }
        }
        return null;
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
