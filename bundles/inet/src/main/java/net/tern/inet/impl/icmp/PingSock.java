package net.tern.inet.impl.icmp;

import java.util.ArrayDeque;
import net.tern.api.socket.SockExtendedErr;
import net.tern.inet.sock.InetProto;
import net.tern.inet.sock.InetSock;

/**
 * A ping socket's state ({@code struct ping_sock}'s part Linux keeps in {@code inet_sock}):
 * the echo replies received and not yet read, the ICMP errors queued for
 * {@code MSG_ERRQUEUE}, and the two {@code SOL_IP} options that shape what a receive gives.
 * Written under the socket's lock; {@link #queued} is read without it by {@code poll}.
 */
final class PingSock extends InetSock {
    /** One echo reply as received: its ICMP message (header and data), who sent it, its TTL. */
    record Reply(byte[] message, int from, int ttl) {
        /** What it costs the receive buffer: its bytes plus Linux's per-buffer overhead, roughly. */
        int truesize() {
            return message.length + 256;
        }
    }

    /** One queued ICMP error ({@code ip_icmp_error}): its meaning, the quoted request, and where that went. */
    record QueuedError(SockExtendedErr error, byte[] quoted, int destination) {
    }

    final ArrayDeque<Reply> replies = new ArrayDeque<>();
    final ArrayDeque<QueuedError> errors = new ArrayDeque<>();
    /** {@code sk_rmem_alloc}: the bytes {@link #replies} hold, by their true size. */
    int rmemAlloc;
    private volatile int repliesQueued;
    private volatile int errorsQueued;
    /** {@code IP_RECVERR}. */
    boolean recvErr;
    /** {@code IP_RECVTTL}. */
    boolean recvTtl;

    PingSock(InetProto<?> prot, int protocol) {
        super(prot, protocol);
    }

    /** Replies waiting, for {@code poll} without the lock. */
    boolean hasReplies() {
        return repliesQueued > 0;
    }

    /** Errors waiting in the error queue, for {@code poll} without the lock. */
    boolean hasErrors() {
        return errorsQueued > 0;
    }

    /** Call after changing either queue, under the lock. */
    void recount() {
        repliesQueued = replies.size();
        errorsQueued = errors.size();
    }
}
