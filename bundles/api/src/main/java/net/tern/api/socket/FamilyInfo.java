package net.tern.api.socket;

import java.util.List;

/**
 * A protocol family as the socket layer sees it (a row group of {@code /proc/net/protocols}):
 * its number, its name, the protocols it offers, and how many open sockets it has.
 */
public record FamilyInfo(int family, String name, List<ProtocolInfo> protocols, int openSockets) {
    public FamilyInfo {
        protocols = List.copyOf(protocols);
    }
}
