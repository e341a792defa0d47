package net.tern.tcp.impl;

import static net.tern.wire.TcpPacket.ACK;
import static net.tern.wire.TcpPacket.FIN;
import static net.tern.wire.TcpPacket.RST;
import static net.tern.wire.TcpPacket.SYN;

import io.netty.buffer.ByteBuf;
import java.util.function.Consumer;
import java.util.function.Supplier;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.SocketConstants;
import net.tern.inet.ip.IpOutput;
import net.tern.inet.route.Flowi4;
import net.tern.inet.route.Rtable;
import net.tern.inet.sock.SkState;
import net.tern.spi.net.Clock;
import net.tern.spi.net.NetdevFeatures;
import net.tern.spi.net.Packet;
import net.tern.wire.IcmpTypes;
import net.tern.wire.InetChecksum;
import net.tern.wire.Ipv4Packet;
import net.tern.wire.Ipv6Address;
import net.tern.wire.Ipv6Packet;
import net.tern.wire.TcpOptions;
import net.tern.wire.TcpPacket;

/**
 * TCP over IPv4, the entry from IP ({@code tcp_ipv4.c}): {@code tcp_v4_rcv} checks and decodes
 * a segment and finds its owner in O(1) (established hash: socket, request or TIME-WAIT entry;
 * then the listeners); {@code tcp_v4_do_rcv} hands a socket's segment to {@link TcpInput}, a
 * request's and a TIME-WAIT entry's to {@link TcpMinisocks}; a SYN to a listener becomes a
 * request or a SYN cookie ({@code tcp_v4_conn_request}, {@code tcp_conn_request}); and
 * {@code tcp_v4_err} takes the ICMP errors about segments we sent.
 *
 * <p>Runs on whichever thread runs input (the sender's on loopback, a network thread
 * otherwise), taking the owning socket's lock (a listener's for a request) only when no thread
 * owns it, else leaving the segment on that socket's backlog ({@code sk_add_backlog}) for its
 * owner's {@code release_sock}; see {@link net.tern.inet.sock.InetSock}. What decoding and demultiplexing need is the thread's {@link ThreadScratch}, reused
 * segment after segment, so a segment received allocates nothing; a segment received while
 * that thread is still handling another (input re-entered from within input) gets its own.
 */
final class TcpIpv4 {
    private final Clock clock;
    private final Supplier<TcpSettings> settings;
    private final TcpCounters counters;
    private final TcpHashTables tables;
    private final TcpMemory memory;
    private final Secrets secrets;
    private final TcpTrace trace;
    private final IpOutput ipOutput;
    private final TcpOutput output;
    private final TcpReplies replies;
    private final TcpInput input;
    private final TcpMinisocks minisocks;
    private final SynCookies synCookies;
    private final TcpLifecycle lifecycle;
    /** IPv6 while it runs, else null. */
    private volatile Ipv6Sender ipv6;

    TcpIpv4(Clock clock, Supplier<TcpSettings> settings, TcpCounters counters, TcpHashTables tables, TcpMemory memory,
            Secrets secrets, TcpTrace trace, IpOutput ipOutput, TcpOutput output, TcpReplies replies, TcpInput input,
            TcpMinisocks minisocks, SynCookies synCookies, TcpLifecycle lifecycle) {
        this.clock = clock;
        this.settings = settings;
        this.counters = counters;
        this.tables = tables;
        this.memory = memory;
        this.secrets = secrets;
        this.trace = trace;
        this.ipOutput = ipOutput;
        this.output = output;
        this.replies = replies;
        this.input = input;
        this.minisocks = minisocks;
        this.synCookies = synCookies;
        this.lifecycle = lifecycle;
    }

    /** IPv6 appeared (the sender it offers) or went (null). */
    void ipv6(Ipv6Sender sender) {
        this.ipv6 = sender;
    }

    /**
     * {@code tcp_v4_rcv}: checks and decodes the segment ({@link #decode}), then finds its owner
     * and delivers it ({@link #demux}). The packet is released here, unless it waits on a
     * socket's backlog.
     */
    void v4Rcv(Packet packet) {
        rcv(packet, null);
    }

    /** {@code tcp_v6_rcv}: the same path, the segment's family told by its IP version. */
    void v6Rcv(Packet packet) {
        rcv(packet, null);
    }

    /**
     * {@code sk_backlog_rcv} ({@code tcp_v4_do_rcv} from {@code __release_sock}): a segment
     * that arrived while another thread owned {@code owner}, run by the owner as it lets go,
     * {@code owner} locked. Its checksum was verified when it arrived. It is looked up again,
     * so a segment for a connection that became a TIME-WAIT entry, or for a request that
     * became a connection, meanwhile reaches what holds the 4-tuple now.
     */
    void backlogRcv(TcpSock owner, Packet packet) {
        rcv(packet, owner);
    }

    /** Decodes and delivers a segment arriving ({@code owner} null) or from {@code owner}'s backlog. */
    private void rcv(Packet packet, TcpSock owner) {
        ThreadScratch scratch = ThreadScratch.get();
        if (!scratch.startReceiving()) {
            // Re-entered (an owner's backlog run from within input): the outer segment is still in use.
            scratch = new ThreadScratch();
            scratch.startReceiving();
        }
        boolean queued = false;
        try {
            Segment seg = decode(packet, scratch, owner == null);
            if (seg != null) {
                trace.receiving(seg);
                queued = demux(seg, scratch.probe, packet, owner);
            }
        } finally {
            trace.received();
            scratch.seg.clear();
            scratch.doneReceiving();
            if (!queued) {
                packet.release();
            }
        }
    }

    private Segment decode(Packet packet, ThreadScratch scratch, boolean arriving) {
        ByteBuf buf = packet.buf();
        int start = buf.readerIndex();
        int length = packet.length();
        TcpPacket th = scratch.th.wrap(buf, start);
        if (arriving) {
            // Counted even if it is bad, as tcp_v4_rcv counts it before any check.
            counters.inc(TcpMib.InSegs);
            switch (th.check(length)) {
                case OK -> {
                }
                case BAD_DATA_OFFSET -> {
                    counters.inc(TcpMib.InErrs);
                    return null;
                }
                default -> {
                    // TOO_SHORT, HEADER_TRUNCATED: tcp_v4_rcv's pskb_may_pull of a whole header,
                    // or of doff * 4 with options past the end, fails: dropped with InSegs alone.
                    return null;
                }
            }
        }
        if ((buf.getUnsignedByte(packet.networkHeader()) >> 4) == 6) {
            return decode6(packet, th, arriving, scratch.seg);
        }
        Ipv4Packet ip = scratch.ip.wrap(buf, packet.networkHeader());
        int saddr = ip.source();
        int daddr = ip.destination();
        // tcp_v4_rcv's skb_checksum_init; a segment from a backlog was verified as it arrived.
        if (arriving && !packet.csumUnnecessary() && !th.verifyChecksum(length, saddr, daddr)) {
            counters.inc(TcpMib.InCsumErrors);
            counters.inc(TcpMib.InErrs);
            return null;
        }
        return scratch.seg.decode(saddr, daddr, th, buf, start + th.headerLength(), length - th.headerLength());
    }

    /**
     * {@code tcp_v6_rcv}'s checksum (over the IPv6 pseudo-header, RFC 8200 8.1) and decoding; the
     * rest of its path is {@code tcp_v4_rcv}'s, on the same tables.
     */
    private Segment decode6(Packet packet, TcpPacket th, boolean arriving, Segment seg) {
        ByteBuf buf = packet.buf();
        int start = buf.readerIndex();
        int length = packet.length();
        Ipv6Packet ip = Ipv6Packet.at(buf, packet.networkHeader());
        Ipv6Address saddr = ip.source();
        Ipv6Address daddr = ip.destination();
        if (arriving && !packet.csumUnnecessary()
                && !InetChecksum.verifyTransport6(buf, start, length, saddr, daddr, SocketConstants.IPPROTO_TCP)) {
            counters.inc(TcpMib.InCsumErrors);
            counters.inc(TcpMib.InErrs);
            return null;
        }
        return seg.decode6(saddr, daddr, th, buf, start + th.headerLength(), length - th.headerLength());
    }

    /**
     * The demultiplexing of {@code tcp_v4_rcv} ({@code __inet_lookup_skb}): the established
     * hash (a socket: {@link #v4DoRcv}; a request: {@link TcpMinisocks#checkReq}; a TIME-WAIT
     * entry: {@link TcpMinisocks#timewaitStateProcess}), then the listeners, else a RST.
     *
     * <p>A socket (a request's listener for a request) is taken for input only if no thread
     * owns it; else {@code packet} goes to its backlog ({@link #addBacklog}) and this returns
     * true: the packet is no longer the caller's. {@code owner} is the socket whose backlog is
     * being run (locked by this thread), or null for a segment arriving.
     */
    private boolean demux(Segment seg, ConnKey.Probe probe, Packet packet, TcpSock owner) {
        Object key = seg.isV6() ? seg.key() : probe.set(seg.daddr(), seg.dport(), seg.saddr(), seg.sport());
        int isnHint = 0;
        for (int attempt = 0; attempt < 3; attempt++) {
            Object found = tables.lookupEstablished(key);
            if (found instanceof TcpSock sk) {
                if (sk != owner && !sk.tryLockForInput()) {
                    return addBacklog(sk, packet);
                }
                try {
                    if (tables.lookupEstablished(key) != sk) {
                        continue; // It changed while we took the lock: look again.
                    }
                    v4DoRcv(sk, seg);
                } finally {
                    if (sk != owner) {
                        sk.unlock();
                    }
                }
                return false;
            }
            if (found instanceof RequestSock req) {
                TcpSock listener = req.listener;
                if (listener != owner && !listener.tryLockForInput()) {
                    return addBacklog(listener, packet);
                }
                try {
                    if (tables.lookupEstablished(key) != req) {
                        continue;
                    }
                    minisocks.checkReq(req, seg);
                } finally {
                    if (listener != owner) {
                        listener.unlock();
                    }
                }
                return false;
            }
            if (found instanceof TimeWaitSock tw) {
                isnHint = minisocks.timewaitStateProcess(tw, seg);
                if (isnHint == 0) {
                    return false;
                }
            }
            break;
        }
        TcpSock listener = seg.isV6() ? tables.lookupListener6(seg.daddr6(), seg.dport())
                : tables.lookupListener(seg.daddr(), seg.dport());
        if (listener == null) {
            replies.v4SendReset(seg);
            return false;
        }
        if (listener != owner && !listener.tryLockForInput()) {
            // The TIME-WAIT entry a SYN reopens is gone: its sequence hint goes with it, as a
            // backlogged SYN in Linux is judged by the listener alone.
            return addBacklog(listener, packet);
        }
        try {
            if (listener.state() != SkState.LISTEN) {
                replies.v4SendReset(seg);
                return false;
            }
            listenStateProcess(listener, seg, isnHint);
        } finally {
            if (listener != owner) {
                listener.unlock();
            }
        }
        return false;
    }

    /**
     * {@code tcp_add_backlog}: queues the segment on {@code sk}'s backlog for its owner, within
     * {@code sk_rcvbuf + sk_sndbuf}; beyond that it is dropped and counted
     * ({@code TCPBacklogDrop}). Returns whether the packet was taken.
     */
    private boolean addBacklog(TcpSock sk, Packet packet) {
        if (sk.addBacklog(packet, sk.backlogLimit())) {
            return true;
        }
        counters.inc(TcpExtMib.TCPBacklogDrop);
        return false;
    }

    /**
     * {@code tcp_v4_do_rcv}: a segment for a full socket, locked: an ESTABLISHED connection's
     * goes to {@link TcpInput#rcvEstablished}, any other's to {@link TcpInput#rcvStateProcess}.
     */
    private void v4DoRcv(TcpSock sk, Segment seg) {
        trace.rcvStateProcess(sk);
        sk.stats().onSegmentIn(clock.nanoTime());
        if (sk.state() == SkState.ESTABLISHED) {
            input.rcvEstablished(sk, seg);
        } else {
            input.rcvStateProcess(sk, seg);
        }
        sk.publishQueues();
    }

    /**
     * A segment to a listener (the LISTEN state of {@code tcp_rcv_state_process}, with
     * {@code tcp_v4_cookie_check}): an ACK may redeem a SYN cookie, else draws a RST; a SYN
     * becomes a request ({@link #connRequest}); anything else is dropped.
     */
    private void listenStateProcess(TcpSock listener, Segment seg, int isnHint) {
        if (seg.has(RST)) {
            return;
        }
        if (seg.has(ACK)) {
            if (!seg.has(SYN) && !seg.isV6() && settings.get().syncookies() && synCookies.cookieV4Check(listener, seg)) {
                return;
            }
            replies.v4SendReset(seg);
            return;
        }
        if (!seg.has(SYN) || seg.has(FIN)) {
            return;
        }
        connRequest(listener, seg, isnHint);
    }

    /** {@code tcp_conn_request}: a SYN to a listener becomes a request (or a SYN cookie, or a drop). */
    private void connRequest(TcpSock listener, Segment seg, int isnHint) {
        trace.sock("tcp_conn_request", listener);
        TcpCounters c = counters;
        boolean wantCookie = false;
        // inet_csk_reqsk_queue_is_full: more requests than the backlog, judged as the accept
        // queue is (sk_acceptq_is_full), so a backlog of N holds N + 1 requests, as current
        // Linux does ("tcp/dccp: allow a connection when sk_max_ack_backlog is zero"; a kernel
        // 6.18 listener with backlog 128 holds 129). A SYN reusing a TIME-WAIT 4-tuple proves
        // its peer and is never refused.
        if (listener.acceptQueue().reqskQueueIsFull() && isnHint == 0) {
            if (settings.get().syncookies() && !seg.isV6()) { // no SYN cookies over IPv6 yet (cookie_v6_init_sequence)
                wantCookie = true;
                c.inc(TcpExtMib.TCPReqQFullDoCookies);
            } else {
                c.inc(TcpExtMib.TCPReqQFullDrop);
                c.inc(TcpExtMib.ListenDrops);
                return;
            }
        }
        if (listener.acceptQueue().acceptqIsFull()) {
            c.inc(TcpExtMib.ListenOverflows);
            c.inc(TcpExtMib.ListenDrops);
            return;
        }
        Rtable route = null;
        int mtu;
        try {
            if (seg.isV6()) {
                Ipv6Sender v6 = ipv6;
                if (v6 == null) {
                    c.inc(TcpExtMib.ListenDrops);
                    return;
                }
                mtu = v6.mtu(seg.saddr6());
            } else {
                route = ipOutput.routeOutput(Flowi4.of(seg.daddr(), seg.saddr(), 6));
                mtu = route.mtu();
            }
        } catch (ErrnoException e) {
            c.inc(TcpExtMib.ListenDrops);
            return;
        }
        TcpSettings s = settings.get();
        TcpOptions o = seg.options();
        int advmss = TcpWindow.advertiseMss(mtu, listener.opts().userMss(),
                seg.isV6() ? TcpWindow.IPV6_HEADER : TcpWindow.IPV4_HEADER);
        boolean tsOk = s.timestamps() && o.timestamp;
        boolean sackOk = s.sack() && o.sackPermitted;
        int peerWscale = s.windowScaling() ? o.wscale : -1;
        int rcvWscale = peerWscale >= 0 ? Math.max(0, s.windowShift()) : 0;
        int peerMss = o.mss > 0 ? o.mss : NegotiatedOptions.DEFAULT_MSS;
        ConnKey key = seg.key();
        int tsOffset = secrets.tsOffset(seg.daddr(), seg.saddr());
        int rcvWnd = TcpWindow.selectInitialWindow(memory.fullSpace(listener), advmss);
        if (wantCookie) {
            synCookies.cookieV4InitSequence(listener, seg, key, route, advmss, peerMss, tsOk, sackOk, peerWscale,
                    rcvWscale, tsOffset, rcvWnd);
            return;
        }
        int iss = isnHint != 0 ? isnHint : secrets.secureTcpSeq(seg.daddr(), seg.saddr(), seg.dport(), seg.sport());
        RequestSock req = new RequestSock(listener, key, iss, seg.seq(), peerMss, peerWscale, sackOk, tsOk, o.tsVal,
                clock.nanoTime(), tsOffset, rcvWscale, advmss, rcvWnd, route);
        trace.conn("tcp_openreq_init", key, null, null); // the request's own 4-tuple, with the SYN
        if (!minisocks.reqskQueueHashAdd(listener, req)) {
            return;
        }
        req.synAckSent(clock.nanoTime());
        replies.v4SendSynack(req);
    }

    /**
     * {@code tcp_v4_err}: an ICMP error about a segment we sent, as Linux (6.x) takes it.
     * Fragmentation needed lowers the MSS ({@code tcp_v4_mtu_reduced}). Otherwise the error
     * becomes an errno ({@code icmp_err_convert}; time exceeded is EHOSTUNREACH, a parameter
     * problem EPROTO; source quench and redirects are ignored) and:
     * <ul>
     * <li>a request in the SYN queue is dropped when the error is a parameter problem, time
     * exceeded, or network or host unreachable, and quotes the SYN-ACK's sequence number
     * ({@code tcp_req_err}; {@code ListenDrops}): no socket exists to report it to;</li>
     * <li>a connection in SYN-SENT or SYN-RECEIVED ends with that error
     * ({@code tcp_done_with_error}): connect fails with it;</li>
     * <li>a synchronized connection keeps trying: the error is soft (RFC 1122 4.2.3.9, without
     * {@code IP_RECVERR}), kept as the socket's soft error ({@code sk_err_soft}): {@code SO_ERROR}
     * reads it, and it is the connection's error if the connection times out.</li>
     * </ul>
     * A quoted sequence number outside what is unacknowledged counts {@code OutOfWindowIcmps}.
     */
    void v4Err(Packet quoted, int type, int code, int info) {
        ByteBuf buf = quoted.buf();
        int start = buf.readerIndex();
        Ipv4Packet ip = Ipv4Packet.at(buf, start);
        if (quoted.length() < Ipv4Packet.MIN_HEADER_LENGTH || quoted.length() < ip.headerLength() + 8) {
            return;
        }
        // Only the first 8 bytes of the header are quoted for sure: ports and sequence number.
        TcpPacket th = TcpPacket.at(buf, start + ip.headerLength());
        ConnKey key = new ConnKey(ip.source(), th.sourcePort(), ip.destination(), th.destinationPort());
        int seq = th.seq();
        quotedErr(key, seq, type == IcmpTypes.PARAMETER_PROB || type == IcmpTypes.TIME_EXCEEDED
                || (type == IcmpTypes.DEST_UNREACH && (code == IcmpTypes.NET_UNREACH || code == IcmpTypes.HOST_UNREACH)),
                sk -> sockErr(sk, seq, type, code, info));
    }

    /**
     * What {@code tcp_v4_err} and {@code tcp_v6_err} do once the quoted 4-tuple {@code key} and
     * sequence number {@code seq} are known: a request is dropped when {@code abortRequest}
     * ({@code tcp_req_err}); a socket's part runs under its lock, now if nobody owns the
     * socket, else by the owner as it lets go.
     */
    void quotedErr(ConnKey key, int seq, boolean abortRequest, Consumer<TcpSock> sockErr) {
        Object found = tables.lookupEstablished(key);
        if (found instanceof RequestSock req) {
            reqErr(req, seq, abortRequest);
            return;
        }
        if (found instanceof TcpSock sk && !sk.runOrBacklog(() -> sockErr.accept(sk), sk.backlogLimit())) {
            counters.inc(TcpExtMib.TCPBacklogDrop);
        }
    }

    /** {@code tcp_v4_err}'s part under the socket's lock. */
    private void sockErr(TcpSock sk, int seq, int type, int code, int info) {
        if (!errInWindow(sk, seq)) {
            return;
        }
        Errno errno;
        switch (type) {
            case IcmpTypes.PARAMETER_PROB -> errno = Errno.EPROTO;
            case IcmpTypes.TIME_EXCEEDED -> errno = Errno.EHOSTUNREACH;
            case IcmpTypes.DEST_UNREACH -> {
                if (code == IcmpTypes.FRAG_NEEDED) {
                    v4MtuReduced(sk, info);
                    return;
                }
                errno = unreachableErrno(code);
                if (errno == null) {
                    return;
                }
            }
            default -> {
                return; // source quench, redirect, others: ignored
            }
        }
        reportErr(sk, errno);
    }

    /** Whether an ICMP error about {@code sk} quotes a sequence number it has unacknowledged; else counted ({@code OutOfWindowIcmps}). */
    boolean errInWindow(TcpSock sk, int seq) {
        if (sk.state() == SkState.CLOSE) {
            return false;
        }
        if (!Seq.between(seq, sk.snd().sndUna(), sk.snd().sndMax())) {
            counters.inc(TcpExtMib.OutOfWindowIcmps);
            return false;
        }
        return true;
    }

    /** An ICMP error's errno: fatal to a connection not yet synchronized, else kept as its soft error. */
    void reportErr(TcpSock sk, Errno errno) {
        if (sk.state() == SkState.SYN_SENT || sk.state() == SkState.SYN_RECV) {
            lifecycle.writeErr(sk, errno);
        } else {
            sk.softError(errno);
        }
    }

    /** {@code icmp_err_convert}: the errno of a destination-unreachable code, null past the last code (15). */
    private static Errno unreachableErrno(int code) {
        return switch (code) {
            case 0, 6, 9, 11 -> Errno.ENETUNREACH;
            case 1, 10, 12, 13, 14, 15 -> Errno.EHOSTUNREACH;
            case 2 -> Errno.ENOPROTOOPT;
            case 3 -> Errno.ECONNREFUSED;
            case 5 -> Errno.EOPNOTSUPP;
            case 7 -> Errno.EHOSTDOWN;
            case 8 -> Errno.ENONET;
            default -> null;
        };
    }

    /** {@code tcp_req_err}: drops the request when {@code abort} and the ICMP quotes its SYN-ACK. */
    private void reqErr(RequestSock req, int seq, boolean abort) {
        TcpSock listener = req.listener;
        Runnable err = () -> {
            if (tables.lookupEstablished(req.key) != req) {
                return;
            }
            if (seq != req.iss) {
                counters.inc(TcpExtMib.OutOfWindowIcmps);
            } else if (abort) {
                lifecycle.reqskQueueDrop(req);
                counters.inc(TcpExtMib.ListenDrops);
            }
        };
        if (!listener.runOrBacklog(err, listener.backlogLimit())) {
            counters.inc(TcpExtMib.TCPBacklogDrop);
        }
    }

    /** {@code tcp_v4_mtu_reduced} (and {@code tcp_v6_mtu_reduced}): a smaller path MTU lowers the MSS and resends what no longer fits. */
    void v4MtuReduced(TcpSock sk, int mtu) {
        if (mtu < 68 || !sk.acceptsPathMtu()) {
            return; // IP_PMTUDISC_DONT, _INTERFACE, _OMIT: what ICMP says of the path is ignored
        }
        if (sk.opts().reduceMss(mtu, sk.snd().maxWindow())) {
            sk.dstReset();
            sk.ca().simpleRetransmit();
            output.writeXmit(sk);
        }
    }

    /**
     * {@code tcp_v4_send_check}: the checksum of the segment of {@code length} bytes at
     * {@code start} in {@code packet}, left partial ({@code CHECKSUM_PARTIAL}) for a device
     * that offloads it (on loopback no one ever sums the data), else computed.
     */
    static void v4SendCheck(Packet packet, Rtable rt, int start, int length) {
        if ((rt.link().features() & NetdevFeatures.NETIF_F_HW_CSUM) != 0) {
            TcpPacket.fillPartialChecksum(packet.buf(), start, length, rt.source(), rt.destination());
            packet.checksumPartial(start, TcpPacket.CHECKSUM_OFFSET);
        } else {
            TcpPacket.fillChecksum(packet.buf(), start, length, rt.source(), rt.destination());
        }
    }
}
