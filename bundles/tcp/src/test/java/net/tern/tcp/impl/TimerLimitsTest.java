package net.tern.tcp.impl;

import static net.tern.api.socket.SocketConstants.SOL_SOCKET;
import static net.tern.api.socket.SocketConstants.SO_KEEPALIVE;
import static net.tern.wire.TcpPacket.ACK;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.inet.sock.SkState;
import net.tern.tcp.testing.Seg;
import org.junit.jupiter.api.Test;

/**
 * When TCP's timers give up, with Linux's default limits (each checked against Linux 6.18 with
 * packetdrill in a namespace, tcpdump counting what it sent): zero-window probes after
 * {@code tcp_retries2} unanswered probes (never while the peer answers them); an orphan's
 * retransmissions and probes after {@code tcp_orphan_retries} (0, meaning 8); keepalive's
 * default schedule of 7200 s idle, probes every 75 s and 9 of them before ETIMEDOUT.
 */
class TimerLimitsTest extends ScriptedPeerTestBase {
    private static final int PEER_ISN = 170_000;

    TimerLimitsTest() {
        super(PEER_ISN);
    }

    /** An established connection with a 100 ms RTT (RTO 300 ms) to a peer offering {@code window}. */
    private Conn open(int window) throws ErrnoException {
        return openWithRtt(100, window);
    }

    private Seg ackFromPeer(Conn c, int acked, int window) {
        return fromPeer(c).flags(ACK).seq(PEER_ISN + 1).ack(c.nxt(acked)).window(window).build();
    }

    private Errno recvError(int fd) {
        try {
            api.recv(fd, ByteBuffer.allocate(10), 0);
        } catch (ErrnoException e) {
            return e.errno();
        }
        throw new AssertionError("recv succeeded");
    }

    /** Runs the stack from timer to timer for {@code seconds}, collecting what it sent, each at its time. */
    private List<Seg> run(long seconds) {
        List<Seg> sent = new ArrayList<>();
        long end = peer.time().nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (peer.time().nanoTime() < end) {
            long next = Math.min(Math.max(peer.time().nextTimerNanos(), peer.time().nanoTime() + 1), end);
            peer.advance(next - peer.time().nanoTime(), TimeUnit.NANOSECONDS);
            sent.addAll(peer.emitted());
        }
        return sent;
    }

    @Test
    void unansweredZeroWindowProbesEndTheConnectionAfterTcpRetries2() throws Exception {
        Conn c = open(0);
        api.send(c.fd(), ByteBuffer.wrap(new byte[1000]), 0);
        assertThat(peer.emitted()).isEmpty();
        List<Seg> probes = run(3000);
        // 15 probes (one below snd_una, no data), then the 16th expiry gives up (Linux with
        // tcp_retries2=5: 5 probes, then ETIMEDOUT at the next expiry, no RST).
        assertThat(probes).hasSize(15).allSatisfy(p -> {
            assertThat(p.seq()).isEqualTo(c.nxt(-1));
            assertThat(p.length()).isZero();
        });
        assertThat(peer.host().counter(TcpExtMib.TCPWinProbe)).isEqualTo(15);
        assertThat(recvError(c.fd())).isEqualTo(Errno.ETIMEDOUT);
        assertThat(peer.host().counter(TcpExtMib.TCPAbortOnTimeout)).isEqualTo(1);
    }

    @Test
    void zeroWindowProbesThatThePeerAnswersGoOnForEver() throws Exception {
        Conn c = open(0);
        api.send(c.fd(), ByteBuffer.wrap(new byte[1000]), 0);
        int probes = 0;
        long end = peer.time().nanoTime() + TimeUnit.SECONDS.toNanos(3000);
        while (peer.time().nanoTime() < end) {
            peer.advance(Math.max(peer.time().nextTimerNanos() - peer.time().nanoTime(), 1), TimeUnit.NANOSECONDS);
            for (Seg probe : peer.emitted()) {
                assertThat(probe.seq()).isEqualTo(c.nxt(-1));
                probes++;
                peer.inject(ackFromPeer(c, 0, 0)); // RFC 1122 4.2.2.17: the receiver answers, still closed
            }
        }
        assertThat(probes).isGreaterThan(15);
        assertThat(sock().state()).isEqualTo(SkState.ESTABLISHED);
        peer.inject(ackFromPeer(c, 0, 65535));
        assertThat(peer.emitted()).extracting(Seg::length).containsExactly(1000);
    }

    @Test
    void anOrphansFinIsSentEightTimesMoreThenTheConnectionIsGoneAndAnswersWithReset() throws Exception {
        Conn c = open(65535);
        api.close(c.fd());
        Seg fin = peer.emittedOne();
        assertThat(fin.flagString()).isEqualTo("F.");
        // tcp_orphan_retries 0 means 8 while the RTO is below its maximum: the give-up time is
        // that of 8 backoffs from 200 ms (102.2 s), reached at the 9th expiry (Linux: the same
        // 8 retransmissions, after one tail loss probe Tern does not send).
        List<Seg> again = run(400);
        assertThat(again).hasSize(8).allSatisfy(s -> {
            assertThat(s.flagString()).isEqualTo("F.");
            assertThat(s.seq()).isEqualTo(fin.seq());
        });
        assertThat(peer.host().tcp().sockets()).isEmpty();
        assertThat(peer.host().counter(TcpExtMib.TCPAbortOnTimeout)).isEqualTo(1);
        peer.inject(ackFromPeer(c, 0, 65535));
        assertThat(peer.emittedOne().flagString()).isEqualTo("R");
    }

    @Test
    void anOrphanProbingAZeroWindowGivesUpAfterEightProbes() throws Exception {
        Conn c = open(0);
        api.send(c.fd(), ByteBuffer.wrap(new byte[1000]), 0);
        api.close(c.fd());
        List<Seg> probes = run(3000);
        assertThat(probes).hasSize(8).allSatisfy(p -> assertThat(p.length()).isZero());
        assertThat(peer.host().tcp().sockets()).isEmpty();
    }

    @Test
    void keepaliveByDefaultProbesAfterTwoHoursIdleEvery75SecondsAndGivesUpAfterNine() throws Exception {
        Conn c = open(65535);
        api.setsockopt(c.fd(), SOL_SOCKET, SO_KEEPALIVE, 1);
        long idleFrom = peer.time().nanoTime();
        List<Seg> sent = run(7200 + 75 * 9 + 10);
        // Nine probes (one below snd_una), the first 7200 s after the last segment received,
        // then one every 75 s; at the tenth expiry a reset and ETIMEDOUT (tcp_keepalive_timer).
        assertThat(sent).hasSize(10);
        for (int i = 0; i < 9; i++) {
            Seg probe = sent.get(i);
            assertThat(probe.flagString()).isEqualTo(".");
            assertThat(probe.seq()).isEqualTo(c.nxt(-1));
            assertThat(probe.atNanos() - idleFrom).isEqualTo(TimeUnit.SECONDS.toNanos(7200 + 75L * i));
        }
        Seg reset = sent.get(9);
        assertThat(reset.flagString()).isEqualTo("R.");
        assertThat(reset.atNanos() - idleFrom).isEqualTo(TimeUnit.SECONDS.toNanos(7200 + 75L * 9));
        assertThat(recvError(c.fd())).isEqualTo(Errno.ETIMEDOUT);
        assertThat(peer.host().counter(TcpExtMib.TCPKeepAlive)).isEqualTo(9);
    }

    @Test
    void anAnsweredKeepaliveProbeStartsTheIdleTimeAgain() throws Exception {
        Conn c = open(65535);
        api.setsockopt(c.fd(), SOL_SOCKET, SO_KEEPALIVE, 1);
        peer.advance(7200, TimeUnit.SECONDS);
        assertThat(peer.emittedOne().seq()).isEqualTo(c.nxt(-1));
        peer.inject(ackFromPeer(c, 0, 65535));
        assertThat(run(7199)).isEmpty();
        assertThat(run(1)).hasSize(1);
        assertThat(sock().state()).isEqualTo(SkState.ESTABLISHED);
    }
}
