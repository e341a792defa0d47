package net.tern.socket;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import net.tern.spi.proto.ProtocolFamily;

/**
 * One registered {@link ProtocolFamily} service (a slot candidate of {@code net_families[]}),
 * with the sockets it created, so that they can be withdrawn when the service leaves.
 */
final class FamilyEntry {
    final ProtocolFamily service;
    final int family;
    final String name;
    /** Registration order (the service id under OSGi): the tie-breaker between equal rankings. */
    final long order;
    volatile int ranking;
    /** Set once the service has left; sockets created after that are refused. */
    volatile boolean gone;
    /** Open sockets created through this service. */
    final Set<SocketFile> sockets = ConcurrentHashMap.newKeySet();

    FamilyEntry(ProtocolFamily service, int family, int ranking, long order) {
        this.service = service;
        this.family = family;
        this.name = service.name();
        this.ranking = ranking;
        this.order = order;
    }

    /** Whether this entry should win the family's slot over {@code other} (ranking, then age, as OSGi orders services). */
    boolean beats(FamilyEntry other) {
        return ranking != other.ranking ? ranking > other.ranking : order < other.order;
    }

    String label() {
        return "protocol family " + family + " (" + name + ")";
    }
}
