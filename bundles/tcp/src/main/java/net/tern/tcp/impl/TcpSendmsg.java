package net.tern.tcp.impl;

import java.nio.ByteBuffer;
import net.tern.api.socket.Errno;
import net.tern.api.socket.SocketConstants;
import net.tern.inet.sock.InetSock;
import net.tern.inet.sock.SkState;
import net.tern.spi.net.Clock;
import net.tern.spi.proto.ProtoSocket;
import net.tern.wire.TcpPacket;

/**
 * What {@code tcp_sendmsg} does with a write ({@code tcp.c}: {@code tcp_sendmsg_locked},
 * {@code tcp_push}, {@code tcp_xmit_size_goal}): the bytes go into the send queue in "skbs"
 * of the size goal, with PSH where Linux marks it, and are pushed with the socket's Nagle
 * mode. Called by {@link TcpProt} with the socket locked.
 */
final class TcpSendmsg {
    /** {@code GSO_LEGACY_MAX_SIZE}: the most a device's segmentation offload takes at once, Linux's default. */
    private static final int GSO_MAX_SIZE = 65536;

    private final Clock clock;
    private final java.util.function.Supplier<TcpSettings> settings;
    private final TcpMemory memory;
    private final TcpOutput output;

    TcpSendmsg(Clock clock, java.util.function.Supplier<TcpSettings> settings, TcpMemory memory, TcpOutput output) {
        this.clock = clock;
        this.settings = settings;
        this.memory = memory;
        this.output = output;
    }

    /**
     * {@code tcp_sendmsg}: queues what fits and pushes it, as Linux fills and pushes its
     * skbs. The data join the last unsent "skb" up to its size goal ({@link #xmitSizeGoal}),
     * then start another, which waits while the send buffer is full as Linux counts it or
     * TCP_NOTSENT_LOWAT unsent bytes are queued ({@code sk_stream_memory_free},
     * {@link TcpMemory#skStreamMemoryFree}); the memory the stack grants bounds them byte by
     * byte ({@link TcpMemory#sendRoom}). A full skb is pushed at once, with PSH when more than half
     * the peer's largest window was queued since the last PSH ({@code forced_push}). The end
     * of the write gets PSH and is pushed with the socket's Nagle mode ({@code tcp_push}),
     * except with MSG_MORE, which corks this push and leaves PSH off; a write that must wait
     * pushes what it queued with PSH. Returns the bytes taken, or a negative errno: the
     * connection's pending error, {@code -EPIPE} after SHUT_WR or when not connected,
     * {@code -EAGAIN} while the handshake is under way or nothing could be queued.
     */
    int sendmsgLocked(TcpSock sk, ByteBuffer data, int flags) {
        ProtoSocket socket = sk.socket();
        Errno error = socket == null ? null : socket.takeError();
        if (error != null) {
            return error.negative();
        }
        if ((sk.shutdown() & InetSock.SEND_SHUTDOWN) != 0) {
            return Errno.EPIPE.negative();
        }
        SkState state = sk.state();
        if (state == SkState.SYN_SENT || state == SkState.SYN_RECV) {
            return Errno.EAGAIN.negative(); // not established yet
        }
        if (state != SkState.ESTABLISHED && state != SkState.CLOSE_WAIT) {
            return Errno.EPIPE.negative();
        }
        if (!data.hasRemaining()) {
            return 0;
        }
        TcpSender snd = sk.snd();
        int sizeGoal = xmitSizeGoal(sk);
        int copied = 0;
        boolean waits = false;
        int budget = memory.sendRoom(sk, data.remaining()); // what the send buffer and tcp_mem take of this write
        while (data.hasRemaining()) {
            int tail = snd.tailLength();
            int copy;
            boolean newSkb = tail == 0 || tail >= sizeGoal;
            if (newSkb) {
                if (!memory.skStreamMemoryFree(sk)) {
                    waits = true; // sk_stream_memory_free: the send buffer is full, or TCP_NOTSENT_LOWAT bytes wait
                    break;
                }
                copy = sizeGoal;
            } else {
                copy = sizeGoal - tail;
            }
            int room = Math.min(Math.min(copy, data.remaining()), budget - copied);
            if (room <= 0) {
                waits = true; // the send buffer is full, or TCP's memory is at tcp_mem's limit
                break;
            }
            if (newSkb) {
                if (snd.notSent() == 0) {
                    sk.chrono().chronoStart(TcpChrono.BUSY, clock.nanoTime()); // tcp_add_write_queue_tail: the queue's head
                }
                TcpCwndUsage.slowStartAfterIdleCheck(sk, settings.get(), clock.nanoTime()); // tcp_skb_entail
                snd.startSkb();
            } else if (copied == 0) {
                snd.appendToTail();
            }
            copied += snd.queue().append(data, room);
            memory.settleSend(sk);
            if (!data.hasRemaining() || snd.tailLength() < sizeGoal) {
                continue;
            }
            if (snd.forcedPush()) {
                snd.markPush();
                output.writeXmit(sk, TcpSender.NAGLE_PUSH);
            } else {
                output.writeXmit(sk, TcpSender.NAGLE_PUSH); // tcp_push_one: the full skb goes if the windows let it
            }
        }
        if (waits) {
            sk.noSpace(true); // SOCK_NOSPACE
            if (copied > 0) {
                push(sk, flags & ~SocketConstants.MSG_MORE, TcpSender.NAGLE_PUSH);
            } else if (sk.rtx().isEmpty() && snd.queue().isEmpty()) {
                memory.writeSpace(sk); // nothing queued at all: wake any edge-triggered waiter (tcp_sendmsg's out_err)
            }
        } else {
            push(sk, flags, snd.nonagle());
        }
        sk.publishQueues();
        return copied > 0 ? copied : Errno.EAGAIN.negative();
    }

    /**
     * {@code tcp_push}: PSH at the end of what is queued, unless MSG_MORE (and no
     * {@code forced_push}), then {@code __tcp_push_pending_frames} with {@code nonagle}, or
     * corked for this push under MSG_MORE.
     */
    private void push(TcpSock sk, int flags, int nonagle) {
        TcpSender snd = sk.snd();
        if (snd.notSent() == 0) {
            return; // no unsent skb (tcp_write_queue_tail is NULL)
        }
        boolean more = (flags & SocketConstants.MSG_MORE) != 0;
        if (!more || snd.forcedPush()) {
            snd.markPush();
        }
        output.writeXmit(sk, more ? TcpSender.NAGLE_CORK : nonagle);
    }

    /**
     * {@code tcp_xmit_size_goal}: how much {@code tcp_sendmsg} puts in one skb before it
     * starts the next: what a device's segmentation offload takes (64 KiB) but at most half the
     * peer's largest window ({@code tcp_bound_to_half_wnd}), in whole MSSes, at least one.
     */
    static int xmitSizeGoal(TcpSock sk) {
        int mss = Math.max(1, sk.opts().mssCache());
        int maxWindow = sk.snd().maxWindow();
        int goal = TcpWindow.boundToHalfWnd(GSO_MAX_SIZE, maxWindow, sk.opts().tsOk());
        return Math.max(mss, goal / mss * mss);
    }
}
