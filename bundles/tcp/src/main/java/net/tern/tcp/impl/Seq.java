package net.tern.tcp.impl;

/**
 * Sequence number arithmetic modulo 2^32 (RFC 9293 3.4; Linux's {@code before()},
 * {@code after()}, {@code between()}): a comes before b when the signed 32-bit difference
 * a - b is negative, which is right as long as the two are less than 2^31 apart.
 */
public final class Seq {
    private Seq() {
    }

    public static boolean before(int a, int b) {
        return a - b < 0;
    }

    public static boolean after(int a, int b) {
        return b - a < 0;
    }

    public static boolean beforeOrEqual(int a, int b) {
        return a - b <= 0;
    }

    public static boolean afterOrEqual(int a, int b) {
        return b - a <= 0;
    }

    /**
     * {@code low <= x <= high} in sequence space: going forward from {@code low}, {@code x} comes
     * no later than {@code high}. The differences are compared unsigned, as Linux's u32
     * {@code between()} does; a signed comparison would take every x up to 2^31 before
     * {@code low} for inside.
     */
    public static boolean between(int x, int low, int high) {
        return Integer.compareUnsigned(x - low, high - low) <= 0;
    }

    public static int max(int a, int b) {
        return after(a, b) ? a : b;
    }

    public static int min(int a, int b) {
        return before(a, b) ? a : b;
    }

    /** The distance from {@code from} forward to {@code to}, as an unsigned 32-bit value in a long. */
    public static long distance(int from, int to) {
        return Integer.toUnsignedLong(to - from);
    }
}
