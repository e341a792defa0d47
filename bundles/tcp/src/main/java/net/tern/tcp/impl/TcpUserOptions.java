package net.tern.tcp.impl;

/**
 * The {@code SOL_TCP} options an application set on a socket that the stack reads later
 * (Linux keeps them in {@code tcp_sock}: {@code keepalive_time},
 * {@code keepalive_intvl}, {@code keepalive_probes}, {@code recvmsg_inq}, and
 * {@code icsk_user_timeout}): {@code TCP_KEEPIDLE}, {@code TCP_KEEPINTVL}, {@code TCP_KEEPCNT},
 * {@code TCP_INQ}, {@code TCP_USER_TIMEOUT} and {@code TCP_TERN_TIMEWAIT_MSECS}
 * ({@code TCP_NODELAY} and {@code TCP_CORK} are the sender's Nagle mode, {@link TcpSender}). A value 0 means "the stack's setting". Set by
 * {@code do_tcp_setsockopt} with values it has checked; a passive open's child takes its
 * listener's ({@link #inheritFrom}, as {@code sk_clone_lock} copies them).
 *
 * <p>Used under the socket lock.
 */
final class TcpUserOptions {
    /** The options of a socket that set none (each 0: the stack's setting), shared and never set. */
    static final TcpUserOptions NONE_SET = new TcpUserOptions();

    private int keepIdleSeconds;
    private int keepIntvlSeconds;
    private int keepCnt;
    /** This socket's TIME-WAIT length, or 0 for the stack's 2 * MSL. */
    private long timeWaitMillis;
    private boolean recvmsgInq;
    private long userTimeoutMillis;

    /** A child of {@code listener} starts with the listener's options ({@code sk_clone_lock}). */
    void inheritFrom(TcpUserOptions listener) {
        checkWritable();
        keepIdleSeconds = listener.keepIdleSeconds;
        keepIntvlSeconds = listener.keepIntvlSeconds;
        keepCnt = listener.keepCnt;
        timeWaitMillis = listener.timeWaitMillis;
        recvmsgInq = listener.recvmsgInq;
        userTimeoutMillis = listener.userTimeoutMillis;
    }

    /**
     * {@code TCP_USER_TIMEOUT} ({@code icsk_user_timeout}), in ms: how long retransmissions,
     * zero-window probes or keepalive probes may go unanswered; 0 for the retry counts.
     */
    long userTimeoutMillis() {
        return userTimeoutMillis;
    }

    void setUserTimeoutMillis(long millis) {
        checkWritable();
        userTimeoutMillis = millis;
    }

    /** {@code TCP_INQ}: each receive reports the bytes left to read ({@code TCP_CM_INQ}). */
    boolean recvmsgInq() {
        return recvmsgInq;
    }

    void setRecvmsgInq(boolean on) {
        checkWritable();
        recvmsgInq = on;
    }

    /** {@code TCP_KEEPIDLE}, or 0. */
    int keepIdleSeconds() {
        return keepIdleSeconds;
    }

    void setKeepIdleSeconds(int seconds) {
        checkWritable();
        keepIdleSeconds = seconds;
    }

    /** {@code TCP_KEEPINTVL}, or 0. */
    int keepIntvlSeconds() {
        return keepIntvlSeconds;
    }

    void setKeepIntvlSeconds(int seconds) {
        checkWritable();
        keepIntvlSeconds = seconds;
    }

    /** {@code TCP_KEEPCNT}, or 0. */
    int keepCnt() {
        return keepCnt;
    }

    void setKeepCnt(int probes) {
        checkWritable();
        keepCnt = probes;
    }

    /** {@code TCP_TERN_TIMEWAIT_MSECS}, or 0. */
    long timeWaitMillis() {
        return timeWaitMillis;
    }

    void setTimeWaitMillis(long millis) {
        checkWritable();
        timeWaitMillis = millis;
    }

    private void checkWritable() {
        if (this == NONE_SET) {
            throw new IllegalStateException("the shared options of sockets that set none are not to be set");
        }
    }
}
