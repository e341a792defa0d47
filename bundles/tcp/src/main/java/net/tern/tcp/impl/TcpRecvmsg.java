package net.tern.tcp.impl;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.ByteBuffer;
import java.util.function.Consumer;
import net.tern.api.socket.Errno;
import net.tern.api.socket.SocketConstants;
import net.tern.inet.sock.InetSock;
import net.tern.inet.sock.SkState;
import net.tern.spi.proto.ProtoSocket;

/**
 * What {@code tcp_recvmsg} does with a read ({@code tcp.c}: {@code tcp_recvmsg_locked},
 * {@code tcp_cleanup_rbuf}): the bytes leave the receive queue, copied or handed over, the
 * memory they held is freed, and the peer hears of the larger window when it matters. Called
 * by {@link TcpProt} with the socket locked.
 */
final class TcpRecvmsg {
    private final TcpMemory memory;
    private final TcpOutput output;

    TcpRecvmsg(TcpMemory memory, TcpOutput output) {
        this.memory = memory;
        this.output = output;
    }

    /**
     * {@code tcp_recvmsg}: takes from the receive queue. The bytes stored (0 at the end of the
     * stream, or when {@code dst} has no room), or a negative errno: {@code -ENOTCONN} on a
     * listener or a socket never connected, the connection's pending error, {@code -EAGAIN}
     * while nothing is there. {@code msg}, when given, gets the peer's address.
     */
    int recvmsgLocked(TcpSock sk, ByteBuffer dst, int flags, net.tern.api.socket.MsgHeader msg) {
        if (sk.state() == SkState.LISTEN) {
            return Errno.ENOTCONN.negative();
        }
        boolean peek = (flags & SocketConstants.MSG_PEEK) != 0;
        if (!sk.rcv().queueEmpty()) {
            int firstChunk = sk.rcv().firstChunk();
            int n = sk.rcv().read(dst, peek);
            if (!peek && n > 0) {
                consumed(sk, n, firstChunk);
            }
            return received(sk, msg, n);
        }
        if (!dst.hasRemaining()) {
            return received(sk, msg, 0);
        }
        int none = nothingQueued(sk);
        return none == 0 ? received(sk, msg, 0) : none;
    }

    /**
     * {@code tcp_recvmsg} handing the queue's packets over instead of copying them
     * ({@link TcpReceiver#handOver}): the bytes handed to {@code sink}, or a negative errno as
     * {@link #recvmsgLocked}.
     */
    int zerocopyReceive(TcpSock sk, ByteBufAllocator alloc, int maxBytes, Consumer<? super ByteBuf> sink) {
        if (sk.state() == SkState.LISTEN) {
            return Errno.ENOTCONN.negative();
        }
        if (sk.rcv().queueEmpty()) {
            return nothingQueued(sk);
        }
        int firstChunk = sk.rcv().firstChunk();
        int n = sk.rcv().handOver(alloc, maxBytes, sink);
        consumed(sk, n, firstChunk);
        return n;
    }

    /**
     * After a read took {@code n > 0} bytes, the first {@code firstChunk} of them in one piece:
     * free what was read, let the buffer grow for a reader
     * that takes more per round trip ({@code tcp_rcv_space_adjust}), and tell the peer of the room.
     */
    private void consumed(TcpSock sk, int n, int firstChunk) {
        memory.settleRecv(sk); // packets read are freed
        memory.reclaimIdle(sk);
        memory.tuning().rcvSpaceAdjust(sk, n, firstChunk); // as tcp_recvmsg_locked after its copies
        sk.publishQueues();
        cleanupRbuf(sk);
    }

    /**
     * A receive that found no byte queued: 0 at the stream's end, the pending error or
     * {@code -ENOTCONN} as a negative errno, or {@code -EAGAIN} while the connection may yet
     * bring data.
     */
    private static int nothingQueued(TcpSock sk) {
        ProtoSocket socket = sk.socket();
        Errno error = socket == null ? null : socket.takeError();
        if (error != null) {
            return error.negative();
        }
        if ((sk.shutdown() & InetSock.RCV_SHUTDOWN) != 0 || sk.rcv().finReceived()) {
            return 0;
        }
        if (sk.state() == SkState.CLOSE) {
            return sk.everConnected() ? 0 : Errno.ENOTCONN.negative();
        }
        return Errno.EAGAIN.negative(); // no data yet
    }

    /**
     * A receive's result {@code n}, with the peer as the sender when the caller asked, and with
     * {@code TCP_INQ} the bytes left to read ({@code TCP_CM_INQ}, {@code tcp_inq_hint}).
     */
    private static int received(TcpSock sk, net.tern.api.socket.MsgHeader msg, int n) {
        if (msg != null) {
            msg.from = sk.peerAddress();
            if (sk.userOptions().recvmsgInq()) {
                msg.addControl(SocketConstants.SOL_TCP, SocketConstants.TCP_CM_INQ, TcpSockopt.inqHint(sk));
            }
        }
        return n;
    }

    /**
     * {@code tcp_cleanup_rbuf}: after the reader took data, advertise the larger window at
     * once if it at least doubles what the peer may send (RFC 9293 3.8.6.2.2's window update),
     * as Linux does when what is left of the window is at most half the full one: with a
     * window of one segment (64 KiB on {@code lo}), reading it must reopen it at once.
     */
    private void cleanupRbuf(TcpSock sk) {
        SkState state = sk.state();
        if (state != SkState.ESTABLISHED && state != SkState.FIN_WAIT1 && state != SkState.FIN_WAIT2) {
            return;
        }
        int now = TcpWindow.receiveWindow(sk);
        long full = Math.min(memory.fullSpace(sk), 65535L << sk.opts().rcvWscale());
        int free = Math.min(memory.space(sk), sk.rcv().rcvSsthresh());
        int mss = Math.max(1, sk.opts().advmss());
        int possible = sk.opts().rcvWscale() > 0 ? (free >> sk.opts().rcvWscale()) << sk.opts().rcvWscale() : (free / mss) * mss;
        if (2L * now <= full && possible > 0 && possible >= 2L * now) {
            output.sendAck(sk);
        } else if (sk.ackMode().pending() && !sk.timers().delackScheduled()) {
            sk.timers().sendDelayedAck();
        }
    }

}
