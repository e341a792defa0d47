package net.tern.tcp.impl;

import static net.tern.api.socket.SocketConstants.SOL_TCP;
import static net.tern.api.socket.SocketConstants.TCP_QUICKACK;
import static net.tern.wire.TcpPacket.ACK;
import static net.tern.wire.TcpPacket.PSH;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import net.tern.api.socket.ErrnoException;
import net.tern.tcp.testing.LoopbackHost;
import net.tern.tcp.testing.Seg;
import org.junit.jupiter.api.Test;

/**
 * {@code TCP_QUICKACK} as Linux's {@code __tcp_sock_set_quickack} and {@code tcp_getsockopt}
 * (net/ipv4/tcp.c): 0 enters interactive (ping-pong) mode, where even the first segments wait
 * for the delayed-ACK timer; nonzero leaves it and sends a delayed ACK now when
 * {@code tcp_cleanup_rbuf} would; the mode is not sticky.
 */
class QuickAckOptionTest extends ScriptedPeerTestBase {
    private static final int PEER_ISN = 70_000;

    QuickAckOptionTest() {
        super(PEER_ISN);
    }

    private Conn open() throws ErrnoException {
        int fd = socket();
        Seg syn = connectToPeer(fd);
        peer.inject(synAckTo(syn).mss(1000).window(65535).build());
        assertThat(peer.emittedOne().flagString()).isEqualTo(".");
        return established(fd, syn);
    }

    private void dataFromPeer(Conn c, int seq, int bytes) {
        peer.inject(fromPeer(c).flags(ACK | PSH).seq(seq).ack(c.nxt(0)).payload(new byte[bytes]).build());
    }

    private int quickack(Conn c) throws ErrnoException {
        return (Integer) api.getsockopt(c.fd(), SOL_TCP, TCP_QUICKACK);
    }

    private void read(Conn c, int bytes) throws ErrnoException {
        assertThat(api.recv(c.fd(), ByteBuffer.allocate(bytes + 100), 0)).isEqualTo(bytes);
    }

    @Test
    void settingItSendsTheDelayedAckAtOnceWhenTheReceiveQueueIsEmpty() throws Exception {
        Conn c = open();
        assertThat(quickack(c)).isEqualTo(1);
        api.setsockopt(c.fd(), SOL_TCP, TCP_QUICKACK, 0);
        assertThat(quickack(c)).isZero();
        int seq = PEER_ISN + 1;
        dataFromPeer(c, seq, 10);
        assertThat(peer.emitted()).as("interactive mode delays even the first segments' ACKs").isEmpty();
        peer.advance(10, TimeUnit.MILLISECONDS);
        // Unread data and no more than a segment unacknowledged: tcp_cleanup_rbuf does not ACK.
        api.setsockopt(c.fd(), SOL_TCP, TCP_QUICKACK, 1);
        assertThat(peer.emitted()).isEmpty();
        api.setsockopt(c.fd(), SOL_TCP, TCP_QUICKACK, 0);
        read(c, 10);
        assertThat(peer.emitted()).as("reading in interactive mode does not ACK").isEmpty();
        peer.advance(10, TimeUnit.MILLISECONDS);
        api.setsockopt(c.fd(), SOL_TCP, TCP_QUICKACK, 1);
        assertThat(peer.emittedOne().ack()).isEqualTo(seq + 10);
        assertThat(quickack(c)).isEqualTo(1);
        peer.advance(200, TimeUnit.MILLISECONDS);
        assertThat(peer.emitted()).as("the delayed ACK went with it").isEmpty();
        assertThat(peer.host().counter(TcpExtMib.DelayedACKs)).isZero();
        // Back in quick-ack mode, the next segment is ACKed at once.
        dataFromPeer(c, seq + 10, 10);
        assertThat(peer.emittedOne().ack()).isEqualTo(seq + 20);
    }

    @Test
    void moreThanASegmentUnacknowledgedIsAckedAtOnceEvenUnread() throws Exception {
        Conn c = open();
        api.setsockopt(c.fd(), SOL_TCP, TCP_QUICKACK, 0);
        int seq = PEER_ISN + 1;
        dataFromPeer(c, seq, 1000);
        dataFromPeer(c, seq + 1000, 500);
        assertThat(peer.emitted()).isEmpty();
        api.setsockopt(c.fd(), SOL_TCP, TCP_QUICKACK, 1);
        assertThat(peer.emittedOne().ack()).isEqualTo(seq + 1500);
    }

    @Test
    void anEvenValueSendsThePendingAckAndStaysInteractive() throws Exception {
        Conn c = open();
        api.setsockopt(c.fd(), SOL_TCP, TCP_QUICKACK, 0);
        int seq = PEER_ISN + 1;
        dataFromPeer(c, seq, 10);
        read(c, 10);
        api.setsockopt(c.fd(), SOL_TCP, TCP_QUICKACK, 2);
        assertThat(peer.emittedOne().ack()).isEqualTo(seq + 10);
        assertThat(quickack(c)).isZero();
        // Without an ACK pending, an even value only leaves interactive mode.
        api.setsockopt(c.fd(), SOL_TCP, TCP_QUICKACK, 2);
        assertThat(quickack(c)).isEqualTo(1);
    }

    @Test
    void theDelayedAckTimerLeavesInteractiveModeSoTheValueIsNotSticky() throws Exception {
        Conn c = open();
        api.setsockopt(c.fd(), SOL_TCP, TCP_QUICKACK, 0);
        int seq = PEER_ISN + 1;
        dataFromPeer(c, seq, 10);
        peer.advance(39, TimeUnit.MILLISECONDS);
        assertThat(peer.emitted()).isEmpty();
        assertThat(quickack(c)).isZero();
        peer.advance(1, TimeUnit.MILLISECONDS);
        assertThat(peer.emittedOne().ack()).isEqualTo(seq + 10);
        assertThat(quickack(c)).as("tcp_delack_timer_handler left interactive mode").isEqualTo(1);
    }

    @Test
    void anAcceptedConnectionInheritsTheListenersInteractiveMode() throws Exception {
        try (LoopbackHost host = new LoopbackHost()) {
            int listener = host.listen(7, 4);
            host.api().setsockopt(listener, SOL_TCP, TCP_QUICKACK, 0);
            assertThat(host.api().getsockopt(listener, SOL_TCP, TCP_QUICKACK)).isEqualTo(0);
            int[] pair = host.connectPair(listener, 7);
            assertThat(host.api().getsockopt(pair[1], SOL_TCP, TCP_QUICKACK)).as("as on Linux 6.18").isEqualTo(0);
            assertThat(host.api().getsockopt(pair[0], SOL_TCP, TCP_QUICKACK)).isEqualTo(1);
            host.api().close(pair[0]);
            host.api().close(pair[1]);
            host.api().close(listener);
            host.runUntilIdle();
        }
    }
}
