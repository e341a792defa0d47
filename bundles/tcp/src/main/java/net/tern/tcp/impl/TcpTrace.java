package net.tern.tcp.impl;

import net.tern.api.socket.InetSockAddr;
import net.tern.inet.sock.SkState;
import net.tern.spi.net.Clock;
import net.tern.spi.net.NetworkThread;
import net.tern.spi.proto.ProtoSocket;
import net.tern.spi.trace.TraceEvent;
import net.tern.spi.trace.TraceSegment;
import net.tern.spi.trace.Tracepoints;

/**
 * TCP's tracepoints, one call each at the place Linux's function of the same name would run
 * ({@code tcp_set_state}, {@code tcp_conn_request}, {@code tcp_fin}, ...). Each method first
 * asks {@link Tracepoints#enabled()} (one volatile read) and returns when no one listens; its
 * arguments are objects the caller holds already, so a tracepoint off allocates nothing.
 *
 * <p>The segment being processed is remembered while {@code tcp_v4_rcv} handles it (on the
 * network thread, and only while tracing), so events it causes carry it; events from socket
 * calls and timers carry none.
 */
final class TcpTrace {
    private final Clock clock;
    private final NetworkThread networkThread;
    /** The segment {@code tcp_v4_rcv} is handling, while tracing; network thread only. */
    private Segment current;

    TcpTrace(Clock clock, NetworkThread networkThread) {
        this.clock = clock;
        this.networkThread = networkThread;
    }

    /** {@code tcp_v4_rcv} starts on {@code seg}. */
    void receiving(Segment seg) {
        if (Tracepoints.enabled()) {
            current = seg;
        }
    }

    /** {@code tcp_v4_rcv} is done with its segment. */
    void received() {
        if (current != null) {
            current = null;
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
     * {@code tcp_rcv_state_process}: a segment for a socket in any state but ESTABLISHED
     * (which Linux handles in {@code tcp_rcv_established} instead).
     */
    void rcvStateProcess(TcpSock sk) {
        if (Tracepoints.enabled() && sk.state() != SkState.ESTABLISHED) {
            emit("tcp_rcv_state_process", sk, null, null, "in " + sk.state().name());
        }
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

    /** {@code tcp_v4_send_reset}: a RST answering {@code seg}, which may belong to no socket. */
    void reset(Segment seg) {
        if (Tracepoints.enabled()) {
            Tracepoints.emit(new TraceEvent(clock.nanoTime(), "tcp_v4_send_reset", -1,
                    new InetSockAddr(seg.daddr(), seg.dport()), new InetSockAddr(seg.saddr(), seg.sport()), null, null,
                    traced(seg), null));
        }
    }

    private void emit(String function, TcpSock sk, SkState old, SkState next, String detail) {
        ProtoSocket socket = sk.socket();
        InetSockAddr peer = sk.dport() == 0 ? null : sk.peerAddress();
        Tracepoints.emit(new TraceEvent(clock.nanoTime(), function, socket == null ? -1 : socket.fd(),
                sk.localAddress(), peer, name(old), name(next), segment(), detail));
    }

    private TraceSegment segment() {
        Segment seg = current;
        return seg == null || !networkThread.inNetworkThread() ? null : traced(seg);
    }

    private static TraceSegment traced(Segment seg) {
        return new TraceSegment(seg.flags(), seg.seq(), seg.ack(), seg.dataLength());
    }

    private static String name(SkState state) {
        return state == null ? null : state.name();
    }
}
