package net.tern.api.socket;

/**
 * What a receive reports besides the data ({@code struct msghdr}'s {@code msg_name},
 * {@code msg_flags} and {@code msg_control}): the sender's address, the result flags
 * ({@link SocketConstants#MSG_TRUNC} when a datagram did not fit) and the control messages the
 * socket asked for: integer ones by level and type as Linux's are ({@link SocketConstants#TCP_CM_INQ}
 * with {@code TCP_INQ}, {@code IP_TTL} with {@link SocketConstants#IP_RECVTTL}), a queued error
 * ({@link #error}), the receive timestamp ({@code SCM_TIMESTAMPNS}). Mutable and reusable, so a
 * receive that returns its outcome by value ({@link SocketApi#sysRecv}) allocates nothing for it.
 *
 * @since 1.3
 */
public class MsgHeader {
    /** The sender's address, set by a receive that took data (null for a stream that keeps none). */
    public SockAddr from;
    /** The result flags: {@link SocketConstants#MSG_TRUNC}, {@link SocketConstants#MSG_ERRQUEUE}. */
    public int flags;
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

    /** The most control messages one receive carries. */
    public static final int CONTROL_CAPACITY = 4;

    /**
     * The control messages, {level, type, value} in a row each; made at the first one, so a
     * header that never carries any costs no more than before them.
     */
    private int[] control;
    private int controlCount;

    /** Clears the address, the flags, the control messages and the error, for the next receive. */
    public MsgHeader reset() {
        from = null;
        flags = 0;
        controlCount = 0;
        error = null;
        timestampNanos = NO_TIMESTAMP;
        return this;
    }

    /** This header becomes a copy of {@code other}: address, flags, control messages, error, timestamp. @since 1.6 */
    public MsgHeader copyFrom(MsgHeader other) {
        from = other.from;
        flags = other.flags;
        controlCount = other.controlCount;
        if (controlCount > 0) {
            if (control == null) {
                control = new int[3 * CONTROL_CAPACITY];
            }
            System.arraycopy(other.control, 0, control, 0, 3 * controlCount);
        }
        error = other.error;
        timestampNanos = other.timestampNanos;
        return this;
    }

    /**
     * Adds a control message ({@code put_cmsg}); one beyond {@link #CONTROL_CAPACITY} is
     * dropped with {@link SocketConstants#MSG_CTRUNC} set, as Linux truncates a full control
     * buffer.
     *
     * @since 1.6
     */
    public void addControl(int level, int type, int value) {
        if (controlCount == CONTROL_CAPACITY) {
            flags |= SocketConstants.MSG_CTRUNC;
            return;
        }
        if (control == null) {
            control = new int[3 * CONTROL_CAPACITY];
        }
        int at = 3 * controlCount;
        control[at] = level;
        control[at + 1] = type;
        control[at + 2] = value;
        controlCount++;
    }

    /** How many control messages the last receive carried. @since 1.6 */
    public int controlCount() {
        return controlCount;
    }

    /** The level ({@code cmsg_level}) of control message {@code i}. @since 1.6 */
    public int controlLevel(int i) {
        return control[3 * checkControl(i)];
    }

    /** The type ({@code cmsg_type}) of control message {@code i}. @since 1.6 */
    public int controlType(int i) {
        return control[3 * checkControl(i) + 1];
    }

    /** The value ({@code cmsg_data}) of control message {@code i}. @since 1.6 */
    public int controlValue(int i) {
        return control[3 * checkControl(i) + 2];
    }

    /** Whether the last receive carried a control message of this level and type. @since 1.6 */
    public boolean hasControl(int level, int type) {
        return indexOf(level, type) >= 0;
    }

    /**
     * The value of the control message of this level and type.
     *
     * @throws java.util.NoSuchElementException when the last receive carried none
     * @since 1.6
     */
    public int control(int level, int type) {
        int i = indexOf(level, type);
        if (i < 0) {
            throw new java.util.NoSuchElementException("no control message of level " + level + ", type " + type);
        }
        return control[3 * i + 2];
    }

    private int indexOf(int level, int type) {
        for (int i = 0; i < controlCount; i++) {
            if (control[3 * i] == level && control[3 * i + 1] == type) {
                return i;
            }
        }
        return -1;
    }

    private int checkControl(int i) {
        if (i < 0 || i >= controlCount) {
            throw new IndexOutOfBoundsException("control message " + i + " of " + controlCount);
        }
        return i;
    }

    /** Whether the last datagram was longer than the buffer and its tail was discarded. */
    public boolean truncated() {
        return (flags & SocketConstants.MSG_TRUNC) != 0;
    }
}
