package net.tern.tcp.impl;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import net.tern.inet.sock.SkState;

/**
 * What must hold in every TCP socket between two events, whatever the wire sent: checked by
 * the fuzz targets after each input. It reads {@link TcpSock}'s fields as {@code tcp_sock}
 * would be read in a kernel debugger, under the socket's lock; it lives in TCP's package for
 * that, in the fuzz module's tests (nothing of it ships).
 */
public final class TcpInvariants {
    private TcpInvariants() {
    }

    /** Checks every socket TCP holds and its tables; throws {@link AssertionError} naming the first broken rule. */
    public static void check(Tcp tcp) {
        require(tcp.memory().pool().allocatedBytes() >= 0, "tcp_mem allocated " + tcp.memory().pool().allocatedBytes());
        for (TcpSock sk : tcp.sockets()) {
            sk.lock();
            try {
                checkSock(tcp, sk);
            } catch (AssertionError e) {
                throw new AssertionError(describe(sk) + ": " + e.getMessage(), e);
            } finally {
                sk.unlock();
            }
        }
        for (Object entry : tcp.tables().establishedEntries()) {
            if (entry instanceof TimeWaitSock tw) {
                require(tw.timer() != null && !tw.timer().isCancelled() && !tw.timer().isExpired(),
                        tw + " has no live timer: it would stay forever");
            } else if (entry instanceof RequestSock req) {
                require(req.listener.state() == SkState.LISTEN, req + " belongs to a listener in " + req.listener.state());
                require(req.timer() != null && !req.timer().isCancelled() && !req.timer().isExpired(),
                        req + " has no live SYN-ACK timer: it would stay forever");
            } else if (entry instanceof TcpSock sk) {
                require(tcp.sockets().contains(sk), describe(sk) + " is hashed but not among TCP's sockets");
            }
        }
    }

    private static void checkSock(Tcp tcp, TcpSock sk) {
        SkState state = sk.state();
        require(Seq.beforeOrEqual(sk.snd().sndUna(), sk.snd().sndNxt()), "snd_una " + u(sk.snd().sndUna()) + " > snd_nxt " + u(sk.snd().sndNxt()));
        require(Seq.beforeOrEqual(sk.snd().sndNxt(), sk.snd().sndMax()), "snd_nxt " + u(sk.snd().sndNxt()) + " > snd_max " + u(sk.snd().sndMax()));
        require(sk.snd().sndWnd() >= 0, "negative snd_wnd " + sk.snd().sndWnd());
        require(sk.rcv().rcvWnd() >= 0, "negative rcv_wnd " + sk.rcv().rcvWnd());
        boolean synchronizedState = state != SkState.LISTEN && state != SkState.CLOSE && state != SkState.SYN_SENT
                && state != SkState.SYN_RECV;
        require(sk.ca().cwnd() >= 1 || !synchronizedState, "cwnd " + sk.ca().cwnd() + " in " + state);
        require(sk.ca().ssthresh() >= 2, "ssthresh " + sk.ca().ssthresh());
        require(sk.opts().mssCache() > 0, "mss " + sk.opts().mssCache());
        require(sk.snd().queue().size() >= 0 && sk.rcv().queue().size() >= 0, "negative queue size");
        // Memory accounting (sk_rmem_alloc, sk_wmem_queued, sk_forward_alloc): never negative.
        require(sk.mem().rmemAlloc() >= 0 && sk.mem().wmemQueued() >= 0 && sk.mem().forwardAlloc() >= 0,
                "memory account rmem_alloc " + sk.mem().rmemAlloc() + " wmem_queued " + sk.mem().wmemQueued()
                        + " forward_alloc " + sk.mem().forwardAlloc());

        // The retransmission queue: in sequence order, contiguous, from snd_una to snd_max.
        int sacked = 0;
        int lost = 0;
        int retrans = 0;
        TxSegment previous = null;
        for (TxSegment s : sk.rtx()) {
            require(s.length() >= 0, "segment of negative length at " + u(s.seq()));
            if (previous != null) {
                require(previous.endSeq() == s.seq(), "retransmission queue not contiguous: " + u(previous.endSeq())
                        + " then " + u(s.seq()));
            }
            sacked += s.sacked() ? 1 : 0;
            lost += s.lost() ? 1 : 0;
            retrans += s.retransInFlight() ? 1 : 0;
            previous = s;
        }
        if (!sk.rtx().isEmpty()) {
            TxSegment first = sk.rtx().head();
            require(Seq.beforeOrEqual(first.seq(), sk.snd().sndUna()) && Seq.before(sk.snd().sndUna(), first.endSeq()), "snd_una " + u(sk.snd().sndUna())
                    + " outside the head segment " + u(first.seq()) + ".." + u(first.endSeq()));
            require(previous.endSeq() == sk.snd().sndMax(), "the queue ends at " + u(previous.endSeq()) + ", snd_max is "
                    + u(sk.snd().sndMax()));
            require(state == SkState.CLOSE || sk.timers().pending() != SockTimers.Pending.NONE && sk.timers().xmitTimerArmed(),
                    sk.rtx().size() + " segment(s) unacknowledged and no retransmission timer");
        }
        // Without SACK, sacked_out counts duplicate ACKs (tcp_add_reno_sack) and no segment is marked.
        int renoSacked = sk.rtx().renoSacks().count();
        require(sk.opts().sackOk() ? renoSacked == 0 : sacked == 0, "SACK " + sk.opts().sackOk() + ": " + sacked
                + " segments marked SACKed, " + renoSacked + " duplicate ACKs counted");
        require(renoSacked <= sk.rtx().size(), renoSacked + " duplicate ACKs counted, " + sk.rtx().size() + " out");
        require(sacked + renoSacked == sk.rtx().sackedOut(), "sacked_out " + sk.rtx().sackedOut()
                + ", segments marked SACKed " + sacked + ", duplicate ACKs counted " + renoSacked);
        require(lost == sk.rtx().lostOut(), "lost_out " + sk.rtx().lostOut() + ", segments marked lost " + lost);
        require(retrans == sk.rtx().retransOut(), "retrans_out " + sk.rtx().retransOut() + ", segments retransmitted in flight "
                + retrans);
        require(sk.packetsInFlight() >= 0, "packets in flight " + sk.packetsInFlight());
        if (sk.timers().pending() != SockTimers.Pending.NONE) {
            require(sk.timers().xmitTimerArmed(), sk.timers().pending() + " pending without a live timer");
        }
        if (sk.ackMode().pending()) {
            require(sk.timers().delackArmed(), "an ACK pending without a delayed-ACK timer");
        }

        // The receive side: out-of-order data strictly beyond what is in order.
        require(sk.rcv().outOfOrder().bytes() >= 0, "negative out-of-order bytes");
        long firstOoo = firstOutOfOrder(sk);
        require(firstOoo < 0 || firstOoo > sk.rcv().offset(), "out-of-order data at stream offset " + firstOoo
                + " not beyond rcv_nxt's offset " + sk.rcv().offset() + ": it should have been queued in order");

        switch (state) {
            case LISTEN -> {
                require(sk.rtx().isEmpty() && sk.snd().queue().isEmpty(), "a listener with data to send");
                for (RequestSock req : sk.acceptQueue().requests()) {
                    require(req.listener == sk, req + " in the SYN queue of another listener");
                    require(tcp.tables().lookupEstablished(req.key) == req, req + " queued but not hashed");
                }
                for (TcpSock child : sk.acceptQueue().children()) {
                    require(child.parent() == sk || child.parent() == null, "a child of another listener");
                }
            }
            case SYN_SENT, SYN_RECV, ESTABLISHED, FIN_WAIT1, FIN_WAIT2, CLOSING, CLOSE_WAIT, LAST_ACK -> {
                require(sk.key() != null && tcp.tables().lookupEstablished(sk.key()) == sk,
                        "a connection not in the established hash under its 4-tuple");
            }
            default -> {
            }
        }
    }

    /** The lowest stream offset held out of order, or -1. */
    private static long firstOutOfOrder(TcpSock sk) {
        long[] runs = new long[2 * 1024];
        int n = sk.rcv().outOfOrder().sackRuns(runs, 1024);
        long first = -1;
        for (int i = 0; i < n; i++) {
            if (first < 0 || runs[2 * i] < first) {
                first = runs[2 * i];
            }
        }
        return first;
    }

    /**
     * After everything has been closed and let run: no request, TIME-WAIT entry or connection
     * is hashed, and every byte of tcp_mem and every socket count went back to the pool.
     */
    public static void checkNothingLeft(Tcp tcp) {
        List<Object> left = tcp.tables().establishedEntries();
        require(left.isEmpty(), "established hash still holds " + left);
        require(tcp.memory().pool().allocatedBytes() == 0, "tcp_mem still has " + tcp.memory().pool().allocatedBytes()
                + " bytes allocated with no socket left");
        require(tcp.memory().pool().sockets() == 0, "tcp_mem still counts " + tcp.memory().pool().sockets()
                + " socket(s) with none left");
    }

    /** The sockets as a failure message lists them. */
    public static String describe(Collection<TcpSock> socks) {
        List<String> out = new ArrayList<>();
        for (TcpSock sk : socks) {
            out.add(describe(sk));
        }
        return out.toString();
    }

    static String describe(TcpSock sk) {
        return sk.state() + " " + sk.localAddress() + " > " + sk.peerAddress() + (sk.orphaned() ? " orphan" : "")
                + " snd_una " + u(sk.snd().sndUna()) + " snd_nxt " + u(sk.snd().sndNxt()) + " snd_max " + u(sk.snd().sndMax()) + " rcv_nxt "
                + u(sk.rcv().rcvNxt()) + " snd_wnd " + sk.snd().sndWnd() + " send queue " + sk.snd().queue().size() + " bytes"
                + (sk.snd().finQueued() ? " FIN queued" : "") + " rtx " + sk.rtx().size() + " pending " + sk.timers().pending();
    }

    private static String u(int seq) {
        return Integer.toUnsignedString(seq);
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new AssertionError(message);
        }
    }
}
