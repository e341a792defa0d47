package net.tern.netlink.impl;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.SocketConstants;
import net.tern.netlink.Netlink;
import net.tern.netlink.NlAttrs;
import net.tern.netlink.NlMsg;
import net.tern.netlink.NlWriter;
import net.tern.netlink.diag.InetDiag;
import net.tern.netlink.diag.InetDiagBytecode;
import net.tern.netlink.diag.InetDiagMsg;
import net.tern.netlink.diag.InetDiagReqV2;
import net.tern.netlink.diag.TcpInfoLayout;
import net.tern.spi.diag.InetDiagHandler;
import net.tern.spi.diag.SkMemInfo;

/**
 * {@code NETLINK_SOCK_DIAG}'s kernel side ({@code net/core/sock_diag.c} with
 * {@code net/ipv4/inet_diag.c}): {@code SOCK_DIAG_BY_FAMILY} for AF_INET or AF_INET6 goes to the
 * transport's {@link InetDiagHandler} ({@code inet_diag_register}: TCP's, UDP's), which the
 * bundle tracks as services. A dump ({@code inet_diag_dump}) answers every socket in
 * {@code idiag_states} that passes the request's bytecode; without {@code NLM_F_DUMP} the
 * request names one socket by its addresses and ports ({@code inet_diag_dump_one_icsk}).
 */
final class SockDiag implements NetlinkKernel {
    /** {@code inet_diag_table[]}: the handler of each IP protocol. */
    private final Map<Integer, InetDiagHandler> handlers = new ConcurrentHashMap<>();

    @Override
    public int protocol() {
        return Netlink.NETLINK_SOCK_DIAG;
    }

    @Override
    public String name() {
        return "sock_diag";
    }

    /** {@code inet_diag_register}. */
    void register(int protocol, InetDiagHandler handler) {
        handlers.put(protocol, handler);
    }

    /** {@code inet_diag_unregister}. */
    void unregister(InetDiagHandler handler) {
        handlers.values().remove(handler);
    }

    /**
     * {@code sock_diag_rcv_msg}: {@code SOCK_DIAG_BY_FAMILY} only (EOPNOTSUPP for the old
     * {@code TCPDIAG_GETSOCK} and anything else); a family other than AF_INET and AF_INET6,
     * ENOENT. Each family's request sees that family's sockets only, as
     * {@code inet_diag_dump_icsk} skips those whose {@code sk_family} differs: a dual-stack
     * AF_INET6 socket is in AF_INET6's dump (with IPv4-mapped addresses), never in AF_INET's.
     */
    @Override
    public void rcvMsg(NlMsg request, NetlinkReply reply) throws ErrnoException {
        if (request.type() != InetDiag.SOCK_DIAG_BY_FAMILY) {
            throw new ErrnoException(Errno.EOPNOTSUPP, "message type " + request.type()
                    + " is not served by NETLINK_SOCK_DIAG here (SOCK_DIAG_BY_FAMILY is)");
        }
        InetDiagReqV2 req = InetDiagReqV2.read(request);
        NlAttrs attrs = request.attrs(InetDiagReqV2.SIZE);
        boolean dump = (request.flags() & Netlink.NLM_F_DUMP) == Netlink.NLM_F_DUMP;
        if (req.family() != SocketConstants.AF_INET && req.family() != SocketConstants.AF_INET6) {
            throw new ErrnoException(Errno.ENOENT, "no socket diagnostics for family " + req.family());
        }
        int protocol = attrs.has(InetDiag.INET_DIAG_REQ_PROTOCOL) ? attrs.u32(InetDiag.INET_DIAG_REQ_PROTOCOL)
                : req.protocol();
        InetDiagHandler handler = handlers.get(protocol);
        if (handler == null) {
            throw new ErrnoException(Errno.ENOENT, "no socket diagnostics for IP protocol " + protocol);
        }
        if (dump) {
            InetDiagBytecode filter = attrs.has(InetDiag.INET_DIAG_REQ_BYTECODE)
                    ? InetDiagBytecode.audit(attrs.payload(InetDiag.INET_DIAG_REQ_BYTECODE)) : null;
            inetDiagDump(handler, req, filter, reply);
        } else {
            inetDiagDumpOne(handler, req, reply);
        }
    }

    /** {@code inet_diag_dump}: each socket in the states asked for that passes the filter. */
    private static void inetDiagDump(InetDiagHandler handler, InetDiagReqV2 req, InetDiagBytecode filter,
            NetlinkReply reply) {
        reply.beginDump();
        for (net.tern.spi.diag.InetDiagMsg m : handler.dump()) {
            if (m.family() != req.family() || (req.states() & 1 << m.state()) == 0) {
                continue;
            }
            if (filter != null && !filter.run(m.localName(), m.peerName(), 0)) {
                continue;
            }
            inetSkDiagFill(reply.begin(InetDiag.SOCK_DIAG_BY_FAMILY, 0), m, req.ext());
            reply.end();
        }
        reply.done();
    }

    /** {@code inet_diag_dump_one_icsk}: the socket with exactly the request's addresses and ports; ENOENT when none. */
    private static void inetDiagDumpOne(InetDiagHandler handler, InetDiagReqV2 req, NetlinkReply reply)
            throws ErrnoException {
        for (net.tern.spi.diag.InetDiagMsg m : handler.dump()) {
            if (m.family() == req.family() && m.localName().equals(req.localName())
                    && m.peerName().equals(req.peerName())) {
                inetSkDiagFill(reply.begin(InetDiag.SOCK_DIAG_BY_FAMILY, 0), m, req.ext());
                reply.end();
                return;
            }
        }
        throw new ErrnoException(Errno.ENOENT, "no socket " + req.local() + " -> " + req.peer());
    }

    /**
     * {@code inet_sk_diag_fill}: {@code inet_diag_msg} with the timer, retransmissions, expiry,
     * cookie and owner; then, for a full socket, {@code INET_DIAG_SHUTDOWN} (always, as Linux
     * sends it), for an AF_INET6 one in LISTEN or CLOSE {@code INET_DIAG_SKV6ONLY}, {@code INET_DIAG_MEMINFO} and {@code INET_DIAG_SKMEMINFO} when asked in
     * {@code idiag_ext}, and for TCP {@code INET_DIAG_INFO} (the {@code tcp_info}) and
     * {@code INET_DIAG_CONG} when asked; a request or TIME-WAIT entry has none of these.
     */
    static void inetSkDiagFill(NlWriter w, net.tern.spi.diag.InetDiagMsg m, int ext) {
        new InetDiagMsg(m.family(), m.state(), m.timer(), Math.min(255, m.retrans()), m.local(), m.peer(),
                0, m.cookie(), m.expiresMillis(), m.recvQ(), m.sendQ(), 0, Math.max(0, m.fd()), m.localName(),
                m.peerName()).write(w);
        if (m.shutdown() >= 0) {
            w.attrU8(InetDiag.INET_DIAG_SHUTDOWN, m.shutdown());
        }
        // inet_diag_msg_attrs_fill: only full sockets are in LISTEN or CLOSE (never a request or TIME-WAIT entry)
        int state = m.state();
        if (m.family() == SocketConstants.AF_INET6
                && (state == net.tern.spi.diag.InetDiagMsg.LISTEN || state == net.tern.spi.diag.InetDiagMsg.CLOSE)) {
            w.attrU8(InetDiag.INET_DIAG_SKV6ONLY, m.v6only() ? 1 : 0);
        }
        SkMemInfo mem = m.mem();
        if (mem != null && (ext & InetDiag.ext(InetDiag.INET_DIAG_MEMINFO)) != 0) {
            int at = w.beginAttr(InetDiag.INET_DIAG_MEMINFO);
            w.u32(mem.rmemAlloc()).u32(mem.wmemQueued()).u32(mem.fwdAlloc()).u32(mem.wmemAlloc());
            w.endAttr(at);
        }
        if (m.tcpInfo() != null) {
            if ((ext & InetDiag.ext(InetDiag.INET_DIAG_INFO)) != 0) {
                int info = w.beginAttr(InetDiag.INET_DIAG_INFO);
                TcpInfoLayout.write(w, m.tcpInfo());
                w.endAttr(info);
            }
            if ((ext & InetDiag.ext(InetDiag.INET_DIAG_CONG)) != 0 && m.tcpInfo().congestion() != null) {
                w.attrString(InetDiag.INET_DIAG_CONG, m.tcpInfo().congestion());
            }
        }
        if (mem != null && (ext & InetDiag.ext(InetDiag.INET_DIAG_SKMEMINFO)) != 0) {
            int at = w.beginAttr(InetDiag.INET_DIAG_SKMEMINFO);
            for (int v : mem.toArray()) {
                w.u32(v);
            }
            w.endAttr(at);
        }
    }

}
