package net.tern.shell;

import java.util.Comparator;
import java.util.List;
import net.tern.api.socket.FamilyInfo;
import net.tern.api.socket.ProtocolInfo;
import net.tern.api.socket.SocketApi;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code net:families}: the protocol families the socket layer has now and the protocols
 * each offers, like {@code /proc/net/protocols} grouped by family. A {@code *} marks the
 * protocol {@code socket()} picks for its type when asked for protocol 0.
 */
@Component(service = FamiliesCommand.class, property = {
        "osgi.command.scope=net",
        "osgi.command.function=families"})
public final class FamiliesCommand {
    private final SocketApi sockets;

    @Activate
    public FamiliesCommand(@Reference SocketApi sockets) {
        this.sockets = sockets;
    }

    /** Prints the table; an empty stack says so rather than printing a bare header. */
    public String families() {
        List<FamilyInfo> families = sockets.families().stream()
                .sorted(Comparator.comparingInt(FamilyInfo::family)).toList();
        if (families.isEmpty()) {
            return "no protocol families registered";
        }
        Table table = new Table("FAMILY", "NAME", "SOCKETS", "TYPE", "PROTOCOL", "PROTONAME");
        for (FamilyInfo family : families) {
            List<ProtocolInfo> protocols = family.protocols().stream()
                    .sorted(Comparator.comparingInt(ProtocolInfo::type).thenComparingInt(ProtocolInfo::protocol))
                    .toList();
            if (protocols.isEmpty()) {
                table.row(family.family(), family.name(), family.openSockets(), "-", "-", "-");
            }
            for (ProtocolInfo p : protocols) {
                table.row(family.family(), family.name(), family.openSockets(), SocketNames.typeName(p.type()),
                        p.protocol(), p.name() + (p.typeDefault() ? "*" : ""));
            }
        }
        return table.toString();
    }
}
