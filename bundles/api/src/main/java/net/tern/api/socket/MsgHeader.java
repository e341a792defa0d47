package net.tern.api.socket;

/**
 * What a receive reports besides the data ({@code struct msghdr}'s {@code msg_name} and
 * {@code msg_flags}): the sender's address and the result flags ({@link SocketConstants#MSG_TRUNC}
 * when a datagram did not fit); and, of the control messages ({@code msg_control}), those a
 * socket asked for: the TTL, a queued error, the receive timestamp ({@code SCM_TIMESTAMPNS}). Mutable and
 * reusable, so a receive that returns its outcome by value ({@link SocketApi#sysRecv})
 * allocates nothing for it.
 *
 * @since 1.3
 */
public class MsgHeader {
    /** The sender's address, set by a receive that took data (null for a stream that keeps none). */
    public SockAddr from;
    /** The result flags: {@link SocketConstants#MSG_TRUNC}, {@link SocketConstants#MSG_ERRQUEUE}. */
    public int flags;
    /**
     * The {@code IP_TTL} control message: the received datagram's time-to-live, when the socket
     * asked for it with {@link SocketConstants#IP_RECVTTL}; -1 otherwise.
     *
     * @since 1.5
     */
    public int ttl = -1;
    /**
     * The {@code IP_RECVERR} control message of a {@link SocketConstants#MSG_ERRQUEUE} receive:
     * what the queued error was and who reported it; null otherwise.
     *
     * @since 1.5
     */
    public SockExtendedErr error;
    /**
     * {@code SCM_TIMESTAMPNS}: when the datagram was received, in nanoseconds since the epoch on
     * the stack's wall clock, when the socket asked for it with {@link SocketConstants#SO_TIMESTAMPNS}
     * or {@link SocketConstants#SO_TIMESTAMP}; {@link #NO_TIMESTAMP} otherwise, or when its family
     * keeps no timestamps.
     *
     * @since 1.6
     */
    public long timestampNanos = NO_TIMESTAMP;

    /** {@link #timestampNanos} when there is no timestamp (no {@code SCM_TIMESTAMP*} control message). @since 1.6 */
    public static final long NO_TIMESTAMP = Long.MIN_VALUE;

    /** Clears every field, for the next receive. */
    public MsgHeader reset() {
        from = null;
        flags = 0;
        ttl = -1;
        error = null;
        timestampNanos = NO_TIMESTAMP;
        return this;
    }

    /** Whether the last datagram was longer than the buffer and its tail was discarded. */
    public boolean truncated() {
        return (flags & SocketConstants.MSG_TRUNC) != 0;
    }
}
