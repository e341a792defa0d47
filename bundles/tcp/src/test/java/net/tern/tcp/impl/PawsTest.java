package net.tern.tcp.impl;

import static net.tern.api.socket.SocketConstants.AF_INET;
import static net.tern.api.socket.SocketConstants.SOCK_NONBLOCK;
import static net.tern.api.socket.SocketConstants.SOCK_STREAM;
import static net.tern.wire.TcpPacket.ACK;
import static net.tern.wire.TcpPacket.FIN;
import static net.tern.wire.TcpPacket.PSH;
import static net.tern.wire.TcpPacket.RST;
import static net.tern.wire.TcpPacket.SYN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.InetSockAddr;
import net.tern.inet.sock.SkState;
import net.tern.tcp.testing.Seg;
import net.tern.tcp.testing.SegmentPeer;
import org.junit.jupiter.api.Test;

/**
 * PAWS (RFC 7323 5) as Linux 6.18 applies it, with the counters it keeps: on a connection
 * ({@code tcp_validate_incoming}: {@code tcp_paws_check} with {@code TCP_PAWS_WINDOW} 1, the
 * late duplicate ACK of {@code tcp_disordered_ack_check}, {@code PAWSEstab} and a duplicate ACK,
 * {@code PAWSOldAck} and silence for an old pure ACK, RST judged by sequence alone, a SYN
 * challenged, TS.Recent not trusted after 24 days) and on a TIME-WAIT entry
 * ({@code tcp_timewait_state_process}: {@code tcp_paws_reject}, {@code PAWSTimewait}, the timer
 * restarted, a RST let through once TS.Recent is older than {@code TCP_PAWS_MSL}). The segments
 * these tests exchange are the ones of the scripts in {@code packetdrill/paws}, each run against
 * a Linux 6.18 kernel too, whose counters after them were: established-old-tsval.pkt
 * {@code PAWSEstab} 1, {@code PAWSOldAck} 1, {@code TCPSYNChallenge} 1; time-wait-old-tsval.pkt
 * {@code PAWSTimewait} 3; time-wait-rst-after-msl.pkt {@code PAWSTimewait} 1.
 */
class PawsTest extends ScriptedPeerTestBase {
    private static final int PEER_ISN = 70_000;
    /** The peer's TSval in its SYN-ACK and first ACK: TS.Recent once the connection is up. */
    private static final int PEER_TS = 1000;

    private int peerTsEcr;

    PawsTest() {
        super(PEER_ISN);
    }

    /** An established connection with timestamps, TS.Recent {@link #PEER_TS}, window scale 7 from the peer. */
    private Conn open() throws ErrnoException {
        int fd = socket();
        Seg syn = connectToPeer(fd);
        peerTsEcr = syn.options().tsVal;
        peer.inject(synAckTo(syn).window(65535).mss(1460).sackOk().timestamp(PEER_TS, peerTsEcr).wscale(7).build());
        assertThat(peer.emittedOne().flagString()).isEqualTo(".");
        return established(fd, syn);
    }

    /** A segment from the peer at {@code seq} (relative to its ISN + 1) with TSval {@code tsVal}. */
    private Seg.Builder segment(Conn c, int flags, int seq, int tsVal) {
        return fromPeer(c).flags(flags).seq(PEER_ISN + 1 + seq).ack(c.nxt(0)).window(514).timestamp(tsVal, peerTsEcr);
    }

    private Seg data(Conn c, int seq, int length, int tsVal) {
        return segment(c, PSH | ACK, seq, tsVal).payload(new byte[length]).build();
    }

    private int readable(Conn c) throws ErrnoException {
        try {
            return api.recv(c.fd(), ByteBuffer.allocate(10_000), 0);
        } catch (ErrnoException e) {
            assertThat(e.errno()).isEqualTo(Errno.EAGAIN);
            return 0;
        }
    }

    @Test
    void dataWithAnOlderTimestampIsDroppedCountedAndAnsweredWithADuplicateAck() throws Exception {
        Conn c = open();
        peer.inject(data(c, 0, 100, 1100));
        assertThat(peer.emittedOne().ack()).isEqualTo(PEER_ISN + 101);

        peer.inject(data(c, 100, 100, 1000));
        Seg dupAck = peer.emittedOne();
        assertThat(dupAck.flagString()).isEqualTo(".");
        assertThat(dupAck.ack()).isEqualTo(PEER_ISN + 101);
        assertThat(dupAck.options().tsEcr).as("TS.Recent stays the newest TSval").isEqualTo(1100);
        assertThat(peer.host().counter(TcpExtMib.PAWSEstab)).isEqualTo(1);
        assertThat(readable(c)).as("only the first segment's data were taken").isEqualTo(100);
    }

    /** {@code TCP_PAWS_WINDOW}: one tick behind TS.Recent passes, and does not become TS.Recent. */
    @Test
    void aTimestampOneTickBehindPassesWithoutTakingTsRecentBack() throws Exception {
        Conn c = open();
        peer.inject(data(c, 0, 100, 1100));
        peer.emitted();
        peer.inject(data(c, 100, 100, 1099));
        Seg ack = peer.emittedOne();
        assertThat(ack.ack()).isEqualTo(PEER_ISN + 201);
        assertThat(ack.options().tsEcr).isEqualTo(1100);
        assertThat(peer.host().counter(TcpExtMib.PAWSEstab)).isZero();
        assertThat(readable(c)).isEqualTo(200);
    }

    /** Linux 6.15+: a pure ACK below {@code rcv_nxt} failing PAWS is common and answered by nothing. */
    @Test
    void anOldPureAckBelowRcvNxtIsDroppedSilentlyAsPawsOldAck() throws Exception {
        Conn c = open();
        peer.inject(data(c, 0, 200, 1100));
        peer.emitted();
        peer.inject(segment(c, ACK, 100, 900).build());
        assertThat(peer.emitted()).isEmpty();
        assertThat(peer.host().counter(TcpExtMib.PAWSOldAck)).isEqualTo(1);
        assertThat(peer.host().counter(TcpExtMib.PAWSEstab)).isZero();
    }

    /**
     * A duplicate ACK at {@code rcv_nxt} that changes no window is let through when it is
     * behind TS.Recent by less than the replay window (1.2 times the RTO in ticks: 1 s gives
     * 1,200); further behind, it fails PAWS and is answered.
     */
    @Test
    void aDuplicateAckThatCameLateIsTakenWithinTheReplayWindowOnly() throws Exception {
        Conn c = open();
        peer.inject(segment(c, ACK, 0, 1100).build()); // the window from here on: 514 << 7
        assertThat(peer.emitted()).isEmpty();
        int replayTicks = (int) (sock().rtt().rtoUs() * 12 / 10_000);
        assertThat(replayTicks).isGreaterThan(1);
        peer.inject(segment(c, ACK, 0, 1100 - replayTicks).build());
        assertThat(peer.emitted()).isEmpty();
        assertThat(peer.host().counter(TcpExtMib.PAWSEstab)).isZero();

        peer.inject(segment(c, ACK, 0, 1100 - replayTicks - 1).build());
        assertThat(peer.emittedOne().ack()).isEqualTo(PEER_ISN + 1);
        assertThat(peer.host().counter(TcpExtMib.PAWSEstab)).isEqualTo(1);
    }

    @Test
    void aResetWithAnOlderTimestampIsJudgedBySequenceAlone() throws Exception {
        Conn c = open();
        peer.inject(data(c, 0, 100, 1100));
        peer.emitted();
        readable(c);
        peer.inject(segment(c, RST | ACK, 100, 900).build());
        assertThatThrownBy(() -> api.recv(c.fd(), ByteBuffer.allocate(10), 0))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ECONNRESET));
        assertThat(peer.host().counter(TcpMib.EstabResets)).isEqualTo(1);
        assertThat(peer.host().counter(TcpExtMib.PAWSEstab)).isZero();
    }

    @Test
    void aSynWithAnOlderTimestampDrawsAChallengeAck() throws Exception {
        Conn c = open();
        peer.inject(data(c, 0, 100, 1100));
        peer.emitted();
        peer.inject(fromPeer(c).flags(SYN).seq(5000).mss(1460).sackOk().timestamp(900, 0).wscale(7).build());
        Seg challenge = peer.emittedOne();
        assertThat(challenge.flagString()).isEqualTo(".");
        assertThat(challenge.ack()).isEqualTo(PEER_ISN + 101);
        assertThat(peer.host().counter(TcpExtMib.TCPSYNChallenge)).isEqualTo(1);
        assertThat(peer.host().counter(TcpExtMib.PAWSEstab)).isZero();
        assertThat(sock().state()).isEqualTo(SkState.ESTABLISHED);
    }

    /** RFC 7323 5.5: after 24 days without a segment, TS.Recent is no longer trusted. */
    @Test
    void afterTwentyFourDaysIdleAnOlderTimestampIsTakenAgain() throws Exception {
        Conn c = open();
        peer.inject(data(c, 0, 100, 1100));
        peer.emitted();
        peer.advance(TimeUnit.DAYS.toSeconds(24) - 1, TimeUnit.SECONDS);
        peer.inject(data(c, 100, 100, 500));
        assertThat(peer.emittedOne().ack()).isEqualTo(PEER_ISN + 101);
        assertThat(peer.host().counter(TcpExtMib.PAWSEstab)).isEqualTo(1);

        peer.advance(1, TimeUnit.SECONDS);
        peer.inject(data(c, 100, 100, 500));
        Seg ack = peer.emittedOne();
        assertThat(ack.ack()).isEqualTo(PEER_ISN + 201);
        assertThat(ack.options().tsEcr).as("the older TSval is TS.Recent now").isEqualTo(500);
        assertThat(peer.host().counter(TcpExtMib.PAWSEstab)).isEqualTo(1);
        assertThat(readable(c)).isEqualTo(200);
    }

    // ---- TIME-WAIT

    /** Closes {@code c} from this side; the peer's FIN carries TSval 1100. Returns the entry's key. */
    private ConnKey timeWait(Conn c) throws ErrnoException {
        api.close(c.fd());
        assertThat(peer.emittedOne().flagString()).isEqualTo("F.");
        peer.inject(fromPeer(c).flags(FIN | ACK).seq(PEER_ISN + 1).ack(c.nxt(1)).window(514)
                .timestamp(1100, peerTsEcr).build());
        assertThat(peer.emittedOne().ack()).isEqualTo(PEER_ISN + 2);
        ConnKey key = new ConnKey(InetSockAddr.parseAddress(SegmentPeer.LOCAL), c.port(),
                InetSockAddr.parseAddress(SegmentPeer.REMOTE), 80);
        assertThat(timeWaitEntry(key)).isTrue();
        return key;
    }

    private boolean timeWaitEntry(ConnKey key) {
        return peer.host().tcp().tables().lookupEstablished(key) instanceof TimeWaitSock;
    }

    private Seg afterFin(Conn c, int flags, int tsVal) {
        return fromPeer(c).flags(flags).seq(PEER_ISN + 2).ack(c.nxt(1)).window(514).timestamp(tsVal, peerTsEcr).build();
    }

    @Test
    void timeWaitDropsAnOlderTimestampCountingPawsTimewaitAndStartsAgain() throws Exception {
        Conn c = open();
        ConnKey key = timeWait(c);
        peer.advance(30, TimeUnit.SECONDS);
        peer.inject(afterFin(c, ACK, 1000));
        Seg ack = peer.emittedOne();
        assertThat(ack.ack()).isEqualTo(PEER_ISN + 2);
        assertThat(ack.options().tsEcr).isEqualTo(1100);
        assertThat(peer.host().counter(TcpExtMib.PAWSTimewait)).isEqualTo(1);
        assertThat(peer.host().counter(TcpExtMib.PAWSEstab)).isZero();

        peer.advance(59, TimeUnit.SECONDS);
        assertThat(timeWaitEntry(key)).as("60 s again from the rejected segment").isTrue();
        peer.advance(2, TimeUnit.SECONDS);
        assertThat(timeWaitEntry(key)).isFalse();
    }

    @Test
    void aSynWithAnOlderTimestampIsRejectedInTimeWaitAndANewerOneReopens() throws Exception {
        Conn c = open();
        ConnKey key = timeWait(c);
        peer.inject(fromPeer(c).flags(SYN).seq(PEER_ISN).mss(1460).sackOk().timestamp(1050, 0).wscale(7).build());
        assertThat(peer.emittedOne().flagString()).isEqualTo(".");
        assertThat(peer.host().counter(TcpExtMib.PAWSTimewait)).isEqualTo(1);
        assertThat(timeWaitEntry(key)).isTrue();

        peer.advance(1, TimeUnit.SECONDS);
        peer.inject(fromPeer(c).flags(SYN).seq(PEER_ISN).mss(1460).sackOk().timestamp(1200, 0).wscale(7).build());
        assertThat(timeWaitEntry(key)).isFalse();
        assertThat(peer.host().counter(TcpExtMib.PAWSTimewait)).isEqualTo(1);
    }

    /** A bare ACK at {@code rcv_nxt} restarts TIME-WAIT and its TSval becomes TS.Recent. */
    @Test
    void aBareAckInTheWindowRestartsTimeWaitAndSetsTsRecent() throws Exception {
        Conn c = open();
        ConnKey key = timeWait(c);
        peer.advance(30, TimeUnit.SECONDS);
        peer.inject(afterFin(c, ACK, 1300));
        assertThat(peer.emitted()).isEmpty();
        peer.advance(59, TimeUnit.SECONDS);
        assertThat(timeWaitEntry(key)).as("60 s again from the ACK").isTrue();

        peer.inject(afterFin(c, ACK, 1200)); // newer than the FIN's, older than the ACK's
        assertThat(peer.emittedOne().options().tsEcr).isEqualTo(1300);
        assertThat(peer.host().counter(TcpExtMib.PAWSTimewait)).isEqualTo(1);
    }

    /**
     * {@code tcp_paws_reject}: a RST failing PAWS is dropped while TS.Recent is younger than
     * 60 s, counted and not answered; once it is older, the RST ends the entry.
     */
    @Test
    void aResetWithAnOlderTimestampEndsTimeWaitOnlyOnceTsRecentIsSixtySecondsOld() throws Exception {
        Conn c = open();
        ConnKey key = timeWait(c);
        peer.advance(1, TimeUnit.SECONDS);
        peer.inject(afterFin(c, RST | ACK, 1000));
        assertThat(peer.emitted()).isEmpty();
        assertThat(timeWaitEntry(key)).isTrue();
        assertThat(peer.host().counter(TcpExtMib.PAWSTimewait)).isEqualTo(1);

        peer.advance(49, TimeUnit.SECONDS);
        peer.inject(afterFin(c, ACK, 1000)); // rejected too: TIME-WAIT starts again, TS.Recent stays
        assertThat(peer.emittedOne().ack()).isEqualTo(PEER_ISN + 2);
        peer.advance(15, TimeUnit.SECONDS);
        peer.inject(afterFin(c, RST | ACK, 1000));
        assertThat(timeWaitEntry(key)).isFalse();
        assertThat(peer.host().counter(TcpExtMib.PAWSTimewait)).isEqualTo(2);
    }

    /**
     * An orphaned connection in FIN-WAIT-2 (Linux keeps it as a TIME-WAIT entry in that
     * substate) answers a segment failing PAWS with an ACK and counts no PAWS counter, only the
     * ACKs it holds back ({@code TCPACKSkippedFinWait2}).
     */
    @Test
    void anOrphanInFinWait2AnswersAnOlderTimestampWithoutCountingPaws() throws Exception {
        Conn c = open();
        api.close(c.fd());
        assertThat(peer.emittedOne().flagString()).isEqualTo("F.");
        peer.inject(fromPeer(c).flags(ACK).seq(PEER_ISN + 1).ack(c.nxt(1)).window(514).timestamp(1100, peerTsEcr)
                .build());
        assertThat(sock().state()).isEqualTo(SkState.FIN_WAIT2);
        peer.inject(fromPeer(c).flags(ACK).seq(PEER_ISN + 1).ack(c.nxt(1)).window(514)
                .timestamp(1100 - 100_000, peerTsEcr).build());
        Seg ack = peer.emittedOne();
        assertThat(ack.ack()).isEqualTo(PEER_ISN + 1);
        assertThat(ack.options().tsEcr).isEqualTo(1100);
        peer.inject(fromPeer(c).flags(ACK).seq(PEER_ISN + 1).ack(c.nxt(1)).window(514)
                .timestamp(1100 - 100_000, peerTsEcr).build());
        assertThat(peer.emitted()).isEmpty();
        assertThat(peer.host().counter(TcpExtMib.TCPACKSkippedFinWait2)).isEqualTo(1);
        assertThat(peer.host().counter(TcpExtMib.PAWSEstab)).isZero();
        assertThat(peer.host().counter(TcpExtMib.PAWSOldAck)).isZero();
    }

    // ---- requests (SYN-RECEIVED)

    /**
     * {@code tcp_check_req}: the handshake's ACK with a TSval behind the SYN's is dropped,
     * counted ({@code PAWSEstab}) and answered with an ACK, not a SYN-ACK; the request stays
     * and a later ACK completes it.
     */
    @Test
    void aRequestDropsAnAckWithAnOlderTimestampAndStays() throws Exception {
        int listener = api.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        api.bind(listener, new InetSockAddr(0, 8080));
        api.listen(listener, 4);
        Seg.Builder in = SegmentPeer.from(45_000).to(SegmentPeer.LOCAL, 8080);
        peer.inject(in.flags(SYN).seq(PEER_ISN).window(65535).mss(1460).sackOk().timestamp(PEER_TS, 0).wscale(7).build());
        Seg synAck = peer.emittedOne();
        peer.inject(in.flags(ACK).seq(PEER_ISN + 1).ack(synAck.seq() + 1).window(514)
                .timestamp(PEER_TS - 100, synAck.options().tsVal).build());
        Seg answer = peer.emittedOne();
        assertThat(answer.flagString()).isEqualTo(".");
        assertThat(answer.seq()).isEqualTo(synAck.seq() + 1);
        assertThat(answer.options().tsEcr).isEqualTo(PEER_TS);
        assertThat(peer.host().counter(TcpExtMib.PAWSEstab)).isEqualTo(1);
        assertThat(peer.host().tcp().tables().establishedEntries()).hasOnlyElementsOfType(RequestSock.class);

        peer.inject(in.flags(ACK).seq(PEER_ISN + 1).ack(synAck.seq() + 1).window(514)
                .timestamp(PEER_TS + 1, synAck.options().tsVal).build());
        assertThat(api.accept(listener, 0).fd()).isPositive();
        assertThat(peer.host().counter(TcpExtMib.PAWSEstab)).isEqualTo(1);
    }
}
