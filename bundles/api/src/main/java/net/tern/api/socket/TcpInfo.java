package net.tern.api.socket;

/**
 * What {@code getsockopt(fd, SOL_TCP, TCP_INFO)} returns: Linux's {@code struct tcp_info}
 * ({@code include/uapi/linux/tcp.h}), field for field in camelCase, plus the congestion control
 * algorithm's name (which Linux reads separately with {@code TCP_CONGESTION}, and {@code ss -i}
 * prints beside these). Read it with
 * {@code api.getsockopt(fd, SocketConstants.SOL_TCP, SocketConstants.TCP_INFO, TcpInfo.class)}.
 *
 * <p>Units are Linux's: times in microseconds ({@code rto}, {@code ato}, {@code rtt},
 * {@code rttvar}, {@code rcvRtt}, {@code minRtt}), ages in milliseconds
 * ({@code lastDataSent}, {@code lastDataRecv}, {@code lastAckRecv}), windows and thresholds in
 * segments ({@code sndCwnd}, {@code sndSsthresh}) or bytes ({@code sndWnd}, {@code rcvWnd},
 * {@code rcvSsthresh}, {@code rcvSpace}), counts of segments ({@code unacked}, {@code sacked},
 * {@code lost}, {@code retrans}, {@code segsOut}, ...) and of bytes ({@code bytesAcked}, ...).
 * A field an implementation does not track is 0 (its documentation says which).
 *
 * <p>On a listening socket, as on Linux, {@code unacked} is the accept queue's length and
 * {@code sacked} the backlog.
 *
 * @param state        the socket's state, numbered as Linux's {@code TCP_*} ({@link #TCP_ESTABLISHED} = 1 ...
 *                     {@link #TCP_CLOSING} = 11); see {@link #stateName(int)}
 * @param caState      the sender's congestion state ({@code enum tcp_ca_state}: 0 Open, 1 Disorder, 2 CWR,
 *                     3 Recovery, 4 Loss)
 * @param retransmits  consecutive retransmission timeouts of the current head ({@code icsk_retransmits})
 * @param probes       unanswered zero-window or keepalive probes ({@code icsk_probes_out})
 * @param backoff      the exponential backoff exponent of the retransmission timer ({@code icsk_backoff})
 * @param options      {@link #TCPI_OPT_TIMESTAMPS}, {@link #TCPI_OPT_SACK}, {@link #TCPI_OPT_WSCALE} bits
 *                     for what the handshake negotiated
 * @param sndWscale    the peer's window scale (shift applied to windows it sends)
 * @param rcvWscale    our window scale (shift applied to windows we send)
 * @param rto          the retransmission timeout, µs
 * @param ato          the delayed-ACK timeout, µs (0 before any data arrived)
 * @param sndMss       the MSS we send with (payload bytes per segment, options deducted)
 * @param rcvMss       the estimate of the peer's segment size, bytes
 * @param unacked      segments sent and not yet acknowledged ({@code packets_out}); a listener's accept queue
 * @param sacked       segments SACKed by the peer ({@code sacked_out}); a listener's backlog
 * @param lost         segments presumed lost ({@code lost_out})
 * @param retrans      retransmitted segments still unacknowledged ({@code retrans_out})
 * @param lastDataSent ms since data were last sent
 * @param lastDataRecv ms since data were last received
 * @param lastAckRecv  ms since an acceptable ACK was last received
 * @param pmtu         the path MTU, bytes
 * @param rcvSsthresh  the receive window's slow-start clamp, bytes
 * @param rtt          the smoothed RTT, µs
 * @param rttvar       the RTT variation, µs
 * @param sndSsthresh  the slow-start threshold, segments (Linux's {@code TCP_INFINITE_SSTHRESH} 0x7fffffff
 *                     until the first loss)
 * @param sndCwnd      the congestion window, segments
 * @param advmss       the MSS we advertised, bytes
 * @param reordering   the reordering degree, segments: the duplicate-ACK threshold, 3 until reordering of more is seen
 * @param rcvRtt       the receiver-side RTT estimate, µs
 * @param rcvSpace     the receive-buffer autotuning's space, bytes
 * @param totalRetrans retransmitted segments over the connection's life
 * @param bytesAcked   bytes acknowledged by the peer ({@code bytes_acked}, RFC 4898 tcpEStatsAppHCThruOctetsAcked)
 * @param bytesReceived bytes received in order ({@code bytes_received})
 * @param segsOut      segments sent, retransmissions and pure ACKs included
 * @param segsIn       segments received
 * @param notsentBytes bytes in the send queue not sent yet
 * @param minRtt       the least RTT seen, µs (0 before a sample)
 * @param dataSegsIn   segments received that carried data
 * @param dataSegsOut  segments sent that carried data, retransmissions included
 * @param busyTime     microseconds data waited to be sent or acknowledged ({@code tcpi_busy_time}, the
 *                     two below included)
 * @param rwndLimited  microseconds of those sending was held back by the receiver's window
 *                     ({@code tcpi_rwnd_limited})
 * @param sndbufLimited microseconds of those the application waited for send-buffer room with all it
 *                     wrote sent ({@code tcpi_sndbuf_limited})
 * @param bytesSent    data bytes sent, retransmissions included
 * @param bytesRetrans data bytes retransmitted
 * @param dsackDups    segments the receiver reported received twice by D-SACK (RFC 2883)
 * @param reordSeen    reordering events seen: data delivered after data sent later ({@code tcpi_reord_seen})
 * @param sndWnd       the peer's receive window as last advertised (scaled), bytes
 * @param rcvWnd       the receive window we advertised last (scaled), bytes
 * @param congestion   the congestion control algorithm's name ({@code TCP_CONGESTION}), e.g. {@code "reno"}
 */
public record TcpInfo(
        int state,
        int caState,
        int retransmits,
        int probes,
        int backoff,
        int options,
        int sndWscale,
        int rcvWscale,
        long rto,
        long ato,
        int sndMss,
        int rcvMss,
        int unacked,
        int sacked,
        int lost,
        int retrans,
        long lastDataSent,
        long lastDataRecv,
        long lastAckRecv,
        int pmtu,
        int rcvSsthresh,
        long rtt,
        long rttvar,
        int sndSsthresh,
        int sndCwnd,
        int advmss,
        int reordering,
        long rcvRtt,
        int rcvSpace,
        int totalRetrans,
        long bytesAcked,
        long bytesReceived,
        long segsOut,
        long segsIn,
        long notsentBytes,
        long minRtt,
        long dataSegsIn,
        long dataSegsOut,
        long busyTime,
        long rwndLimited,
        long sndbufLimited,
        long bytesSent,
        long bytesRetrans,
        int dsackDups,
        int reordSeen,
        long sndWnd,
        long rcvWnd,
        String congestion) {

    /** The handshake negotiated timestamps (RFC 7323). */
    public static final int TCPI_OPT_TIMESTAMPS = 1;
    /** The handshake negotiated SACK (RFC 2018). */
    public static final int TCPI_OPT_SACK = 2;
    /** The handshake negotiated window scaling (RFC 7323). */
    public static final int TCPI_OPT_WSCALE = 4;

    // Linux's state numbers (include/net/tcp_states.h)
    public static final int TCP_ESTABLISHED = 1;
    public static final int TCP_SYN_SENT = 2;
    public static final int TCP_SYN_RECV = 3;
    public static final int TCP_FIN_WAIT1 = 4;
    public static final int TCP_FIN_WAIT2 = 5;
    public static final int TCP_TIME_WAIT = 6;
    public static final int TCP_CLOSE = 7;
    public static final int TCP_CLOSE_WAIT = 8;
    public static final int TCP_LAST_ACK = 9;
    public static final int TCP_LISTEN = 10;
    public static final int TCP_CLOSING = 11;

    private static final String[] STATE_NAMES = {null, "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1",
        "FIN_WAIT2", "TIME_WAIT", "CLOSE", "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING"};

    /** Linux's name of a {@code TCP_*} state number ({@code "ESTABLISHED"}, ...), or {@code "UNKNOWN(n)"}. */
    public static String stateName(int state) {
        return state > 0 && state < STATE_NAMES.length ? STATE_NAMES[state] : "UNKNOWN(" + state + ")";
    }

    /** This socket's state by name ({@link #stateName(int)}). */
    public String stateName() {
        return stateName(state);
    }

    /** Whether the handshake negotiated each option in {@code bits} ({@link #TCPI_OPT_SACK}, ...). */
    public boolean hasOptions(int bits) {
        return (options & bits) == bits;
    }
}
