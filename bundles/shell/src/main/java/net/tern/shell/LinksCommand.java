package net.tern.shell;

import java.util.List;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.InetSockAddr;
import net.tern.api.socket.SocketApi;
import net.tern.netlink.AddrMessage;
import net.tern.netlink.LinkMessage;
import net.tern.netlink.Rtnetlink;
import net.tern.spi.net.ImpairmentStats;
import net.tern.spi.net.Link;
import net.tern.spi.net.LinkRegistry;
import net.tern.spi.proto.ProtocolFamily;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code net:links}: the links with state, MTU, addresses and counters, in the layout of
 * {@code ip -s addr}, read as {@code ip} reads them: the {@code RTM_GETLINK} and
 * {@code RTM_GETADDR} dumps of a {@code NETLINK_ROUTE} socket. A link with an impairment
 * ({@code net:impair}) also shows it and its counters, as {@code tc -s qdisc}; those come from
 * the link itself, the stack having no {@code RTM_GETQDISC}.
 */
@Component(service = LinksCommand.class, property = {
        "osgi.command.scope=net",
        "osgi.command.function=links"})
public final class LinksCommand {
    private final SocketApi sockets;
    private final LinkRegistry impairments;

    @Activate
    public LinksCommand(@Reference(name = "sockets") SocketApi sockets, @Reference(name = "links") LinkRegistry impairments,
            @Reference(name = "netlink", target = IpCommand.NETLINK) ProtocolFamily netlink) {
        this.sockets = sockets;
        this.impairments = impairments;
    }

    public String links() {
        List<LinkMessage> links;
        List<AddrMessage> addresses;
        try (Rtnl rtnl = Rtnl.open(sockets)) {
            links = rtnl.links();
            addresses = AddrMessage.dump(rtnl.nl);
        } catch (ErrnoException e) {
            throw Iproute2Errors.rtnetlink(e);
        }
        StringBuilder sb = new StringBuilder();
        for (LinkMessage link : links) {
            sb.append(link.index()).append(": ").append(link.name())
                    .append(": <").append(Rtnetlink.ifFlagsToString(link.flags())).append("> mtu ").append(link.mtu())
                    .append(" state ").append(link.isUp() ? "UP" : "DOWN").append('\n');
            for (AddrMessage address : addresses) {
                if (address.index() == link.index()) {
                    sb.append("    inet ").append(InetSockAddr.formatAddress(address.local())).append('/')
                            .append(address.prefixLen()).append('\n');
                }
            }
            Table counters = new Table("", "bytes", "packets", "errors", "dropped");
            counters.row("RX:", link.rxBytes(), link.rxPackets(), link.rxErrors(), link.rxDropped());
            counters.row("TX:", link.txBytes(), link.txPackets(), link.txErrors(), link.txDropped());
            counters.toString().lines().forEach(line -> sb.append("    ").append(line).append('\n'));
            Link device = impairments.byIndex(link.index()).orElse(null);
            ImpairmentStats impaired = device == null ? null : device.impairmentStats();
            if (device != null && (!device.impairment().isNone() || !impaired.isZero())) {
                // As tc -s qdisc shows netem: its words, then what it did.
                sb.append("    netem ").append(device.impairment()).append('\n')
                        .append("      dropped ").append(impaired.dropped.sum())
                        .append(" duplicated ").append(impaired.duplicated.sum())
                        .append(" reordered ").append(impaired.reordered.sum())
                        .append(" delayed ").append(impaired.delayed.sum()).append('\n');
            }
        }
        return sb.length() == 0 ? "no links registered" : sb.toString();
    }
}
