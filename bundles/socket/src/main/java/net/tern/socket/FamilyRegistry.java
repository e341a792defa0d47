package net.tern.socket;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReferenceArray;
import net.tern.spi.proto.ProtocolFamily;

/**
 * {@code net_families[]} and {@code sock_register}: the registered protocol families, indexed
 * by family number. When two services claim one number, the higher service ranking holds the
 * slot (the older on a tie); the other waits in reserve and takes over if the holder leaves.
 *
 * <p>{@link #active} is a lock-free array read, so {@code socket()} finds its family in O(1);
 * registration changes are rare and synchronized.
 */
final class FamilyRegistry {
    /** Family numbers are 0..255 (Linux's AF_MAX is far lower; room is left for private families). */
    static final int FAMILY_SLOTS = 256;

    private final AtomicReferenceArray<FamilyEntry> slots = new AtomicReferenceArray<>(FAMILY_SLOTS);
    private final Map<ProtocolFamily, FamilyEntry> entries = new IdentityHashMap<>();

    static boolean validFamily(int family) {
        return family >= 0 && family < FAMILY_SLOTS;
    }

    /** The family service that serves {@code family} now, or null. */
    FamilyEntry active(int family) {
        return validFamily(family) ? slots.get(family) : null;
    }

    synchronized FamilyEntry add(ProtocolFamily service, int family, int ranking, long order) {
        FamilyEntry entry = new FamilyEntry(service, family, ranking, order);
        entries.put(service, entry);
        elect(family);
        return entry;
    }

    synchronized FamilyEntry remove(ProtocolFamily service) {
        FamilyEntry entry = entries.remove(service);
        if (entry != null) {
            elect(entry.family);
        }
        return entry;
    }

    synchronized FamilyEntry find(ProtocolFamily service) {
        return entries.get(service);
    }

    synchronized void rerank(FamilyEntry entry, int ranking) {
        entry.ranking = ranking;
        elect(entry.family);
    }

    /** Every registered entry, by family number then precedence. */
    synchronized List<FamilyEntry> all() {
        List<FamilyEntry> all = new ArrayList<>(entries.values());
        all.sort(Comparator.<FamilyEntry>comparingInt(e -> e.family)
                .thenComparing((a, b) -> a == b ? 0 : a.beats(b) ? -1 : 1));
        return all;
    }

    private void elect(int family) {
        FamilyEntry best = null;
        for (FamilyEntry e : entries.values()) {
            if (e.family == family && (best == null || e.beats(best))) {
                best = e;
            }
        }
        slots.set(family, best);
    }
}
