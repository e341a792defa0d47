package net.tern.spi.diag;

import java.util.Objects;
import net.tern.api.socket.Inet6SockAddr;
import net.tern.api.socket.InetSockAddr;
import net.tern.api.socket.SockAddr;
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
 * @param local    the local address and port (0.0.0.0 when bound to any); for an AF_INET6
 *                 socket its IPv4 view ({@link #v4View}): the IPv4 address of an IPv4-mapped
 *                 address, else 0.0.0.0, with the port. {@link #localName} is the full address
 * @param peer     the peer's address and port (0.0.0.0:0 when unconnected); for AF_INET6 its IPv4 view
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
 * @param localName the local address of the socket's family ({@code idiag_family}): an
 *                 {@link InetSockAddr} for AF_INET (equal to {@code local}), an
 *                 {@link Inet6SockAddr} for AF_INET6 (a dual-stack socket's IPv4 traffic with
 *                 IPv4-mapped addresses, as {@code sk_v6_rcv_saddr} holds it); null in the
 *                 constructor means {@code local}
 * @param peerName the peer's address of the socket's family; null in the constructor means {@code peer}
 * @param v6only   {@code INET_DIAG_SKV6ONLY}: an AF_INET6 socket with {@code IPV6_V6ONLY}
 *                 (false for AF_INET)
 * @since 1.3
 */
public record InetDiagMsg(int protocol, int state, int recvQ, int sendQ, InetSockAddr local, InetSockAddr peer,
        int fd, TcpInfo tcpInfo, int timer, int retrans, int expiresMillis, long cookie, int shutdown,
        SkMemInfo mem, SockAddr localName, SockAddr peerName, boolean v6only) {
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
        localName = localName == null ? local : localName;
        peerName = peerName == null ? peer : peerName;
        if (localName.family() != peerName.family()) {
            throw new IllegalArgumentException("local " + localName + " and peer " + peerName + " differ in family");
        }
    }

    /** An AF_INET socket with timers, cookie and memory (the record as 1.2 had it). */
    public InetDiagMsg(int protocol, int state, int recvQ, int sendQ, InetSockAddr local, InetSockAddr peer,
            int fd, TcpInfo tcpInfo, int timer, int retrans, int expiresMillis, long cookie, int shutdown,
            SkMemInfo mem) {
        this(protocol, state, recvQ, sendQ, local, peer, fd, tcpInfo, timer, retrans, expiresMillis, cookie, shutdown,
                mem, local, peer, false);
    }

    /**
     * A socket of either family, named by addresses of its family ({@code local} and
     * {@code peer} become their IPv4 views), without timers, cookie or memory.
     */
    public static InetDiagMsg of(int protocol, int state, int recvQ, int sendQ, SockAddr localName,
            SockAddr peerName, int fd, TcpInfo tcpInfo, boolean v6only) {
        return new InetDiagMsg(protocol, state, recvQ, sendQ, v4View(localName), v4View(peerName), fd, tcpInfo,
                TIMER_NONE, 0, 0, 0, -1, null, localName, peerName, v6only);
    }

    /**
     * The IPv4 view of an address: an AF_INET address itself; an IPv4-mapped AF_INET6 address
     * its IPv4 address; any other AF_INET6 address 0.0.0.0; the port kept.
     */
    public static InetSockAddr v4View(SockAddr address) {
        if (address instanceof InetSockAddr v4) {
            return v4;
        }
        if (address instanceof Inet6SockAddr v6) {
            return new InetSockAddr(v6.isV4Mapped() ? (int) v6.low() : 0, v6.port());
        }
        throw new IllegalArgumentException("not an AF_INET or AF_INET6 address: " + address);
    }

    /** {@code idiag_family}: the family of the socket, AF_INET or AF_INET6. */
    public int family() {
        return localName.family();
    }

    /** A socket without timers, cookie or memory (as the records before those were reported). */
    public InetDiagMsg(int protocol, int state, int recvQ, int sendQ, InetSockAddr local, InetSockAddr peer, int fd,
            TcpInfo tcpInfo) {
        this(protocol, state, recvQ, sendQ, local, peer, fd, tcpInfo, TIMER_NONE, 0, 0, 0, -1, null);
    }

    /** This record with {@code timer} pending: {@code retrans} and {@code expiresMillis} as {@code idiag_*} give them. */
    public InetDiagMsg withTimer(int timer, int retrans, int expiresMillis) {
        return new InetDiagMsg(protocol, state, recvQ, sendQ, local, peer, fd, tcpInfo, timer, retrans,
                Math.max(0, expiresMillis), cookie, shutdown, mem, localName, peerName, v6only);
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
