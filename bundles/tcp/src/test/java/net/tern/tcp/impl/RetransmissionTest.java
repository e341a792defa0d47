package net.tern.tcp.impl;

import static net.tern.api.socket.SocketConstants.AF_INET;
import static net.tern.api.socket.SocketConstants.SOCK_NONBLOCK;
import static net.tern.api.socket.SocketConstants.SOCK_STREAM;
import static net.tern.api.socket.SocketConstants.SOL_SOCKET;
import static net.tern.api.socket.SocketConstants.SOL_TCP;
import static net.tern.api.socket.SocketConstants.SO_ERROR;
import static net.tern.api.socket.SocketConstants.TCP_CONGESTION;
import static net.tern.wire.TcpPacket.ACK;
import static net.tern.wire.TcpPacket.SYN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.InetSockAddr;
import net.tern.tcp.cc.CaState;
import net.tern.tcp.cc.CongestionControl;
import net.tern.tcp.cc.CongestionController;
import net.tern.tcp.cc.CongestionState;
import net.tern.tcp.cc.Reno;
import net.tern.tcp.testing.Seg;
import net.tern.tcp.testing.SegmentPeer;
import org.junit.jupiter.api.Test;

/** Retransmission (RFC 6298), its limits, fast retransmit (RFC 6582) and congestion control plug-ins. */
class RetransmissionTest extends ScriptedPeerTestBase {
    private static final int PEER_ISN = 70_000;

    RetransmissionTest() {
        super(PEER_ISN);
    }

    private Conn open(long rttMillis, String congestion) throws ErrnoException {
        int fd = socket();
        if (congestion != null) {
            api.setsockopt(fd, SOL_TCP, TCP_CONGESTION, congestion);
        }
        Seg syn = connectToPeer(fd);
        peer.advance(rttMillis, TimeUnit.MILLISECONDS);
        peer.inject(synAckTo(syn).mss(1000).window(65535).build());
        peer.emitted();
        return established(fd, syn);
    }

    private Seg ack(Conn c, int acked) {
        return fromPeer(c).flags(ACK).seq(PEER_ISN + 1).ack(c.nxt(acked)).window(65535).build();
    }

    private static List<Long> gapsMillis(long start, List<Seg> segs) {
        List<Long> gaps = new ArrayList<>();
        long previous = start;
        for (Seg s : segs) {
            gaps.add((s.atNanos() - previous) / 1_000_000L);
            previous = s.atNanos();
        }
        return gaps;
    }

    @Test
    void unackedDataIsRetransmittedWithTheRtoDoublingEachTime() throws Exception {
        Conn c = open(100, null);
        // One sample of 100 ms: srtt 100, rttvar 50, RTO = 100 + max(4 * 50, 200) = 300 ms.
        api.send(c.fd(), ByteBuffer.wrap(new byte[100]), 0);
        Seg original = peer.emittedOne();
        long start = original.atNanos();
        List<Seg> again = peer.advanceCollecting(5, TimeUnit.SECONDS);
        assertThat(again).allSatisfy(s -> {
            assertThat(s.seq()).isEqualTo(original.seq());
            assertThat(s.length()).isEqualTo(100);
        });
        assertThat(gapsMillis(start, again)).containsExactly(300L, 600L, 1200L, 2400L);
        assertThat(peer.host().counter(TcpExtMib.TCPTimeouts)).isEqualTo(1);
        assertThat(peer.host().counter(TcpMib.RetransSegs)).isEqualTo(4);
        peer.inject(ack(c, 100));
        // A new RTT sample after the ACK is refused (Karn): the backed-off RTO stays until one comes.
        api.send(c.fd(), ByteBuffer.wrap(new byte[10]), 0);
        Seg next = peer.emittedOne();
        List<Seg> retry = peer.advanceCollecting(6, TimeUnit.SECONDS);
        assertThat(retry).isNotEmpty();
        assertThat((retry.get(0).atNanos() - next.atNanos()) / 1_000_000L).isEqualTo(4800L);
    }

    @Test
    void anRttSampleSetsTheRtoPerRfc6298() throws Exception {
        Conn c = open(50, null);
        api.send(c.fd(), ByteBuffer.wrap(new byte[100]), 0);
        Seg sent = peer.emittedOne();
        List<Seg> retry = peer.advanceCollecting(400, TimeUnit.MILLISECONDS);
        // srtt 50, rttvar 25: RTO = 50 + max(100, 200) = 250 ms.
        assertThat(gapsMillis(sent.atNanos(), retry)).first().isEqualTo(250L);
    }

    @Test
    void retries2RetransmissionsFromTheFirstRetransmissionThenTheConnectionTimesOut() throws Exception {
        Conn c = open(0, null);
        api.send(c.fd(), ByteBuffer.wrap(new byte[100]), 0);
        long start = peer.emittedOne().atNanos();
        List<Seg> again = new ArrayList<>();
        for (int i = 0; i < 1200 && api.getsockopt(c.fd(), SOL_SOCKET, SO_ERROR) == 0; i++) {
            again.addAll(peer.advanceCollecting(1, TimeUnit.SECONDS));
        }
        // tcp_retries2 = 15 from a 200 ms base: 924.6 s of backoff, capped at 120 s per step,
        // counted from the first retransmission (retrans_stamp), 0.2 s after the original: at
        // 924.6 s only 924.4 s have passed, so a 16th retransmission goes and the connection
        // fails at the RTO after it, 1044.6 s after the original send, as Linux 6.18 does
        // (checked with tcp_retries2=3: retransmit/retries2-from-first-retransmission.pkt).
        assertThat(again).hasSize(16);
        long failedAfter = (peer.time().nanoTime() - start) / 1_000_000_000L;
        assertThat(failedAfter).isBetween(1044L, 1046L);
        assertThat(peer.host().counter(TcpExtMib.TCPAbortOnTimeout)).isEqualTo(1);
    }

    @Test
    void threeDuplicateAcksTriggerFastRetransmitAndNewRenoRecovery() throws Exception {
        Conn c = open(10, null);
        api.send(c.fd(), ByteBuffer.wrap(new byte[20_000]), 0);
        assertThat(peer.emitted()).hasSize(10);
        TcpSock sk = peer.host().tcp().sockets().iterator().next();
        // Limited transmit (RFC 3042, Linux's tcp_add_reno_sack): each of the first two
        // duplicates says a segment left the network, and one new segment goes; cwnd stays.
        peer.inject(ack(c, 0));
        assertThat(peer.emittedOne().seq()).isEqualTo(c.nxt(10_000));
        peer.inject(ack(c, 0));
        assertThat(peer.emittedOne().seq()).isEqualTo(c.nxt(11_000));
        assertThat(sk.caState()).isEqualTo(CaState.DISORDER);
        assertThat(sk.cwnd()).isEqualTo(10);
        // The third marks the head lost and starts recovery; PRR (RFC 6937) lets the
        // retransmission go: pipe 12 - 3 - 1 = 8, plus one.
        peer.inject(ack(c, 0));
        Seg retransmitted = peer.emittedOne();
        assertThat(retransmitted.seq()).isEqualTo(c.nxt(0));
        assertThat(sk.caState()).isEqualTo(CaState.RECOVERY);
        assertThat(sk.ssthresh()).isEqualTo(5);
        assertThat(sk.cwnd()).isEqualTo(9);
        assertThat(peer.host().counter(TcpExtMib.TCPFastRetrans)).isEqualTo(1);
        // Then ceil(ssthresh * delivered / RecoverFS) - sent: nothing, then one new segment.
        peer.inject(ack(c, 0));
        assertThat(peer.emitted()).isEmpty();
        assertThat(sk.cwnd()).isEqualTo(8);
        peer.inject(ack(c, 0));
        assertThat(peer.emittedOne().seq()).isEqualTo(c.nxt(12_000));
        // A partial ACK marks the next hole lost (RFC 6582 3.2 (5), tcp_newreno_mark_lost) and
        // stays in recovery; it goes again when PRR's share allows: the pipe (6, then 5) is
        // at ssthresh at the next duplicate, so PRR-SSRB lets it go at the one after.
        peer.inject(ack(c, 1000));
        assertThat(peer.emitted()).isEmpty();
        assertThat(sk.caState()).isEqualTo(CaState.RECOVERY);
        assertThat(sk.cwnd()).isEqualTo(6);
        peer.inject(ack(c, 1000));
        assertThat(peer.emitted()).isEmpty();
        peer.inject(ack(c, 1000));
        assertThat(peer.emittedOne().seq()).isEqualTo(c.nxt(1000));
        // An ACK beyond the recovery point ends recovery with the window at ssthresh
        // (tcp_end_cwnd_reduction), and congestion avoidance on the same ACK, which delivered 6
        // segments not counted by duplicates, adds one (prr/reno-limited-transmit-prr.pkt).
        peer.inject(ack(c, 13_000));
        assertThat(sk.caState()).isEqualTo(CaState.OPEN);
        assertThat(sk.cwnd()).isEqualTo(6);
    }

    @Test
    void anAcceptedConnectionFastRetransmitsALostFirstSegment() throws Exception {
        int listener = socket();
        api.bind(listener, new InetSockAddr(0, 8080));
        api.listen(listener, 1);
        peer.inject(SegmentPeer.from(40000).to(SegmentPeer.LOCAL, 8080).flags(SYN).seq(PEER_ISN).mss(1000).build());
        Seg synAck = peer.emittedOne();
        Seg.Builder fromClient = SegmentPeer.from(40000).to(SegmentPeer.LOCAL, 8080).flags(ACK).seq(PEER_ISN + 1)
                .window(65535);
        peer.inject(fromClient.ack(synAck.seq() + 1).build());
        int fd = api.accept(listener, SOCK_NONBLOCK).fd();
        api.send(fd, ByteBuffer.wrap(new byte[5000]), 0);
        assertThat(peer.emitted()).hasSize(5);
        // The first segment is lost: three duplicates of the handshake's ACK (RFC 6582 3.2:
        // "recover" starts at the ISN, so this ACK covers more than it).
        for (int i = 0; i < 3; i++) {
            peer.inject(fromClient.ack(synAck.seq() + 1).build());
        }
        Seg retransmitted = peer.emittedOne();
        assertThat(retransmitted.seq()).isEqualTo(synAck.seq() + 1);
        assertThat(peer.host().counter(TcpExtMib.TCPFastRetrans)).isEqualTo(1);
    }

    @Test
    void aRetransmissionCarriesTheFlagsTheSegmentFirstHad() throws Exception {
        Conn c = open(100, null);
        // MSS 1000: two segments, PSH only on the last of the write (tcp_push).
        api.send(c.fd(), ByteBuffer.wrap(new byte[2000]), 0);
        List<Seg> sent = peer.emitted();
        assertThat(sent).extracting(Seg::flagString).containsExactly(".", "P.");
        // The RTO resends the head as it was: no PSH (tcp_retransmit_skb resends the skb).
        Seg head = peer.advanceCollecting(300, TimeUnit.MILLISECONDS).get(0);
        assertThat(head.seq()).isEqualTo(c.nxt(0));
        assertThat(head.flagString()).isEqualTo(".");
        peer.inject(ack(c, 1000));
        Seg tail = peer.emitted().get(0);
        assertThat(tail.seq()).isEqualTo(c.nxt(1000));
        assertThat(tail.flagString()).isEqualTo("P.");
    }

    /** A congestion control that counts its hooks and grows like Reno. */
    private static final class CountingCc implements CongestionControl {
        int created;
        int released;

        @Override
        public String name() {
            return "counting";
        }

        @Override
        public CongestionController create(CongestionState connection) {
            created++;
            return new CongestionController() {
                @Override
                public void congAvoid(CongestionState c, int acked) {
                    Reno.congAvoid(c, acked);
                }

                @Override
                public void release() {
                    released++;
                }
            };
        }
    }

    @Test
    void tcpCongestionPicksARegisteredAlgorithmAndItsLeavingFallsBackToReno() throws Exception {
        CountingCc counting = new CountingCc();
        peer.host().tcp().congestion().register(counting);
        Conn c = open(10, "counting");
        assertThat(api.getsockoptString(c.fd(), SOL_TCP, TCP_CONGESTION)).isEqualTo("counting");
        assertThat(counting.created).isEqualTo(1);
        api.send(c.fd(), ByteBuffer.wrap(new byte[3000]), 0);
        assertThat(peer.emitted()).hasSize(3);
        peer.host().tcp().congestion().unregister(counting);
        assertThat(counting.released).isEqualTo(1);
        assertThat(api.getsockoptString(c.fd(), SOL_TCP, TCP_CONGESTION)).isEqualTo(Reno.NAME);
        peer.inject(ack(c, 3000));
        api.send(c.fd(), ByteBuffer.wrap(new byte[1000]), 0);
        assertThat(peer.emittedOne().seq()).isEqualTo(c.nxt(3000));
    }

    @Test
    void unknownCongestionControlIsEnoent() throws Exception {
        int fd = api.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        assertThatThrownBy(() -> api.setsockopt(fd, SOL_TCP, TCP_CONGESTION, "vegas"))
                .isInstanceOfSatisfying(ErrnoException.class, e -> {
                    assertThat(e.errno()).isEqualTo(Errno.ENOENT);
                    assertThat(e.getMessage()).contains("vegas").contains("reno");
                });
        assertThat(api.getsockoptString(fd, SOL_TCP, TCP_CONGESTION)).isEqualTo("reno");
    }
}
