package net.tern.netlink.impl;

import java.util.ArrayDeque;
import net.tern.api.socket.SocketConstants;
import net.tern.spi.proto.ProtoSocket;

/**
 * A netlink socket's state ({@code struct netlink_sock}): its protocol, port id, the
 * multicast groups it joined, its options, and the receive queue of datagrams the stack
 * sent it, bounded by {@code SO_RCVBUF} ({@code sk_rcvbuf}). A datagram that does not fit
 * is dropped and the next receive fails with ENOBUFS ({@code netlink_overrun}).
 */
final class NetlinkSock {
    /** One datagram: its bytes and sender ({@code nl_pid}, {@code nl_groups} of the source). */
    record Datagram(byte[] bytes, int fromPid, int fromGroup) {
    }

    /** Linux's {@code rmem_default}: 212,992 bytes. */
    static final int DEFAULT_RCVBUF = 212_992;

    final ProtoSocket socket;
    final int protocol;
    private final ArrayDeque<Datagram> queue = new ArrayDeque<>();
    private int queued;
    private int rcvbuf = DEFAULT_RCVBUF;
    private boolean overrun;
    /** 0 until bound (explicitly or on first send). */
    private int portid;
    /** Joined groups, bit n for group n + 1 (groups 1..64). */
    private long groups;
    private boolean extAck;
    private boolean capAck;
    private boolean strictCheck;
    private boolean released;

    NetlinkSock(ProtoSocket socket, int protocol) {
        this.socket = socket;
        this.protocol = protocol;
    }

    synchronized int portid() {
        return portid;
    }

    synchronized void portid(int id) {
        portid = id;
    }

    synchronized long groups() {
        return groups;
    }

    synchronized void groups(long mask) {
        groups = mask;
    }

    synchronized boolean inGroup(int group) {
        return group >= 1 && group <= 64 && (groups & 1L << (group - 1)) != 0;
    }

    synchronized boolean extAck() {
        return extAck;
    }

    synchronized void extAck(boolean on) {
        extAck = on;
    }

    synchronized boolean capAck() {
        return capAck;
    }

    synchronized void capAck(boolean on) {
        capAck = on;
    }

    synchronized boolean strictCheck() {
        return strictCheck;
    }

    synchronized void strictCheck(boolean on) {
        strictCheck = on;
    }

    synchronized int rcvbuf() {
        return rcvbuf;
    }

    synchronized void rcvbuf(int bytes) {
        rcvbuf = bytes;
    }

    /**
     * Queues a datagram for the reader ({@code __netlink_sendskb}). A unicast answer is
     * always taken, as the requester asked for it (Linux charges it even past the limit while
     * a dump runs); a notification ({@code multicast}) that would pass {@code sk_rcvbuf} is
     * dropped and the overrun remembered. Returns whether it was queued.
     */
    boolean deliver(Datagram datagram, boolean multicast) {
        synchronized (this) {
            if (released) {
                return false;
            }
            if (multicast && queued + datagram.bytes().length > rcvbuf) {
                overrun = true;
            } else {
                queue.addLast(datagram);
                queued += datagram.bytes().length;
                datagram = null;
            }
        }
        socket.wakeUp(datagram == null ? SocketConstants.EPOLLIN : SocketConstants.EPOLLERR);
        return datagram == null;
    }

    /** The first datagram, taken off the queue unless {@code peek}; null when none. */
    synchronized Datagram take(boolean peek) {
        Datagram d = peek ? queue.peekFirst() : queue.pollFirst();
        if (d != null && !peek) {
            queued -= d.bytes().length;
        }
        return d;
    }

    /** Reads and clears the overrun: a notification was lost. */
    synchronized boolean takeOverrun() {
        boolean was = overrun;
        overrun = false;
        return was;
    }

    synchronized boolean readable() {
        return !queue.isEmpty();
    }

    synchronized boolean overrunPending() {
        return overrun;
    }

    synchronized void release() {
        released = true;
        queue.clear();
        queued = 0;
    }
}
