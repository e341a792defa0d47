/**
 * {@code NETLINK_SOCK_DIAG}'s messages as Linux lays them out
 * ({@code include/uapi/linux/sock_diag.h}, {@code inet_diag.h}, {@code tcp.h}): the
 * {@code inet_diag_req_v2} request with its state mask and bytecode filter, the
 * {@code inet_diag_msg} answer and {@code struct tcp_info} ({@code INET_DIAG_INFO}), for
 * tools such as {@code ss}; AF_INET and AF_INET6 (1.2: 16-byte addresses of the family,
 * {@code INET_DIAG_SKV6ONLY}).
 */
@Export
@Version("1.2.0")
package net.tern.netlink.diag;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
