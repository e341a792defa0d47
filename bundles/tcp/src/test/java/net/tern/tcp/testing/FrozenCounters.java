package net.tern.tcp.testing;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Counters a test's reads through {@link Host#counter} see as never moved (0), as if TCP had
 * stopped counting them. The counters checklist runs each test it cites with the counter
 * frozen, and a test that still passes does not observe the counter it claims to.
 */
public final class FrozenCounters {
    private static final Set<Enum<?>> FROZEN = ConcurrentHashMap.newKeySet();

    private FrozenCounters() {
    }

    /** Freezes {@code counter} until {@link #thaw}. */
    public static void freeze(Enum<?> counter) {
        FROZEN.add(counter);
    }

    public static void thaw(Enum<?> counter) {
        FROZEN.remove(counter);
    }

    /** What a test reads for {@code counter} whose value is {@code value}. */
    static long read(Enum<?> counter, long value) {
        return FROZEN.isEmpty() || !FROZEN.contains(counter) ? value : 0;
    }
}
