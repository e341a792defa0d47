package net.tern.api.socket;

/**
 * {@code struct sock_extended_err} with its offender ({@code SO_EE_OFFENDER}): one error from
 * a socket's error queue, read with {@link SocketConstants#MSG_ERRQUEUE} once the socket set
 * {@link SocketConstants#IP_RECVERR}. For an ICMP error ({@code origin}
 * {@link SocketConstants#SO_EE_ORIGIN_ICMP}) it carries the message's type and code, its
 * {@code info} (the next-hop MTU of "fragmentation needed", the pointer of "parameter problem"),
 * and the address of the host that sent it.
 *
 * @param errno what the error means to the socket ({@code ee_errno})
 * @param origin where it came from ({@code ee_origin})
 * @param type the ICMP type ({@code ee_type})
 * @param code the ICMP code ({@code ee_code})
 * @param info {@code ee_info}
 * @param offender the address (host order) of the host that reported it
 * @since 1.5
 */
public record SockExtendedErr(Errno errno, int origin, int type, int code, int info, int offender) {
}
