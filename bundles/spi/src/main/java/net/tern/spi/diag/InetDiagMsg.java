package net.tern.spi.diag;

import java.util.Objects;
import net.tern.api.socket.InetSockAddr;
import net.tern.api.socket.TcpInfo;

/**
 * One socket as {@code ss} sees it ({@code struct inet_diag_msg} with the queue lengths of
 * {@code inet_diag_info}): its protocol, state, queues, addresses and owner.
 *
 * @param protocol the IP protocol (6, 17)
 * @param state    Linux's {@code TCP_*} state number ({@code idiag_state}): 1 ESTABLISHED,
 *                 2 SYN_SENT, 3 SYN_RECV, 4 FIN_WAIT1, 5 FIN_WAIT2, 6 TIME_WAIT, 7 CLOSE,
 *                 8 CLOSE_WAIT, 9 LAST_ACK, 10 LISTEN, 11 CLOSING (a connected UDP socket is
 *                 ESTABLISHED, any other CLOSE)
 * @param recvQ    {@code idiag_rqueue}: bytes received and not read; for a listener, the
 *                 connections waiting in its accept queue
 * @param sendQ    {@code idiag_wqueue}: bytes written and not acknowledged; for a listener,
 *                 its backlog
 * @param local    the local address and port (0.0.0.0 when bound to any)
 * @param peer     the peer's address and port (0.0.0.0:0 when unconnected)
 * @param fd       the descriptor the owner holds it as, or -1 (an orphan, a request, a
 *                 TIME-WAIT entry, a connection not yet accepted)
 * @param tcpInfo  for a TCP socket, its {@code struct tcp_info} ({@code INET_DIAG_INFO}, with
 *                 the congestion control's name, {@code INET_DIAG_CONG}); null for UDP,
 *                 requests and TIME-WAIT entries
 * @param timer    the timer pending ({@code idiag_timer}): {@link #TIMER_NONE}, {@link #TIMER_ON}
 *                 (retransmission, tail loss probe, RACK's reorder timer, a request's SYN-ACK),
 *                 {@link #TIMER_KEEPALIVE} (also an orphan's FIN-WAIT-2 wait),
 *                 {@link #TIMER_TIMEWAIT}, {@link #TIMER_PERSIST} (zero-window probe)
 * @param retrans  {@code idiag_retrans}: timeouts in a row for {@code on}, SYN-ACKs sent again
 *                 for a request, probes unanswered for {@code keepalive} and {@code persist}
 * @param expiresMillis {@code idiag_expires}: milliseconds until the timer falls due (0 when
 *                 none, or when it is already due)
 * @param cookie   {@code idiag_cookie}: the socket's number, unique in the stack and never
 *                 reused ({@code sock_gen_cookie}; a TIME-WAIT entry keeps its socket's)
 * @param shutdown {@code INET_DIAG_SHUTDOWN}: {@code sk_shutdown} (1 receive, 2 send), or -1
 *                 for a request or TIME-WAIT entry, which Linux sends none for
 * @param mem      {@code INET_DIAG_SKMEMINFO}, or null for a request or TIME-WAIT entry
 */
public record InetDiagMsg(int protocol, int state, int recvQ, int sendQ, InetSockAddr local, InetSockAddr peer,
        int fd, TcpInfo tcpInfo, int timer, int retrans, int expiresMillis, long cookie, int shutdown,
        SkMemInfo mem) {
    /** {@code idiag_timer}: nothing pending. */
    public static final int TIMER_NONE = 0;
    /** {@code idiag_timer}: retransmission ({@code ICSK_TIME_RETRANS}, {@code _REO_TIMEOUT}, {@code _LOSS_PROBE}). */
    public static final int TIMER_ON = 1;
    /** {@code idiag_timer}: {@code sk_timer} (keepalive, an orphan's FIN-WAIT-2). */
    public static final int TIMER_KEEPALIVE = 2;
    /** {@code idiag_timer}: a TIME-WAIT entry's. */
    public static final int TIMER_TIMEWAIT = 3;
    /** {@code idiag_timer}: zero-window probe ({@code ICSK_TIME_PROBE0}). */
    public static final int TIMER_PERSIST = 4;

    /** Linux's {@code TCP_ESTABLISHED}. */
    public static final int ESTABLISHED = 1;
    /** Linux's {@code TCP_TIME_WAIT}. */
    public static final int TIME_WAIT = 6;
    /** Linux's {@code TCP_CLOSE}. */
    public static final int CLOSE = 7;
    /** Linux's {@code TCP_LISTEN}. */
    public static final int LISTEN = 10;

    public InetDiagMsg {
        Objects.requireNonNull(local, "local");
        Objects.requireNonNull(peer, "peer");
    }

    /** A socket without timers, cookie or memory (as the records before those were reported). */
    public InetDiagMsg(int protocol, int state, int recvQ, int sendQ, InetSockAddr local, InetSockAddr peer, int fd,
            TcpInfo tcpInfo) {
        this(protocol, state, recvQ, sendQ, local, peer, fd, tcpInfo, TIMER_NONE, 0, 0, 0, -1, null);
    }

    /** This record with {@code timer} pending: {@code retrans} and {@code expiresMillis} as {@code idiag_*} give them. */
    public InetDiagMsg withTimer(int timer, int retrans, int expiresMillis) {
        return new InetDiagMsg(protocol, state, recvQ, sendQ, local, peer, fd, tcpInfo, timer, retrans,
                Math.max(0, expiresMillis), cookie, shutdown, mem);
    }

    /** {@code ss}'s names for the states, by number ({@code sstate_name} in ss.c). */
    private static final String[] SS_STATE_NAMES = {"UNKNOWN", "ESTAB", "SYN-SENT", "SYN-RECV", "FIN-WAIT-1",
        "FIN-WAIT-2", "TIME-WAIT", "UNCONN", "CLOSE-WAIT", "LAST-ACK", "LISTEN", "CLOSING"};

    /** {@code ss}'s name for a state number ({@code ESTAB}, {@code UNCONN}, ...), {@code UNKNOWN} for others. */
    public static String ssStateName(int state) {
        return state >= 0 && state < SS_STATE_NAMES.length ? SS_STATE_NAMES[state] : SS_STATE_NAMES[0];
    }

    /** A socket without TCP details (UDP, a request, a TIME-WAIT entry). */
    public InetDiagMsg(int protocol, int state, int recvQ, int sendQ, InetSockAddr local, InetSockAddr peer, int fd) {
        this(protocol, state, recvQ, sendQ, local, peer, fd, null);
    }
}
