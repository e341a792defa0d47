package net.tern.tcp.cc;

/** The sender's congestion state ({@code enum tcp_ca_state}). */
public enum CaState {
    /** Nothing bad has been observed. */
    OPEN,
    /** Duplicate ACKs or SACKs were seen: reordering or the start of a loss. */
    DISORDER,
    /** The window is being reduced on an ECN echo or a local congestion notice. */
    CWR,
    /** Fast retransmit and recovery (RFC 6582, RFC 6675). */
    RECOVERY,
    /** A retransmission timeout: everything in flight is presumed lost. */
    LOSS
}
