package net.tern.socket;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import net.tern.spi.proto.ProtocolFamily;

/**
 * One registered {@link ProtocolFamily} service (a slot candidate of {@code net_families[]},
 * ranked there by its service properties), with the sockets it created, so that they can be
 * withdrawn when the service leaves.
 */
final class FamilyEntry {
    final ProtocolFamily service;
    final int family;
    final String name;
    /** Set once the service has left; sockets created after that are refused. */
    volatile boolean gone;
    /** Open sockets created through this service. */
    final Set<SocketFile> sockets = ConcurrentHashMap.newKeySet();

    FamilyEntry(ProtocolFamily service, int family) {
        this.service = service;
        this.family = family;
        this.name = service.name();
    }

    String label() {
        return "protocol family " + family + " (" + name + ")";
    }
}
