package net.tern.tcp.impl;

/**
 * How much of the congestion window the sender uses, as Linux tracks it for window growth
 * ({@code tcp_cwnd_validate}, {@code tcp_is_cwnd_limited}, in the spirit of RFC 7661): the
 * window may grow only while it limits sending. Whether it did is remembered for a whole
 * window of data ({@code cwnd_usage_seq}), with the most packets that were out in it
 * ({@code max_packets_out}); in slow start a window below twice that still counts as limiting,
 * so a sender that fills what it has while cwnd is just above it keeps growing it.
 *
 * <p>One per connection, owned by its {@link TcpCongestion}; used under the socket lock.
 */
final class TcpCwndUsage {
    /**
     * {@code tcp_slow_start_after_idle_check}, as {@code tcp_skb_entail} runs it for a new skb:
     * with {@code tcp_slow_start_after_idle} on and nothing in flight, a sender that sent nothing
     * for longer than the RTO restarts its window ({@code tcp_cwnd_restart}): ssthresh keeps
     * 3/4 of the window ({@code tcp_current_ssthresh}) and cwnd is {@link #restartCwnd}.
     */
    static void slowStartAfterIdleCheck(TcpSock sk, TcpSettings settings, long nowNanos) {
        if (!settings.sending().slowStartAfterIdle() || !sk.rtx().isEmpty() || !sk.ca().started()) {
            return;
        }
        long idleUs = (nowNanos - sk.stats().lastDataSentNanos()) / 1000;
        long rtoUs = sk.rtt().rtoUs();
        if (idleUs <= rtoUs) {
            return;
        }
        TcpCongestion ca = sk.ca();
        ca.caEvent(net.tern.tcp.cc.CaEvent.CWND_RESTART);
        int cwnd = ca.cwnd();
        if (!ca.inCwndReduction()) {
            ca.setSsthresh(Math.max(ca.ssthresh(), (cwnd >> 1) + (cwnd >> 2)));
        }
        ca.setCwnd(restartCwnd(cwnd, settings.initialCwnd(), idleUs, rtoUs));
    }

    /**
     * {@code tcp_cwnd_restart}'s window (RFC 2861 2.2 as Linux computes it; RFC 7661 keeps the
     * restart for a sender that was idle, not merely rate-limited): the restart window is the
     * initial window, or cwnd if smaller; cwnd is halved once for each RTO of the idle time
     * beyond the first while it is above the restart window, and never falls below it.
     *
     * @param idleUs how long nothing was sent ({@code tcp_jiffies32 - lsndtime})
     * @param rtoUs  the retransmission timeout ({@code icsk_rto})
     */
    static int restartCwnd(int cwnd, int initialCwnd, long idleUs, long rtoUs) {
        int restart = Math.min(initialCwnd, cwnd);
        long delta = idleUs;
        while ((delta -= rtoUs) > 0 && cwnd > restart) {
            cwnd >>= 1;
        }
        return Math.max(cwnd, restart);
    }

    /** The window limited sending in the current window of data ({@code is_cwnd_limited}). */
    private boolean cwndLimited;
    /** The most segments out in the current window of data ({@code max_packets_out}). */
    private int maxPacketsOut;
    /** Where the current window of data ends ({@code cwnd_usage_seq}): SND.NXT when it was judged. */
    private int cwndUsageSeq;
    private boolean usageSeqSet;

    /**
     * {@code tcp_cwnd_validate}'s tracking, after {@code tcp_write_xmit} sent something or was
     * held back by the window ({@code limited}): once SND.UNA reached the end of the window of
     * data judged last, or when limited now, or when more are out than the most seen while not
     * limited, the judgement is taken again from now.
     */
    void cwndValidate(boolean limited, int sndUna, int sndNxt, int packetsOut) {
        if (!usageSeqSet || !Seq.before(sndUna, cwndUsageSeq) || limited
                || (!cwndLimited && packetsOut > maxPacketsOut)) {
            cwndLimited = limited;
            maxPacketsOut = packetsOut;
            cwndUsageSeq = sndNxt;
            usageSeqSet = true;
        }
    }

    /**
     * {@code tcp_is_cwnd_limited}: whether the window limits sending, so that it may grow:
     * limited in the current window of data, or in slow start below twice the most segments
     * out in it.
     */
    boolean isCwndLimited(int cwnd, int ssthresh) {
        if (cwndLimited) {
            return true;
        }
        return cwnd < ssthresh && cwnd < 2L * maxPacketsOut;
    }

    /** {@code max_packets_out}. */
    int maxPacketsOut() {
        return maxPacketsOut;
    }
}
