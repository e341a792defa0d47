package net.tern.tcp.impl;

/**
 * SipHash-2-4 (Aumasson and Bernstein), the keyed hash Linux uses for
 * {@code secure_tcp_seq}, {@code secure_tcp_ts_off} and SYN cookies. Written from the
 * paper's description; inputs here are a few 64-bit words.
 */
final class SipHash {
    private final long k0;
    private final long k1;

    SipHash(long k0, long k1) {
        this.k0 = k0;
        this.k1 = k1;
    }

    /** The hash of two 64-bit words (16 bytes of input). */
    long hash(long m0, long m1) {
        long v0 = 0x736f6d6570736575L ^ k0;
        long v1 = 0x646f72616e646f6dL ^ k1;
        long v2 = 0x6c7967656e657261L ^ k0;
        long v3 = 0x7465646279746573L ^ k1;
        long[] state = {v0, v1, v2, v3};
        compress(state, m0);
        compress(state, m1);
        // Final block: no trailing bytes, length 16 in the top byte.
        compress(state, 16L << 56);
        state[2] ^= 0xff;
        for (int i = 0; i < 4; i++) {
            round(state);
        }
        return state[0] ^ state[1] ^ state[2] ^ state[3];
    }

    private static void compress(long[] v, long m) {
        v[3] ^= m;
        round(v);
        round(v);
        v[0] ^= m;
    }

    private static void round(long[] v) {
        v[0] += v[1];
        v[1] = Long.rotateLeft(v[1], 13);
        v[1] ^= v[0];
        v[0] = Long.rotateLeft(v[0], 32);
        v[2] += v[3];
        v[3] = Long.rotateLeft(v[3], 16);
        v[3] ^= v[2];
        v[0] += v[3];
        v[3] = Long.rotateLeft(v[3], 21);
        v[3] ^= v[0];
        v[2] += v[1];
        v[1] = Long.rotateLeft(v[1], 17);
        v[1] ^= v[2];
        v[2] = Long.rotateLeft(v[2], 32);
    }
}
