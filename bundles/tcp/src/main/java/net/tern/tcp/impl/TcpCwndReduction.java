package net.tern.tcp.impl;

/**
 * Proportional Rate Reduction (RFC 6937) as Linux runs it in fast recovery and in CWR
 * ({@code tcp_init_cwnd_reduction}, {@code tcp_cwnd_reduction}): instead of cutting the window
 * to ssthresh at once, each ACK lets go a share of what it reports delivered, so that by the
 * end of recovery about ssthresh segments are in flight, sent evenly rather than in a burst
 * after a silence. When the pipe has fallen below ssthresh (more was lost than the reduction
 * asks), slow-start reduction bound (PRR-SSRB) lets it grow back by at most one segment more
 * than was delivered per ACK.
 *
 * <p>One per connection, owned by its {@link TcpCongestion}; used under the socket lock.
 */
final class TcpCwndReduction {
    /** Segments delivered to the receiver since the reduction began ({@code prr_delivered}). */
    private int prrDelivered;
    /** Segments sent since the reduction began ({@code prr_out}). */
    private int prrOut;

    /** {@code tcp_init_cwnd_reduction}'s part: nothing delivered nor sent yet in this reduction. */
    void start() {
        prrDelivered = 0;
        prrOut = 0;
    }

    /** {@code segments} went out (retransmitted or new) during the reduction. */
    void sent(int segments) {
        prrOut += segments;
    }

    int prrDelivered() {
        return prrDelivered;
    }

    int prrOut() {
        return prrOut;
    }

    /**
     * {@code tcp_cwnd_reduction}: the window after an ACK that reported
     * {@code newlyAckedSacked} segments delivered (at least one), with {@code inFlight} the
     * pipe now. While the pipe is above ssthresh, RFC 6937's proportional part: in total
     * {@code ceil(prr_delivered * ssthresh / RecoverFS) - prr_out} may go, with RecoverFS the
     * window when the reduction started ({@code priorCwnd}, Linux's choice). Otherwise
     * PRR-SSRB: what was delivered and not yet matched by sending, at least what this ACK
     * delivered, one more when the ACK advanced SND.UNA and found nothing newly lost, but not
     * past ssthresh. The first ACK of a reduction always lets one segment go (the fast
     * retransmission).
     *
     * @param sndUnaAdvanced the ACK moved SND.UNA ({@code FLAG_SND_UNA_ADVANCED})
     * @param newlyLost      segments this ACK marked lost
     */
    int cwndReduction(int ssthresh, int priorCwnd, int inFlight, int newlyAckedSacked, int newlyLost,
            boolean sndUnaAdvanced) {
        prrDelivered += newlyAckedSacked;
        int delta = ssthresh - inFlight;
        long sndcnt;
        if (delta < 0) {
            long dividend = (long) ssthresh * prrDelivered + priorCwnd - 1;
            sndcnt = dividend / Math.max(1, priorCwnd) - prrOut;
        } else {
            sndcnt = Math.max(prrDelivered - prrOut, newlyAckedSacked);
            if (sndUnaAdvanced && newlyLost == 0) {
                sndcnt++;
            }
            sndcnt = Math.min(delta, sndcnt);
        }
        sndcnt = Math.max(sndcnt, prrOut == 0 ? 1 : 0);
        return (int) Math.min(Integer.MAX_VALUE, inFlight + sndcnt);
    }
}
