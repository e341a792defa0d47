package net.tern.tcp.impl;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * A listener's queues ({@code icsk_accept_queue}, Linux's {@code struct request_sock_queue},
 * with {@code sk_max_ack_backlog}): the half-open requests waiting for their handshake's ACK
 * (the SYN queue), the connections established and waiting for {@code accept()}, the
 * backlog both are judged against, and when a SYN cookie last answered an overflow
 * ({@code tcp_synq_overflow}). Requests and children join and leave only through its
 * methods; others see the queues read-only.
 *
 * <p>Used under the listener's lock.
 */
final class RequestSockQueue {
    private final ArrayDeque<TcpSock> acceptQueue = new ArrayDeque<>();
    private final LinkedHashSet<RequestSock> synQueue = new LinkedHashSet<>();
    private final Collection<TcpSock> acceptView = Collections.unmodifiableCollection(acceptQueue);
    private final Collection<RequestSock> synView = Collections.unmodifiableCollection(synQueue);
    /** {@code sk_max_ack_backlog}: listen()'s backlog, capped by {@code somaxconn}. */
    private int maxBacklog;
    /** When this listener last answered a SYN with a cookie ({@code tcp_synq_overflow}), or Long.MIN_VALUE. */
    private long synqOverflowNanos = Long.MIN_VALUE;

    /** {@code sk_max_ack_backlog}. */
    int maxBacklog() {
        return maxBacklog;
    }

    /** listen() sets the backlog ({@code inet_listen}: {@code WRITE_ONCE(sk->sk_max_ack_backlog, backlog)}). */
    void setMaxBacklog(int backlog) {
        maxBacklog = backlog;
    }

    // ---- the accept queue

    /** Connections waiting for {@code accept()} ({@code sk_ack_backlog}). */
    int acceptqLen() {
        return acceptQueue.size();
    }

    /**
     * {@code sk_acceptq_is_full}: more connections waiting than the backlog, so a backlog of
     * N holds N + 1, as current Linux does.
     */
    boolean acceptqIsFull() {
        return acceptQueue.size() > maxBacklog;
    }

    /** {@code inet_csk_reqsk_queue_add}: an established child waits for {@code accept()}. */
    void reqskQueueAdd(TcpSock child) {
        acceptQueue.addLast(child);
    }

    /** {@code reqsk_queue_remove}: the oldest child, for {@code accept()}; null when none waits. */
    TcpSock reqskQueueRemove() {
        return acceptQueue.pollFirst();
    }

    /** Takes every waiting child out, oldest first ({@code inet_csk_listen_stop}). */
    List<TcpSock> drainAcceptQueue() {
        List<TcpSock> children = new ArrayList<>(acceptQueue);
        acceptQueue.clear();
        return children;
    }

    /** The children waiting, oldest first, read-only. */
    Collection<TcpSock> children() {
        return acceptView;
    }

    // ---- the SYN queue

    /** Half-open requests ({@code inet_csk_reqsk_queue_len}). */
    int reqskQueueLen() {
        return synQueue.size();
    }

    /**
     * {@code inet_csk_reqsk_queue_is_full}: more requests than the backlog, judged as the
     * accept queue is, so a backlog of N holds N + 1 requests (a kernel 6.18 listener with
     * backlog 128 holds 129).
     */
    boolean reqskQueueIsFull() {
        return synQueue.size() > maxBacklog;
    }

    /** {@code inet_csk_reqsk_queue_added}: a request joins the SYN queue. */
    void reqskQueueAdded(RequestSock req) {
        synQueue.add(req);
    }

    /** {@code reqsk_queue_removed}: a request leaves the SYN queue (completed, dropped or expired). */
    void reqskQueueRemoved(RequestSock req) {
        synQueue.remove(req);
    }

    /** The requests waiting, oldest first, read-only. */
    Collection<RequestSock> requests() {
        return synView;
    }

    // ---- SYN cookies

    /** {@code tcp_synq_overflow}: a cookie answered a SYN at {@code nowNanos}. */
    void synqOverflow(long nowNanos) {
        synqOverflowNanos = nowNanos;
    }

    /** When a cookie last answered a SYN, or Long.MIN_VALUE when none has. */
    long synqOverflowNanos() {
        return synqOverflowNanos;
    }
}
