package net.tern.shell;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import net.tern.api.socket.ErrnoException;
import net.tern.inet.wire.Ipv4Address;
import net.tern.spi.net.IfAddress;
import net.tern.spi.net.Link;
import net.tern.spi.net.LinkFlags;
import net.tern.spi.net.LinkRegistry;

/**
 * {@code ip address} ({@code ip/ipaddress.c}): {@code show [[dev] NAME]}, and
 * {@code add}/{@code del IFADDR dev NAME} through {@link Link#addAddress} and
 * {@link Link#removeAddress}, which tell the routing table (its derived routes follow).
 */
final class IpAddr extends Iproute2Object {
    static final String USAGE = String.join("\n",
            "Usage: net:ip address { add | del } IFADDR dev IFNAME",
            "       net:ip address [ show [ [ dev ] IFNAME ] ]",
            "IFADDR := A.B.C.D[/PLEN]   (add: /32 when PLEN is left out;",
            "                            del: any prefix length then, as Linux's wildcard deletion)");

    private final LinkRegistry links;

    IpAddr(LinkRegistry links) {
        super("address", USAGE);
        this.links = links;
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
        List<Link> shown;
        if (device == null) {
            shown = links.links();
        } else {
            String name = device;
            shown = List.of(links.byName(name)
                    .orElseThrow(() -> new IllegalArgumentException("Device \"" + name + "\" does not exist.")));
        }
        List<String> lines = new ArrayList<>();
        for (Link link : shown) {
            describe(link, lines);
        }
        return lines.isEmpty() ? null : String.join("\n", lines);
    }

    /** One link as {@code ip addr} prints it: the link line, its type, then each address. */
    private static void describe(Link link, List<String> lines) {
        lines.add(link.index() + ": " + link.name() + ": <" + LinkFlags.toString(link.flags()) + "> mtu " + link.mtu()
                + " state " + (link.isUp() ? "UP" : "DOWN"));
        lines.add("    " + linkType(link.type()));
        for (IfAddress a : link.addresses()) {
            lines.add("    inet " + a + " scope " + scope(a.address()) + " " + link.name());
        }
    }

    /** The {@code link/...} line; the stack's links have no hardware address except loopback's zeros. */
    private static String linkType(int type) {
        return switch (type) {
            case LinkFlags.ARPHRD_LOOPBACK -> "link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00";
            case LinkFlags.ARPHRD_NONE -> "link/none";
            default -> "link/[" + type + "]";
        };
    }

    /**
     * The address's scope: {@code host} for 127/8, which never leaves this host,
     * {@code global} otherwise; {@code ip addr add} picks the same by default.
     */
    private static String scope(int address) {
        return Ipv4Address.isLoopback(address) ? "host" : "global";
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
        String name = device;
        Link link = links.byName(name).orElseThrow(() -> Iproute2Errors.noDevice(name));
        try {
            if (add) {
                link.addAddress(new IfAddress(local.address(), local.length()));
            } else {
                link.removeAddress(toRemove(link, local));
            }
        } catch (ErrnoException e) {
            throw Iproute2Errors.rtnetlink(e);
        }
        return null;
    }

    /**
     * The address {@code del} names. Without a prefix length Linux deletes the first address
     * equal to it whatever its length; with one, only that exact address and length.
     */
    private static IfAddress toRemove(Link link, Inet4Prefix local) {
        if (local.lengthGiven()) {
            return new IfAddress(local.address(), local.length());
        }
        Optional<IfAddress> first = link.addresses().stream().filter(a -> a.address() == local.address()).findFirst();
        return first.orElse(new IfAddress(local.address(), local.length()));
    }
}
