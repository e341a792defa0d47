package net.tern.tcp.cc;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * One connection's congestion control: the per-socket half of {@code tcp_congestion_ops}
 * (Linux keeps it in {@code icsk_ca_priv}). TCP calls these hooks on the connection's own
 * thread of control (under the socket's lock or on the network thread), never concurrently.
 * Defaults follow Reno, so an algorithm overrides only what it changes.
 */
@ConsumerType
public interface CongestionController {
    /**
     * {@code ssthresh}: the slow-start threshold to use after a loss is detected (entering
     * Recovery or Loss), computed from the window as it is now. Reno halves it (RFC 5681, 3.1).
     */
    default int ssthresh(CongestionState c) {
        return Reno.ssthresh(c);
    }

    /**
     * {@code cong_avoid}: {@code acked} segments were newly acknowledged in the Open or
     * Disorder state; grow the window (slow start below ssthresh, then congestion avoidance).
     * Called only when the sender is window-limited.
     */
    void congAvoid(CongestionState c, int acked);

    /** {@code set_state}: the connection moved to {@code state} (Loss resets an algorithm's epoch). */
    default void setState(CongestionState c, CaState state) {
    }

    /** {@code cwnd_event}: something happened to the window that is not an ACK. */
    default void cwndEvent(CongestionState c, CaEvent event) {
    }

    /**
     * {@code pkts_acked}: an ACK covered {@code acked} segments; {@code rttMicros} is the RTT
     * sample it gave (-1 when it gave none, per Karn's rule).
     */
    default void pktsAcked(CongestionState c, int acked, long rttMicros) {
    }

    /** {@code undo_cwnd}: the loss was spurious; the window to go back to. */
    default int undoCwnd(CongestionState c) {
        return Reno.undoCwnd(c);
    }

    /** {@code release}: the connection is done with this controller (closed, or switching algorithm). */
    default void release() {
    }
}
