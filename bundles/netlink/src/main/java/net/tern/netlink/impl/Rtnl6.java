package net.tern.netlink.impl;

import net.tern.api.socket.ErrnoException;
import net.tern.netlink.NlMsg;

/**
 * The AF_INET6 handlers of {@code NETLINK_ROUTE} ({@code rtnl_register(PF_INET6, ...)} in
 * {@code addrconf.c} and {@code route.c}), present while IPv6 runs. Only this interface is
 * known to the rest of netlink, so the bundle runs, and serves AF_INET, on a stack without
 * IPv6; {@link Addrconf6Rtnl} implements it over IPv6's configuration service.
 */
interface Rtnl6 {
    /** {@code inet6_dump_ifaddr} into a dump the caller began: the IPv6 addresses, of link {@code only} alone when not 0. */
    void inet6DumpIfaddr(int only, NetlinkReply reply);

    /** {@code inet6_rtm_newaddr}. */
    void inet6RtmNewaddr(NlMsg request) throws ErrnoException;

    /** {@code inet6_rtm_deladdr}. */
    void inet6RtmDeladdr(NlMsg request) throws ErrnoException;

    /** {@code inet6_dump_fib} into a dump the caller began. */
    void inet6DumpFib(NetlinkReply reply);

    /** {@code inet6_rtm_newroute}. */
    void inet6RtmNewroute(NlMsg request) throws ErrnoException;

    /** {@code inet6_rtm_delroute}. */
    void inet6RtmDelroute(NlMsg request) throws ErrnoException;
}
