package net.tern.netlink.diag;

/** The numbers of {@code sock_diag} and {@code inet_diag} ({@code include/uapi/linux/sock_diag.h}, {@code inet_diag.h}). */
public final class InetDiag {
    private InetDiag() {
    }

    /** The request and answer type: a dump (or a lookup) of one family's sockets. */
    public static final int SOCK_DIAG_BY_FAMILY = 20;

    // Request attributes
    /** {@code INET_DIAG_REQ_BYTECODE}: a filter program ({@link InetDiagBytecode}). */
    public static final int INET_DIAG_REQ_BYTECODE = 1;
    /** {@code INET_DIAG_REQ_PROTOCOL}: a u32 protocol beyond {@code sdiag_protocol}'s 8 bits. */
    public static final int INET_DIAG_REQ_PROTOCOL = 3;

    // Answer attributes; requested as bit (attribute - 1) of idiag_ext
    /** {@code struct inet_diag_meminfo}: rmem, wmem (queued), fmem (forward alloc), tmem (in the device), u32 each. */
    public static final int INET_DIAG_MEMINFO = 1;
    /** {@code struct tcp_info}. */
    public static final int INET_DIAG_INFO = 2;
    public static final int INET_DIAG_VEGASINFO = 3;
    /** The congestion control's name, a string. */
    public static final int INET_DIAG_CONG = 4;
    /** The {@code SK_MEMINFO_*} array, u32 each ({@link net.tern.spi.diag.SkMemInfo}); asked for by its own ext bit. */
    public static final int INET_DIAG_SKMEMINFO = 7;
    /** {@code sk_shutdown}, a u8, sent for every full socket without being asked. */
    public static final int INET_DIAG_SHUTDOWN = 8;
    /**
     * {@code ipv6_only_sock}, a u8: sent unasked for an AF_INET6 socket in LISTEN or CLOSE
     * ({@code inet_diag_msg_attrs_fill}); ss prints such a socket's :: as {@code [::]}, a
     * dual-stack one's as {@code *}.
     */
    public static final int INET_DIAG_SKV6ONLY = 11;

    /** The {@code idiag_ext} bit that asks for {@code attribute}. */
    public static int ext(int attribute) {
        return 1 << (attribute - 1);
    }

    /** Every TCP state, as {@code idiag_states} takes them (bit n for state n). */
    public static final int TCPF_ALL = 0xfff;

    /** {@code ss}'s name for a state number ({@code ESTAB}, {@code UNCONN}, ...; {@code sstate_name} in ss.c). */
    public static String ssStateName(int state) {
        return net.tern.spi.diag.InetDiagMsg.ssStateName(state);
    }
}
