package net.tern.spi.net;

/**
 * What the way out answers for a packet ({@code NET_XMIT_*} of {@code include/linux/netdevice.h}),
 * as {@link Link#xmit} returns it and the network layer passes it up to the protocol that sent
 * the packet: {@link #SUCCESS} when the packet was taken (sent, queued, or lost on purpose by an
 * impairment, as netem reports its losses); {@link #DROP} when the link's queue dropped it for
 * want of room, which TCP takes as local congestion ({@code tcp_enter_cwr}) and as a segment
 * that did not leave; {@link #CN} when it was taken but the queue is congested; a negative errno
 * when the link refused it (down, or a packet over the MTU).
 */
public final class NetXmit {
    /** {@code NET_XMIT_SUCCESS}: taken. */
    public static final int SUCCESS = 0;
    /** {@code NET_XMIT_DROP}: dropped by the link's queue (full); the packet did not leave. */
    public static final int DROP = 1;
    /** {@code NET_XMIT_CN}: taken, but the queue is congested (a packet of others may have gone instead). */
    public static final int CN = 2;

    private NetXmit() {
    }

    /**
     * {@code net_xmit_eval}: the status as an error a sender acts on, 0 when the packet was
     * taken ({@link #CN} included), else the status itself.
     */
    public static int eval(int status) {
        return status == CN ? SUCCESS : status;
    }
}
