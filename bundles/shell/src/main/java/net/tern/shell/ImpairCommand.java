package net.tern.shell;

import java.util.Arrays;
import java.util.List;
import net.tern.api.socket.ErrnoException;
import net.tern.spi.net.Impairment;
import net.tern.spi.net.ImpairmentStats;
import net.tern.spi.net.Link;
import net.tern.spi.net.LinkRegistry;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code net:impair}: netem for Tern's devices ({@code tc qdisc replace dev DEV root netem ...},
 * {@code tc qdisc del}, {@code tc -s qdisc show}) through {@link Link#setImpairment}.
 *
 * <ul>
 *   <li>{@code net:impair DEV [loss PCT] [duplicate PCT] [reorder PCT] [delay MS] [seed N]}
 *       sets the impairment of DEV's transmit path (replacing the one before) and prints
 *       nothing, as {@code tc} does;</li>
 *   <li>{@code net:impair DEV off} takes it away;</li>
 *   <li>{@code net:impair} lists every link's impairment and what it did,
 *       {@code net:impair DEV} that link's.</li>
 * </ul>
 *
 * <p>The words are {@link Impairment#parse netem's}: {@code PCT} is {@code 2} or {@code 2%},
 * {@code MS} is {@code 10} or {@code 10ms}. Bad words and unknown devices throw
 * {@link IllegalArgumentException} with the reason.
 */
@Component(service = ImpairCommand.class, property = {
        "osgi.command.scope=net",
        "osgi.command.function=impair"})
public final class ImpairCommand {
    static final String USAGE = String.join("\n",
            "Usage: net:impair [ DEV [ loss PCT ] [ duplicate PCT ] [ reorder PCT ] [ delay MS ] [ seed N ] ]",
            "       net:impair DEV off",
            "PCT := 2 | 2%    MS := 10 | 10ms");

    private final LinkRegistry links;

    @Activate
    public ImpairCommand(@Reference LinkRegistry links) {
        this.links = links;
    }

    public String impair(String... argv) {
        List<String> args = argv == null ? List.of() : Arrays.asList(argv);
        if (args.isEmpty()) {
            return show(links.links());
        }
        String name = args.get(0);
        if (name.equals("help") || name.equals("-h") || name.equals("--help")) {
            return USAGE;
        }
        Link link = links.byName(name).orElseThrow(() -> Iproute2Errors.noDevice(name));
        if (args.size() == 1) {
            return show(List.of(link));
        }
        Impairment impairment;
        try {
            impairment = Impairment.parse(args.subList(1, args.size()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("net:impair: " + e.getMessage() + "\n" + USAGE, e);
        }
        try {
            link.setImpairment(impairment);
        } catch (ErrnoException e) {
            throw Iproute2Errors.rtnetlink(e);
        }
        return null;
    }

    /** One row per link: its impairment in netem's words and the counters. */
    static String show(List<Link> shown) {
        if (shown.isEmpty()) {
            return "no links registered";
        }
        Table table = new Table("dev", "impairment", "dropped", "duplicated", "reordered", "delayed");
        for (Link link : shown) {
            ImpairmentStats s = link.impairmentStats();
            table.row(link.name(), link.impairment(), s.dropped.sum(), s.duplicated.sum(), s.reordered.sum(),
                    s.delayed.sum());
        }
        return table.toString().stripTrailing();
    }
}
