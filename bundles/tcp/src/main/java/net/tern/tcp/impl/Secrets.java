package net.tern.tcp.impl;

import java.util.Random;
import net.tern.spi.net.Clock;

/**
 * The keyed functions of a connection's start ({@code net/core/secure_seq.c},
 * {@code net/ipv4/syncookies.c}), each with its own secret key:
 * <ul>
 * <li>the ISN of RFC 6528: a keyed hash of the 4-tuple plus a clock ticking every 4 µs, so
 *     sequence numbers of successive connections between the same ends increase, while an
 *     off-path attacker cannot guess them ({@code secure_tcp_seq});</li>
 * <li>a per-4-tuple timestamp offset, so TSval does not reveal the host's clock
 *     ({@code secure_tcp_ts_off});</li>
 * <li>the SYN cookie hash.</li>
 * </ul>
 */
public final class Secrets {
    private final Clock clock;
    private final SipHash isnKey;
    private final SipHash tsKey;
    private final SipHash cookieKey;

    public Secrets(Clock clock, Random random) {
        this.clock = clock;
        this.isnKey = new SipHash(random.nextLong(), random.nextLong());
        this.tsKey = new SipHash(random.nextLong(), random.nextLong());
        this.cookieKey = new SipHash(random.nextLong(), random.nextLong());
    }

    private static long tuple(int saddr, int daddr) {
        return ((long) saddr << 32) | (daddr & 0xffffffffL);
    }

    private static long ports(int sport, int dport) {
        return ((long) sport << 16) | dport;
    }

    /** RFC 6528: ISN = M + F(localip, localport, remoteip, remoteport, key), M a 4 µs clock. */
    public int secureTcpSeq(int saddr, int daddr, int sport, int dport) {
        long hash = isnKey.hash(tuple(saddr, daddr), ports(sport, dport));
        long ticks = clock.nanoTime() / 4_000;
        return (int) hash + (int) ticks;
    }

    /** The timestamp offset of a connection. */
    public int tsOffset(int saddr, int daddr) {
        return (int) tsKey.hash(tuple(saddr, daddr), 0);
    }

    /** The cookie hash of a 4-tuple and a counter (the minute of the cookie). */
    public int cookieHash(int saddr, int daddr, int sport, int dport, int count, int salt) {
        return (int) cookieKey.hash(tuple(saddr, daddr), (ports(sport, dport) << 32) ^ ((long) count << 8) ^ salt);
    }
}
