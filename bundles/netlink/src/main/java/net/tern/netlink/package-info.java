/**
 * Netlink messages as Linux lays them out ({@code include/uapi/linux/netlink.h},
 * {@code rtnetlink.h}, {@code if_link.h}, {@code if_addr.h}), in host byte order
 * (little-endian), for tools that manage the stack through an {@code AF_NETLINK} socket
 * opened with the socket API: {@link net.tern.netlink.NlWriter} builds requests,
 * {@link net.tern.netlink.NlMsg} and {@link net.tern.netlink.NlAttrs} read replies,
 * {@link net.tern.netlink.NetlinkSocket} does a request and collects its answer.
 */
@Export
@Version("1.2.0")
package net.tern.netlink;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
