package net.tern.tcp.cubic;

/**
 * CUBIC's window function in Linux's fixed point ({@code tcp_cubic.c}): W(t) = C (t - K)^3 + W_max
 * (RFC 9438, 4.2) with time in units of 1/1024 s ({@code BICTCP_HZ} = 10 bits), C = 41/1024
 * per the 100 ms reference RTT Linux scales by ({@code bic_scale} = 41, i.e. C = 0.4), and
 * beta = 717/1024 (about 0.7, RFC 9438 4.6). Integer arithmetic throughout, so the windows
 * come out as Linux's do, rounding included.
 *
 * <p>Linux counts the epoch in jiffies; {@link #HZ} is the tick of the kernel Tern is
 * checked against (CONFIG_HZ=250), so an epoch's age is quantized to the same 4 ms steps.
 */
final class CubicFunction {
    /** beta's denominator ({@code BICTCP_BETA_SCALE}). */
    static final int BETA_SCALE = 1024;
    /** beta = 717/1024: ssthresh = cwnd * 717 / 1024 after a loss. */
    static final int BETA = 717;
    /** Time resolution of the function: 2^10 units per second ({@code BICTCP_HZ}). */
    static final int BICTCP_HZ = 10;
    /** C scaled by 1024, per the 100 ms reference RTT ({@code bic_scale}). */
    static final int BIC_SCALE = 41;
    /** {@code cube_rtt_scale} = bic_scale * 10: 1024 * C / RTT with RTT = 100 ms. */
    static final long CUBE_RTT_SCALE = BIC_SCALE * 10L;
    /** {@code cube_factor} = 2^(10 + 3 * BICTCP_HZ) / (bic_scale * 10): K^3 per segment of W_max - cwnd. */
    static final long CUBE_FACTOR = (1L << (10 + 3 * BICTCP_HZ)) / (BIC_SCALE * 10L);
    /**
     * {@code beta_scale} = 8 (1024 + beta) / 3 / (1024 - beta): the Reno-friendly estimate gains one
     * segment per {@code cwnd * beta_scale / 8} ACKed segments, i.e. 3 (1 - beta) / (1 + beta) per
     * round trip (RFC 9438, 4.3).
     */
    static final int RENO_FRIENDLY_SCALE = 8 * (BETA_SCALE + BETA) / 3 / (BETA_SCALE - BETA);
    /** The kernel's tick rate, for the epoch's age in jiffies. */
    static final int HZ = 250;
    private static final long MICROS_PER_JIFFY = 1_000_000L / HZ;

    private CubicFunction() {
    }

    /** {@code tcp_jiffies32} of a time in microseconds. */
    static long jiffies(long micros) {
        return Math.floorDiv(micros, MICROS_PER_JIFFY);
    }

    /** {@code usecs_to_jiffies}: rounded up, as the kernel rounds. */
    static long usecsToJiffies(long micros) {
        return (micros + MICROS_PER_JIFFY - 1) / MICROS_PER_JIFFY;
    }

    /** K in 1/1024 s for a curve that must climb {@code segments} from the epoch's window to W_max. */
    static long k(long segments) {
        return cubeRoot(CUBE_FACTOR * segments);
    }

    /**
     * The function's distance from W_max, in segments, at {@code offset} (|t - K| in 1/1024 s):
     * C/RTT * offset^3 computed in 64 bits as Linux does (exact while cwnd stays under a million
     * segments), truncated to 32 bits.
     */
    static long delta(long offset) {
        return ((CUBE_RTT_SCALE * offset * offset * offset) >>> (10 + 3 * BICTCP_HZ)) & 0xFFFF_FFFFL;
    }

    /**
     * The integer cube root of {@code a} (rounded down). Linux approximates it with a table and one
     * Newton-Raphson step (about 0.2% off on average); the exact root is used here, so K may
     * differ from Linux's by that much (a few 1/1024 s when K is a second or more).
     */
    static long cubeRoot(long a) {
        if (a <= 0) {
            return 0;
        }
        long x = (long) Math.cbrt((double) a);
        while (x * x * x > a) {
            x--;
        }
        while ((x + 1) * (x + 1) * (x + 1) <= a) {
            x++;
        }
        return x;
    }
}
