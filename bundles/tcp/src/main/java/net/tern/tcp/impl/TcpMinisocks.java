package net.tern.tcp.impl;

import static net.tern.api.socket.SocketConstants.EPOLLIN;
import static net.tern.wire.TcpPacket.ACK;
import static net.tern.wire.TcpPacket.FIN;
import static net.tern.wire.TcpPacket.RST;
import static net.tern.wire.TcpPacket.SYN;

import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.SocketConstants;
import net.tern.inet.route.Rtable;
import net.tern.inet.sock.InetSock;
import net.tern.inet.sock.SkState;
import net.tern.spi.net.Clock;
import net.tern.spi.net.TimerService;
import net.tern.wire.TcpOptions;
import net.tern.wire.TcpPacket;

/**
 * The minisockets ({@code tcp_minisocks.c}): a request in the SYN queue and the segment that
 * completes it ({@code tcp_check_req}), the full socket it becomes
 * ({@code tcp_create_openreq_child}) and its place in the accept queue
 * ({@code tcp_child_process}), the request's SYN-ACK timer, and a TIME-WAIT entry's answer to
 * a segment ({@code tcp_timewait_state_process}).
 *
 * <p>Runs where input runs: a request under its listener's lock, a TIME-WAIT entry
 * under its own monitor.
 */
final class TcpMinisocks {
    private final Clock clock;
    private final Supplier<TcpSettings> settings;
    private final TcpCounters counters;
    private final TcpHashTables tables;
    private final TcpTrace trace;
    private final TimerService timerService;
    private final TcpProt prot;
    private final TcpReplies replies;
    private final TcpChallengeAck challengeAck;
    private final TcpInput input;
    private final TcpAck tcpAck;
    private final TcpLifecycle lifecycle;
    private final TcpTimers timers;

    TcpMinisocks(Clock clock, Supplier<TcpSettings> settings, TcpCounters counters, TcpHashTables tables,
            TcpTrace trace, TimerService timerService, TcpProt prot, TcpReplies replies, TcpChallengeAck challengeAck,
            TcpInput input, TcpAck tcpAck, TcpLifecycle lifecycle, TcpTimers timers) {
        this.clock = clock;
        this.settings = settings;
        this.counters = counters;
        this.tables = tables;
        this.trace = trace;
        this.timerService = timerService;
        this.prot = prot;
        this.replies = replies;
        this.challengeAck = challengeAck;
        this.input = input;
        this.tcpAck = tcpAck;
        this.lifecycle = lifecycle;
        this.timers = timers;
    }

    /**
     * {@code inet_csk_reqsk_queue_hash_add}: a new request joins the established hash and its
     * listener's SYN queue, with its SYN-ACK timer armed. False when the 4-tuple is taken.
     */
    boolean reqskQueueHashAdd(TcpSock listener, RequestSock req) {
        if (!tables.insertEstablished(req.key, req)) {
            return false;
        }
        listener.acceptQueue().reqskQueueAdded(req);
        armRequestTimer(req);
        return true;
    }

    /** {@code reqsk_timer_handler}: the SYN-ACK again, with backoff, up to {@code tcp_synack_retries}. */
    private void armRequestTimer(RequestSock req) {
        long delay = settings.get().rtoInitialMillis() << req.retransmits();
        // On the flow's network thread, which receives the request's segments.
        TimerService flowTimers = timerService.forFlow(req.key.flowHash());
        long delayMillis = Math.min(delay, settings.get().rtoMaxMillis());
        long dueNanos = clock.nanoTime() + TimeUnit.MILLISECONDS.toNanos(delayMillis);
        req.setTimer(flowTimers.schedule(delayMillis, TimeUnit.MILLISECONDS, () -> {
            TcpSock listener = req.listener;
            listener.lock();
            try {
                if (tables.lookupEstablished(req.key) != req) {
                    return;
                }
                if (req.retransmits() >= settings.get().synackRetries() || listener.state() != SkState.LISTEN) {
                    lifecycle.reqskQueueDrop(req);
                    return;
                }
                req.onSynAckRetransmit();
                counters.inc(TcpMib.RetransSegs);
                replies.v4SendSynack(req);
                armRequestTimer(req);
            } finally {
                listener.unlock();
            }
        }), dueNanos);
    }

    /** {@code tcp_check_req}: a segment for a request in the SYN queue (the listener is locked). */
    void checkReq(RequestSock req, Segment seg) {
        trace.conn("tcp_check_req", req.key, null, null);
        TcpSock listener = req.listener;
        boolean inWindow = Seq.between(seg.seq(), req.irs + 1, req.irs + 1 + req.rcvWnd);
        // PAWS (RFC 7323 5.3) against the SYN's TSval, as tcp_check_req applies tcp_paws_reject.
        boolean pawsReject = req.tsOk && seg.options().timestamp
                && req.ts().pawsReject(seg.options().tsVal, seg.has(RST),
                        clock.nanoTime());
        if (seg.has(RST)) {
            if (pawsReject) {
                counters.inc(TcpExtMib.PAWSEstab);
            } else if (inWindow) {
                counters.inc(TcpExtMib.EmbryonicRsts);
                lifecycle.reqskQueueDrop(req);
            }
            return;
        }
        if (seg.has(SYN) && !seg.has(ACK) && seg.seq() == req.irs && !pawsReject) {
            // The SYN again: our SYN-ACK may have been lost; sent again at most once per rate limit.
            if (!challengeAck.oowRateLimited(seg, req.oowRateLimit(), TcpExtMib.TCPACKSkippedSynRecv)) {
                replies.v4SendSynack(req);
            }
            return;
        }
        if (!seg.has(ACK)) {
            return;
        }
        if (seg.ack() != req.iss + 1) {
            replies.v4SendReset(seg);
            return;
        }
        if (!inWindow || pawsReject) {
            // RFC 9293 3.10.7.4: an unacceptable segment is answered with an ACK (Linux's
            // tcp_v4_reqsk_send_ack), within the rate limit; one failing PAWS is counted too.
            if (pawsReject) {
                counters.inc(TcpExtMib.PAWSEstab);
            }
            if (!challengeAck.oowRateLimited(seg, req.oowRateLimit(), TcpExtMib.TCPACKSkippedSynRecv)) {
                replies.v4ReqskSendAck(req, seg);
            }
            return;
        }
        if (seg.has(SYN)) {
            counters.inc(TcpExtMib.EmbryonicRsts);
            replies.v4SendReset(seg);
            lifecycle.reqskQueueDrop(req);
            return;
        }
        if (listener.state() != SkState.LISTEN) {
            lifecycle.reqskQueueDrop(req);
            replies.v4SendReset(seg);
            return;
        }
        if (listener.acceptQueue().acceptqIsFull()) {
            // The request stays; the peer's retransmission (or ours of the SYN-ACK) tries again.
            counters.inc(TcpExtMib.ListenOverflows);
            counters.inc(TcpExtMib.ListenDrops);
            return;
        }
        listener.acceptQueue().reqskQueueRemoved(req);
        req.cancelTimer();
        // tcp_synack_rtt_meas: the SYN-ACK's round trip is a sample unless it was sent again (Karn).
        long synAckRttUs = req.retransmits() == 0 ? (clock.nanoTime() - req.synAckSentNanos()) / 1000 : -1;
        TcpSock child = createOpenreqChild(listener, req.key, req.route, req.iss, req.irs, req.peerMss, req.peerWscale,
                req.rcvWscale, req.sackOk, req.tsOk, req.ts().tsOffset(), req.advmss, req.rcvWnd, seg, synAckRttUs);
        if (!tables.replaceEstablished(req.key, req, child)) {
            child.setOrphan();
            lifecycle.done(child);
            return;
        }
        child.setKey(req.key);
        childProcess(listener, child, seg);
    }

    /**
     * A new connection joins its listener's accept queue ({@code inet_csk_complete_hashdance},
     * {@code inet_csk_reqsk_queue_add}) and the data that came with its ACK are processed
     * ({@code tcp_child_process}), the listener woken.
     */
    void childProcess(TcpSock listener, TcpSock child, Segment seg) {
        tables.addOwner(child, child.key().localPort());
        listener.acceptQueue().reqskQueueAdd(child);
        listener.publishQueues();
        counters.inc(TcpMib.PassiveOpens);
        listener.wakeUp(EPOLLIN);
        if (seg.dataLength() > 0 || seg.has(FIN)) {
            child.lock();
            try {
                input.rcvStateProcess(child, seg);
                child.publishQueues();
            } finally {
                child.unlock();
            }
        }
    }

    /**
     * The path MTU of a child whose request kept no route ({@code inet6_csk_route_child_sock}
     * in {@code tcp_v6_syn_recv_sock}): looked up now; without one, what its MSS was made from.
     */
    private static int childRouteMtu(TcpSock child, int advmss) {
        try {
            child.af().dstCheck(child);
            return child.af().routeMtu(child);
        } catch (ErrnoException e) {
            return advmss + child.af().netHeaderLength() + TcpPacket.MIN_HEADER_LENGTH;
        }
    }

    /**
     * {@code tcp_create_openreq_child}: the full socket of a connection, ESTABLISHED, with its
     * listener's options. {@code synAckRttUs} is the SYN-ACK's measured round trip, or -1 when
     * there is none (a cookie, a SYN-ACK sent again); then the ACK's timestamp echo gives the
     * first sample if it can, as {@code tcp_ack_update_rtt} prefers the former.
     */
    TcpSock createOpenreqChild(TcpSock listener, ConnKey key, Rtable route, int iss, int irs, int peerMss, int peerWscale,
            int rcvWscale, boolean sackOk, boolean tsOk, int tsOffset, int advmss, int rcvWnd, Segment ack,
            long synAckRttUs) {
        TcpSock child = prot.newSock();
        child.rcvbuf(listener.rcvbuf());
        child.sndbuf(listener.sndbuf());
        child.lockBuffers(listener.rcvbufLocked(), listener.sndbufLocked());
        if (listener.userOptions() != TcpUserOptions.NONE_SET) {
            child.userOptionsToSet().inheritFrom(listener.userOptions());
        }
        child.snd().inheritNagle(listener.snd()); // TCP_NODELAY, TCP_CORK, TCP_NOTSENT_LOWAT, as sk_clone_lock copies them
        child.ackMode().pingpong(listener.ackMode().pingpong()); // sk_clone_lock copies icsk_ack: TCP_QUICKACK 0 on a listener holds for its children
        child.keepAlive(listener.keepAlive());
        child.opts().setUserMss(listener.opts().userMss());
        child.ca().requestName(listener.ca().requestedName());
        child.lingerSeconds(listener.lingerSeconds());
        child.ttl(listener.ttl());
        child.tos(listener.tos());
        child.hopLimit(listener.hopLimit());          // tcp_v6_syn_recv_sock copies ipv6_pinfo
        child.tclass(listener.tclass());
        child.pmtudisc(listener.pmtudisc());
        child.reuseAddr(listener.reuseAddr());
        child.family(listener.family());
        child.ipv6only(listener.ipv6only());
        if (key.isV6()) {
            child.af(listener.af());
            child.v6RcvSaddr(key.local6());
            child.v6Saddr(key.local6());
            child.v6Daddr(key.remote6());
        } else {
            // Over IPv4, also a dual-stack listener's child (tcp_v6_syn_recv_sock's mapped
            // case: ipv4_specific, its addresses named ::ffff:a.b.c.d).
            child.rcvSaddr(key.localAddress());
            child.saddr(key.localAddress());
            child.daddr(key.remoteAddress());
            if (child.family() == SocketConstants.AF_INET6) {
                child.v6RcvSaddr(InetSock.v4Mapped(key.localAddress()));
                child.v6Saddr(InetSock.v4Mapped(key.localAddress()));
                child.v6Daddr(InetSock.v4Mapped(key.remoteAddress()));
            }
        }
        child.num(key.localPort());
        child.dport(key.remotePort());
        child.dstSet(route);
        child.snd().openreqInit(iss);
        child.ca().recoveryPointAt(iss);
        child.rcv().synReceived(irs);
        child.rcv().initialWindow(rcvWnd);
        child.opts().openreqInit(peerWscale, rcvWscale, sackOk, tsOk, advmss, peerMss,
                route != null ? route.mtu() : childRouteMtu(child, advmss));
        child.ts().initTsOffset(tsOffset);
        if (tsOk && ack.options().timestamp) {
            child.ts().storeTsRecent(ack.options().tsVal, clock.nanoTime());
        }
        child.snd().firstWindow(ack.window() << child.opts().sndWscale(), ack.seq(), ack.ack());
        child.opts().boundToHalfWindow(child.snd().maxWindow());
        child.everConnected(true);
        child.stats().receivedAt(clock.nanoTime());
        child.parent(listener);
        if (synAckRttUs >= 0) {
            tcpAck.rttEstimator(child, Math.max(1, synAckRttUs));
        } else if (tsOk && ack.options().timestamp && ack.options().tsEcr != 0) {
            long rttMs = (TcpTimestamps.tsNow(clock) + tsOffset) - ack.options().tsEcr;
            if (rttMs >= 0) {
                tcpAck.rttEstimator(child, Math.max(1, rttMs * 1000));
            }
        }
        if (child.rtt().srttUs() == 0) {
            child.rtt().timeoutFallback();
        }
        lifecycle.setState(child, SkState.SYN_RECV); // inet_csk_clone_lock: the child is born in SYN_RECV
        lifecycle.setState(child, SkState.ESTABLISHED);
        child.ca().initCongestionControl();
        prot.bufferTuning().initBufferSpace(child);
        timers.setKeepalive(child);
        child.publishQueues();
        return child;
    }

    /**
     * {@code tcp_timewait_state_process}: returns the ISN for a new connection when a SYN may
     * reuse the 4-tuple (RFC 9293 3.6.1, with timestamps as RFC 6191 allows), else 0.
     */
    int timewaitStateProcess(TimeWaitSock tw, Segment seg) {
        // An entry is touched by input on any thread and by its timer: one at a time.
        synchronized (tw) {
            TcpOptions o = seg.options();
            boolean pawsReject = tw.tsOk && o.timestamp
                    && tw.ts().pawsReject(o.tsVal, seg.has(RST), clock.nanoTime());
            if (!pawsReject && seg.seq() == tw.rcvNxt && (seg.length() == 0 || seg.has(RST))) {
                if (seg.has(RST)) {
                    lifecycle.twskKill(tw); // Linux's default (tcp_rfc1337=0)
                    return 0;
                }
                // A bare ACK in the window: TIME-WAIT starts again, with its TS.Recent.
                lifecycle.twskReschedule(tw);
                if (tw.tsOk && o.timestamp) {
                    tw.ts().storeTsRecent(o.tsVal, clock.nanoTime());
                }
                return 0;
            }
            if (seg.has(SYN) && !seg.has(RST) && !seg.has(ACK) && !pawsReject
                    && (Seq.after(seg.seq(), tw.rcvNxt) || (tw.tsOk && o.timestamp && tw.ts().tsRecent() - o.tsVal < 0))) {
                // No counter: Linux counts TWRecycled only when connect() takes over a TIME-WAIT
                // 4-tuple (tcp_twsk_unique), not when a peer's SYN reopens one.
                int isn = tw.sndNxt + 65535 + 2;
                lifecycle.twskKill(tw);
                return isn == 0 ? 1 : isn;
            }
            if (pawsReject) {
                counters.inc(TcpExtMib.PAWSTimewait);
            }
            if (!seg.has(RST)) {
                if (pawsReject || seg.has(ACK)) {
                    lifecycle.twskReschedule(tw);
                }
                if (!challengeAck.oowRateLimited(seg, tw.oowRateLimit(), TcpExtMib.TCPACKSkippedTimeWait)) {
                    replies.v4SendAck(tw, seg);
                }
            }
            return 0;
        }
    }
}
