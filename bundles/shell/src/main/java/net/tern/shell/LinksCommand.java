package net.tern.shell;

import net.tern.spi.net.IfAddress;
import net.tern.spi.net.Link;
import net.tern.spi.net.LinkFlags;
import net.tern.spi.net.LinkRegistry;
import net.tern.spi.net.LinkStats;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code net:links}: the registered devices with state, MTU, addresses and counters, in
 * the layout of {@code ip -s addr}, so a Linux reader knows where to look.
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
        }
        return sb.length() == 0 ? "no links registered" : sb.toString();
    }
}
