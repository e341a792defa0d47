package net.tern.spi.whiteboard;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * A table of numbered slots that services claim, each slot held by its best-ranked
 * {@link Candidate}: Linux's {@code ptype_base}, {@code inet_protos[]}, {@code net_families[]}
 * and {@code inetsw[]} as one structure. Where Linux refuses a second registration for a slot
 * (or lets the last one win), a whiteboard keeps every claimant: the highest
 * {@link ServiceRank} serves, the others wait in reserve, and when the holder leaves the next
 * one takes over at once. That is what lets a protocol bundle be replaced while the stack
 * runs: the new one registers with a higher ranking, the old one leaves.
 *
 * <p>Among candidates of equal rank (the same ranking and order, as registrations without a
 * service id have), the one added first holds the slot.
 *
 * <p>Threading: {@link #get} is an O(1) read of an immutable array published through a
 * volatile field, without a lock, for the data path (one call per packet). Changes are rare
 * (a bundle starts or stops); they are serialised by a lock and copy the one page of the
 * array they touch. {@link #candidates()} reads a snapshot without locking too.
 *
 * @param <S> the service type
 */
public final class SlotTable<S> {
    /**
     * One registration: {@code service} claims slot {@code key} with {@code rank}. A service
     * may claim several slots, or one slot more than once with different orders (one object
     * registered as two services).
     */
    public record Candidate<S>(int key, S service, ServiceRank rank) {
    }

    /**
     * What {@link #add} did to slot {@code key}: its holder {@code before} (null if the slot
     * was free) and {@code after} (never null: after an add the slot is held).
     */
    public record Change<S>(int key, S before, S after) {
        /** Whether the slot changed hands. */
        public boolean holderChanged() {
            return before != after;
        }
    }

    /** Keys map to pages of 256 slots, so a table of 65536 (ethertypes) copies 512 references per change, not 65536. */
    private static final int PAGE_BITS = 8;
    private static final int PAGE_SIZE = 1 << PAGE_BITS;
    private static final int PAGE_MASK = PAGE_SIZE - 1;

    private final int size;
    private final int pageLength;
    private final Object lock = new Object();
    /** Every key's candidates in precedence order (the holder first); guarded by {@link #lock}. */
    private final TreeMap<Integer, List<Candidate<S>>> byKey = new TreeMap<>();
    /** The holders: [key / 256][key % 256]; never written once published, a page exists only where a slot was held. */
    private volatile Object[][] pages;
    /** {@link #byKey} flattened, immutable: by key, then precedence. */
    private volatile List<Candidate<S>> snapshot = List.of();

    /** A table of the keys {@code 0..size-1}. */
    public SlotTable(int size) {
        if (size <= 0) {
            throw new IllegalArgumentException("a slot table needs at least one slot, not " + size);
        }
        this.size = size;
        this.pageLength = Math.min(size, PAGE_SIZE);
        this.pages = new Object[(size + PAGE_MASK) >>> PAGE_BITS][];
    }

    /** The number of slots: keys run from 0 to {@code size() - 1}. */
    public int size() {
        return size;
    }

    /** Whether {@code key} names a slot of this table. */
    public boolean isKey(int key) {
        return key >= 0 && key < size;
    }

    /** The service holding slot {@code key} now, or null (also for a key outside the table). Lock-free, O(1). */
    @SuppressWarnings("unchecked")
    public S get(int key) {
        if (key < 0 || key >= size) {
            return null;
        }
        Object[] page = pages[key >>> PAGE_BITS];
        return page == null ? null : (S) page[key & PAGE_MASK];
    }

    /**
     * {@code service} claims slot {@code key} with {@code rank}; it holds the slot if it
     * outranks every other candidate. A candidate of the same service, key and
     * {@code rank.order()} is the same registration again (a modified service): its ranking is
     * replaced, and it may win or lose the slot by that.
     *
     * @throws IllegalArgumentException if {@code key} is outside the table
     */
    public Change<S> add(int key, S service, ServiceRank rank) {
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(rank, "rank");
        if (!isKey(key)) {
            throw new IllegalArgumentException("slot " + key + " is outside 0.." + (size - 1));
        }
        synchronized (lock) {
            List<Candidate<S>> candidates = byKey.computeIfAbsent(key, k -> new ArrayList<>());
            S before = candidates.isEmpty() ? null : candidates.get(0).service();
            candidates.removeIf(c -> c.service() == service && c.rank().order() == rank.order());
            Candidate<S> added = new Candidate<>(key, service, rank);
            int at = 0;
            while (at < candidates.size() && !rank.outranks(candidates.get(at).rank())) {
                at++; // behind every candidate it does not outrank: equal ranks keep their arrival order
            }
            candidates.add(at, added);
            S after = candidates.get(0).service();
            if (after != before) {
                publish(key, after);
            }
            snapshot = flatten();
            return new Change<>(key, before, after);
        }
    }

    /**
     * Removes every candidate {@code which} matches; where a holder goes, the next candidate
     * of its slot takes over. Returns the candidates removed, by key then precedence (empty if
     * none matched).
     */
    public List<Candidate<S>> removeIf(Predicate<? super Candidate<S>> which) {
        Objects.requireNonNull(which, "which");
        synchronized (lock) {
            List<Candidate<S>> removed = new ArrayList<>();
            for (Iterator<Map.Entry<Integer, List<Candidate<S>>>> it = byKey.entrySet().iterator(); it.hasNext();) {
                Map.Entry<Integer, List<Candidate<S>>> slot = it.next();
                List<Candidate<S>> candidates = slot.getValue();
                S before = candidates.get(0).service();
                for (Iterator<Candidate<S>> c = candidates.iterator(); c.hasNext();) {
                    Candidate<S> candidate = c.next();
                    if (which.test(candidate)) {
                        c.remove();
                        removed.add(candidate);
                    }
                }
                S after = candidates.isEmpty() ? null : candidates.get(0).service();
                if (after != before) {
                    publish(slot.getKey(), after);
                }
                if (candidates.isEmpty()) {
                    it.remove();
                }
            }
            if (!removed.isEmpty()) {
                snapshot = flatten();
            }
            return removed;
        }
    }

    /** Removes every claim of {@code service}, in any slot. */
    public List<Candidate<S>> remove(S service) {
        return removeIf(c -> c.service() == service);
    }

    /** Removes the claims {@code service} made with {@code order} (one service's registration). */
    public List<Candidate<S>> remove(S service, long order) {
        return removeIf(c -> c.service() == service && c.rank().order() == order);
    }

    /** Every candidate, by key, then precedence: the first of each key holds its slot. An immutable snapshot. */
    public List<Candidate<S>> candidates() {
        return snapshot;
    }

    /** The candidates for slot {@code key}, holder first. An immutable snapshot. */
    public List<Candidate<S>> candidates(int key) {
        List<Candidate<S>> result = new ArrayList<>();
        for (Candidate<S> c : snapshot) {
            if (c.key() == key) {
                result.add(c);
            }
        }
        return List.copyOf(result);
    }

    /** Publishes {@code holder} in slot {@code key}: a new top array and a new copy of the key's page. */
    private void publish(int key, S holder) {
        Object[][] top = pages.clone();
        int index = key >>> PAGE_BITS;
        Object[] page = top[index] == null ? new Object[pageLength] : top[index].clone();
        page[key & PAGE_MASK] = holder;
        top[index] = page;
        pages = top;
    }

    private List<Candidate<S>> flatten() {
        List<Candidate<S>> all = new ArrayList<>();
        for (List<Candidate<S>> candidates : byKey.values()) {
            all.addAll(candidates);
        }
        return List.copyOf(all);
    }
}
