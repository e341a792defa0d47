package net.tern.api.socket;

/**
 * The numeric constants of the BSD socket API, with Linux's values: address families,
 * socket types, protocols, message flags, shutdown modes, option levels and names, and the
 * epoll event bits and control operations.
 */
public final class SocketConstants {
    private SocketConstants() {
    }

    // Address families (include/linux/socket.h)
    public static final int AF_UNSPEC = 0;
    public static final int AF_UNIX = 1;
    public static final int AF_INET = 2;
    public static final int AF_INET6 = 10;
    public static final int AF_PACKET = 17;

    // Socket types (include/linux/net.h)
    public static final int SOCK_STREAM = 1;
    public static final int SOCK_DGRAM = 2;
    public static final int SOCK_RAW = 3;
    public static final int SOCK_SEQPACKET = 5;
    /** Creation flag: the socket starts non-blocking, as with {@code O_NONBLOCK}. */
    public static final int SOCK_NONBLOCK = 0x800;
    /** The bits of {@code type} that name the type; the rest are creation flags. */
    public static final int SOCK_TYPE_MASK = 0xf;

    // IP protocols (include/uapi/linux/in.h)
    public static final int IPPROTO_IP = 0;
    public static final int IPPROTO_ICMP = 1;
    public static final int IPPROTO_TCP = 6;
    public static final int IPPROTO_UDP = 17;
    /** IPv6 extension headers and ICMPv6 ({@code include/uapi/linux/in6.h}). @since 1.8 */
    public static final int IPPROTO_HOPOPTS = 0;
    /** @since 1.8 */
    public static final int IPPROTO_IPV6 = 41;
    /** @since 1.8 */
    public static final int IPPROTO_ROUTING = 43;
    /** @since 1.8 */
    public static final int IPPROTO_FRAGMENT = 44;
    /** @since 1.8 */
    public static final int IPPROTO_ICMPV6 = 58;
    /** @since 1.8 */
    public static final int IPPROTO_NONE = 59;
    /** @since 1.8 */
    public static final int IPPROTO_DSTOPTS = 60;

    // Message flags (include/linux/socket.h)
    public static final int MSG_OOB = 0x1;
    public static final int MSG_PEEK = 0x2;
    /** On receive: the datagram was longer than the buffer and its tail was discarded. */
    public static final int MSG_TRUNC = 0x20;
    /** A receive's control messages did not all fit ({@link MsgHeader#addControl}). @since 1.6 */
    public static final int MSG_CTRUNC = 0x8;
    public static final int MSG_DONTWAIT = 0x40;
    public static final int MSG_WAITALL = 0x100;
    /**
     * On receive: read the socket's error queue (the ICMP errors queued with
     * {@link #IP_RECVERR}) instead of its data. @since 1.5
     */
    public static final int MSG_ERRQUEUE = 0x2000;
    public static final int MSG_NOSIGNAL = 0x4000;
    /**
     * On a stream send: more data follow, so TCP holds a partial segment of this send as
     * {@link #TCP_CORK} would, for this call only, and sets no PSH at its end. @since 1.5
     */
    public static final int MSG_MORE = 0x8000;

    // shutdown(2)
    public static final int SHUT_RD = 0;
    public static final int SHUT_WR = 1;
    public static final int SHUT_RDWR = 2;

    // Option levels
    public static final int SOL_SOCKET = 1;
    public static final int SOL_IP = 0;
    public static final int SOL_TCP = 6;
    /** IPv6 options' level ({@code SOL_IPV6}, {@code IPPROTO_IPV6}). @since 1.8 */
    public static final int SOL_IPV6 = 41;
    /** {@code IPV6_UNICAST_HOPS}: the hop limit of unicast packets sent. @since 1.8 */
    public static final int IPV6_UNICAST_HOPS = 16;
    /** {@code IPV6_RECVERR}: errors to the error queue. @since 1.8 */
    public static final int IPV6_RECVERR = 25;
    /** {@code IPV6_V6ONLY}. @since 1.8 */
    public static final int IPV6_V6ONLY = 26;
    /** {@code IPV6_RECVHOPLIMIT}: each datagram read carries its hop limit. @since 1.8 */
    public static final int IPV6_RECVHOPLIMIT = 51;
    /** {@code IPV6_HOPLIMIT}: the control message type of a received hop limit (level SOL_IPV6). @since 1.8 */
    public static final int IPV6_HOPLIMIT = 52;
    /** {@code IPV6_TCLASS}: the traffic class of packets sent (-1 for the default, 0). @since 1.11 */
    public static final int IPV6_TCLASS = 67;
    public static final int SOL_UDP = 17;
    /** Packet socket options ({@code AF_PACKET}: {@code PACKET_STATISTICS}, ...). @since 1.6 */
    public static final int SOL_PACKET = 263;

    // SOL_SOCKET options (include/uapi/asm-generic/socket.h)
    public static final int SO_REUSEADDR = 2;
    public static final int SO_TYPE = 3;
    public static final int SO_ERROR = 4;
    public static final int SO_BROADCAST = 6;
    public static final int SO_SNDBUF = 7;
    public static final int SO_RCVBUF = 8;
    public static final int SO_KEEPALIVE = 9;
    /** Linger time in seconds; -1 means lingering is off. */
    public static final int SO_LINGER = 13;
    public static final int SO_REUSEPORT = 15;
    /** Receive timeout in milliseconds; 0 means wait for ever (as {@code SO_RCVTIMEO} with a zero timeval). */
    public static final int SO_RCVTIMEO = 20;
    /**
     * Receive timestamps in microseconds ({@code SCM_TIMESTAMP}): each datagram received
     * carries, in {@link MsgHeader#timestampNanos}, when it arrived, rounded down to the
     * microsecond. Where a family keeps no timestamps: ENOPROTOOPT. @since 1.6
     */
    public static final int SO_TIMESTAMP = 29;
    /** {@code SO_RCVBUF} past the system's maximum, for a privileged caller. @since 1.6 */
    public static final int SO_RCVBUFFORCE = 33;
    /** Receive timestamps in nanoseconds ({@code SCM_TIMESTAMPNS}): {@link MsgHeader#timestampNanos}. @since 1.6 */
    public static final int SO_TIMESTAMPNS = 35;
    /** Send timeout in milliseconds; 0 means wait for ever. It also bounds a blocking connect. */
    public static final int SO_SNDTIMEO = 21;
    public static final int SO_ACCEPTCONN = 30;
    public static final int SO_PROTOCOL = 38;
    public static final int SO_DOMAIN = 39;

    // IPPROTO_TCP options (include/uapi/linux/tcp.h)
    public static final int TCP_NODELAY = 1;
    public static final int TCP_MAXSEG = 2;
    /**
     * Cork: partial segments are held until the option is cleared (then they go), a full
     * segment is queued, or nothing is in flight for one RTO (the probe timer sends them).
     * Stronger than {@link #TCP_NODELAY}, which still pushes once when set. @since 1.5
     */
    public static final int TCP_CORK = 3;
    public static final int TCP_KEEPIDLE = 4;
    public static final int TCP_KEEPINTVL = 5;
    public static final int TCP_KEEPCNT = 6;
    /** The connection's {@link TcpInfo}, a struct option ({@link SocketApi#getsockopt(int, int, int, Class)}). */
    public static final int TCP_INFO = 11;
    /**
     * Quick-ack mode: setting it nonzero leaves interactive (ping-pong) mode and sends an ACK
     * the stack was delaying; 0 enters interactive mode, where ACKs wait to ride on replies.
     * Not sticky: the stack changes mode on its own. Read back, 1 unless in interactive mode.
     * @since 1.4
     */
    public static final int TCP_QUICKACK = 12;
    /** The congestion control algorithm's name, as a string option. */
    public static final int TCP_CONGESTION = 13;
    /**
     * The most unsent bytes the send queue may hold before a write waits and EPOLLOUT is
     * withheld (EPOLLOUT comes back below half of it); 0 reads back when unset and means
     * the stack's {@code tcp_notsent_lowat}. @since 1.5
     */
    public static final int TCP_NOTSENT_LOWAT = 25;
    /**
     * How long, in milliseconds, transmitted data may stay unacknowledged (or zero-window probes
     * unanswered, or keepalive probes after the first) before the connection is aborted with
     * ETIMEDOUT; 0 (the default) leaves it to the retry counts (RFC 5482). @since 1.6
     */
    public static final int TCP_USER_TIMEOUT = 18;
    /**
     * 1: each receive reports, in its {@link MsgHeader} control message {@link #TCP_CM_INQ}, the
     * bytes still queued to read after it (1 when none are but the peer's FIN is); 0 (default)
     * off. @since 1.6
     */
    public static final int TCP_INQ = 36;
    /** The control message type a receive with {@link #TCP_INQ} carries (level SOL_TCP). @since 1.6 */
    public static final int TCP_CM_INQ = TCP_INQ;
    /**
     * Tern only, no Linux option: how long this socket's TIME-WAIT lasts, in milliseconds
     * (1..240000), instead of the stack's 2 * MSL. Linux has one TIME-WAIT length for the
     * whole stack ({@code TCP_TIMEWAIT_LEN}); this exists so a demonstration or test can watch
     * TIME-WAIT end without changing it for every connection. Read back, it gives the length
     * this socket's TIME-WAIT would have.
     */
    public static final int TCP_TERN_TIMEWAIT_MSECS = 0x7e01;

    // IPPROTO_IP options (include/uapi/linux/in.h)
    /** The type-of-service byte of outgoing packets (DSCP and ECN), 0..255. @since 1.4 */
    public static final int IP_TOS = 1;
    /** The time-to-live of outgoing packets, 1..255, or -1 for the stack's default. @since 1.4 */
    public static final int IP_TTL = 2;
    /**
     * Queue ICMP errors about what the socket sent, each with its {@link SockExtendedErr}, to
     * be read with {@link #MSG_ERRQUEUE}; soft errors are reported too. @since 1.5
     */
    public static final int IP_RECVERR = 11;
    /** Give each received datagram's TTL with it ({@link MsgHeader#ttl}). @since 1.5 */
    public static final int IP_RECVTTL = 12;
    /**
     * Path MTU discovery of the socket's packets, one of the {@code IP_PMTUDISC_} values
     * ({@code ip(7)}); TCP acts on it. @since 1.9
     */
    public static final int IP_MTU_DISCOVER = 10;
    /** Never set Don't Fragment; ignore what ICMP says of the path's MTU. @since 1.9 */
    public static final int IP_PMTUDISC_DONT = 0;
    /** The default: Don't Fragment set, the MSS lowered when ICMP says the path's MTU is smaller. @since 1.9 */
    public static final int IP_PMTUDISC_WANT = 1;
    /** Always set Don't Fragment, and take what ICMP says of the path's MTU. @since 1.9 */
    public static final int IP_PMTUDISC_DO = 2;
    /** Don't Fragment not set by TCP's output ({@code ip_dont_fragment}); the path's MTU taken. @since 1.9 */
    public static final int IP_PMTUDISC_PROBE = 3;
    /** As {@link #IP_PMTUDISC_PROBE}, but the device's MTU alone counts: ICMP about the path is ignored. @since 1.9 */
    public static final int IP_PMTUDISC_INTERFACE = 4;
    /** As {@link #IP_PMTUDISC_INTERFACE}. @since 1.9 */
    public static final int IP_PMTUDISC_OMIT = 5;

    // struct sock_extended_err (include/uapi/linux/errqueue.h)
    /** {@code SO_EE_ORIGIN_ICMP}: the queued error came from an ICMP message. @since 1.5 */
    public static final int SO_EE_ORIGIN_ICMP = 2;

    // clock_gettime(2) (include/uapi/linux/time.h)
    /** The wall clock, in nanoseconds since the epoch. @since 1.5 */
    public static final int CLOCK_REALTIME = 0;
    /** The stack's monotonic clock (virtual time under test): what its timers and timeouts follow. @since 1.5 */
    public static final int CLOCK_MONOTONIC = 1;

    // ioctl(2) requests (include/uapi/asm-generic/ioctls.h, include/uapi/linux/sockios.h)
    /**
     * Bytes ready to read: a stream's queued in-order data (its FIN not counted), a datagram
     * socket's first queued datagram's payload; EINVAL on a listener. {@code FIONREAD}. @since 1.6
     */
    public static final int SIOCINQ = 0x541B;
    /** The same request as {@link #SIOCINQ}. @since 1.6 */
    public static final int FIONREAD = SIOCINQ;
    /** A stream's bytes written and not yet acknowledged (a FIN counted); EINVAL on a listener. {@code TIOCOUTQ}. @since 1.6 */
    public static final int SIOCOUTQ = 0x5411;
    /** A stream's bytes written and not yet sent. @since 1.6 */
    public static final int SIOCOUTQNSD = 0x894B;
    /** Non-blocking mode on (argument nonzero) or off, as {@code fcntl(O_NONBLOCK)}. @since 1.6 */
    public static final int FIONBIO = 0x5421;

    /** {@code eventfd(2)} flag: the eventfd does not block ({@code EFD_NONBLOCK}, as {@code O_NONBLOCK}). @since 1.4 */
    public static final int EFD_NONBLOCK = 0x800;

    // epoll (include/uapi/linux/eventpoll.h)
    public static final int EPOLLIN = 0x001;
    public static final int EPOLLPRI = 0x002;
    public static final int EPOLLOUT = 0x004;
    public static final int EPOLLERR = 0x008;
    public static final int EPOLLHUP = 0x010;
    public static final int EPOLLRDHUP = 0x2000;
    public static final int EPOLLONESHOT = 1 << 30;
    public static final int EPOLLET = 1 << 31;
    public static final int EPOLL_CTL_ADD = 1;
    public static final int EPOLL_CTL_DEL = 2;
    public static final int EPOLL_CTL_MOD = 3;

    /** Names an {@code ioctl(2)} request as {@code strace} does: {@code SIOCINQ}, or its number in hex. @since 1.6 */
    public static String ioctlName(int request) {
        return switch (request) {
            case SIOCINQ -> "SIOCINQ";
            case SIOCOUTQ -> "SIOCOUTQ";
            case SIOCOUTQNSD -> "SIOCOUTQNSD";
            case FIONBIO -> "FIONBIO";
            default -> "0x" + Integer.toHexString(request);
        };
    }

    /** Names a readiness mask the way {@code ss} and {@code strace} print it: {@code IN|OUT}. */
    public static String pollMaskToString(int mask) {
        StringBuilder sb = new StringBuilder();
        appendIf(sb, mask, EPOLLIN, "IN");
        appendIf(sb, mask, EPOLLPRI, "PRI");
        appendIf(sb, mask, EPOLLOUT, "OUT");
        appendIf(sb, mask, EPOLLERR, "ERR");
        appendIf(sb, mask, EPOLLHUP, "HUP");
        appendIf(sb, mask, EPOLLRDHUP, "RDHUP");
        appendIf(sb, mask, EPOLLONESHOT, "ONESHOT");
        appendIf(sb, mask, EPOLLET, "ET");
        return sb.length() == 0 ? "0" : sb.toString();
    }

    private static void appendIf(StringBuilder sb, int mask, int bit, String name) {
        if ((mask & bit) != 0) {
            if (sb.length() > 0) {
                sb.append('|');
            }
            sb.append(name);
        }
    }
}
