package net.tern.netlink.impl;

import net.tern.netlink.Netlink;
import net.tern.netlink.NlMsg;
import net.tern.netlink.NlWriter;

/**
 * The answer to one request, built into the requester's receive queue: single messages
 * (the answer of a {@code GET} of one object) or a dump ({@code netlink_dump}), whose
 * messages carry {@code NLM_F_MULTI} and the request's sequence number, split into datagrams
 * of about {@value #DATAGRAM} bytes at message boundaries, and closed by {@code NLMSG_DONE}.
 */
final class NetlinkReply {
    /** About what Linux puts in one dump skb ({@code NLMSG_GOODSIZE} grown to 16 KiB and more). */
    static final int DATAGRAM = 16 * 1024;

    private final NetlinkSock to;
    private final NlMsg request;
    private final NlWriter w = new NlWriter(1024);
    private boolean dump;

    NetlinkReply(NetlinkSock to, NlMsg request) {
        this.to = to;
        this.request = request;
    }

    NlMsg request() {
        return request;
    }

    /** The requesting socket. */
    NetlinkSock requester() {
        return to;
    }

    /** The answer is a dump: every message is {@code NLM_F_MULTI}, and {@link #done} ends it. */
    void beginDump() {
        dump = true;
    }

    boolean isDump() {
        return dump;
    }

    /** Begins a message of the answer; the caller writes its body and {@link #end}s it. */
    NlWriter begin(int type, int flags) {
        if (w.length() >= DATAGRAM) {
            flush();
        }
        return w.begin(type, flags | (dump ? Netlink.NLM_F_MULTI : 0), request.seq(), to.portid());
    }

    void end() {
        w.end();
    }

    /** {@code NLMSG_DONE}: the dump's end, with its {@code int} status 0. */
    void done() {
        begin(Netlink.NLMSG_DONE, 0).u32(0);
        end();
        flush();
    }

    /** Sends what is built as one datagram. */
    void flush() {
        if (w.length() > 0) {
            to.deliver(new NetlinkSock.Datagram(w.toByteArray(), 0, 0), false);
            w.reset();
        }
    }
}
