package net.tern.inet.impl.route;

import io.netty.util.collection.IntObjectHashMap;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import net.tern.inet.route.Route;
import net.tern.wire.Ipv4Address;

/**
 * One routing table as an immutable longest-prefix-match structure: a hash map per prefix
 * length present, probed from the longest length down. A lookup costs one hash probe per
 * distinct prefix length in the table (a handful on a host), and the tables are rebuilt
 * whole when routes change, which is rare next to lookups.
 */
final class PrefixTable {
    /** Longest prefix first, then lowest metric, then by address, for listing. */
    static final Comparator<Route> LISTING = Comparator.comparingInt(Route::prefixLength).reversed()
            .thenComparingInt(Route::metric)
            .thenComparing(r -> Integer.toUnsignedLong(r.destination()));

    static final PrefixTable EMPTY = new PrefixTable(List.of());

    /** Distinct prefix lengths present, longest first. */
    private final int[] lengths;
    /**
     * For each entry of {@link #lengths}: masked destination to routes, lowest metric first.
     * Keyed by the primitive address, so a lookup (every packet received and sent) boxes
     * nothing; never changed after the constructor.
     */
    private final List<IntObjectHashMap<Route[]>> byLength;
    private final List<Route> all;

    PrefixTable(List<Route> routes) {
        TreeSet<Integer> present = new TreeSet<>(Comparator.reverseOrder());
        for (Route r : routes) {
            present.add(r.prefixLength());
        }
        this.lengths = present.stream().mapToInt(Integer::intValue).toArray();
        this.byLength = new ArrayList<>(lengths.length);
        for (int length : lengths) {
            Map<Integer, List<Route>> grouped = new HashMap<>();
            for (Route r : routes) {
                if (r.prefixLength() == length) {
                    grouped.computeIfAbsent(r.destination(), k -> new ArrayList<>()).add(r);
                }
            }
            IntObjectHashMap<Route[]> table = new IntObjectHashMap<>(Math.max(4, grouped.size() * 2));
            grouped.forEach((destination, list) -> {
                list.sort(Comparator.comparingInt(Route::metric));
                table.put(destination, list.toArray(new Route[0]));
            });
            byLength.add(table);
        }
        List<Route> sorted = new ArrayList<>(routes);
        sorted.sort(LISTING);
        this.all = List.copyOf(sorted);
    }

    /** The best route for {@code address}: longest prefix, then lowest metric; null if none. */
    Route lookup(int address) {
        for (int i = 0; i < lengths.length; i++) {
            Route[] candidates = byLength.get(i).get(address & Ipv4Address.netmask(lengths[i]));
            if (candidates != null) {
                return candidates[0];
            }
        }
        return null;
    }

    /** The best route for {@code address} through the link {@code linkIndex}; null if none. */
    Route lookupVia(int address, int linkIndex) {
        for (int i = 0; i < lengths.length; i++) {
            Route[] candidates = byLength.get(i).get(address & Ipv4Address.netmask(lengths[i]));
            if (candidates != null) {
                for (Route r : candidates) {
                    if (r.linkIndex() == linkIndex) {
                        return r;
                    }
                }
            }
        }
        return null;
    }

    List<Route> routes() {
        return all;
    }
}
