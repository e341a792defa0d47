package net.tern.tcp.cc;

/** Window events that are not ACKs ({@code enum tcp_ca_event}). */
public enum CaEvent {
    /** The first transmission when nothing was in flight. */
    TX_START,
    /** The window was restarted after an idle period (RFC 7661 / RFC 5681, 4.1). */
    CWND_RESTART,
    /** The end of a CWR reduction. */
    COMPLETE_CWR,
    /** A retransmission timeout. */
    LOSS
}
