package net.tern.inet.impl.ip;

import java.util.ArrayList;
import java.util.List;
import net.tern.spi.net.Packet;
import net.tern.spi.net.Timeout;

/**
 * The fragments received so far of one datagram ({@code struct ipq}), by offset, with what
 * is known of its length. A queue whose fragments overlapped is kept, empty and
 * {@link #discarded}, until its timer runs, so the datagram's later fragments are dropped
 * too (RFC 5722, 4: "all fragments of that datagram, including those not yet received").
 * Touched only under its {@link Reassembly}'s monitor.
 */
final class FragQueue {
    /** Identifies a datagram: source, destination, identification and protocol (RFC 791). */
    record Key(int source, int destination, int identification, int protocol) {
    }

    /** One fragment: its payload's range in the datagram and where its payload starts in the packet. */
    record Fragment(int offset, int end, Packet packet, int payloadIndex, long truesize) {
    }

    final Key key;
    /** Sorted by offset; no two overlap. */
    final List<Fragment> fragments = new ArrayList<>();
    /** The payload length: exact once the last fragment is in, otherwise the furthest end seen. */
    int length;
    boolean lastIn;
    boolean firstIn;
    /** Payload bytes held; with no overlaps, {@code meat == length} means complete. */
    int meat;
    /** Bytes charged to the memory limits for this queue, its own overhead included. */
    long memory;
    boolean dontFragment;
    boolean discarded;
    Timeout timer;

    FragQueue(Key key) {
        this.key = key;
    }

    /**
     * Where a fragment of {@code [offset, end)} goes in {@link #fragments}; -1 when it
     * duplicates one exactly; -2 when it overlaps one.
     */
    int insertionPoint(int offset, int end) {
        int i = 0;
        for (; i < fragments.size(); i++) {
            Fragment f = fragments.get(i);
            if (f.offset() == offset && f.end() == end) {
                return -1;
            }
            if (offset < f.end() && f.offset() < end) {
                return -2;
            }
            if (f.offset() >= end) {
                break;
            }
        }
        return i;
    }

    boolean complete() {
        return lastIn && meat == length;
    }
}
