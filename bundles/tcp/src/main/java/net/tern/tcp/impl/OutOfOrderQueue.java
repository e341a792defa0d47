package net.tern.tcp.impl;

import java.util.Collections;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * What was received beyond {@code rcv_nxt} ({@code tp->out_of_order_queue}): the runs of
 * stream offsets held (a 64-bit offset, so wraparound of sequence numbers does not matter
 * here), each run one entry from its start to its end. The bytes themselves sit in the
 * receive ring at their place ({@link ByteRing#place}); a run that grows or touches another
 * merges with it, so every byte is held once, and contiguous data are one entry however they
 * came. The SACK blocks sent back (RFC 2018) are the runs, the one holding the latest
 * segment first.
 *
 * <p>Each entry costs {@link #ENTRY_TRUESIZE} bytes of heap, charged to the socket's receive
 * memory: a peer sending many small pieces with gaps between them makes many entries, and
 * pruning ({@link #pruneLast}) drops them from the far end, as {@code tcp_prune_ofo_queue}
 * drops skbs.
 */
final class OutOfOrderQueue {
    /**
     * Heap per run: a {@code TreeMap} entry (header, five references, colour) and the two
     * boxed {@code Long}s it holds, 64 + 24 + 24 bytes without compressed references (40 + 24 +
     * 24 with them): the larger.
     */
    static final int ENTRY_TRUESIZE = 112;

    /** The runs of a queue that holds none: a connection receiving in order makes no map. */
    private static final NavigableMap<Long, Long> NONE = Collections.emptyNavigableMap();

    /** start offset to end offset (exclusive) of each run, runs disjoint and not adjacent. */
    private NavigableMap<Long, Long> runs = NONE;
    private long bytes;
    private long lastStart = -1;
    private long lastEnd = -1;

    /** Bytes held. */
    long bytes() {
        return bytes;
    }

    /** Runs held: the entries charged. */
    int entries() {
        return runs.size();
    }

    /** The memory the entries take. */
    long truesize() {
        return (long) runs.size() * ENTRY_TRUESIZE;
    }

    boolean isEmpty() {
        return runs.isEmpty();
    }

    /** The end of the last run, or -1. */
    long highestEnd() {
        return runs.isEmpty() ? -1 : runs.lastEntry().getValue();
    }

    /** The start of the last run (the one {@link #pruneLast} drops next), or -1. */
    long lastRunStart() {
        return runs.isEmpty() ? -1 : runs.lastKey();
    }

    /** Whether {@code [start, end)} is held already, every byte of it. */
    boolean covers(long start, long end) {
        Map.Entry<Long, Long> floor = runs.floorEntry(start);
        return floor != null && floor.getValue() >= end;
    }

    /** The entries {@code [start, end)} would add if inserted: 1 for a new run, less when it joins runs. */
    int entriesAdded(long start, long end) {
        return 1 - touching(start, end);
    }

    /** The runs {@code [start, end)} overlaps or adjoins. */
    private int touching(long start, long end) {
        int n = 0;
        Map.Entry<Long, Long> floor = runs.floorEntry(start);
        if (floor != null && floor.getValue() >= start) {
            n++;
        }
        return n + runs.subMap(start, false, end, true).size();
    }

    /** Adds {@code [start, end)}, merging with the runs it overlaps or adjoins; returns the bytes newly held. */
    long insert(long start, long end) {
        lastStart = start;
        lastEnd = end;
        long newStart = start;
        long newEnd = end;
        long covered = 0;
        Map.Entry<Long, Long> floor = runs.floorEntry(start);
        if (floor != null && floor.getValue() >= start) {
            newStart = floor.getKey();
            newEnd = Math.max(newEnd, floor.getValue());
            covered += Math.min(end, floor.getValue()) - start;
            runs.remove(floor.getKey());
        }
        Map.Entry<Long, Long> next;
        while ((next = runs.ceilingEntry(start)) != null && next.getKey() <= end) {
            covered += Math.max(0, Math.min(end, next.getValue()) - next.getKey());
            newEnd = Math.max(newEnd, next.getValue());
            runs.remove(next.getKey());
        }
        if (runs == NONE) {
            runs = new TreeMap<>();
        }
        runs.put(newStart, newEnd);
        long added = (end - start) - covered;
        bytes += added;
        return added;
    }

    /** The in-order offset data reaching {@code offset} would make: the end of the run holding it, or {@code offset}. */
    long reach(long offset) {
        Map.Entry<Long, Long> floor = runs.floorEntry(offset);
        return floor != null && floor.getValue() > offset ? floor.getValue() : offset;
    }

    /**
     * Takes out the runs that start at or before {@code offset} (the in-order data reached
     * them) and returns the new in-order offset: the end of the last run joined, or
     * {@code offset}. The bytes are in the ring already.
     */
    long drain(long offset) {
        long cursor = offset;
        Map.Entry<Long, Long> first;
        while ((first = runs.firstEntry()) != null && first.getKey() <= cursor) {
            runs.pollFirstEntry();
            long start = first.getKey();
            long end = first.getValue();
            bytes -= end - start;
            cursor = Math.max(cursor, end);
        }
        return cursor;
    }

    /**
     * {@code tcp_prune_ofo_queue}'s step: drops the last run, unless it starts before
     * {@code keepFrom} (data arriving there would land after it: it stays, for the hole
     * before it may fill). Returns the bytes dropped, or -1 when nothing was.
     */
    long pruneLast(long keepFrom) {
        Map.Entry<Long, Long> last = runs.lastEntry();
        if (last == null || last.getKey() < keepFrom) {
            return -1;
        }
        runs.pollLastEntry();
        long dropped = last.getValue() - last.getKey();
        bytes -= dropped;
        return dropped; // the latest segment's run, if this was it, is simply no longer found
    }

    /**
     * The SACK blocks as stream offsets (start, end) pairs, at most {@code max}: the run with
     * the most recent segment first (RFC 2018 4), then the others from the highest down.
     */
    int sackRuns(long[] out, int max) {
        int count = 0;
        long latestStart = -1;
        if (lastStart >= 0 && max > 0) {
            Map.Entry<Long, Long> latest = runs.floorEntry(lastStart);
            if (latest != null && latest.getValue() >= lastEnd) {
                latestStart = latest.getKey();
                out[0] = latest.getKey();
                out[1] = latest.getValue();
                count = 1;
            }
        }
        for (Map.Entry<Long, Long> run : runs.descendingMap().entrySet()) {
            if (count >= max) {
                break;
            }
            if (run.getKey() != latestStart) {
                out[2 * count] = run.getKey();
                out[2 * count + 1] = run.getValue();
                count++;
            }
        }
        return count;
    }

    /** Drops every run; returns how many there were. */
    int clear() {
        int n = runs.size();
        runs = NONE;
        bytes = 0;
        lastStart = -1;
        lastEnd = -1;
        return n;
    }
}
