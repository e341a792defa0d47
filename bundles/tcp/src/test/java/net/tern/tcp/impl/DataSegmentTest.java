package net.tern.tcp.impl;

import static net.tern.api.socket.SocketConstants.SOL_SOCKET;
import static net.tern.api.socket.SocketConstants.SOL_TCP;
import static net.tern.api.socket.SocketConstants.SO_RCVBUF;
import static net.tern.api.socket.SocketConstants.TCP_NODELAY;
import static net.tern.wire.TcpPacket.ACK;
import static net.tern.wire.TcpPacket.PSH;
import static net.tern.wire.TcpPacket.SYN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.tcp.testing.Seg;
import org.junit.jupiter.api.Test;

/** Data transfer at segment level: segmentation, Nagle, delayed ACK, reordering, windows and probes. */
class DataSegmentTest extends ScriptedPeerTestBase {
    private static final int PEER_ISN = 50_000;

    DataSegmentTest() {
        super(PEER_ISN);
    }

    private Conn open(int peerMss, boolean sack, int window, int rcvbuf) throws ErrnoException {
        int fd = socket();
        if (rcvbuf > 0) {
            api.setsockopt(fd, SOL_SOCKET, SO_RCVBUF, rcvbuf);
        }
        Seg syn = connectToPeer(fd);
        Seg.Builder synAck = synAckTo(syn).mss(peerMss).window(window);
        if (sack) {
            synAck.sackOk();
        }
        peer.inject(synAck.build());
        assertThat(peer.emittedOne().flagString()).isEqualTo(".");
        return established(fd, syn);
    }

    private void send(Conn c, int bytes) throws ErrnoException {
        assertThat(api.send(c.fd(), ByteBuffer.wrap(new byte[bytes]), 0)).isEqualTo(bytes);
    }

    @Test
    void dataIsCutToTheMssAndNagleHoldsASmallSegmentWhileAnotherIsUnacknowledged() throws Exception {
        Conn c = open(1000, false, 65535, 0);
        send(c, 3500);
        // Minshall's Nagle (tcp_minshall_check): no small segment is out, so the tail goes too.
        List<Seg> first = peer.emitted();
        assertThat(first).extracting(Seg::length).containsExactly(1000, 1000, 1000, 500);
        assertThat(first).extracting(Seg::seq).containsExactly(c.nxt(0), c.nxt(1000), c.nxt(2000), c.nxt(3000));
        assertThat(first.get(3).has(PSH)).isTrue();
        send(c, 200);
        assertThat(peer.emitted()).isEmpty(); // the 500-byte segment is unacknowledged
        peer.inject(fromPeer(c).flags(ACK).seq(PEER_ISN + 1).ack(c.nxt(3500)).build());
        Seg tail = peer.emittedOne();
        assertThat(tail.length()).isEqualTo(200);
        assertThat(tail.has(PSH)).isTrue();
    }

    @Test
    void noDelaySendsTheTailAtOnce() throws Exception {
        Conn c = open(1000, false, 65535, 0);
        api.setsockopt(c.fd(), SOL_TCP, TCP_NODELAY, 1);
        send(c, 3500);
        assertThat(peer.emitted()).extracting(Seg::length).containsExactly(1000, 1000, 1000, 500);
    }

    @Test
    void theInitialWindowIsTenSegments() throws Exception {
        Conn c = open(1000, false, 65535, 0);
        send(c, 20_000);
        assertThat(peer.emitted()).hasSize(10);
        peer.inject(fromPeer(c).flags(ACK).seq(PEER_ISN + 1).ack(c.nxt(2000)).build());
        // Slow start: two segments acknowledged grow the window by two, so four go out.
        assertThat(peer.emitted()).hasSize(4);
    }

    @Test
    void firstSegmentsAreAckedAtOnceThenAcksAreDelayedFortyMilliseconds() throws Exception {
        Conn c = open(1000, false, 65535, 0);
        int seq = PEER_ISN + 1;
        int quick = 0;
        while (true) {
            peer.inject(fromPeer(c).flags(ACK | PSH).seq(seq).ack(c.nxt(0)).payload(new byte[10]).build());
            seq += 10;
            List<Seg> acks = peer.emitted();
            if (acks.isEmpty()) {
                break;
            }
            assertThat(acks.get(0).ack()).isEqualTo(seq);
            quick++;
        }
        assertThat(quick).isEqualTo(16); // TCP_MAX_QUICKACKS
        peer.advance(39, TimeUnit.MILLISECONDS);
        assertThat(peer.emitted()).isEmpty();
        peer.advance(1, TimeUnit.MILLISECONDS);
        Seg delayed = peer.emittedOne();
        assertThat(delayed.ack()).isEqualTo(seq);
        assertThat(peer.host().counter(TcpExtMib.DelayedACKs)).isEqualTo(1);
        // Out of quick-ack mode, a second full-sized segment is ACKed at once.
        peer.inject(fromPeer(c).flags(ACK).seq(seq).ack(c.nxt(0)).payload(new byte[1000]).build());
        assertThat(peer.emitted()).isEmpty();
        peer.inject(fromPeer(c).flags(ACK).seq(seq + 1000).ack(c.nxt(0)).payload(new byte[1000]).build());
        assertThat(peer.emittedOne().ack()).isEqualTo(seq + 2000);
    }

    @Test
    void outOfOrderDataIsQueuedAndSackedThenDeliveredInOrder() throws Exception {
        Conn c = open(1000, true, 65535, 0);
        byte[] first = new byte[1000];
        byte[] second = new byte[1000];
        for (int i = 0; i < 1000; i++) {
            first[i] = (byte) i;
            second[i] = (byte) (i * 7);
        }
        peer.inject(fromPeer(c).flags(ACK).seq(PEER_ISN + 1001).ack(c.nxt(0)).payload(second).build());
        Seg dupAck = peer.emittedOne();
        assertThat(dupAck.ack()).isEqualTo(PEER_ISN + 1);
        assertThat(dupAck.options().sackBlockCount).isEqualTo(1);
        assertThat(dupAck.options().sackBlocks[0]).isEqualTo(PEER_ISN + 1001);
        assertThat(dupAck.options().sackBlocks[1]).isEqualTo(PEER_ISN + 2001);
        assertThatThrownBy(() -> api.recv(c.fd(), ByteBuffer.allocate(10), 0))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EAGAIN));
        peer.inject(fromPeer(c).flags(ACK).seq(PEER_ISN + 1).ack(c.nxt(0)).payload(first).build());
        Seg ack = peer.emittedOne();
        assertThat(ack.ack()).isEqualTo(PEER_ISN + 2001);
        assertThat(ack.options().sackBlockCount).isZero();
        ByteBuffer got = ByteBuffer.allocate(4000);
        assertThat(api.recv(c.fd(), got, 0)).isEqualTo(2000);
        byte[] bytes = new byte[2000];
        got.flip().get(bytes);
        assertThat(java.util.Arrays.copyOfRange(bytes, 0, 1000)).isEqualTo(first);
        assertThat(java.util.Arrays.copyOfRange(bytes, 1000, 2000)).isEqualTo(second);
    }

    @Test
    void duplicateDataIsAckedAtOnceAndNotDeliveredTwice() throws Exception {
        Conn c = open(1000, false, 65535, 0);
        Seg data = fromPeer(c).flags(ACK).seq(PEER_ISN + 1).ack(c.nxt(0)).payload(new byte[100]).build();
        peer.inject(data);
        peer.emitted();
        peer.inject(data);
        assertThat(peer.emittedOne().ack()).isEqualTo(PEER_ISN + 101);
        assertThat(api.recv(c.fd(), ByteBuffer.allocate(1000), 0)).isEqualTo(100);
    }

    @Test
    void zeroWindowIsProbedWithExponentialBackoff() throws Exception {
        Conn c = open(1000, false, 0, 0);
        send(c, 100);
        assertThat(peer.emitted()).isEmpty();
        long start = peer.time().nanoTime();
        List<Seg> probes = peer.advanceCollecting(4, TimeUnit.SECONDS);
        assertThat(probes).allSatisfy(p -> {
            assertThat(p.seq()).isEqualTo(c.nxt(-1));
            assertThat(p.length()).isZero();
        });
        // The RTO is srtt plus the 200 ms floor on the variance (the handshake's RTT is a microsecond),
        // on 1 ms timer ticks; each probe doubles the wait.
        assertThat(probes).hasSize(4);
        long previous = start;
        long expected = 200;
        for (Seg probe : probes) {
            assertThat((probe.atNanos() - previous) / 1_000_000L).isBetween(expected, expected + 2);
            previous = probe.atNanos();
            expected *= 2;
        }
        peer.inject(fromPeer(c).flags(ACK).seq(PEER_ISN + 1).ack(c.nxt(0)).window(1000).build());
        Seg data = peer.emittedOne();
        assertThat(data.length()).isEqualTo(100);
        assertThat(peer.host().counter(TcpExtMib.TCPWinProbe)).isEqualTo(4);
    }

    @Test
    void readingAFullBufferSendsAWindowUpdate() throws Exception {
        Conn c = open(1000, false, 65535, 4096);
        // SO_RCVBUF 4096, doubled to 8192, of which the window offers half (tcp_adv_win_scale 1):
        // the SYN offered 2920 bytes, two of our 1460-byte MSSes.
        peer.inject(fromPeer(c).flags(ACK).seq(PEER_ISN + 1).ack(c.nxt(0)).payload(new byte[1000]).build());
        peer.inject(fromPeer(c).flags(ACK).seq(PEER_ISN + 1001).ack(c.nxt(0)).payload(new byte[1000]).build());
        peer.inject(fromPeer(c).flags(ACK).seq(PEER_ISN + 2001).ack(c.nxt(0)).payload(new byte[920]).build());
        peer.emitted();
        peer.advance(40, TimeUnit.MILLISECONDS);
        Seg full = peer.emittedOne();
        assertThat(full.ack()).isEqualTo(PEER_ISN + 2921);
        // Less than an MSS free: receiver-side SWS avoidance offers no new space, and the right
        // edge advertised before (52001 + 1920) does not move back.
        assertThat(full.ack() + full.window()).isEqualTo(PEER_ISN + 3921);
        assertThat(api.recv(c.fd(), ByteBuffer.allocate(8192), 0)).isEqualTo(2920);
        Seg update = peer.emittedOne();
        assertThat(update.ack()).isEqualTo(PEER_ISN + 2921);
        assertThat(update.window()).isGreaterThanOrEqualTo(1460);
    }

    @Test
    void dataBeyondTheWindowIsCut() throws Exception {
        Conn c = open(1000, false, 65535, 4096);
        peer.inject(fromPeer(c).flags(ACK).seq(PEER_ISN + 1).ack(c.nxt(0)).payload(new byte[5000]).build());
        Seg ack = peer.emittedOne();
        assertThat(ack.ack()).isEqualTo(PEER_ISN + 2921);
        assertThat(api.recv(c.fd(), ByteBuffer.allocate(8192), 0)).isEqualTo(2920);
    }
}
