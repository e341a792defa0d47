package net.tern.inet.sock;

import java.util.ArrayDeque;

/**
 * A socket's backlog ({@code sk->sk_backlog}): input that arrived while another thread owned
 * the socket, waiting for the owner's {@code release_sock}. Each entry is a packet for the
 * transport's {@link InetProto#backlogRcv} or a piece of deferred input work (an ICMP error).
 * Guarded by its own monitor, the socket's spinlock ({@code sk_lock.slock}), held only to add
 * or take one entry. The queue is made at the first entry and kept: an idle socket carries
 * none, a busy one reuses it.
 */
final class SockBacklog {
    /** What a piece of deferred work counts against the limit (a packet counts its true size). */
    static final int WORK_SIZE = 256;

    private ArrayDeque<Object> entries;
    /** {@code sk_backlog.len}: bytes queued since the owner last emptied the backlog. */
    private int len;
    /** Entries refused for a full backlog. */
    private int refused;
    /** Read without the monitor by the owner's last look before letting go. */
    private volatile boolean pending;

    /** {@code sk_add_backlog}: false, without queuing, when {@code size} more would pass {@code limit}. */
    synchronized boolean add(Object entry, int size, int limit) {
        if (len + size > limit) {
            refused++;
            return false;
        }
        if (entries == null) {
            entries = new ArrayDeque<>(8);
        }
        entries.addLast(entry);
        len += size;
        pending = true;
        return true;
    }

    /**
     * The next entry, or null when none is left; then the length starts again from 0, as
     * {@code __release_sock} clears {@code sk_backlog.len} only once it has run the backlog
     * dry, so input cannot keep the owner in {@code release_sock} without bound.
     */
    synchronized Object poll() {
        Object entry = entries == null ? null : entries.pollFirst();
        if (entry == null) {
            len = 0;
            pending = false;
        }
        return entry;
    }

    /** {@code sk_backlog.len}. */
    synchronized int len() {
        return len;
    }

    synchronized int refused() {
        return refused;
    }

    boolean pending() {
        return pending;
    }
}
