package net.tern.tcp.impl;

import java.util.concurrent.TimeUnit;
import net.tern.inet.sock.ProtoMemory;

/**
 * TCP's stack-wide settings, Linux's {@code net.ipv4.tcp_*} sysctls (names in brackets in
 * the README). Times are in milliseconds.
 *
 * @param synRetries        SYN retransmissions before connect fails with ETIMEDOUT ({@code tcp_syn_retries}, 6)
 * @param synackRetries     SYN-ACK retransmissions for a request ({@code tcp_synack_retries}, 5)
 * @param retries2          the retransmission budget of an established connection ({@code tcp_retries2}, 15)
 * @param rtoInitialMillis  the RTO before any RTT sample (RFC 6298: 1 s)
 * @param rtoMinMillis      the least RTO ({@code TCP_RTO_MIN}, 200 ms)
 * @param rtoMaxMillis      the largest RTO ({@code TCP_RTO_MAX}, 120 s)
 * @param msl               MSL in milliseconds; TIME-WAIT lasts 2 * MSL (60 s, {@code TCP_TIMEWAIT_LEN})
 * @param finTimeoutMillis  how long an orphaned FIN-WAIT-2 socket waits for the peer's FIN ({@code tcp_fin_timeout}, 60 s)
 * @param somaxconn         the cap on {@code listen(backlog)} ({@code net.core.somaxconn}, 4096)
 * @param syncookies        answer SYNs with cookies when the SYN queue is full ({@code tcp_syncookies=1})
 * @param timestamps        offer RFC 7323 timestamps ({@code tcp_timestamps})
 * @param windowScaling     offer window scaling ({@code tcp_window_scaling})
 * @param sack              offer SACK ({@code tcp_sack})
 * @param rmemMax           the largest receive buffer, from which the window scale is derived ({@code tcp_rmem[2]}, 15 MiB gives 8)
 * @param rmemDefault       a socket's receive buffer at its start ({@code tcp_rmem[1]}, 262144: a 128 KiB window with
 *                          {@code tcp_adv_win_scale} 1), grown by a bulk connection's reads up to {@code rmemMax}
 *                          ({@link Memory#moderateRcvbuf})
 * @param wmemDefault       a socket's send buffer at its start ({@code tcp_wmem[1]}, 131072), grown with the
 *                          congestion window up to {@link Memory#wmemMax}
 * @param initialCwnd       the initial window in segments (RFC 6928, 10)
 * @param keepaliveTimeMillis   idle time before the first keepalive probe ({@code tcp_keepalive_time}, 7200 s)
 * @param keepaliveIntvlMillis  time between probes ({@code tcp_keepalive_intvl}, 75 s)
 * @param keepaliveProbes       unanswered probes before the connection is dropped ({@code tcp_keepalive_probes}, 9)
 * @param delackMinMillis   the delayed-ACK timeout ({@code TCP_DELACK_MIN}, 40 ms)
 * @param congestionControl the default algorithm ({@code tcp_congestion_control}, cubic; reno while
 *                          no algorithm of that name is registered)
 * @param memory            receive and send memory accounting: {@code tcp_mem}, {@code tcp_rmem[0]},
 *                          {@code tcp_wmem[0]}, {@code tcp_adv_win_scale} ({@link Memory})
 * @param ackLimits         RFC 5961 7 ACK throttling: {@code tcp_challenge_ack_limit} and
 *                          {@code tcp_invalid_ratelimit} ({@link AckLimits})
 * @param lossDetection     RACK-TLP (RFC 8985) or duplicate ACKs: {@code tcp_recovery} and
 *                          {@code tcp_early_retrans} ({@link LossDetection})
 * @param sending           how a sender restarts after idle and sizes its packets:
 *                          {@code tcp_slow_start_after_idle}, {@code tcp_min_tso_segs} ({@link Sending})
 * @param twReuse           whether connect() may take over a 4-tuple in TIME-WAIT: {@code tcp_tw_reuse},
 *                          {@code tcp_tw_reuse_delay} ({@link TwReuse})
 */
public record TcpSettings(int synRetries, int synackRetries, int retries2, long rtoInitialMillis, long rtoMinMillis,
        long rtoMaxMillis, long msl, long finTimeoutMillis, int somaxconn, boolean syncookies, boolean timestamps,
        boolean windowScaling, boolean sack, int rmemMax, int rmemDefault, int wmemDefault, int initialCwnd,
        long keepaliveTimeMillis, long keepaliveIntvlMillis, int keepaliveProbes, long delackMinMillis,
        String congestionControl, Memory memory, AckLimits ackLimits, LossDetection lossDetection, Sending sending,
        TwReuse twReuse) {

    public TcpSettings {
        if (synRetries < 1 || synackRetries < 1 || retries2 < 1) {
            throw new IllegalArgumentException("retry counts must be at least 1");
        }
        if (rtoMinMillis < 1 || rtoInitialMillis < rtoMinMillis || rtoMaxMillis < rtoInitialMillis) {
            throw new IllegalArgumentException("RTOs must satisfy 1 <= min <= initial <= max: " + rtoMinMillis + ", "
                    + rtoInitialMillis + ", " + rtoMaxMillis);
        }
        if (msl < 0 || somaxconn < 1 || initialCwnd < 1 || rmemDefault < 1 || wmemDefault < 1 || rmemMax < 1) {
            throw new IllegalArgumentException("msl, somaxconn, initial window and buffers must be positive");
        }
        if (congestionControl == null || congestionControl.isEmpty()) {
            throw new IllegalArgumentException("a default congestion control is needed");
        }
        if (memory == null || ackLimits == null || lossDetection == null || sending == null || twReuse == null) {
            throw new IllegalArgumentException("memory settings, ACK limits, loss detection, sending and TIME-WAIT reuse"
                    + " are needed");
        }
    }

    /**
     * ACK throttling (RFC 5961 7), as Linux has it since 6.0:
     *
     * @param challengeAckLimit      challenge ACKs the whole stack may send per second
     *                               ({@code tcp_challenge_ack_limit}): each second a budget drawn at random
     *                               between half and one and a half times it; Linux's default, {@code INT_MAX},
     *                               sets no limit, which {@link Integer#MAX_VALUE} does here
     * @param invalidRatelimitMillis the least time between two ACKs a connection sends in answer to invalid
     *                               segments: out of the window, failing PAWS, or drawing a challenge
     *                               ({@code tcp_invalid_ratelimit}, 500 ms; 0: no limit)
     */
    public record AckLimits(int challengeAckLimit, long invalidRatelimitMillis) {
        public AckLimits {
            if (challengeAckLimit < 1 || invalidRatelimitMillis < 0) {
                throw new IllegalArgumentException("the challenge ACK limit must be at least 1 per second and the"
                        + " invalid segment rate limit at least 0 ms: " + challengeAckLimit + ", "
                        + invalidRatelimitMillis);
            }
        }

        /** Linux's defaults: no stack-wide limit, 500 ms per connection. */
        public static AckLimits defaults() {
            return new AckLimits(Integer.MAX_VALUE, 500);
        }
    }

    /**
     * How losses are detected on connections with SACK, as Linux's sysctls choose:
     *
     * @param rack      RACK (RFC 8985 6; {@code tcp_recovery} = 1, Linux's default): a segment is lost when one sent
     *                  after it was delivered and a reordering window has passed; false ({@code tcp_recovery} = 0):
     *                  the RFC 6675 duplicate ACK rule
     * @param tailLossProbe tail loss probes (RFC 8985 7; {@code tcp_early_retrans} = 3, Linux's default): a probe
     *                  after about two round trips without an ACK, so a lost tail is repaired without a timeout
     */
    public record LossDetection(boolean rack, boolean tailLossProbe) {
        /** Linux's defaults: RACK and TLP. */
        public static LossDetection defaults() {
            return new LossDetection(true, true);
        }
    }

    /**
     * How a sender restarts after idle and sizes the packets Linux would hand a device that
     * segments for it:
     *
     * @param slowStartAfterIdle after an idle time longer than the RTO with nothing in flight, the window starts
     *                           again from at most the initial window, halved for each RTO idle (RFC 2861 and
     *                           RFC 7661 as Linux's {@code tcp_cwnd_restart}; {@code tcp_slow_start_after_idle}, 1)
     * @param minTsoSegs         the fewest segments a packet may hold whatever the pacing rate
     *                           ({@code tcp_min_tso_segs}, 2): where PSH goes on the wire ({@link TcpTso})
     */
    public record Sending(boolean slowStartAfterIdle, int minTsoSegs) {
        public Sending {
            if (minTsoSegs < 1 || minTsoSegs > 255) {
                throw new IllegalArgumentException("tcp_min_tso_segs is 1 to 255, not " + minTsoSegs);
            }
        }

        /** Linux's defaults: restart after idle, packets of at least 2 segments. */
        public static Sending defaults() {
            return new Sending(true, 2);
        }
    }

    /**
     * Whether {@code connect()} may take over a 4-tuple that a connection of this stack left in
     * TIME-WAIT ({@code tcp_twsk_unique}), as Linux 6.13+ judges it. Only an entry whose
     * connection used timestamps qualifies: PAWS then tells the old connection's segments
     * from the new one's (RFC 7323 5), and the new ISN starts beyond the old sequence space.
     *
     * @param mode        {@code tcp_tw_reuse}: 0 never, 1 always, 2 (Linux's default) only when the entry's local
     *                    or remote address is a loopback address; applies to the ephemeral port search, a socket
     *                    bound to its port by bind() takes over a timestamped entry whatever this says
     * @param delayMillis {@code tcp_tw_reuse_delay} (1000 ms, 1..600000): how long after entering TIME-WAIT an
     *                    entry may be taken over
     */
    public record TwReuse(int mode, int delayMillis) {
        public TwReuse {
            if (mode < 0 || mode > 2) {
                throw new IllegalArgumentException("tcp_tw_reuse is 0, 1 or 2, not " + mode);
            }
            if (delayMillis < 1 || delayMillis > 600_000) {
                throw new IllegalArgumentException("tcp_tw_reuse_delay is 1 to 600000 ms, not " + delayMillis);
            }
        }

        /** Linux's defaults: loopback only, after 1 s. */
        public static TwReuse defaults() {
            return new TwReuse(2, 1000);
        }
    }

    /**
     * TCP's memory accounting (README, "Memory"):
     *
     * @param tcpMem      the stack-wide limits in pages of 4 KiB ({@code tcp_mem}: min, pressure, max)
     * @param rmemMin     receive memory every socket may hold even under pressure ({@code tcp_rmem[0]}, 4096)
     * @param wmemMin     send memory every socket may hold even under pressure ({@code tcp_wmem[0]}, 4096)
     * @param advWinScale how much of the receive buffer the window offers ({@code tcp_adv_win_scale}, 1): for a
     *                    positive n, all but 1/2^n of it; for 0 or less, 1/2^-n of it
     * @param notsentLowat the unsent bytes a socket's send queue may hold before writes wait and EPOLLOUT goes
     *                    ({@code tcp_notsent_lowat}, an unsigned 32-bit value; Linux's default 2^32 - 1 is no
     *                    limit); a socket's {@code TCP_NOTSENT_LOWAT} replaces it
     * @param moderateRcvbuf receive buffer autotuning ({@code tcp_moderate_rcvbuf}, on): a socket whose application
     *                    did not set {@code SO_RCVBUF} grows its buffer to twice what the reader took in a round trip
     *                    ({@code tcp_rcv_space_adjust}), up to {@code tcp_rmem[2]}
     * @param wmemMax     the largest send buffer autotuning gives a socket whose application did not set
     *                    {@code SO_SNDBUF} ({@code tcp_wmem[2]}, 4 MiB)
     */
    public record Memory(ProtoMemory.Limits tcpMem, int rmemMin, int wmemMin, int advWinScale, long notsentLowat,
            boolean moderateRcvbuf, int wmemMax) {
        /** {@code tcp_notsent_lowat}'s default, {@code UINT_MAX}: no limit. */
        public static final long NOTSENT_LOWAT_NONE = 0xffff_ffffL;
        /** {@code tcp_wmem[2]}'s default on a machine with more than 512 MiB ({@code tcp_init}: 4 MiB). */
        public static final int WMEM_MAX_DEFAULT = 4 << 20;

        /** Without a {@code tcp_notsent_lowat} (Linux's default, no limit). */
        public Memory(ProtoMemory.Limits tcpMem, int rmemMin, int wmemMin, int advWinScale) {
            this(tcpMem, rmemMin, wmemMin, advWinScale, NOTSENT_LOWAT_NONE);
        }

        /** With Linux's autotuning defaults: receive buffers moderated, send buffers up to 4 MiB. */
        public Memory(ProtoMemory.Limits tcpMem, int rmemMin, int wmemMin, int advWinScale, long notsentLowat) {
            this(tcpMem, rmemMin, wmemMin, advWinScale, notsentLowat, true, WMEM_MAX_DEFAULT);
        }

        public Memory {
            if (wmemMax < 1) {
                throw new IllegalArgumentException("tcp_wmem[2] must be positive, got " + wmemMax);
            }
            if (notsentLowat < 0 || notsentLowat > NOTSENT_LOWAT_NONE) {
                throw new IllegalArgumentException("tcp_notsent_lowat must be 0.." + NOTSENT_LOWAT_NONE + ", got "
                        + notsentLowat);
            }
            if (tcpMem == null) {
                throw new IllegalArgumentException("tcp_mem is needed");
            }
            if (rmemMin < 0 || wmemMin < 0) {
                throw new IllegalArgumentException("tcp_rmem[0] and tcp_wmem[0] must not be negative");
            }
            if (advWinScale < -31 || advWinScale > 31) {
                throw new IllegalArgumentException("tcp_adv_win_scale must be -31..31, got " + advWinScale);
            }
        }

        /**
         * The default limits: Linux takes 1/16 of the machine's free pages as the pressure
         * point ({@code tcp_init_mem}); the JVM's buffers come from its heap, so Tern takes
         * 1/8 of the maximum heap: pressure at 12.5 %, min at 9.4 %, max at 18.75 % of it.
         */
        public static ProtoMemory.Limits defaultTcpMem() {
            return ProtoMemory.Limits.share(Runtime.getRuntime().maxMemory(), 8);
        }

        /** Linux's defaults, with {@link #defaultTcpMem()}. */
        public static Memory defaults() {
            return new Memory(defaultTcpMem(), 4096, 4096, 1);
        }

        /** {@code tcp_win_from_space}: the window {@code space} bytes of buffer can offer. */
        public int winFromSpace(int space) {
            return advWinScale <= 0 ? space >> -advWinScale : space - (space >> advWinScale);
        }

        /**
         * {@code tcp_space_from_win}: the buffer that offers a window of {@code window} bytes
         * (the inverse of {@link #winFromSpace}).
         */
        public long spaceFromWin(long window) {
            if (advWinScale <= 0) {
                return window << -advWinScale;
            }
            long share = (1L << advWinScale) - 1; // the window is share / 2^n of the space
            return (window << advWinScale) / share;
        }

        public Memory withTcpMem(ProtoMemory.Limits limits) {
            return new Memory(limits, rmemMin, wmemMin, advWinScale, notsentLowat, moderateRcvbuf, wmemMax);
        }

        public Memory withAutotuning(boolean moderate, int sendMax) {
            return new Memory(tcpMem, rmemMin, wmemMin, advWinScale, notsentLowat, moderate, sendMax);
        }
    }

    /** Linux's defaults. */
    public static TcpSettings defaults() {
        return new TcpSettings(6, 5, 15, 1000, 200, 120_000, 30_000, 60_000, 4096, true, true, true, true,
                15 << 20, 262_144, 131_072, 10, TimeUnit.HOURS.toMillis(2), 75_000, 9, 40, "cubic", Memory.defaults(),
                AckLimits.defaults(), LossDetection.defaults(), Sending.defaults(),
                TwReuse.defaults());
    }

    /** TIME-WAIT's length: 2 * MSL. */
    public long timeWaitMillis() {
        return 2 * msl;
    }

    /**
     * The window shift offered on a SYN ({@code tcp_select_initial_window}): the least shift
     * that brings the largest receive buffer under 64 KiB, at most 14.
     */
    public int windowShift() {
        if (!windowScaling) {
            return -1;
        }
        long space = rmemMax;
        int shift = 0;
        while (space > 65535 && shift < 14) {
            space >>= 1;
            shift++;
        }
        return shift;
    }

    public TcpSettings withSomaxconn(int value) {
        return new TcpSettings(synRetries, synackRetries, retries2, rtoInitialMillis, rtoMinMillis, rtoMaxMillis, msl,
                finTimeoutMillis, value, syncookies, timestamps, windowScaling, sack, rmemMax, rmemDefault, wmemDefault,
                initialCwnd, keepaliveTimeMillis, keepaliveIntvlMillis, keepaliveProbes, delackMinMillis,
                congestionControl, memory, ackLimits, lossDetection, sending, twReuse);
    }

    public TcpSettings withSyncookies(boolean on) {
        return new TcpSettings(synRetries, synackRetries, retries2, rtoInitialMillis, rtoMinMillis, rtoMaxMillis, msl,
                finTimeoutMillis, somaxconn, on, timestamps, windowScaling, sack, rmemMax, rmemDefault, wmemDefault,
                initialCwnd, keepaliveTimeMillis, keepaliveIntvlMillis, keepaliveProbes, delackMinMillis,
                congestionControl, memory, ackLimits, lossDetection, sending, twReuse);
    }

    public TcpSettings withTimestamps(boolean on) {
        return new TcpSettings(synRetries, synackRetries, retries2, rtoInitialMillis, rtoMinMillis, rtoMaxMillis, msl,
                finTimeoutMillis, somaxconn, syncookies, on, windowScaling, sack, rmemMax, rmemDefault, wmemDefault,
                initialCwnd, keepaliveTimeMillis, keepaliveIntvlMillis, keepaliveProbes, delackMinMillis,
                congestionControl, memory, ackLimits, lossDetection, sending, twReuse);
    }

    public TcpSettings withSack(boolean on) {
        return new TcpSettings(synRetries, synackRetries, retries2, rtoInitialMillis, rtoMinMillis, rtoMaxMillis, msl,
                finTimeoutMillis, somaxconn, syncookies, timestamps, windowScaling, on, rmemMax, rmemDefault, wmemDefault,
                initialCwnd, keepaliveTimeMillis, keepaliveIntvlMillis, keepaliveProbes, delackMinMillis,
                congestionControl, memory, ackLimits, lossDetection, sending, twReuse);
    }

    public TcpSettings withMsl(long millis) {
        return new TcpSettings(synRetries, synackRetries, retries2, rtoInitialMillis, rtoMinMillis, rtoMaxMillis, millis,
                finTimeoutMillis, somaxconn, syncookies, timestamps, windowScaling, sack, rmemMax, rmemDefault,
                wmemDefault, initialCwnd, keepaliveTimeMillis, keepaliveIntvlMillis, keepaliveProbes, delackMinMillis,
                congestionControl, memory, ackLimits, lossDetection, sending, twReuse);
    }

    public TcpSettings withBuffers(int rmem, int wmem) {
        return new TcpSettings(synRetries, synackRetries, retries2, rtoInitialMillis, rtoMinMillis, rtoMaxMillis, msl,
                finTimeoutMillis, somaxconn, syncookies, timestamps, windowScaling, sack, rmemMax, rmem, wmem,
                initialCwnd, keepaliveTimeMillis, keepaliveIntvlMillis, keepaliveProbes, delackMinMillis,
                congestionControl, memory, ackLimits, lossDetection, sending, twReuse);
    }

    public TcpSettings withCongestionControl(String name) {
        return new TcpSettings(synRetries, synackRetries, retries2, rtoInitialMillis, rtoMinMillis, rtoMaxMillis, msl,
                finTimeoutMillis, somaxconn, syncookies, timestamps, windowScaling, sack, rmemMax, rmemDefault,
                wmemDefault, initialCwnd, keepaliveTimeMillis, keepaliveIntvlMillis, keepaliveProbes, delackMinMillis,
                name, memory, ackLimits, lossDetection, sending, twReuse);
    }

    public TcpSettings withMemory(Memory value) {
        return new TcpSettings(synRetries, synackRetries, retries2, rtoInitialMillis, rtoMinMillis, rtoMaxMillis, msl,
                finTimeoutMillis, somaxconn, syncookies, timestamps, windowScaling, sack, rmemMax, rmemDefault,
                wmemDefault, initialCwnd, keepaliveTimeMillis, keepaliveIntvlMillis, keepaliveProbes, delackMinMillis,
                congestionControl, value, ackLimits, lossDetection, sending, twReuse);
    }

    public TcpSettings withAckLimits(AckLimits limits) {
        return new TcpSettings(synRetries, synackRetries, retries2, rtoInitialMillis, rtoMinMillis, rtoMaxMillis, msl,
                finTimeoutMillis, somaxconn, syncookies, timestamps, windowScaling, sack, rmemMax, rmemDefault,
                wmemDefault, initialCwnd, keepaliveTimeMillis, keepaliveIntvlMillis, keepaliveProbes, delackMinMillis,
                congestionControl, memory, limits, lossDetection, sending, twReuse);
    }

    public TcpSettings withLossDetection(LossDetection value) {
        return new TcpSettings(synRetries, synackRetries, retries2, rtoInitialMillis, rtoMinMillis, rtoMaxMillis, msl,
                finTimeoutMillis, somaxconn, syncookies, timestamps, windowScaling, sack, rmemMax, rmemDefault,
                wmemDefault, initialCwnd, keepaliveTimeMillis, keepaliveIntvlMillis, keepaliveProbes, delackMinMillis,
                congestionControl, memory, ackLimits, value, sending, twReuse);
    }

    public TcpSettings withSending(Sending value) {
        return new TcpSettings(synRetries, synackRetries, retries2, rtoInitialMillis, rtoMinMillis, rtoMaxMillis, msl,
                finTimeoutMillis, somaxconn, syncookies, timestamps, windowScaling, sack, rmemMax, rmemDefault,
                wmemDefault, initialCwnd, keepaliveTimeMillis, keepaliveIntvlMillis, keepaliveProbes, delackMinMillis,
                congestionControl, memory, ackLimits, lossDetection, value, twReuse);
    }

    public TcpSettings withTwReuse(TwReuse value) {
        return new TcpSettings(synRetries, synackRetries, retries2, rtoInitialMillis, rtoMinMillis, rtoMaxMillis, msl,
                finTimeoutMillis, somaxconn, syncookies, timestamps, windowScaling, sack, rmemMax, rmemDefault,
                wmemDefault, initialCwnd, keepaliveTimeMillis, keepaliveIntvlMillis, keepaliveProbes, delackMinMillis,
                congestionControl, memory, ackLimits, lossDetection, sending, value);
    }
}
