package net.tern.tcp.impl;

import java.util.concurrent.atomic.LongAdder;

/**
 * The one place every copy of TCP payload bytes is reported (into and out of the send and
 * receive rings, out of the packets queued for the reader), so a test can count how many
 * times a byte is copied on its way from the sender's application to the receiver's. Counted
 * only while a count runs ({@link #start}); otherwise a report is one volatile read.
 */
final class PayloadCopies {
    private static volatile boolean counting;
    private static final LongAdder COPIED = new LongAdder();

    private PayloadCopies() {
    }

    /** {@code bytes} of payload were copied. */
    static void copied(int bytes) {
        if (counting) {
            COPIED.add(bytes);
        }
    }

    /** Starts counting from zero. */
    static void start() {
        COPIED.reset();
        counting = true;
    }

    /** Stops counting and returns the bytes copied since {@link #start}. */
    static long stop() {
        counting = false;
        return COPIED.sum();
    }
}
