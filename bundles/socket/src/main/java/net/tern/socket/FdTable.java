package net.tern.socket;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The descriptor table ({@code struct fdtable}): small ints handed out lowest-free first, as
 * {@code alloc_fd} does, up to a limit ({@code RLIMIT_NOFILE}).
 *
 * <p>Lookups are lock-free: descriptors map to entries through fixed-size chunks published
 * with volatile semantics, so {@code send}/{@code recv} never take a table-wide lock.
 * Allocation and release take the table lock (Linux's {@code files->file_lock}) and find the
 * lowest free descriptor with two bitmaps: {@code used} (a bit per descriptor) and
 * {@code full} (a bit per word of {@code used}, set when all 64 are taken), plus a
 * {@code nextFree} hint below which every descriptor is taken ({@code files->next_fd}). With a
 * million descriptors the search touches at most a few hundred words of the summary, never
 * every descriptor.
 *
 * @param <E> what a descriptor refers to
 */
final class FdTable<E> {
    private static final int CHUNK_SHIFT = 10;
    private static final int CHUNK_SIZE = 1 << CHUNK_SHIFT;
    private static final int CHUNK_MASK = CHUNK_SIZE - 1;

    private final int limit;
    private final AtomicReferenceArray<AtomicReferenceArray<E>> chunks;
    private final ReentrantLock lock = new ReentrantLock();

    // Guarded by lock.
    private long[] used = new long[1];
    private long[] full = new long[1];
    private int nextFree;
    private int count;

    /**
     * @param limit    descriptors are below this number
     * @param reserved descriptors 0 .. reserved-1 are never handed out
     */
    FdTable(int limit, int reserved) {
        if (limit <= reserved || limit > (1 << 30)) {
            throw new IllegalArgumentException("descriptor limit " + limit + " must be in " + (reserved + 1) + ".." + (1 << 30));
        }
        this.limit = limit;
        this.chunks = new AtomicReferenceArray<>((limit + CHUNK_SIZE - 1) >>> CHUNK_SHIFT);
        for (int fd = 0; fd < reserved; fd++) {
            markUsed(fd);
        }
        nextFree = reserved;
    }

    int limit() {
        return limit;
    }

    /** Open (allocated) descriptors, reserved ones not counted. */
    int count() {
        lock.lock();
        try {
            return count;
        } finally {
            lock.unlock();
        }
    }

    /** The entry at {@code fd}, or null when it is not open (or only reserved). Lock-free. */
    E get(int fd) {
        if (fd < 0 || fd >= limit) {
            return null;
        }
        AtomicReferenceArray<E> chunk = chunks.get(fd >>> CHUNK_SHIFT);
        return chunk == null ? null : chunk.get(fd & CHUNK_MASK);
    }

    /**
     * Reserves the lowest free descriptor ({@code get_unused_fd_flags}) without an entry yet;
     * {@link #install} fills it, {@link #unreserve} gives it back. Returns -1 at the limit.
     */
    int reserve() {
        lock.lock();
        try {
            int fd = findFree();
            if (fd < 0) {
                return -1;
            }
            markUsed(fd);
            nextFree = fd + 1;
            count++;
            if (chunks.get(fd >>> CHUNK_SHIFT) == null) {
                chunks.set(fd >>> CHUNK_SHIFT, new AtomicReferenceArray<>(CHUNK_SIZE));
            }
            return fd;
        } finally {
            lock.unlock();
        }
    }

    /** {@code fd_install}: publishes {@code entry} at a reserved descriptor. */
    void install(int fd, E entry) {
        chunks.get(fd >>> CHUNK_SHIFT).set(fd & CHUNK_MASK, entry);
    }

    /** Gives back a reserved descriptor that was never installed ({@code put_unused_fd}). */
    void unreserve(int fd) {
        lock.lock();
        try {
            free(fd);
        } finally {
            lock.unlock();
        }
    }

    /**
     * {@code pick_file} then {@code put_unused_fd}: takes the entry out of the table and frees
     * the number for reuse. Returns the entry, or null when {@code fd} was not open (so two
     * racing closes cannot both succeed).
     */
    E remove(int fd) {
        if (fd < 0 || fd >= limit) {
            return null;
        }
        lock.lock();
        try {
            AtomicReferenceArray<E> chunk = chunks.get(fd >>> CHUNK_SHIFT);
            E entry = chunk == null ? null : chunk.getAndSet(fd & CHUNK_MASK, null);
            if (entry != null) {
                free(fd);
            }
            return entry;
        } finally {
            lock.unlock();
        }
    }

    /** The installed entries, in descriptor order. */
    List<E> entries() {
        List<E> result = new ArrayList<>();
        for (int c = 0; c < chunks.length(); c++) {
            AtomicReferenceArray<E> chunk = chunks.get(c);
            if (chunk == null) {
                continue;
            }
            for (int i = 0; i < CHUNK_SIZE; i++) {
                E e = chunk.get(i);
                if (e != null) {
                    result.add(e);
                }
            }
        }
        return result;
    }

    // ---- bitmaps, under lock ----------------------------------------------------------

    /** The lowest descriptor at or above {@link #nextFree} whose bit is clear, or -1 at the limit. */
    private int findFree() {
        int word = nextFree >>> 6;
        int summary = word >>> 6;
        long candidates = summary < full.length ? ~full[summary] & (-1L << (word & 63)) : -1L << (word & 63);
        while (true) {
            if (summary >= full.length) {
                // Past what the bitmaps cover: every word there is empty.
                word = Math.max(word, summary << 6);
                break;
            }
            if (candidates != 0) {
                word = (summary << 6) + Long.numberOfTrailingZeros(candidates);
                break;
            }
            summary++;
            candidates = summary < full.length ? ~full[summary] : -1L;
        }
        long free = word < used.length ? ~used[word] : -1L;
        int fd = (word << 6) + Long.numberOfTrailingZeros(free);
        return fd < limit ? fd : -1;
    }

    private void markUsed(int fd) {
        int word = fd >>> 6;
        if (word >= used.length) {
            int words = Math.max(word + 1, used.length * 2);
            used = Arrays.copyOf(used, words);
            full = Arrays.copyOf(full, (words + 63) >>> 6);
        }
        used[word] |= 1L << (fd & 63);
        if (used[word] == -1L) {
            full[word >>> 6] |= 1L << (word & 63);
        }
    }

    private void free(int fd) {
        int word = fd >>> 6;
        used[word] &= ~(1L << (fd & 63));
        full[word >>> 6] &= ~(1L << (word & 63));
        if (fd < nextFree) {
            nextFree = fd;
        }
        count--;
    }
}
