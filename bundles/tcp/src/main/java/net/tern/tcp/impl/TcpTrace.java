package net.tern.tcp.impl;

import java.nio.ByteBuffer;
import net.tern.api.socket.Errno;
import net.tern.api.socket.InetSockAddr;
import net.tern.inet.sock.SkState;
import net.tern.spi.net.Clock;
import net.tern.spi.proto.ProtoSocket;
import net.tern.spi.trace.TraceEvent;
import net.tern.spi.trace.TraceProbe;
import net.tern.spi.trace.TraceSegment;
import net.tern.spi.trace.Tracepoints;
import net.tern.tcp.cc.CaState;
import net.tern.wire.TcpOptions;
import net.tern.wire.TcpPacket;

/**
 * TCP's tracepoints, one call each at the place Linux's function of the same name would run
 * ({@code tcp_set_state}, {@code tcp_conn_request}, {@code tcp_fin}, ...). Each method first
 * asks {@link Tracepoints#enabled()} (one volatile read) and returns when no one listens; its
 * arguments are objects the caller holds already, so a tracepoint off allocates nothing.
 *
 * <p>The segment being processed is remembered while {@code tcp_v4_rcv} handles it (per
 * thread, since input runs on the thread that received it, and only while tracing), so events
 * it causes carry it; events from socket calls and timers carry none. The data path's events:
 * {@code tcp_rcv_established} per segment received in ESTABLISHED, {@code tcp_ack} (what it acknowledged, and the scoreboard's
 * SACKed and lost counts after it) followed by {@code tcp_probe} (Linux fires that one on
 * entry to {@code tcp_rcv_established}, before the ACK is taken; here it follows the ACK, so
 * a plot shows each ACK's effect), {@code tcp_transmit_skb} per segment sent,
 * {@code tcp_retransmit_skb} after a segment sent again, {@code tcp_cong_state_set} per
 * congestion-state change with {@code tcp_enter_recovery} and {@code tcp_enter_loss} on
 * entering those states, {@code tcp_receive_reset} ({@code tcp_reset}) and
 * {@code tcp_send_reset} (from {@code tcp_v4_send_reset} and {@code tcp_send_active_reset},
 * as Linux fires it from both), and one {@code tcp_sendmsg} / {@code tcp_recvmsg} per call.
 */
final class TcpTrace {
    private static final int[] NO_SACK = {};
    private final Clock clock;
    /** The segment {@code tcp_v4_rcv} is handling on each thread, while tracing. */
    private final ThreadLocal<Segment> current = new ThreadLocal<>();
    /** Whether {@link #current} was ever set: until tracing first starts, input never touches it. */
    private volatile boolean remembered;

    TcpTrace(Clock clock) {
        this.clock = clock;
    }

    /** {@code tcp_v4_rcv} starts on {@code seg}. */
    void receiving(Segment seg) {
        if (Tracepoints.enabled()) {
            current.set(seg);
            remembered = true;
        }
    }

    /** {@code tcp_v4_rcv} is done with its segment. */
    void received() {
        if (remembered) {
            current.remove();
        }
    }

    /** An event about a socket, without a state change. */
    void sock(String function, TcpSock sk) {
        if (Tracepoints.enabled()) {
            emit(function, sk, null, null, null);
        }
    }

    /** An event about a socket that names a state change ({@code tcp_time_wait}). */
    void sock(String function, TcpSock sk, SkState old, SkState next) {
        if (Tracepoints.enabled()) {
            emit(function, sk, old, next, null);
        }
    }

    /**
     * {@code tcp_rcv_state_process}: a segment for a socket in any state but ESTABLISHED;
     * {@code tcp_rcv_established}: one for an ESTABLISHED socket.
     */
    void rcvStateProcess(TcpSock sk) {
        if (Tracepoints.enabled()) {
            if (sk.state() != SkState.ESTABLISHED) {
                emit("tcp_rcv_state_process", sk, null, null, "in " + sk.state().name());
            } else {
                emit("tcp_rcv_established", sk, null, null, null);
            }
        }
    }

    /**
     * {@code tcp_ack} took an acceptable ACK that found {@code snd_una} at {@code priorUna}:
     * what it acknowledged, the segments SACKed and marked lost after it; then
     * {@code tcp_probe} with the connection's sending state.
     */
    void ack(TcpSock sk, int priorUna) {
        if (Tracepoints.enabled()) {
            emit(clock.nanoTime(), "tcp_ack", sk, null, null, segment(), "acked " + (sk.snd().sndUna() - priorUna)
                    + " sacked_out " + sk.rtx().sackedOut() + " lost_out " + sk.rtx().lostOut(), null);
            emit(clock.nanoTime(), "tcp_probe", sk, null, null, segment(), null, probe(sk));
        }
    }

    /** {@code tcp_transmit_skb}: the segment as it leaves, its window field and SACK blocks included. */
    void transmitSkb(TcpSock sk, int seq, int ack, int flags, int length, int window, TcpOptions options) {
        if (Tracepoints.enabled()) {
            emit(clock.nanoTime(), "tcp_transmit_skb", sk, null, null, new TraceSegment(flags, seq, ack, length, window,
                    TraceSegment.sackBlocks(options.sackBlocks, options.sackBlockCount)), null, null);
        }
    }

    /** {@code tcp_retransmit_skb}: the segment of {@code length} bytes at {@code seq} went again. */
    void retransmitSkb(TcpSock sk, int seq, int length, int flags) {
        if (Tracepoints.enabled()) {
            emit(clock.nanoTime(), "tcp_retransmit_skb", sk, null, null,
                    new TraceSegment(flags, seq, sk.rcv().rcvNxt(), length), null, probe(sk));
        }
    }

    /**
     * {@code tcp_set_ca_state} (Linux's {@code tcp_cong_state_set} tracepoint), called just
     * before the congestion state goes from {@code old} to {@code next}; entering Recovery also fires
     * {@code tcp_enter_recovery}, and every entry into Loss (each retransmission timeout)
     * {@code tcp_enter_loss}, with the state after. Static: the congestion state has the
     * socket, not this.
     */
    static void congStateSet(TcpSock sk, CaState old, CaState next) {
        if (!Tracepoints.enabled()) {
            return;
        }
        long now = sk.nowMicros() * 1000;
        if (old != next) {
            emit(now, "tcp_cong_state_set", sk, caName(old), caName(next), null, null, null);
        }
        if (next == CaState.RECOVERY && old != next) {
            emit(now, "tcp_enter_recovery", sk, null, null, null, null, probe(sk, next));
        } else if (next == CaState.LOSS) {
            emit(now, "tcp_enter_loss", sk, null, null, null, null, probe(sk, next));
        }
    }

    /** {@code tcp_probe}'s fields of {@code sk} now. */
    static TraceProbe probe(TcpSock sk) {
        return probe(sk, sk.ca().caState());
    }

    /** {@code tcp_probe}'s fields of {@code sk}, in congestion state {@code state}. */
    private static TraceProbe probe(TcpSock sk, CaState state) {
        return new TraceProbe(sk.snd().sndNxt(), sk.snd().sndUna(), sk.ca().cwnd(), sk.ca().ssthresh(),
                Integer.toUnsignedLong(sk.snd().sndWnd()), Integer.toUnsignedLong(sk.rcv().rcvWnd()), sk.rtt().srttUs(),
                sk.rtt().rttvarUs(), sk.packetsInFlight(), sk.opts().mssCache(), sk.snd().bytesAcked(),
                caName(state));
    }

    /** Linux's name of a congestion state ({@code TCP_CA_Open}). */
    static String caName(CaState state) {
        return switch (state) {
            case OPEN -> "TCP_CA_Open";
            case DISORDER -> "TCP_CA_Disorder";
            case CWR -> "TCP_CA_CWR";
            case RECOVERY -> "TCP_CA_Recovery";
            case LOSS -> "TCP_CA_Loss";
        };
    }

    /** {@code tcp_set_state} (Linux's {@code inet_sock_set_state} tracepoint). */
    void setState(TcpSock sk, SkState old, SkState next) {
        if (Tracepoints.enabled() && old != next) {
            emit("tcp_set_state", sk, old, next, null);
        }
    }

    /** An event about a connection known by its 4-tuple only: a request, a TIME-WAIT entry. */
    void conn(String function, ConnKey key, SkState old, SkState next) {
        if (Tracepoints.enabled()) {
            Tracepoints.emit(new TraceEvent(clock.nanoTime(), function, -1,
                    new InetSockAddr(key.localAddress(), key.localPort()),
                    new InetSockAddr(key.remoteAddress(), key.remotePort()), name(old), name(next), segment(), null));
        }
    }

    /** {@code tcp_v4_send_synack}: a request's SYN-ACK, which (as on Linux) does not go through {@code tcp_transmit_skb}. */
    void synack(ConnKey key, int seq, int ack, int window) {
        if (Tracepoints.enabled()) {
            Tracepoints.emit(new TraceEvent(clock.nanoTime(), "tcp_v4_send_synack", -1,
                    new InetSockAddr(key.localAddress(), key.localPort()),
                    new InetSockAddr(key.remoteAddress(), key.remotePort()), null, null,
                    new TraceSegment(TcpPacket.SYN | TcpPacket.ACK, seq, ack, 0, window, NO_SACK), null));
        }
    }

    /**
     * {@code tcp:tcp_send_reset} from {@code tcp_v4_send_reset}: a RST answering {@code seg},
     * which may belong to no socket (the event carries the segment it answers, and Linux's
     * state 0: no state).
     */
    void reset(Segment seg) {
        if (Tracepoints.enabled()) {
            Tracepoints.emit(new TraceEvent(clock.nanoTime(), "tcp_send_reset", -1,
                    new InetSockAddr(seg.daddr(), seg.dport()), new InetSockAddr(seg.saddr(), seg.sport()), null, null,
                    traced(seg), null));
        }
    }

    /**
     * {@code tcp:tcp_send_reset} from {@code tcp_send_active_reset}: the socket resets its
     * connection (a close with unread data, an abort, a timeout given up); the detail names
     * the state it was in, as the tracepoint's {@code state} field does.
     */
    void sendActiveReset(TcpSock sk) {
        if (Tracepoints.enabled()) {
            emit("tcp_send_reset", sk, null, null, "state " + sk.state().name());
        }
    }

    /**
     * {@code tcp_sendmsg} or {@code tcp_recvmsg} (Linux has no tracepoint there; these stand
     * for a probe on the function's return): {@code ret}, the bytes it copied or a negative
     * errno, with the size asked for, which is what {@code buf} had room or data for before
     * the call ({@code ret} plus what it has left). Data-path events, one per call.
     */
    void msg(String function, TcpSock sk, int ret, ByteBuffer buf) {
        if (Tracepoints.enabled()) {
            String detail = ret >= 0 ? "size " + (ret + buf.remaining()) + " copied " + ret
                    : "size " + buf.remaining() + " ret " + errnoName(ret);
            emit(function, sk, null, null, detail);
        }
    }

    /**
     * {@code tcp_recvmsg} handing buffers over instead of copying ({@link TcpReceiver#handOver}):
     * {@code ret}, the bytes handed over or a negative errno, with the most asked for.
     */
    void handedOver(TcpSock sk, int ret, int maxBytes) {
        if (Tracepoints.enabled()) {
            String detail = "size " + maxBytes + (ret >= 0 ? " handed " + ret : " ret " + errnoName(ret));
            emit("tcp_recvmsg", sk, null, null, detail);
        }
    }

    private static String errnoName(int ret) {
        Errno errno = Errno.ofResult(ret);
        return errno != null ? "-" + errno.name() : Integer.toString(ret);
    }

    private void emit(String function, TcpSock sk, SkState old, SkState next, String detail) {
        emit(clock.nanoTime(), function, sk, name(old), name(next), segment(), detail, null);
    }

    private static void emit(long timeNanos, String function, TcpSock sk, String old, String next, TraceSegment seg,
            String detail, TraceProbe probe) {
        ProtoSocket socket = sk.socket();
        InetSockAddr peer = sk.dport() == 0 ? null : sk.peerAddress();
        Tracepoints.emit(new TraceEvent(timeNanos, function, socket == null ? -1 : socket.fd(), sk.localAddress(), peer,
                old, next, seg, detail, probe));
    }

    private TraceSegment segment() {
        Segment seg = remembered ? current.get() : null;
        return seg == null ? null : traced(seg);
    }

    private static TraceSegment traced(Segment seg) {
        return new TraceSegment(seg.flags(), seg.seq(), seg.ack(), seg.dataLength(), seg.window(),
                TraceSegment.sackBlocks(seg.options().sackBlocks, seg.options().sackBlockCount));
    }

    private static String name(SkState state) {
        return state == null ? null : state.name();
    }
}
