package net.tern.inet.impl;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import net.tern.spi.proto.ProtoSw;

/**
 * {@code inetsw[]} and {@code inet_register_protosw}: the AF_INET protocol switch entries,
 * grouped by socket type. Within a type, the entry that comes first (highest service
 * ranking, then the oldest registration) is the type's default, picked when
 * {@code socket()} passes protocol 0. Changes are rare and copy the table; lookups read the
 * current copy without locking.
 */
final class ProtoSwTable {
    /** One registered entry. */
    record Entry(ProtoSw sw, int type, int protocol, int ranking, long order) {
    }

    private static final Comparator<Entry> PRECEDENCE = Comparator.comparingInt(Entry::type)
            .thenComparing(Comparator.comparingInt(Entry::ranking).reversed())
            .thenComparingLong(Entry::order);

    private volatile List<Entry> entries = List.of();

    /** {@code inet_register_protosw}. */
    synchronized void add(ProtoSw sw, int ranking, long order) {
        List<Entry> next = new ArrayList<>(entries);
        next.removeIf(e -> e.sw() == sw && e.order() == order);
        next.add(new Entry(sw, sw.type(), sw.protocol(), ranking, order));
        next.sort(PRECEDENCE);
        entries = List.copyOf(next);
    }

    /** {@code inet_unregister_protosw}: the registration of {@code sw} made with {@code order}. */
    synchronized void remove(ProtoSw sw, long order) {
        List<Entry> next = new ArrayList<>(entries);
        if (next.removeIf(e -> e.sw() == sw && e.order() == order)) {
            entries = List.copyOf(next);
        }
    }

    /** Every registration of {@code sw}. */
    synchronized void remove(ProtoSw sw) {
        List<Entry> next = new ArrayList<>(entries);
        if (next.removeIf(e -> e.sw() == sw)) {
            entries = List.copyOf(next);
        }
    }

    /** Entries by type, then precedence: the first of each type is its default. */
    List<Entry> entries() {
        return entries;
    }
}
