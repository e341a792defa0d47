package net.tern.tcp.impl;

import java.util.function.IntSupplier;
import java.util.function.Supplier;
import net.tern.spi.net.Clock;
import net.tern.wire.TcpPacket;

/**
 * The ACKs answering invalid segments, and their limits ({@code tcp_input.c}): the
 * per-connection rate limit shared by out-of-window, PAWS and request ACKs
 * ({@code tcp_oow_rate_limited}, RFC 9293 3.10.7.4), and the challenge ACK of RFC 5961
 * ({@code tcp_send_challenge_ack}) with the stack's budget.
 */
final class TcpChallengeAck {
    private final Clock clock;
    private final Supplier<TcpSettings> settings;
    private final TcpCounters counters;
    private final TcpOutput output;
    private final ChallengeBudget challengeBudget;

    TcpChallengeAck(Clock clock, Supplier<TcpSettings> settings, TcpCounters counters, IntSupplier random,
            TcpOutput output) {
        this.clock = clock;
        this.settings = settings;
        this.counters = counters;
        this.output = output;
        this.challengeBudget = new ChallengeBudget(clock, random);
    }

    /**
     * {@code tcp_oow_rate_limited}: whether an ACK answering an invalid segment (out of the
     * window, failing PAWS, to a request) must be held back, so two ends that disagree cannot
     * ACK each other in a loop; when it is, {@code skipped} counts it. Segments with data are
     * never limited (they are not part of such a loop).
     */
    boolean oowRateLimited(Segment seg, OowRateLimit last, TcpExtMib skipped) {
        if (seg.dataLength() > 0 && !seg.has(TcpPacket.SYN)) {
            return false;
        }
        return oowRateLimited(last, skipped);
    }

    /**
     * {@code __tcp_oow_rate_limited}: true, counting {@code skipped}, when this connection
     * sent an ACK to an invalid segment less than {@code tcp_invalid_ratelimit} ago (one timer
     * for every kind: out-of-window, PAWS, challenge); otherwise notes the time of this one.
     */
    private boolean oowRateLimited(OowRateLimit last, TcpExtMib skipped) {
        if (last.limited(clock.nanoTime(), settings.get().ackLimits().invalidRatelimitMillis() * 1_000_000L)) {
            counters.inc(skipped);
            return true;
        }
        return false;
    }

    /**
     * {@code tcp_send_challenge_ack} (RFC 5961 7, ACK throttling): an ACK telling the sender
     * where we are, within two limits. The connection's: at most one ACK to invalid segments
     * per {@code tcp_invalid_ratelimit}, else {@code TCPACKSkippedChallenge}. The stack's, when
     * {@code tcp_challenge_ack_limit} is set (Linux 6.0 made it per network namespace and off,
     * {@code INT_MAX}, by default, since a shared global count let an off-path attacker learn a
     * connection's sequence numbers from it, CVE-2016-5696): each second a budget drawn at
     * random between half the limit and one and a half times it, shared by every connection;
     * a challenge past it is not sent, and not counted.
     */
    void sendChallengeAck(TcpSock sk) {
        if (oowRateLimited(sk.oowRateLimit(), TcpExtMib.TCPACKSkippedChallenge)) {
            return;
        }
        int limit = settings.get().ackLimits().challengeAckLimit();
        if (limit != Integer.MAX_VALUE && !challengeBudget.take(limit)) {
            return;
        }
        counters.inc(TcpExtMib.TCPChallengeACK);
        output.sendAck(sk);
    }

    /** The stack's challenge ACKs left in the current second ({@code tcp_challenge_timestamp}, {@code _count}). */
    private static final class ChallengeBudget {
        private final Clock clock;
        private final IntSupplier random;
        private long second = Long.MIN_VALUE;
        private long left;

        ChallengeBudget(Clock clock, IntSupplier random) {
            this.clock = clock;
            this.random = random;
        }

        synchronized boolean take(int limit) {
            long now = clock.nanoTime() / 1_000_000_000L;
            if (now != second) {
                second = now;
                long half = ((long) limit + 1) >> 1;
                left = half + Long.remainderUnsigned(random.getAsInt() & 0xffffffffL, limit);
            }
            if (left <= 0) {
                return false;
            }
            left--;
            return true;
        }
    }
}
