package net.tern.services;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * RFC 864's character generator text: the 95 printable ASCII characters (space to
 * {@code ~}) in 72-character lines, each line starting one character further on, each
 * ended by CR LF. After 95 lines it starts again, so the stream is one cycle of
 * 95 × 74 = 7030 bytes repeated.
 */
final class ChargenPattern {
    static final int LINE_LENGTH = 72;
    static final int PRINTABLE = 95;
    static final int CYCLE = PRINTABLE * (LINE_LENGTH + 2);
    /** How much one send offers at most. */
    static final int CHUNK = 64 * 1024;
    /** The cycle, repeated far enough that a chunk from any offset lies inside it. */
    private static final byte[] TEXT = text((CHUNK + CYCLE) / CYCLE + 1);

    private ChargenPattern() {
    }

    /** Line {@code n} (from 0) without its CR LF. */
    static String line(int n) {
        StringBuilder sb = new StringBuilder(LINE_LENGTH);
        for (int k = 0; k < LINE_LENGTH; k++) {
            sb.append((char) (' ' + (n + k) % PRINTABLE));
        }
        return sb.toString();
    }

    private static byte[] text(int cycles) {
        StringBuilder sb = new StringBuilder(CYCLE);
        for (int n = 0; n < PRINTABLE; n++) {
            sb.append(line(n)).append("\r\n");
        }
        byte[] cycle = sb.toString().getBytes(StandardCharsets.US_ASCII);
        byte[] text = new byte[cycle.length * cycles];
        for (int i = 0; i < cycles; i++) {
            System.arraycopy(cycle, 0, text, i * cycle.length, cycle.length);
        }
        return text;
    }

    /** A view of the next {@link #CHUNK} bytes of the stream from {@code offset} (in a cycle). */
    static ByteBuffer from(int offset) {
        return ByteBuffer.wrap(TEXT, offset, CHUNK);
    }

    /** The offset in the cycle after {@code sent} more bytes. */
    static int advance(int offset, int sent) {
        return (offset + sent) % CYCLE;
    }

    /** The byte at {@code position} of the stream from its start. */
    static byte byteAt(long position) {
        return TEXT[(int) (position % CYCLE)];
    }
}
