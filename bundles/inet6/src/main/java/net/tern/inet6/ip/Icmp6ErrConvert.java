package net.tern.inet6.ip;

import net.tern.api.socket.Errno;
import net.tern.wire.Icmpv6Types;

/**
 * {@code icmpv6_err_convert}: what an ICMPv6 error means to a socket, which the transports'
 * error handlers share ({@code tcp_v6_err}, {@code __udp6_lib_err}): its errno, and whether
 * it is fatal (a hard error: destination unreachable and parameter problem; Packet Too Big
 * and time exceeded are not).
 */
public final class Icmp6ErrConvert {
    private Icmp6ErrConvert() {
    }

    /** The errno of an ICMPv6 error of {@code type}/{@code code}, null for a message that is no error. */
    public static Errno errno(int type, int code) {
        return switch (type) {
            case Icmpv6Types.DEST_UNREACH -> switch (code) {
                case Icmpv6Types.NOROUTE -> Errno.ENETUNREACH;
                case Icmpv6Types.ADM_PROHIBITED, 5, 6 -> Errno.EACCES; // and policy failed, reject route
                case Icmpv6Types.NOT_NEIGHBOUR, Icmpv6Types.ADDR_UNREACH -> Errno.EHOSTUNREACH;
                case Icmpv6Types.PORT_UNREACH -> Errno.ECONNREFUSED;
                default -> Errno.EPROTO;
            };
            case Icmpv6Types.PKT_TOOBIG -> Errno.EMSGSIZE;
            case Icmpv6Types.PARAMPROB -> Errno.EPROTO;
            case Icmpv6Types.TIME_EXCEED -> Errno.EHOSTUNREACH;
            default -> null;
        };
    }

    /** Whether the error is fatal (a hard error). */
    public static boolean fatal(int type) {
        return type == Icmpv6Types.DEST_UNREACH || type == Icmpv6Types.PARAMPROB;
    }
}
