package net.tern.tcp.impl;

import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.SocketConstants;
import net.tern.api.socket.TcpInfo;
import net.tern.inet.sock.SkState;
import net.tern.spi.net.Clock;
import net.tern.spi.proto.ProtoOps;
import net.tern.tcp.cc.CongestionControl;

/**
 * TCP's socket options and ioctls ({@code tcp.c}: {@code do_tcp_setsockopt}, {@code do_tcp_getsockopt},
 * {@code tcp_get_info}, {@code tcp_ioctl}): {@code SOL_TCP} options with Linux's ranges and errno, and
 * {@code TCP_INFO}. Called by {@link TcpProt} with the socket locked.
 */
final class TcpSockopt {
    /** {@code TCP_MIN_MSS}. */
    private static final int MIN_MSS = 88;
    /** {@code MAX_TCP_WINDOW}, the largest TCP_MAXSEG. */
    private static final int MAX_MSS = 32767;
    /** {@code MAX_TCP_KEEPIDLE}, {@code MAX_TCP_KEEPINTVL} (seconds). */
    private static final int MAX_KEEP_SECONDS = 32767;
    /** The longest TIME-WAIT {@code TCP_TERN_TIMEWAIT_MSECS} may ask for: 4 minutes (2 * RFC 9293's 2-minute MSL). */
    private static final int MAX_TIMEWAIT_MILLIS = 240_000;
    /** {@code MAX_TCP_KEEPCNT}. */
    private static final int MAX_KEEPCNT = 127;

    private final Clock clock;
    private final Supplier<TcpSettings> settings;
    private final TcpMemory memory;
    private final TcpOutput output;
    private final TcpLifecycle lifecycle;
    private final TcpTimers timers;
    private final CongestionRegistry registry;

    TcpSockopt(Clock clock, Supplier<TcpSettings> settings, TcpMemory memory, TcpOutput output, TcpLifecycle lifecycle,
            TcpTimers timers, CongestionRegistry registry) {
        this.clock = clock;
        this.settings = settings;
        this.memory = memory;
        this.output = output;
        this.lifecycle = lifecycle;
        this.timers = timers;
        this.registry = registry;
    }

    void setsockopt(TcpSock sk, int level, int name, Object value) throws ErrnoException {
        if (level != SocketConstants.SOL_TCP) {
            throw new ErrnoException(Errno.ENOPROTOOPT, "setsockopt(level " + level + ", " + name
                    + "): not an option level of TCP");
        }
        if (name == SocketConstants.TCP_CONGESTION) {
            if (!(value instanceof String algorithm)) {
                throw new ErrnoException(Errno.EINVAL, "setsockopt(TCP_CONGESTION): expects a name, got " + value);
            }
            CongestionControl c = registry.find(algorithm);
            if (c == null) {
                throw new ErrnoException(Errno.ENOENT, "setsockopt(TCP_CONGESTION, \"" + algorithm
                        + "\"): no such algorithm; available: " + registry.names());
            }
            sk.ca().requestName(algorithm);
            if (sk.ca().started()) {
                sk.ca().reinitCongestionControl(c);
            }
            return;
        }
        if (!(value instanceof Integer boxed)) {
            throw new ErrnoException(Errno.EINVAL, "setsockopt(SOL_TCP, " + name + "): expects an integer, got " + value);
        }
        int v = boxed;
        switch (name) {
            case SocketConstants.TCP_NODELAY -> {
                sk.snd().nodelay(v != 0);
                if (v != 0) {
                    output.writeXmit(sk); // tcp_push_pending_frames: what Nagle or the cork held goes once
                }
            }
            case SocketConstants.TCP_CORK -> {
                sk.snd().cork(v != 0);
                if (v == 0) {
                    output.writeXmit(sk); // what the cork held goes, partial segments too if TCP_NODELAY
                }
            }
            case SocketConstants.TCP_NOTSENT_LOWAT -> {
                sk.snd().notsentLowatOption(v); // any value, read as unsigned; 0 goes back to tcp_notsent_lowat
                memory.writeSpace(sk); // sk_write_space: a larger mark may make the socket writable
            }
            case SocketConstants.TCP_QUICKACK -> setQuickack(sk, v);
            case SocketConstants.TCP_MAXSEG -> {
                if (v != 0 && (v < MIN_MSS || v > MAX_MSS)) {
                    throw new ErrnoException(Errno.EINVAL, "setsockopt(TCP_MAXSEG, " + v + "): must be " + MIN_MSS
                            + ".." + MAX_MSS + ", or 0");
                }
                sk.opts().setUserMss(v);
            }
            case SocketConstants.TCP_KEEPIDLE -> {
                checkRange("TCP_KEEPIDLE", v, 1, MAX_KEEP_SECONDS);
                sk.userOptionsToSet().setKeepIdleSeconds(v);
                timers.setKeepalive(sk);
            }
            case SocketConstants.TCP_KEEPINTVL -> {
                checkRange("TCP_KEEPINTVL", v, 1, MAX_KEEP_SECONDS);
                sk.userOptionsToSet().setKeepIntvlSeconds(v);
            }
            case SocketConstants.TCP_KEEPCNT -> {
                checkRange("TCP_KEEPCNT", v, 1, MAX_KEEPCNT);
                sk.userOptionsToSet().setKeepCnt(v);
            }
            case SocketConstants.TCP_USER_TIMEOUT -> {
                // do_tcp_setsockopt: any value >= 0, in milliseconds; takes effect at the next timer.
                if (v < 0) {
                    throw new ErrnoException(Errno.EINVAL, "setsockopt(TCP_USER_TIMEOUT, " + v + "): must be >= 0 ms");
                }
                sk.userOptionsToSet().setUserTimeoutMillis(v);
            }
            case SocketConstants.TCP_INQ -> {
                // do_tcp_setsockopt: 0 or 1 only.
                checkRange("TCP_INQ", v, 0, 1);
                sk.userOptionsToSet().setRecvmsgInq(v != 0);
            }
            case SocketConstants.TCP_TERN_TIMEWAIT_MSECS -> {
                checkRange("TCP_TERN_TIMEWAIT_MSECS", v, 1, MAX_TIMEWAIT_MILLIS);
                sk.userOptionsToSet().setTimeWaitMillis(v);
            }
            default -> throw new ErrnoException(Errno.ENOPROTOOPT, "setsockopt(SOL_TCP, " + name
                    + "): not a TCP option");
        }
    }

    /**
     * {@code __tcp_sock_set_quickack} (net/ipv4/tcp.c): 0 enters interactive mode; nonzero
     * leaves it and, with an ACK being delayed on an open connection, sends it now if
     * {@code tcp_cleanup_rbuf} would for a pushed ACK: more than a segment is unacknowledged,
     * or the receive queue is empty. An even nonzero value goes back to interactive mode after.
     */
    private void setQuickack(TcpSock sk, int v) {
        if (v == 0) {
            sk.ackMode().pingpong(true);
            return;
        }
        sk.ackMode().pingpong(false);
        SkState state = sk.state();
        if ((state == SkState.ESTABLISHED || state == SkState.CLOSE_WAIT) && sk.ackMode().pending()) {
            boolean moreThanASegment = sk.rcv().rcvNxt() - sk.rcv().rcvWup() > sk.opts().rcvMss();
            boolean queueEmpty = sk.rcv().queueEmpty() && sk.rcv().outOfOrder().isEmpty();
            if (moreThanASegment || queueEmpty) {
                output.sendAck(sk);
            }
            if ((v & 1) == 0) {
                sk.ackMode().pingpong(true);
            }
        }
    }

    private static void checkRange(String option, int v, int low, int high) throws ErrnoException {
        if (v < low || v > high) {
            throw new ErrnoException(Errno.EINVAL, "setsockopt(" + option + ", " + v + "): must be " + low + ".." + high);
        }
    }

    Object getsockopt(TcpSock sk, int level, int name) throws ErrnoException {
        if (level != SocketConstants.SOL_TCP) {
            throw new ErrnoException(Errno.ENOPROTOOPT, "getsockopt(level " + level + ", " + name
                    + "): not an option level of TCP");
        }
        return switch (name) {
            case SocketConstants.TCP_NODELAY -> (sk.snd().nonagle() & TcpSender.NAGLE_OFF) != 0 ? 1 : 0;
            case SocketConstants.TCP_CORK -> (sk.snd().nonagle() & TcpSender.NAGLE_CORK) != 0 ? 1 : 0;
            case SocketConstants.TCP_NOTSENT_LOWAT -> sk.snd().notsentLowatOption();
            case SocketConstants.TCP_QUICKACK -> sk.ackMode().pingpong() ? 0 : 1;
            case SocketConstants.TCP_MAXSEG -> sk.everConnected() ? sk.opts().mssCache()
                    : (sk.opts().userMss() > 0 ? sk.opts().userMss() : NegotiatedOptions.DEFAULT_MSS);
            case SocketConstants.TCP_KEEPIDLE -> (int) TimeUnit.MILLISECONDS.toSeconds(timers.keepIdleMillis(sk));
            case SocketConstants.TCP_KEEPINTVL -> (int) TimeUnit.MILLISECONDS.toSeconds(timers.keepIntvlMillis(sk));
            case SocketConstants.TCP_KEEPCNT -> timers.keepCnt(sk);
            case SocketConstants.TCP_CONGESTION -> congestionName(sk);
            case SocketConstants.TCP_TERN_TIMEWAIT_MSECS -> (int) lifecycle.timeWaitMillis(sk);
            case SocketConstants.TCP_INQ -> sk.userOptions().recvmsgInq() ? 1 : 0;
            case SocketConstants.TCP_USER_TIMEOUT -> (int) sk.userOptions().userTimeoutMillis();
            case SocketConstants.TCP_INFO -> throw new ErrnoException(Errno.EINVAL,
                    "getsockopt(SOL_TCP, TCP_INFO): a struct option, read it as TcpInfo");
            default -> throw new ErrnoException(Errno.ENOPROTOOPT, "getsockopt(SOL_TCP, " + name
                    + "): not a TCP option");
        };
    }

    <T> T getsockopt(TcpSock sk, int level, int name, Class<T> type) throws ErrnoException {
        if (level == SocketConstants.SOL_TCP && name == SocketConstants.TCP_INFO) {
            if (type != TcpInfo.class) {
                throw new ErrnoException(Errno.EINVAL, "getsockopt(SOL_TCP, TCP_INFO): the value is a TcpInfo, not a "
                        + type.getSimpleName());
            }
            return type.cast(getInfo(sk));
        }
        return ProtoOps.optionAs(getsockopt(sk, level, name), type, level, name);
    }

    private String congestionName(TcpSock sk) {
        return sk.ca().algorithm() != null ? sk.ca().algorithm().name()
                : sk.ca().requestedName() != null ? sk.ca().requestedName() : registry.defaultAlgorithm().name();
    }

    /**
     * {@code tcp_get_info}: a snapshot of {@code sk} as {@code struct tcp_info}. The caller
     * holds the socket lock (socket calls do; a diagnostics walker must take it). The segment
     * counts come from the SACK scoreboard ({@code sacked_out}, {@code lost_out},
     * {@code retrans_out}); {@code rcv_ssthresh} is the most the window may offer now, at most
     * the full window ({@link TcpMemory}); {@code rcv_rtt} and {@code rcv_space} are what
     * receive-buffer autotuning measured ({@link RcvSpace}; 0 before the connection is
     * established).
     */
    TcpInfo getInfo(TcpSock sk) {
        long now = clock.nanoTime();
        TcpChrono chrono = sk.chronoIfStarted();
        boolean listening = sk.state() == SkState.LISTEN;
        int options = (sk.opts().tsOk() ? TcpInfo.TCPI_OPT_TIMESTAMPS : 0) | (sk.opts().sackOk() ? TcpInfo.TCPI_OPT_SACK : 0)
                | (sk.opts().wscaleOk() ? TcpInfo.TCPI_OPT_WSCALE : 0);
        int notSent = sk.snd().notSent();
        return new TcpInfo(
                sk.state().number(),
                sk.ca().caState().ordinal(),
                sk.retries().retransmits(),
                sk.retries().probesOut() != 0 ? sk.retries().probesOut() : sk.retries().keepaliveProbes(),
                sk.retries().backoff(),
                options,
                sk.opts().wscaleOk() ? sk.opts().sndWscale() : 0,
                sk.opts().wscaleOk() ? sk.opts().rcvWscale() : 0,
                sk.rtt().rtoUs(),
                sk.ackMode().atoInitialised() ? TimeUnit.MILLISECONDS.toMicros(settings.get().delackMinMillis()) : 0,
                sk.opts().mssCache(),
                sk.opts().rcvMss(),
                listening ? sk.acceptQueue().acceptqLen() : sk.rtx().size(), // packets_out, an unanswered SYN included
                listening ? sk.acceptQueue().maxBacklog() : sk.rtx().sackedOut(),
                sk.rtx().lostOut(),
                sk.rtx().retransOut(),
                ageMillis(now, sk.stats().lastDataSentNanos()),
                ageMillis(now, sk.stats().lastDataRecvNanos()),
                ageMillis(now, sk.stats().lastAckRecvNanos()),
                sk.af().routeMtu(sk),
                memory.rcvSsthresh(sk),
                sk.rtt().srttUs(),
                sk.rtt().rttvarUs(),
                sk.ca().ssthresh(),
                // Before congestion control starts (SYN-SENT), the window is the initial one,
                // as Linux's tcp_init_sock sets it at creation.
                !sk.ca().started() ? settings.get().initialCwnd() : sk.ca().cwnd(),
                sk.opts().advmss(),
                sk.rtx().rack().reordering(),
                sk.rcv().rcvSpace() == null ? 0 : sk.rcv().rcvSpace().rttUs(),
                sk.rcv().rcvSpace() == null ? 0 : sk.rcv().rcvSpace().space(),
                sk.stats().totalRetrans(),
                sk.snd().bytesAcked(),
                sk.stats().bytesReceived(),
                sk.stats().segsOut(),
                sk.stats().segsIn(),
                notSent,
                sk.rtt().minRttUs(),
                sk.stats().dataSegsIn(),
                sk.stats().dataSegsOut(),
                chrono == null ? 0 : chrono.busyTimeUs(now),
                chrono == null ? 0 : chrono.rwndLimitedUs(now),
                chrono == null ? 0 : chrono.sndbufLimitedUs(now),
                sk.stats().bytesSent(),
                sk.stats().bytesRetrans(),
                sk.rtx().dsackDups(),
                sk.rtx().rack().reordSeen(),
                Integer.toUnsignedLong(sk.snd().sndWnd()),
                Integer.toUnsignedLong(sk.rcv().rcvWnd()),
                congestionName(sk));
    }

    private static long ageMillis(long nowNanos, long thenNanos) {
        return TimeUnit.NANOSECONDS.toMillis(Math.max(0, nowNanos - thenNanos));
    }

    /**
     * {@code tcp_inq_hint}: {@code rcv_nxt - copied_seq}, which counts the peer's FIN until the
     * reader has taken it, and 1 once it has, so that a reader told "nothing left" never misses
     * the end of the stream.
     */
    static int inqHint(TcpSock sk) {
        int queued = inq(sk);
        return sk.rcv().finReceived() ? queued + 1 : queued;
    }

    /**
     * {@code tcp_ioctl}: SIOCINQ is the in-order data queued to read ({@code tcp_inq}, the FIN
     * not counted), SIOCOUTQ the bytes written and not yet acknowledged, SIOCOUTQNSD those not
     * yet sent; each 0 before the handshake completes and EINVAL on a listener, as on Linux.
     */
    /** {@code tcp_inq}: the in-order bytes queued to read; the peer's FIN is not one. */
    static int inq(TcpSock sk) {
        return sk.rcv().queued();
    }

    int ioctl(TcpSock sk, int request) throws ErrnoException {
        SkState state = sk.state();
        boolean known = request == SocketConstants.SIOCINQ || request == SocketConstants.SIOCOUTQ
                || request == SocketConstants.SIOCOUTQNSD;
        if (!known) {
            throw new ErrnoException(Errno.ENOTTY, "ioctl(" + SocketConstants.ioctlName(request) + "): not a request of TCP sockets");
        }
        if (state == SkState.LISTEN) {
            throw new ErrnoException(Errno.EINVAL, "ioctl(" + SocketConstants.ioctlName(request) + "): a listening socket");
        }
        if (state == SkState.SYN_SENT || state == SkState.SYN_RECV) {
            return 0;
        }
        return switch (request) {
            case SocketConstants.SIOCINQ -> inq(sk);
            case SocketConstants.SIOCOUTQ -> sk.snd().writeSeqWithFin() - sk.snd().sndUna();
            default -> sk.snd().writeSeqWithFin() - sk.snd().sndNxt();
        };
    }
}
