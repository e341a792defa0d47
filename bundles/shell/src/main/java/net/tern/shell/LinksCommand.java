package net.tern.shell;

import net.tern.spi.net.IfAddress;
import net.tern.spi.net.ImpairmentStats;
import net.tern.spi.net.Link;
import net.tern.spi.net.LinkFlags;
import net.tern.spi.net.LinkRegistry;
import net.tern.spi.net.LinkStats;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code net:links}: the registered devices with state, MTU, addresses and counters, in
 * the layout of {@code ip -s addr}, so a Linux reader knows where to look; a link with an
 * impairment ({@code net:impair}) also shows it and its counters, as {@code tc -s qdisc}.
 */
@Component(service = LinksCommand.class, property = {
        "osgi.command.scope=net",
        "osgi.command.function=links"})
public final class LinksCommand {
    private final LinkRegistry links;

    @Activate
    public LinksCommand(@Reference LinkRegistry links) {
        this.links = links;
    }

    public String links() {
        StringBuilder sb = new StringBuilder();
        for (Link link : links.links()) {
            sb.append(link.index()).append(": ").append(link.name())
                    .append(": <").append(LinkFlags.toString(link.flags())).append("> mtu ").append(link.mtu())
                    .append(" state ").append(link.isUp() ? "UP" : "DOWN").append('\n');
            for (IfAddress address : link.addresses()) {
                sb.append("    inet ").append(address).append('\n');
            }
            LinkStats s = link.stats();
            Table counters = new Table("", "bytes", "packets", "errors", "dropped");
            counters.row("RX:", s.rxBytes.sum(), s.rxPackets.sum(), s.rxErrors.sum(), s.rxDropped.sum());
            counters.row("TX:", s.txBytes.sum(), s.txPackets.sum(), s.txErrors.sum(), s.txDropped.sum());
            counters.toString().lines().forEach(line -> sb.append("    ").append(line).append('\n'));
            ImpairmentStats impaired = link.impairmentStats();
            if (!link.impairment().isNone() || !impaired.isZero()) {
                // As tc -s qdisc shows netem: its words, then what it did.
                sb.append("    netem ").append(link.impairment()).append('\n')
                        .append("      dropped ").append(impaired.dropped.sum())
                        .append(" duplicated ").append(impaired.duplicated.sum())
                        .append(" reordered ").append(impaired.reordered.sum())
                        .append(" delayed ").append(impaired.delayed.sum()).append('\n');
            }
        }
        return sb.length() == 0 ? "no links registered" : sb.toString();
    }
}
