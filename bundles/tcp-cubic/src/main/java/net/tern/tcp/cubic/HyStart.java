package net.tern.tcp.cubic;

import net.tern.tcp.cc.CongestionState;

/**
 * Linux's hybrid slow start ({@code tcp_cubic.c}'s HyStart, Ha and Rhee 2008): the initial
 * slow start ends, with ssthresh = cwnd, before the first loss when either
 * <ul>
 *   <li><b>ACK train</b>: ACKs spaced at most {@code hystart_ack_delta_us} (2 ms) apart keep
 *       arriving for longer than half the minimum RTT (plus a cushion for segmentation offload)
 *       since the round began: the window already fills the path, or
 *   <li><b>delay increase</b>: the lowest RTT of the round's first {@value #MIN_SAMPLES}+
 *       samples exceeds the connection's minimum by delay_min/8, clamped to 4..16 ms: a queue
 *       is building.
 * </ul>
 * Neither is looked for below {@code hystart_low_window} (16) segments. A round starts when
 * {@code snd_una} passes the {@code snd_nxt} recorded at the last round's start.
 *
 * <p>One per connection, driven by the controller's {@code pkts_acked}; not thread-safe, as
 * TCP never calls one connection's hooks concurrently.
 */
final class HyStart {
    /** Detect by the ACK train ({@code HYSTART_ACK_TRAIN}). */
    static final int ACK_TRAIN = 0x1;
    /** Detect by the delay increase ({@code HYSTART_DELAY}). */
    static final int DELAY = 0x2;
    /** RTT samples a round takes before its minimum is compared ({@code HYSTART_MIN_SAMPLES}). */
    static final int MIN_SAMPLES = 8;
    /** Bounds of the delay increase that counts ({@code HYSTART_DELAY_MIN}, {@code HYSTART_DELAY_MAX}). */
    static final long DELAY_MIN_MICROS = 4_000;
    static final long DELAY_MAX_MICROS = 16_000;
    /**
     * The largest segmentation offload burst Linux's devices take by default
     * ({@code GSO_LEGACY_MAX_SIZE}), from which {@code hystart_ack_delay} derives its cushion.
     */
    static final long GSO_MAX_SIZE = 65_536;
    /** Linux's {@code tcp_pacing_ss_ratio}: the pacing rate in slow start is twice cwnd per SRTT. */
    private static final long PACING_SS_RATIO_PERCENT = 200;
    private static final long NO_RTT = Long.MAX_VALUE;

    private final CubicOptions options;
    /** The exit point was found ({@code found}); slow start is over until a timeout resets it. */
    private boolean found;
    private long roundStartMicros;
    private int endSeq;
    /** The last ACK of the current train ({@code last_ack}). */
    private long lastAckMicros;
    /** The lowest RTT of this round ({@code curr_rtt}). */
    private long currentRoundMinRtt = NO_RTT;
    private int sampleCount;

    HyStart(CubicOptions options) {
        this.options = options;
    }

    /** {@code bictcp_hystart_reset}: a new round starts now, ending when what is sent now is ACKed. */
    void reset(CongestionState c) {
        roundStartMicros = c.nowMicros();
        lastAckMicros = roundStartMicros;
        endSeq = c.sndNxt();
        currentRoundMinRtt = NO_RTT;
        sampleCount = 0;
    }

    /** A timeout: HyStart may look for the exit again in the slow start that follows. */
    void forget(CongestionState c) {
        found = false;
        reset(c);
    }

    boolean found() {
        return found;
    }

    /**
     * {@code hystart_update}: an RTT sample in slow start. Returns true when the exit is found
     * now; the caller sets ssthresh to cwnd.
     */
    boolean update(CongestionState c, long delayMicros, long delayMinMicros) {
        if (found) {
            return false;
        }
        if (c.sndUna() - endSeq > 0) {
            reset(c);
        }
        if (c.cwnd() < options.hyStartLowWindow()) {
            return false;
        }
        if ((options.hyStartDetect() & ACK_TRAIN) != 0) {
            long now = c.nowMicros();
            if (now - lastAckMicros <= options.hyStartAckDeltaMicros()) {
                lastAckMicros = now;
                // Without pacing, a train longer than half the minimum RTT means the window
                // already covers the path's bandwidth-delay product.
                long threshold = (delayMinMicros + ackDelayMicros(c)) >> 1;
                if (now - roundStartMicros > threshold) {
                    found = true;
                }
            }
        }
        if ((options.hyStartDetect() & DELAY) != 0 && !found) {
            currentRoundMinRtt = Math.min(currentRoundMinRtt, delayMicros);
            if (sampleCount < MIN_SAMPLES) {
                sampleCount++;
            } else if (currentRoundMinRtt > delayMinMicros + delayThreshold(delayMinMicros)) {
                found = true;
            }
        }
        return found;
    }

    /** {@code HYSTART_DELAY_THRESH(delay_min >> 3)}: an eighth of the minimum RTT, within 4..16 ms. */
    static long delayThreshold(long delayMinMicros) {
        return Math.max(DELAY_MIN_MICROS, Math.min(delayMinMicros >> 3, DELAY_MAX_MICROS));
    }

    /**
     * {@code hystart_ack_delay}: the time four offload bursts take at the pacing rate (at most
     * 1 ms), by which ACKs of aggregated segments may come late. The rate is Linux's
     * {@code tcp_update_pacing_rate} in slow start: 200% of cwnd (or the flight, if larger) per SRTT.
     */
    static long ackDelayMicros(CongestionState c) {
        long srtt = c.srttMicros();
        if (srtt <= 0) {
            return 0;
        }
        long rate = (long) c.mss() * Math.max(c.cwnd(), c.packetsInFlight()) * 1_000_000L / srtt
                * PACING_SS_RATIO_PERCENT / 100; // bytes per second
        if (rate <= 0) {
            return 0;
        }
        return Math.min(1_000, GSO_MAX_SIZE * 4 * 1_000_000L / rate);
    }
}
