package net.tern.tcp.impl;

import static net.tern.api.socket.SocketConstants.EPOLLET;
import static net.tern.api.socket.SocketConstants.EPOLLOUT;
import static net.tern.api.socket.SocketConstants.EPOLL_CTL_ADD;
import static net.tern.api.socket.SocketConstants.MSG_MORE;
import static net.tern.api.socket.SocketConstants.SOL_TCP;
import static net.tern.api.socket.SocketConstants.TCP_CORK;
import static net.tern.api.socket.SocketConstants.TCP_NODELAY;
import static net.tern.api.socket.SocketConstants.TCP_NOTSENT_LOWAT;
import static net.tern.wire.TcpPacket.ACK;
import static net.tern.wire.TcpPacket.PSH;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.tern.api.socket.EpollEvent;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.tcp.testing.Seg;
import org.junit.jupiter.api.Test;

/**
 * The sending side as Linux's {@code tcp_sendmsg} and {@code tcp_write_xmit} run it: where PSH
 * goes ({@code tcp_mark_push}, {@code forced_push}), Minshall's Nagle, TCP_CORK and MSG_MORE
 * with the probe timer that sends what they held, and TCP_NOTSENT_LOWAT with its EPOLLOUT and
 * wake-ups. The packetdrill scripts {@code data/psh-*}, {@code data/nagle-minshall},
 * {@code data/cork*}, {@code data/msg-more} and {@code data/notsent-lowat*} show the same on
 * Linux 6.18.
 */
class SendingSideTest extends ScriptedPeerTestBase {
    private static final int PEER_ISN = 70_000;

    SendingSideTest() {
        super(PEER_ISN);
    }

    private Conn open(int window) throws ErrnoException {
        int fd = socket();
        Seg syn = connectToPeer(fd);
        peer.inject(synAckTo(syn).mss(1000).window(window).build());
        assertThat(peer.emittedOne().flagString()).isEqualTo(".");
        return established(fd, syn);
    }

    private int send(Conn c, int bytes, int flags) throws ErrnoException {
        return api.send(c.fd(), ByteBuffer.wrap(new byte[bytes]), flags);
    }

    private void ack(Conn c, int sent, int window) {
        peer.inject(fromPeer(c).flags(ACK).seq(PEER_ISN + 1).ack(c.nxt(sent)).window(window).build());
    }

    private static List<Boolean> pushes(List<Seg> segments) {
        return segments.stream().map(s -> s.has(PSH)).toList();
    }

    /**
     * {@code tcp_may_update_window}: an ACK that moves SND.UNA sets the send window though its
     * segment is older than the last window update (SND.WL1): here the peer's own data sent
     * again, acknowledging 5000 bytes and closing its window. Taking only the acknowledgment
     * would leave the old window open past the peer's edge and send into it.
     */
    @Test
    void anAckThatMovesSndUnaSetsTheWindowThoughItsSegmentIsOlder() throws Exception {
        Conn c = open(65535);
        assertThat(send(c, 30_000, 0)).isEqualTo(30_000);
        assertThat(peer.emitted()).extracting(Seg::length).containsOnly(1000);
        // The peer's second 1000 bytes arrive first (SND.WL1 moves to them), then its first,
        // sent again, with the ACK of 5000 bytes and a closed window.
        peer.inject(fromPeer(c).flags(ACK).seq(PEER_ISN + 1001).ack(c.nxt(0)).window(65535)
                .payload(new byte[1000]).build());
        peer.discardEmitted();
        peer.inject(fromPeer(c).flags(ACK).seq(PEER_ISN + 1).ack(c.nxt(5000)).window(0).payload(new byte[1000]).build());
        assertThat(api.getsockopt(c.fd(), SOL_TCP, net.tern.api.socket.SocketConstants.TCP_INFO,
                net.tern.api.socket.TcpInfo.class).sndWnd()).isZero();
        List<Seg> answer = peer.emitted();
        assertThat(answer).as("no data past the closed window").isNotEmpty().allSatisfy(s -> assertThat(s.length()).isZero());
        assertThat(answer.get(answer.size() - 1).ack()).isEqualTo(PEER_ISN + 2001);
    }

    @Test
    void aLongWriteCarriesPshEveryHalfWindowAndAtItsEnd() throws Exception {
        Conn c = open(2000);
        assertThat(send(c, 5000, 0)).isEqualTo(5000);
        // skbs of 1000 (half the window): PSH where more than 1000 were queued since the last PSH.
        List<Seg> first = peer.emitted();
        assertThat(first).extracting(Seg::length).containsExactly(1000, 1000);
        assertThat(pushes(first)).containsExactly(false, true);
        ack(c, 2000, 2000);
        assertThat(pushes(peer.emitted())).containsExactly(false, true);
        ack(c, 4000, 2000);
        Seg last = peer.emittedOne();
        assertThat(last.seq()).isEqualTo(c.nxt(4000));
        assertThat(last.has(PSH)).isTrue();
    }

    @Test
    void eachWriteEndsWithPshThoughMoreIsQueuedBehindIt() throws Exception {
        Conn c = open(65535);
        api.setsockopt(c.fd(), SOL_TCP, TCP_CORK, 1);
        send(c, 700, 0);
        send(c, 1300, 0); // 2000 queued: two full segments go, the second ends the second write
        List<Seg> segments = peer.emitted();
        assertThat(segments).extracting(Seg::length).containsExactly(1000, 1000);
        assertThat(pushes(segments)).containsExactly(false, true);
    }

    @Test
    void minshallsNagleHoldsASmallSegmentOnlyWhileAnotherIsUnacknowledged() throws Exception {
        Conn c = open(65535);
        send(c, 1000, 0);
        assertThat(peer.emittedOne().length()).isEqualTo(1000);
        // A full segment in flight does not hold a small one (RFC 896 would).
        send(c, 100, 0);
        Seg small = peer.emittedOne();
        assertThat(small.length()).isEqualTo(100);
        assertThat(sock().snd().sndSml()).isEqualTo(c.nxt(1100));
        send(c, 100, 0);
        send(c, 100, 0);
        assertThat(peer.emitted()).isEmpty();
        ack(c, 1000, 65535); // the full segment's ACK: the small one is still out
        assertThat(peer.emitted()).isEmpty();
        ack(c, 1100, 65535);
        assertThat(peer.emitted()).extracting(Seg::length).containsExactly(200);
    }

    @Test
    void corkHoldsPartialSegmentsUntilClearedOrTheProbeTimer() throws Exception {
        Conn c = open(65535);
        api.setsockopt(c.fd(), SOL_TCP, TCP_CORK, 1);
        assertThat(api.getsockopt(c.fd(), SOL_TCP, TCP_CORK, Integer.class)).isEqualTo(1);
        send(c, 500, 0);
        assertThat(peer.emitted()).isEmpty(); // held with nothing in flight
        // No cork timer: the probe timer, one RTO (200 ms: the handshake RTT is a microsecond).
        long start = peer.time().nanoTime();
        List<Seg> out = peer.advanceCollecting(300, TimeUnit.MILLISECONDS);
        assertThat(out).hasSize(1);
        assertThat(out.get(0).length()).isEqualTo(500);
        assertThat(out.get(0).has(PSH)).isTrue();
        assertThat((out.get(0).atNanos() - start) / 1_000_000L).isBetween(200L, 202L);
        assertThat(peer.host().counter(TcpExtMib.TCPWinProbe)).isZero();
        ack(c, 500, 65535);
        send(c, 300, 0);
        assertThat(peer.emitted()).isEmpty();
        api.setsockopt(c.fd(), SOL_TCP, TCP_CORK, 0);
        assertThat(peer.emittedOne().length()).isEqualTo(300);
        assertThat(api.getsockopt(c.fd(), SOL_TCP, TCP_CORK, Integer.class)).isZero();
    }

    @Test
    void corkWinsOverNodelayUntilNodelayIsSetAgain() throws Exception {
        Conn c = open(65535);
        api.setsockopt(c.fd(), SOL_TCP, TCP_NODELAY, 1);
        api.setsockopt(c.fd(), SOL_TCP, TCP_CORK, 1);
        send(c, 100, 0);
        assertThat(peer.emitted()).isEmpty();
        api.setsockopt(c.fd(), SOL_TCP, TCP_NODELAY, 1); // pushes once (TCP_NAGLE_PUSH)
        assertThat(peer.emittedOne().length()).isEqualTo(100);
        send(c, 100, 0); // a new skb: the push is used up, the cork holds again
        assertThat(peer.emitted()).isEmpty();
        assertThat(api.getsockopt(c.fd(), SOL_TCP, TCP_NODELAY, Integer.class)).isEqualTo(1);
    }

    @Test
    void msgMoreCorksOneSendAndLeavesPshOff() throws Exception {
        Conn c = open(65535);
        api.setsockopt(c.fd(), SOL_TCP, TCP_NODELAY, 1);
        send(c, 600, MSG_MORE);
        assertThat(peer.emitted()).isEmpty();
        send(c, 600, MSG_MORE);
        Seg full = peer.emittedOne();
        assertThat(full.length()).isEqualTo(1000);
        assertThat(full.has(PSH)).isFalse();
        send(c, 100, 0);
        Seg rest = peer.emittedOne();
        assertThat(rest.length()).isEqualTo(300);
        assertThat(rest.has(PSH)).isTrue();
    }

    @Test
    void notsentLowatBoundsNewSkbsAndEpolloutComesBelowHalfOfIt() throws Exception {
        Conn c = open(4000);
        api.setsockopt(c.fd(), SOL_TCP, TCP_NOTSENT_LOWAT, 3000);
        assertThat(api.getsockopt(c.fd(), SOL_TCP, TCP_NOTSENT_LOWAT, Integer.class)).isEqualTo(3000);
        int ep = api.epollCreate();
        api.epollCtl(ep, EPOLL_CTL_ADD, c.fd(), EPOLLOUT | EPOLLET, c.fd());
        EpollEvent[] events = new EpollEvent[1];
        assertThat(api.epollWait(ep, events, 0)).isEqualTo(1);
        assertThat(api.epollWait(ep, events, 0)).isZero();

        send(c, 1000, 0);
        peer.emitted();
        ack(c, 1000, 4000);
        assertThat(api.epollWait(ep, events, 0)).as("no writer found the socket full: no wake-up").isZero();

        assertThat(send(c, 4000, 0)).isEqualTo(4000);
        assertThat(send(c, 2000, 0)).isEqualTo(2000); // a new skb with nothing unsent
        assertThat(send(c, 2000, 0)).isEqualTo(2000); // a new skb with 2000 unsent, under 3000
        assertThat(api.poll(c.fd(), EPOLLOUT, 0)).as("4000 unsent: not writable").isZero();
        assertThatThrownBy(() -> send(c, 2000, 0))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EAGAIN));
        peer.emitted();
        ack(c, 3000, 4000); // 2000 go, 2000 stay unsent: under the mark, but not under half of it
        assertThat(peer.emitted()).extracting(Seg::length).containsExactly(1000, 1000);
        assertThat(api.epollWait(ep, events, 0)).isZero();
        assertThat(api.poll(c.fd(), EPOLLOUT, 0)).isZero();
        ack(c, 5000, 4000);
        assertThat(peer.emitted()).extracting(Seg::length).containsExactly(1000, 1000);
        assertThat(api.epollWait(ep, events, 0)).isEqualTo(1);
        assertThat(events[0].events() & EPOLLOUT).isEqualTo(EPOLLOUT);
        assertThat(api.epollWait(ep, events, 0)).isZero();
    }

    @Test
    void theSysctlAppliesWhereTheSocketHasNoMark() throws Exception {
        peer.host().tcp().reconfigure(TcpSettings.defaults().withMemory(
                new TcpSettings.Memory(TcpSettings.Memory.defaultTcpMem(), 4096, 4096, 1, 1000)));
        Conn c = open(1000);
        assertThat(api.getsockopt(c.fd(), SOL_TCP, TCP_NOTSENT_LOWAT, Integer.class)).isZero();
        send(c, 1000, 0); // sent: the window is full
        peer.emitted();
        assertThat(send(c, 1000, 0)).isEqualTo(1000); // nothing unsent when it started, 1000 after
        assertThatThrownBy(() -> send(c, 1000, 0))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EAGAIN));
        api.setsockopt(c.fd(), SOL_TCP, TCP_NOTSENT_LOWAT, 100_000); // the socket's mark replaces the stack's
        assertThat(send(c, 1000, 0)).isEqualTo(1000);
    }
}
