package net.tern.tcp.impl;

import java.util.Iterator;
import java.util.ListIterator;
import java.util.NoSuchElementException;

/**
 * The list under the retransmission queue ({@code tcp_rtx_queue}): segments in sequence order,
 * linked through the segments themselves, so adding and removing one makes no list node. Its
 * changes are {@link RtxQueue}'s, which keeps its scoreboard in step with them; others read it
 * and walk it.
 */
abstract class TxList implements Iterable<TxSegment> {
    private TxSegment first;
    private TxSegment last;
    private int size;
    /** Segments that head an skb ({@link TxSegment#skbHead}): the skbs Linux would hold for them. */
    private int skbs;

    final boolean isEmpty() {
        return size == 0;
    }

    /** Segments sent and not acknowledged ({@code packets_out}). */
    final int size() {
        return size;
    }

    /**
     * The skbs Linux would hold for these segments: one per packet sent at once and per piece
     * cut off by a retransmission; a packet partly acknowledged is still one
     * ({@code tcp_trim_head}). Each costs its overhead in the send buffer
     * ({@link TcpMemory#sndbufUsed}).
     */
    final int skbs() {
        return skbs;
    }

    /** The oldest segment not acknowledged, or null. */
    final TxSegment head() {
        return first;
    }

    /** The segment sent last in sequence, or null ({@code skb_rb_last}). */
    final TxSegment tail() {
        return last;
    }

    /** The segments in sequence order, read-only. */
    @Override
    public final Iterator<TxSegment> iterator() {
        return new Walk(first, 0);
    }

    /** A walk of the queue from {@code index} for choosing what to retransmit; it inserts only where a segment is cut. */
    final ListIterator<TxSegment> walk(int index) {
        if (index < 0 || index > size) {
            throw new IndexOutOfBoundsException(index + " of " + size);
        }
        TxSegment at = first;
        for (int i = 0; i < index; i++) {
            at = at.next();
        }
        return new Walk(at, index);
    }

    /** Puts {@code s} before {@code at} (at the tail when null). */
    final void linkBefore(TxSegment s, TxSegment at) {
        TxSegment before = at == null ? last : at.prev();
        s.link(before, at);
        if (before == null) {
            first = s;
        } else {
            before.link(before.prev(), s);
        }
        if (at == null) {
            last = s;
        } else {
            at.link(s, at.next());
        }
        size++;
        if (s.skbHead()) {
            skbs++;
        }
    }

    /** Takes {@code s} out of the list. */
    final void remove(TxSegment s) {
        TxSegment before = s.prev();
        TxSegment after = s.next();
        if (before == null) {
            first = after;
        } else {
            before.link(before.prev(), after);
        }
        if (after == null) {
            last = before;
        } else {
            after.link(before, after.next());
        }
        s.link(null, null);
        size--;
        if (s.skbHead()) {
            if (after != null && !after.skbHead()) {
                after.skbHead(true); // the rest of its skb stays queued, trimmed
            } else {
                skbs--;
            }
        }
    }

    /** A {@link ListIterator} over the list whose {@link #add} inserts at the cursor; it removes and sets nothing. */
    private final class Walk implements ListIterator<TxSegment> {
        /** What {@link #next} returns; null at the end. */
        private TxSegment ahead;
        private int index;

        Walk(TxSegment ahead, int index) {
            this.ahead = ahead;
            this.index = index;
        }

        @Override
        public boolean hasNext() {
            return ahead != null;
        }

        @Override
        public TxSegment next() {
            if (ahead == null) {
                throw new NoSuchElementException();
            }
            TxSegment s = ahead;
            ahead = s.next();
            index++;
            return s;
        }

        @Override
        public boolean hasPrevious() {
            return (ahead == null ? last : ahead.prev()) != null;
        }

        @Override
        public TxSegment previous() {
            TxSegment s = ahead == null ? last : ahead.prev();
            if (s == null) {
                throw new NoSuchElementException();
            }
            ahead = s;
            index--;
            return s;
        }

        @Override
        public int nextIndex() {
            return index;
        }

        @Override
        public int previousIndex() {
            return index - 1;
        }

        @Override
        public void add(TxSegment s) {
            linkBefore(s, ahead);
            index++;
        }

        @Override
        public void remove() {
            throw new UnsupportedOperationException("the retransmission queue changes through its own methods");
        }

        @Override
        public void set(TxSegment s) {
            throw new UnsupportedOperationException("the retransmission queue changes through its own methods");
        }
    }
}
