package net.tern.shell;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.SocketApi;
import net.tern.netlink.LinkMessage;
import net.tern.netlink.NetemOptions;
import net.tern.netlink.QdiscMessage;
import net.tern.netlink.QdiscStats;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code net:impair}: netem for Tern's devices, talking to the stack as {@code tc} does, through
 * a {@code NETLINK_ROUTE} socket: {@code RTM_NEWQDISC} ({@code tc qdisc replace dev DEV root
 * netem ...}), {@code RTM_DELQDISC} ({@code tc qdisc del dev DEV root}) and the
 * {@code RTM_GETQDISC} dump ({@code tc -s qdisc show}).
 *
 * <ul>
 *   <li>{@code net:impair DEV [loss PCT] [duplicate PCT] [reorder PCT] [delay MS] [seed N] [limit PACKETS]}
 *       sets the impairment of DEV's transmit path (replacing the one before) and prints
 *       nothing, as {@code tc} does;</li>
 *   <li>{@code net:impair DEV off} takes it away (nothing to take away is no error);</li>
 *   <li>{@code net:impair} lists every link's root qdisc as an impairment and what it did,
 *       {@code net:impair DEV} that link's.</li>
 * </ul>
 *
 * <p>The words are {@link NetemOptions#parse netem's}: {@code PCT} is {@code 2} or {@code 2%},
 * {@code MS} is {@code 10} or {@code 10ms}. Bad words and unknown devices throw
 * {@link IllegalArgumentException} with the reason; the stack's refusals are {@code RTNETLINK
 * answers: ...}.
 */
@Component(service = ImpairCommand.class, property = {
        "osgi.command.scope=net",
        "osgi.command.function=impair"})
public final class ImpairCommand {
    static final String USAGE = String.join("\n",
            "Usage: net:impair [ DEV [ loss PCT ] [ duplicate PCT ] [ reorder PCT ] [ delay MS ] [ seed N ] [ limit PACKETS ] ]",
            "       net:impair DEV off",
            "PCT := 2 | 2%    MS := 10 | 10ms");

    private final SocketApi sockets;

    @Activate
    public ImpairCommand(@Reference(name = "sockets") SocketApi sockets) {
        this.sockets = sockets;
    }

    public String impair(String... argv) {
        List<String> args = argv == null ? List.of() : Arrays.asList(argv);
        if (!args.isEmpty() && List.of("help", "-h", "--help").contains(args.get(0))) {
            return USAGE;
        }
        try (Rtnl rtnl = Rtnl.open(sockets)) {
            if (args.isEmpty()) {
                return show(rtnl, 0);
            }
            int index = rtnl.index(args.get(0));
            if (args.size() == 1) {
                return show(rtnl, index);
            }
            NetemOptions options;
            try {
                options = NetemOptions.parse(args.subList(1, args.size()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("net:impair: " + e.getMessage() + "\n" + USAGE, e);
            }
            if (options.isNone()) {
                deleteRoot(rtnl, index);
            } else {
                QdiscMessage.replaceRootNetem(rtnl.nl, index, options);
            }
            return null;
        } catch (ErrnoException e) {
            throw Iproute2Errors.rtnetlink(e);
        }
    }

    /** {@code tc qdisc del dev DEV root}; a link that has only its default qdisc has nothing to take away. */
    private static void deleteRoot(Rtnl rtnl, int index) throws ErrnoException {
        try {
            QdiscMessage.deleteRoot(rtnl.nl, index);
        } catch (ErrnoException e) {
            if (e.errno() != Errno.ENOENT) {
                throw e;
            }
        }
    }

    /** One row per link (or the link {@code index}, when not 0): its root qdisc in netem's words, and the counters. */
    static String show(Rtnl rtnl, int index) throws ErrnoException {
        List<LinkMessage> links = rtnl.links();
        Map<Integer, QdiscMessage> roots = roots(rtnl);
        if (links.isEmpty()) {
            return "no links registered";
        }
        Table table = new Table("dev", "impairment", "dropped", "duplicated", "reordered", "delayed");
        for (LinkMessage link : links) {
            if (index != 0 && link.index() != index) {
                continue;
            }
            QdiscMessage root = roots.get(link.index());
            boolean netem = root != null && root.isNetem();
            QdiscStats s = netem ? root.stats() : QdiscStats.ZERO;
            table.row(link.name(), netem ? root.netem() : "off", s.drops(), s.duplicated(), s.reordered(), s.delayed());
        }
        return table.toString().stripTrailing();
    }

    /** Each link's root qdisc, by index ({@code RTM_GETQDISC} dump). */
    static Map<Integer, QdiscMessage> roots(Rtnl rtnl) throws ErrnoException {
        Map<Integer, QdiscMessage> roots = new HashMap<>();
        for (QdiscMessage q : QdiscMessage.dump(rtnl.nl)) {
            if (q.parent() == net.tern.netlink.PktSched.TC_H_ROOT) {
                roots.put(q.ifindex(), q);
            }
        }
        return roots;
    }
}
