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
