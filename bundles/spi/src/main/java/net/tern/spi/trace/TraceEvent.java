package net.tern.spi.trace;

import java.util.concurrent.atomic.AtomicLong;
import net.tern.api.socket.InetSockAddr;

/**
 * One tracepoint hit.
 *
 * @param timeNanos the stack clock's {@code nanoTime()} when it fired
 * @param function  the Linux function it stands in ({@code tcp_set_state}, {@code __sys_bind})
 * @param fd        the socket's descriptor, or -1 when it has none (yet)
 * @param local     the socket's local address and port (for a packet's event, this host's
 *                  end: the destination of a received packet, the source of a sent one), or
 *                  null when not known
 * @param peer      the peer's address and port (for {@code __sys_connect}, the address asked
 *                  for; for a packet, the other end), or null
 * @param oldState  the state before, in Linux's {@code TCP_*} names without the prefix
 *                  ({@code SYN_SENT}), or the congestion state ({@code TCP_CA_Open}) for
 *                  {@code tcp_cong_state_set}; null when the event changes no state
 * @param newState  the state after, or null
 * @param segment   the TCP segment the event is about: the received one that caused it, or
 *                  the one sent ({@code tcp_transmit_skb}, {@code tcp_retransmit_skb}); null
 *                  for a system call or a timer
 * @param detail    anything else worth printing ({@code backlog 128}, {@code dev lo len 84}), or null
 * @param probe     the connection's sending state ({@code tcp_probe}, the congestion events), or null
 */
public record TraceEvent(long timeNanos, String function, int fd, InetSockAddr local, InetSockAddr peer,
        String oldState, String newState, TraceSegment segment, String detail, TraceProbe probe) {
    private static final AtomicLong CREATED = new AtomicLong();

    public TraceEvent {
        CREATED.incrementAndGet();
    }

    /** An event without a probe. */
    public TraceEvent(long timeNanos, String function, int fd, InetSockAddr local, InetSockAddr peer,
            String oldState, String newState, TraceSegment segment, String detail) {
        this(timeNanos, function, fd, local, peer, oldState, newState, segment, detail, null);
    }

    /** How many events were ever built in this JVM: stays put while no one listens. */
    public static long created() {
        return CREATED.get();
    }

    /** Whether the event concerns local or peer port {@code port}. */
    public boolean hasPort(int port) {
        return (local != null && local.port() == port) || (peer != null && peer.port() == port);
    }

    /**
     * The trace system the event belongs to, as Linux groups its events
     * ({@code /sys/kernel/tracing/events/SYSTEM}): {@code syscalls} ({@code __sys_*}),
     * {@code sock} ({@code inet_*}), {@code tcp}, {@code udp}, {@code ip}, {@code net}
     * ({@code netif_receive_skb}, {@code net_dev_xmit}).
     */
    public String system() {
        return systemOf(function);
    }

    /**
     * Whether the event fires for every packet (the data path): a TCP segment sent (a
     * SYN-ACK included) or received in ESTABLISHED, a SYN that made a request
     * ({@code tcp_openreq_init}, with the request's addresses), an ACK taken and its {@code tcp_probe}, each
     * {@code tcp_sendmsg} and {@code tcp_recvmsg} call, and every event of IP, UDP and the devices. Tools show these when asked for by function or system, the rest by default.
     */
    public boolean perPacket() {
        return switch (function) {
            case "tcp_rcv_established", "tcp_ack", "tcp_probe", "tcp_transmit_skb", "tcp_v4_send_synack",
                    "tcp_openreq_init", "tcp_sendmsg", "tcp_recvmsg" -> true;
            default -> {
                String system = system();
                yield system.equals("ip") || system.equals("udp") || system.equals("net");
            }
        };
    }

    /** {@link #system()} of a function's name. */
    public static String systemOf(String function) {
        if (function.startsWith("__sys_")) {
            return "syscalls";
        }
        if (function.startsWith("tcp_")) {
            return "tcp";
        }
        if (function.startsWith("udp_")) {
            return "udp";
        }
        if (function.startsWith("ip_")) {
            return "ip";
        }
        if (function.startsWith("netif_") || function.startsWith("net_dev_")) {
            return "net";
        }
        return "sock";
    }
}
