package net.tern.inet.ip;

import net.tern.api.socket.Errno;

/**
 * Linux's {@code icmp_err_convert[]} ({@code net/ipv4/icmp.c}): what a destination-unreachable
 * code means to the socket whose datagram it quotes, an errno and whether the error is
 * <em>fatal</em> (hard: it ends a connected socket's hope, where a soft one may pass). The
 * transports' error handlers ({@code udp_err}, {@code ping_err}) start from it.
 *
 * @since 1.1
 */
public record IcmpErrConvert(Errno errno, boolean fatal) {
    private static final IcmpErrConvert[] UNREACH = {
        new IcmpErrConvert(Errno.ENETUNREACH, false),   // 0 network unreachable
        new IcmpErrConvert(Errno.EHOSTUNREACH, false),  // 1 host unreachable
        new IcmpErrConvert(Errno.ENOPROTOOPT, true),    // 2 protocol unreachable
        new IcmpErrConvert(Errno.ECONNREFUSED, true),   // 3 port unreachable
        new IcmpErrConvert(Errno.EMSGSIZE, false),      // 4 fragmentation needed
        new IcmpErrConvert(Errno.EOPNOTSUPP, false),    // 5 source route failed
        new IcmpErrConvert(Errno.ENETUNREACH, true),    // 6 destination network unknown
        new IcmpErrConvert(Errno.EHOSTDOWN, true),      // 7 destination host unknown
        new IcmpErrConvert(Errno.ENONET, true),         // 8 source host isolated
        new IcmpErrConvert(Errno.ENETUNREACH, true),    // 9 network administratively prohibited
        new IcmpErrConvert(Errno.EHOSTUNREACH, true),   // 10 host administratively prohibited
        new IcmpErrConvert(Errno.ENETUNREACH, false),   // 11 network unreachable for TOS
        new IcmpErrConvert(Errno.EHOSTUNREACH, false),  // 12 host unreachable for TOS
        new IcmpErrConvert(Errno.EHOSTUNREACH, true),   // 13 communication administratively prohibited
        new IcmpErrConvert(Errno.EHOSTUNREACH, true),   // 14 host precedence violation
        new IcmpErrConvert(Errno.EHOSTUNREACH, true),   // 15 precedence cut-off in effect
    };

    /** The meaning of destination-unreachable {@code code}; a code beyond the table is a soft EHOSTUNREACH. */
    public static IcmpErrConvert unreach(int code) {
        return code >= 0 && code < UNREACH.length ? UNREACH[code] : new IcmpErrConvert(Errno.EHOSTUNREACH, false);
    }
}
