package net.tern.tcp.cubic;

import net.tern.tcp.cc.CaEvent;
import net.tern.tcp.cc.CaState;
import net.tern.tcp.cc.CongestionController;
import net.tern.tcp.cc.FakeCongestionState;

/**
 * A connection's congestion fields ({@link FakeCongestionState}) in virtual time, with the
 * calls TCP makes into a controller: ACKs (pkts_acked, then cong_avoid), a window of ACKs per
 * round trip, fast recovery and a retransmission timeout.
 */
final class SimulatedConnection extends FakeCongestionState {
    static final long MILLIS = 1_000;
    static final long SECONDS = 1_000_000;

    /** The clock starts a while after zero, as a host's that has been up for some time. */
    SimulatedConnection() {
        super(1_000 * SECONDS);
    }

    /** One ACK: the segments leave the flight, TCP calls pkts_acked then cong_avoid, and refills the window. */
    void ack(CongestionController cc, int segments, long rttMicros) {
        inFlight = Math.max(0, inFlight - segments);
        sndUna += segments * mss;
        if (rttMicros >= 0) {
            srtt = srtt == 0 ? rttMicros : (7 * srtt + rttMicros) / 8;
            minRtt = minRtt == 0 ? rttMicros : Math.min(minRtt, rttMicros);
        }
        cc.pktsAcked(this, segments, rttMicros);
        cc.congAvoid(this, segments);
        if (cwndLimited) {
            send(cwnd - inFlight);
        }
    }

    /** {@code segments} new segments go out now (lsndtime, snd_nxt, the flight). */
    void send(int segments) {
        if (segments <= 0) {
            return;
        }
        inFlight += segments;
        sndNxt = sndUna + inFlight * mss;
        lastSend = now;
    }

    /** One round trip: the window at its start is ACKed one segment at a time, evenly over {@code rttMicros}. */
    void roundTrip(CongestionController cc, long rttMicros) {
        int segments = Math.max(cwnd, 1);
        long start = now;
        for (int i = 1; i <= segments; i++) {
            now = start + rttMicros * i / segments;
            ack(cc, 1, rttMicros);
        }
    }

    /** Round trips until {@code micros} have passed. */
    void run(CongestionController cc, long rttMicros, long micros) {
        long end = now + micros;
        while (now < end) {
            roundTrip(cc, rttMicros);
        }
    }

    /** A loss found by ACKs: ssthresh, Recovery, the window reduced to ssthresh, back to Open. */
    void fastRecovery(CongestionController cc) {
        priorCwnd = cwnd;
        ssthresh = cc.ssthresh(this);
        state = CaState.RECOVERY;
        cc.setState(this, state);
        cwnd = ssthresh;
        cwndCount = 0;
        state = CaState.OPEN;
        cc.setState(this, state);
        send(cwnd - inFlight);
    }

    /** A retransmission timeout ({@code tcp_enter_loss}): ssthresh, Loss, cwnd 1. */
    void timeout(CongestionController cc) {
        priorCwnd = cwnd;
        ssthresh = cc.ssthresh(this);
        state = CaState.LOSS;
        cc.setState(this, state);
        cc.cwndEvent(this, CaEvent.LOSS);
        cwnd = 1;
        cwndCount = 0;
        inFlight = 0;
    }

    /** The loss was spurious ({@code tcp_undo_cwnd_reduction}): the controller's window, ssthresh as before. */
    void undo(CongestionController cc, int priorSsthresh) {
        cwnd = cc.undoCwnd(this);
        ssthresh = priorSsthresh;
        state = CaState.OPEN;
        cc.setState(this, state);
    }
}
