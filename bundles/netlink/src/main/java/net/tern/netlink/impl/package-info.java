/**
 * The {@code AF_NETLINK} family ({@code net/netlink/af_netlink.c}), private to the bundle:
 * sockets with their port ids, receive queues and multicast groups; the kernel side of
 * {@code NETLINK_ROUTE} ({@code net/core/rtnetlink.c}, {@code net/ipv4/devinet.c},
 * {@code net/ipv4/fib_frontend.c}) and of {@code NETLINK_SOCK_DIAG}
 * ({@code net/core/sock_diag.c}, {@code net/ipv4/inet_diag.c}). The bundle registers the
 * family as a {@code ProtocolFamily} service; the socket layer finds it like any other.
 */
package net.tern.netlink.impl;
