package net.tern.netlink.impl;

import net.tern.api.socket.ErrnoException;
import net.tern.netlink.NlMsg;

/**
 * The stack's end of one netlink protocol ({@code netlink_kernel_create} with its
 * {@code input}): what {@code NETLINK_ROUTE} or {@code NETLINK_SOCK_DIAG} does with each
 * request message. {@link NetlinkFamily#netlinkRcvSkb} walks a datagram's messages, calls
 * {@link #rcvMsg} for each request and acknowledges as Linux's {@code netlink_rcv_skb} does.
 */
interface NetlinkKernel {
    /** {@code NETLINK_*}. */
    int protocol();

    /** A short name for {@code net:families}: {@code "route"}, {@code "sock_diag"}. */
    String name();

    /**
     * Handles one request ({@code rtnetlink_rcv_msg}, {@code sock_diag_rcv_msg}): answers
     * through {@code reply} (a dump with {@link NetlinkReply#beginDump}); a refusal is an
     * {@link ErrnoException}, which the caller turns into {@code NLMSG_ERROR} with its errno and
     * reason.
     */
    void rcvMsg(NlMsg request, NetlinkReply reply) throws ErrnoException;
}
