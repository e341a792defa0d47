package net.tern.tcp.impl;

/**
 * Sequence numbers in the order they were added, taken from either end: a ring of ints, so
 * marking and taking allocate nothing once the ring is as large as it needs to be. The array
 * is made at the first mark (a connection that never marks holds none) and doubles when full.
 */
final class SeqMarks {
    private int[] ring;
    private int head;
    private int count;

    boolean isEmpty() {
        return count == 0;
    }

    /** The oldest mark; only when not empty. */
    int first() {
        return ring[head];
    }

    /** The newest mark; only when not empty. */
    int last() {
        return ring[(head + count - 1) & (ring.length - 1)];
    }

    void addLast(int seq) {
        if (ring == null) {
            ring = new int[4];
        } else if (count == ring.length) {
            int[] bigger = new int[ring.length * 2];
            for (int i = 0; i < count; i++) {
                bigger[i] = ring[(head + i) & (ring.length - 1)];
            }
            ring = bigger;
            head = 0;
        }
        ring[(head + count) & (ring.length - 1)] = seq;
        count++;
    }

    /** Takes the oldest mark away; only when not empty. */
    void removeFirst() {
        head = (head + 1) & (ring.length - 1);
        count--;
    }

    /** Takes the newest mark away; only when not empty. */
    void removeLast() {
        count--;
    }

    void clear() {
        head = 0;
        count = 0;
    }
}
