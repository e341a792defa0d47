package net.tern.inet.sock;

/**
 * A socket's protocol state ({@code sk->sk_state}): the TCP states of RFC 793, which Linux
 * uses for every inet socket (a connected UDP socket is ESTABLISHED, any other is CLOSE),
 * numbered as Linux numbers them so {@code ss} output reads the same.
 */
public enum SkState {
    ESTABLISHED(1),
    SYN_SENT(2),
    SYN_RECV(3),
    FIN_WAIT1(4),
    FIN_WAIT2(5),
    TIME_WAIT(6),
    CLOSE(7),
    CLOSE_WAIT(8),
    LAST_ACK(9),
    LISTEN(10),
    CLOSING(11);

    private final int number;

    SkState(int number) {
        this.number = number;
    }

    /** Linux's {@code TCP_*} number. */
    public int number() {
        return number;
    }

    /** Whether a connection attempt is still under way ({@code TCPF_SYN_SENT | TCPF_SYN_RECV}). */
    public boolean connecting() {
        return this == SYN_SENT || this == SYN_RECV;
    }
}
