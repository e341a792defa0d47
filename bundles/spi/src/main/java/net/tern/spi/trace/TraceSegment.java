package net.tern.spi.trace;

/**
 * A TCP segment as an event saw it: flags (the header's flag bits: FIN 0x01, SYN 0x02,
 * RST 0x04, PSH 0x08, ACK 0x10, URG 0x20), sequence and acknowledgment numbers, payload
 * length, the window field as on the wire (before scaling), and the SACK blocks it carries.
 *
 * @param sack the SACK blocks' edges, start and end of each in turn (empty when none)
 */
public record TraceSegment(int flags, int seq, int ack, int length, int window, int[] sack) {
    private static final int[] NO_SACK = {};

    /** A segment whose window and SACK blocks are not known. */
    public TraceSegment(int flags, int seq, int ack, int length) {
        this(flags, seq, ack, length, -1, NO_SACK);
    }

    /** A copy of the first {@code count} blocks of {@code edges} (start, end pairs); no copy when there are none. */
    public static int[] sackBlocks(int[] edges, int count) {
        if (count == 0) {
            return NO_SACK;
        }
        int[] copy = new int[2 * count];
        System.arraycopy(edges, 0, copy, 0, copy.length);
        return copy;
    }
}
