package net.tern.socket;

import static net.tern.api.socket.SocketConstants.SOL_SOCKET;
import static net.tern.api.socket.SocketConstants.SO_DOMAIN;
import static net.tern.api.socket.SocketConstants.SO_ERROR;
import static net.tern.api.socket.SocketConstants.SO_PROTOCOL;
import static net.tern.api.socket.SocketConstants.SO_RCVTIMEO;
import static net.tern.api.socket.SocketConstants.SO_SNDTIMEO;
import static net.tern.api.socket.SocketConstants.SO_TYPE;

import java.util.Map;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.SocketConstants;
import net.tern.spi.proto.ProtoOps;

/**
 * The SOL_SOCKET options the socket layer answers itself ({@code sock_setsockopt} /
 * {@code sk_getsockopt}): the timeouts, and the read-only SO_TYPE, SO_DOMAIN, SO_PROTOCOL and
 * SO_ERROR. Every other option belongs to the protocol. Also the names of options, for messages.
 */
final class SocketOptions {
    private static final Map<Integer, String> SOL_SOCKET_NAMES = Map.ofEntries(
            Map.entry(SocketConstants.SO_REUSEADDR, "SO_REUSEADDR"),
            Map.entry(SocketConstants.SO_TYPE, "SO_TYPE"),
            Map.entry(SocketConstants.SO_ERROR, "SO_ERROR"),
            Map.entry(SocketConstants.SO_BROADCAST, "SO_BROADCAST"),
            Map.entry(SocketConstants.SO_SNDBUF, "SO_SNDBUF"),
            Map.entry(SocketConstants.SO_RCVBUF, "SO_RCVBUF"),
            Map.entry(SocketConstants.SO_KEEPALIVE, "SO_KEEPALIVE"),
            Map.entry(SocketConstants.SO_LINGER, "SO_LINGER"),
            Map.entry(SocketConstants.SO_REUSEPORT, "SO_REUSEPORT"),
            Map.entry(SocketConstants.SO_RCVTIMEO, "SO_RCVTIMEO"),
            Map.entry(SocketConstants.SO_SNDTIMEO, "SO_SNDTIMEO"),
            Map.entry(SocketConstants.SO_ACCEPTCONN, "SO_ACCEPTCONN"),
            Map.entry(SocketConstants.SO_PROTOCOL, "SO_PROTOCOL"),
            Map.entry(SocketConstants.SO_DOMAIN, "SO_DOMAIN"));
    private static final Map<Integer, String> SOL_TCP_NAMES = Map.of(
            SocketConstants.TCP_NODELAY, "TCP_NODELAY",
            SocketConstants.TCP_MAXSEG, "TCP_MAXSEG",
            SocketConstants.TCP_KEEPIDLE, "TCP_KEEPIDLE",
            SocketConstants.TCP_KEEPINTVL, "TCP_KEEPINTVL",
            SocketConstants.TCP_KEEPCNT, "TCP_KEEPCNT",
            SocketConstants.TCP_INFO, "TCP_INFO",
            SocketConstants.TCP_QUICKACK, "TCP_QUICKACK",
            SocketConstants.TCP_CONGESTION, "TCP_CONGESTION",
            SocketConstants.TCP_TERN_TIMEWAIT_MSECS, "TCP_TERN_TIMEWAIT_MSECS");

    private SocketOptions() {
    }

    /** Whether the layer answers this option itself. */
    static boolean ownedByLayer(int level, int name) {
        return level == SOL_SOCKET && (name == SO_RCVTIMEO || name == SO_SNDTIMEO || name == SO_TYPE
                || name == SO_DOMAIN || name == SO_PROTOCOL || name == SO_ERROR);
    }

    /** Sets a layer-owned option: the timeouts in milliseconds (0: for ever); the rest are read-only. */
    static void set(SocketFile socket, Call call, int name, int value) throws ErrnoException {
        socket.checkUsable(call);
        if (name != SO_RCVTIMEO && name != SO_SNDTIMEO) {
            throw new ErrnoException(Errno.ENOPROTOOPT, call + ": the option can only be read");
        }
        if (value < 0) {
            // Linux refuses a malformed timeval with EDOM; a negative millisecond count is the analogue.
            throw new ErrnoException(Errno.EINVAL, call + ": a timeout cannot be negative");
        }
        if (name == SO_RCVTIMEO) {
            socket.rcvTimeoutMillis = value;
        } else {
            socket.sndTimeoutMillis = value;
        }
    }

    /**
     * Reads a layer-owned option. SO_ERROR reads and clears the pending error
     * ({@code sock_error}) and, when none is pending, the protocol's soft error
     * ({@code sk_getsockopt}: {@code xchg(&sk->sk_err_soft, 0)}), so an application that polls
     * SO_ERROR learns of an ICMP error on a connection that goes on.
     */
    static int get(SocketFile socket, Call call, int name) throws ErrnoException {
        socket.checkUsable(call);
        return switch (name) {
            case SO_RCVTIMEO -> socket.rcvTimeoutMillis;
            case SO_SNDTIMEO -> socket.sndTimeoutMillis;
            case SO_TYPE -> socket.sock.type();
            case SO_DOMAIN -> socket.sock.family();
            case SO_PROTOCOL -> socket.sock.protocol();
            default -> {
                Errno pending = socket.sock.takeError();
                if (pending == null) {
                    pending = socket.invoke(call, ProtoOps::takeSoftError);
                }
                yield pending == null ? 0 : pending.number();
            }
        };
    }

    static String name(int level, int option) {
        String known = level == SOL_SOCKET ? SOL_SOCKET_NAMES.get(option)
                : level == SocketConstants.SOL_TCP ? SOL_TCP_NAMES.get(option) : null;
        return known != null ? known : "level " + level + " option " + option;
    }

    static String epollOp(int op) {
        return switch (op) {
            case SocketConstants.EPOLL_CTL_ADD -> "EPOLL_CTL_ADD";
            case SocketConstants.EPOLL_CTL_DEL -> "EPOLL_CTL_DEL";
            case SocketConstants.EPOLL_CTL_MOD -> "EPOLL_CTL_MOD";
            default -> "op " + op;
        };
    }
}
