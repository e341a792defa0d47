package net.tern.shell;

import java.util.List;
import java.util.Map;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.InetSockAddr;
import net.tern.api.socket.SocketApi;
import net.tern.netlink.AddrMessage;
import net.tern.netlink.LinkMessage;
import net.tern.netlink.Rtnetlink;
import net.tern.netlink.QdiscMessage;
import net.tern.netlink.QdiscStats;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code net:links}: the links with state, MTU, addresses and counters, in the layout of
 * {@code ip -s addr}, read as {@code ip} reads them: the {@code RTM_GETLINK} and
 * {@code RTM_GETADDR} dumps of a {@code NETLINK_ROUTE} socket. A link with an impairment
 * ({@code net:impair}) also shows it and its counters, as {@code tc -s qdisc} reads them: its
 * netem root qdisc from the {@code RTM_GETQDISC} dump.
 */
@Component(service = LinksCommand.class, property = {
        "osgi.command.scope=net",
        "osgi.command.function=links"})
public final class LinksCommand {
    private final SocketApi sockets;

    @Activate
    public LinksCommand(@Reference(name = "sockets") SocketApi sockets) {
        this.sockets = sockets;
    }

    public String links() {
        List<LinkMessage> links;
        List<AddrMessage> addresses;
        Map<Integer, QdiscMessage> qdiscs;
        try (Rtnl rtnl = Rtnl.open(sockets)) {
            links = rtnl.links();
            addresses = AddrMessage.dump(rtnl.nl);
            qdiscs = ImpairCommand.roots(rtnl);
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
            QdiscMessage root = qdiscs.get(link.index());
            if (root != null && root.isNetem()) {
                // As tc -s qdisc shows netem: its words, then what it did.
                QdiscStats impaired = root.stats();
                sb.append("    netem ").append(root.netem()).append('\n')
                        .append("      dropped ").append(impaired.drops())
                        .append(" duplicated ").append(impaired.duplicated())
                        .append(" reordered ").append(impaired.reordered())
                        .append(" delayed ").append(impaired.delayed()).append('\n');
            }
        }
        return sb.length() == 0 ? "no links registered" : sb.toString();
    }
}
