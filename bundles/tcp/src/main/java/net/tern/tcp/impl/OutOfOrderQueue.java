package net.tern.tcp.impl;

import java.util.Map;
import java.util.TreeMap;

/**
 * Segments received beyond {@code rcv_nxt} ({@code tp->out_of_order_queue}), keyed by their
 * position in the stream (a 64-bit offset, so wraparound of sequence numbers does not matter
 * here). Overlaps are trimmed on insertion, so every byte is held once. The SACK blocks sent
 * back (RFC 2018) are the contiguous runs, the run holding the latest segment first.
 */
final class OutOfOrderQueue {
    private final TreeMap<Long, byte[]> segments = new TreeMap<>();
    private int bytes;
    private long lastStart = -1;
    private long lastEnd = -1;

    int bytes() {
        return bytes;
    }

    boolean isEmpty() {
        return segments.isEmpty();
    }

    /** Adds {@code data} at stream offset {@code start}, dropping bytes already held; returns the bytes added. */
    int insert(long start, byte[] data) {
        long end = start + data.length;
        lastStart = start;
        lastEnd = end;
        int added = 0;
        long cursor = start;
        // Walk the held segments that touch [start, end) and keep only the gaps between them.
        Map.Entry<Long, byte[]> floor = segments.floorEntry(start);
        if (floor != null && floor.getKey() + floor.getValue().length > cursor) {
            cursor = floor.getKey() + floor.getValue().length;
        }
        while (cursor < end) {
            Map.Entry<Long, byte[]> next = segments.ceilingEntry(cursor);
            long gapEnd = next == null ? end : Math.min(end, next.getKey());
            if (gapEnd > cursor) {
                byte[] piece = new byte[(int) (gapEnd - cursor)];
                System.arraycopy(data, (int) (cursor - start), piece, 0, piece.length);
                segments.put(cursor, piece);
                added += piece.length;
                bytes += piece.length;
            }
            if (next == null || next.getKey() >= end) {
                break;
            }
            cursor = next.getKey() + next.getValue().length;
        }
        return added;
    }

    /**
     * Moves the bytes that now follow {@code offset} in order into {@code into}; drops held
     * bytes below {@code offset}. Returns the new in-order offset.
     */
    long drainInto(long offset, ByteRing into) {
        long cursor = offset;
        while (!segments.isEmpty()) {
            Map.Entry<Long, byte[]> first = segments.firstEntry();
            long start = first.getKey();
            byte[] data = first.getValue();
            if (start > cursor) {
                break;
            }
            segments.pollFirstEntry();
            bytes -= data.length;
            long end = start + data.length;
            if (end > cursor) {
                int skip = (int) (cursor - start);
                into.append(data, skip, data.length - skip);
                cursor = end;
            }
        }
        return cursor;
    }

    /**
     * The SACK blocks as stream offsets (start, end) pairs, at most {@code max}: the run with
     * the most recent segment first (RFC 2018 4), then the others from the highest down.
     */
    int sackRuns(long[] out, int max) {
        int count = 0;
        long[] runs = new long[2 * segments.size()];
        int n = 0;
        long runStart = -1;
        long runEnd = -1;
        for (Map.Entry<Long, byte[]> e : segments.entrySet()) {
            long s = e.getKey();
            long t = s + e.getValue().length;
            if (runStart >= 0 && s <= runEnd) {
                runEnd = Math.max(runEnd, t);
            } else {
                if (runStart >= 0) {
                    runs[n++] = runStart;
                    runs[n++] = runEnd;
                }
                runStart = s;
                runEnd = t;
            }
        }
        if (runStart >= 0) {
            runs[n++] = runStart;
            runs[n++] = runEnd;
        }
        int latest = -1;
        for (int i = 0; i < n; i += 2) {
            if (runs[i] <= lastStart && lastEnd <= runs[i + 1]) {
                latest = i;
            }
        }
        if (latest >= 0 && count < max) {
            out[2 * count] = runs[latest];
            out[2 * count + 1] = runs[latest + 1];
            count++;
        }
        for (int i = n - 2; i >= 0 && count < max; i -= 2) {
            if (i != latest) {
                out[2 * count] = runs[i];
                out[2 * count + 1] = runs[i + 1];
                count++;
            }
        }
        return count;
    }

    void clear() {
        segments.clear();
        bytes = 0;
    }
}
