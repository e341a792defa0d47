package net.tern.udp.impl;

import net.tern.api.socket.Errno;
import net.tern.wire.IcmpTypes;

/**
 * What an ICMP error about a sent datagram means to its socket ({@code icmp_err_convert[]}
 * and the switch in {@code __udp4_lib_err}): an errno, and whether the error is <em>hard</em>.
 * A socket without {@code IP_RECVERR} (Tern has none) learns only of hard errors, and only
 * when connected; soft ones (network or host unreachable, time exceeded, source quench) may
 * be transient and are ignored, as Linux ignores them.
 */
record IcmpErrors(Errno errno, boolean hard) {
    private static final IcmpErrors IGNORED = new IcmpErrors(null, false);

    /**
     * Linux's {@code icmp_err_convert}, indexed by destination-unreachable code. Where Linux
     * answers with an errno Tern does not define ({@code ENONET} for an isolated host), the
     * nearest one it has stands in.
     */
    private static final IcmpErrors[] UNREACH = {
        new IcmpErrors(Errno.ENETUNREACH, false),   // 0 network unreachable
        new IcmpErrors(Errno.EHOSTUNREACH, false),  // 1 host unreachable
        new IcmpErrors(Errno.ENOPROTOOPT, true),    // 2 protocol unreachable
        new IcmpErrors(Errno.ECONNREFUSED, true),   // 3 port unreachable
        new IcmpErrors(Errno.EMSGSIZE, true),       // 4 fragmentation needed (path MTU discovery on)
        new IcmpErrors(Errno.EOPNOTSUPP, false),    // 5 source route failed
        new IcmpErrors(Errno.ENETUNREACH, true),    // 6 destination network unknown
        new IcmpErrors(Errno.EHOSTDOWN, true),      // 7 destination host unknown
        new IcmpErrors(Errno.EHOSTUNREACH, true),   // 8 source host isolated (ENONET in Linux)
        new IcmpErrors(Errno.ENETUNREACH, true),    // 9 network administratively prohibited
        new IcmpErrors(Errno.EHOSTUNREACH, true),   // 10 host administratively prohibited
        new IcmpErrors(Errno.ENETUNREACH, false),   // 11 network unreachable for TOS
        new IcmpErrors(Errno.EHOSTUNREACH, false),  // 12 host unreachable for TOS
        new IcmpErrors(Errno.EHOSTUNREACH, true),   // 13 communication administratively prohibited
        new IcmpErrors(Errno.EHOSTUNREACH, true),   // 14 host precedence violation
        new IcmpErrors(Errno.EHOSTUNREACH, true),   // 15 precedence cut-off in effect
    };

    /**
     * The meaning of ICMP {@code type}/{@code code}. Parameter problem is hard; Linux reports
     * it as {@code EPROTO}, which Tern does not define, so it is {@code EHOSTUNREACH} here.
     */
    static IcmpErrors of(int type, int code) {
        return switch (type) {
            case IcmpTypes.DEST_UNREACH -> code >= 0 && code < UNREACH.length ? UNREACH[code]
                    : new IcmpErrors(Errno.EHOSTUNREACH, false);
            case IcmpTypes.TIME_EXCEEDED -> new IcmpErrors(Errno.EHOSTUNREACH, false);
            case IcmpTypes.PARAMETER_PROB -> new IcmpErrors(Errno.EHOSTUNREACH, true);
            default -> IGNORED; // source quench, redirect: nothing for the socket
        };
    }
}
