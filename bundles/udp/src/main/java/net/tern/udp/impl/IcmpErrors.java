package net.tern.udp.impl;

import net.tern.api.socket.Errno;
import net.tern.inet.ip.IcmpErrConvert;
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
     * The meaning of ICMP {@code type}/{@code code}. Parameter problem is hard; Linux reports
     * it as {@code EPROTO}, which Tern does not define, so it is {@code EHOSTUNREACH} here.
     */
    static IcmpErrors of(int type, int code) {
        return switch (type) {
            case IcmpTypes.DEST_UNREACH -> {
                IcmpErrConvert meaning = IcmpErrConvert.unreach(code);
                // Fragmentation needed is hard for UDP, whose sockets do path MTU discovery.
                yield code == IcmpTypes.FRAG_NEEDED ? new IcmpErrors(Errno.EMSGSIZE, true)
                        : new IcmpErrors(meaning.errno(), meaning.fatal());
            }
            case IcmpTypes.TIME_EXCEEDED -> new IcmpErrors(Errno.EHOSTUNREACH, false);
            case IcmpTypes.PARAMETER_PROB -> new IcmpErrors(Errno.EHOSTUNREACH, true);
            default -> IGNORED; // source quench, redirect: nothing for the socket
        };
    }
}
