package net.tern.tcp.impl;

import static net.tern.api.socket.SocketConstants.AF_INET;
import static net.tern.api.socket.SocketConstants.SOCK_NONBLOCK;
import static net.tern.api.socket.SocketConstants.SOCK_STREAM;
import static net.tern.wire.TcpPacket.ACK;
import static net.tern.wire.TcpPacket.SYN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.TimeUnit;
import net.tern.api.socket.Accepted;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.InetSockAddr;
import net.tern.api.socket.SocketApi;
import net.tern.core.testing.PacketLeakCheck;
import net.tern.tcp.testing.Seg;
import net.tern.tcp.testing.SegmentPeer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The SYN queue, the accept queue and SYN cookies, as Linux bounds them. */
@ExtendWith(PacketLeakCheck.class)
class ListenBacklogTest {
    private SegmentPeer peer;
    private SocketApi api;

    @AfterEach
    void tearDown() {
        peer.close();
    }

    private int listener(TcpSettings settings, int backlog) throws ErrnoException {
        peer = new SegmentPeer(settings, 1500);
        api = peer.api();
        int fd = api.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        api.bind(fd, new InetSockAddr(0, 80));
        api.listen(fd, backlog);
        return fd;
    }

    private Seg syn(int port) {
        return SegmentPeer.from(port).to(SegmentPeer.LOCAL, 80).flags(SYN).seq(port * 1000).mss(1460)
                .timestamp(5, 0).wscale(7).sackOk().build();
    }

    private Seg ackFor(int port, Seg synAck) {
        return SegmentPeer.from(port).to(SegmentPeer.LOCAL, 80).flags(ACK).seq(port * 1000 + 1).ack(synAck.seq() + 1)
                .timestamp(6, synAck.options().tsVal).build();
    }

    /** A backlog of N holds N + 1 requests (inet_csk_reqsk_queue_is_full: more than the backlog). */
    @Test
    void fullSynQueueWithoutCookiesDropsTheSyn() throws Exception {
        listener(TcpSettings.defaults().withSyncookies(false), 2);
        for (int port = 1001; port <= 1003; port++) {
            peer.inject(syn(port));
        }
        assertThat(peer.emitted()).hasSize(3);
        peer.inject(syn(1004));
        assertThat(peer.emitted()).isEmpty();
        assertThat(peer.host().counter(TcpExtMib.TCPReqQFullDrop)).isEqualTo(1);
        assertThat(peer.host().counter(TcpExtMib.ListenDrops)).isEqualTo(1);
        assertThat(peer.host().counter(TcpExtMib.TCPReqQFullDoCookies)).isZero();
    }

    @Test
    void fullSynQueueAnswersWithACookieThatTheAckRedeems() throws Exception {
        int fd = listener(TcpSettings.defaults(), 1);
        peer.inject(syn(1001));
        peer.inject(syn(1002));
        assertThat(peer.emitted()).hasSize(2);
        assertThat(peer.host().counter(TcpExtMib.TCPReqQFullDoCookies)).isZero();
        peer.inject(syn(1003));
        Seg cookie = peer.emittedOne();
        assertThat(cookie.flagString()).isEqualTo("S.");
        assertThat(cookie.options().mss).isEqualTo(1460);
        assertThat(peer.host().counter(TcpExtMib.TCPReqQFullDoCookies)).isEqualTo(1);
        assertThat(peer.host().counter(TcpExtMib.SyncookiesSent)).isEqualTo(1);
        peer.inject(ackFor(1003, cookie));
        assertThat(peer.host().counter(TcpExtMib.SyncookiesRecv)).isEqualTo(1);
        assertThat(peer.host().counter(TcpExtMib.SyncookiesFailed)).isZero();
        Accepted accepted = api.accept(fd, SOCK_NONBLOCK);
        assertThat(accepted.peer()).isEqualTo(InetSockAddr.parse("10.0.0.2:1003"));
        TcpSock child = peer.host().tcp().sockets().stream()
                .filter(s -> s.dport() == 1003).findFirst().orElseThrow();
        assertThat(child.opts().sndWscale()).isEqualTo(7); // carried back in TSecr
        assertThat(child.opts().sackOk()).isTrue();
    }

    /** A listener that sent no cookie looks at none (tcp_synq_no_recent_overflow): a stray ACK is refused, not counted. */
    @Test
    void anAckToAListenerThatSentNoCookieIsRefusedWithoutACookieCheck() throws Exception {
        listener(TcpSettings.defaults(), 1);
        peer.inject(SegmentPeer.from(1005).to(SegmentPeer.LOCAL, 80).flags(ACK).seq(42).ack(12345).build());
        assertThat(peer.emittedOne().flagString()).isEqualTo("R");
        assertThat(peer.host().counter(TcpExtMib.SyncookiesFailed)).isZero();
        assertThat(peer.host().counter(TcpExtMib.SyncookiesRecv)).isZero();
    }

    /** While the listener sends cookies, and for their two-minute lifetime after the last one, an ACK is checked as one. */
    @Test
    void aForgedCookieIsRefusedWithRstWhileCookiesAreInUse() throws Exception {
        listener(TcpSettings.defaults(), 1);
        for (int port = 1001; port <= 1003; port++) {
            peer.inject(syn(port));
        }
        peer.emitted();
        peer.inject(SegmentPeer.from(1005).to(SegmentPeer.LOCAL, 80).flags(ACK).seq(42).ack(12345).build());
        assertThat(peer.emittedOne().flagString()).isEqualTo("R");
        assertThat(peer.host().counter(TcpExtMib.SyncookiesFailed)).isEqualTo(1);

        peer.advance(SynCookies.VALID_NANOS - 1_000_000, TimeUnit.NANOSECONDS);
        peer.emitted(); // the requests' SYN-ACK retransmissions
        peer.inject(SegmentPeer.from(1006).to(SegmentPeer.LOCAL, 80).flags(ACK).seq(42).ack(12345).build());
        assertThat(peer.emittedOne().flagString()).isEqualTo("R");
        assertThat(peer.host().counter(TcpExtMib.SyncookiesFailed)).isEqualTo(2);

        peer.advance(2, TimeUnit.MILLISECONDS);
        peer.inject(SegmentPeer.from(1007).to(SegmentPeer.LOCAL, 80).flags(ACK).seq(42).ack(12345).build());
        assertThat(peer.emittedOne().flagString()).isEqualTo("R");
        assertThat(peer.host().counter(TcpExtMib.SyncookiesFailed)).isEqualTo(2);
    }

    @Test
    void fullAcceptQueueDropsNewSyns() throws Exception {
        int fd = listener(TcpSettings.defaults(), 1);
        // The accept queue holds more than the backlog only when full (sk_acceptq_is_full): two here.
        for (int port = 1001; port <= 1002; port++) {
            peer.inject(syn(port));
            peer.inject(ackFor(port, peer.emittedOne()));
            assertThat(peer.emitted()).isEmpty();
        }
        peer.inject(syn(1003));
        assertThat(peer.emitted()).isEmpty();
        assertThat(peer.host().counter(TcpExtMib.ListenOverflows)).isEqualTo(1);
        assertThat(peer.host().counter(TcpExtMib.ListenDrops)).isEqualTo(1);
        api.accept(fd, SOCK_NONBLOCK);
        api.accept(fd, SOCK_NONBLOCK);
        assertThatThrownBy(() -> api.accept(fd, SOCK_NONBLOCK)).isInstanceOfSatisfying(ErrnoException.class,
                e -> assertThat(e.errno()).isEqualTo(Errno.EAGAIN));
    }

    @Test
    void acceptQueueOverflowAtTheAckKeepsTheRequestForARetry() throws Exception {
        int fd = listener(TcpSettings.defaults().withSyncookies(false), 2);
        peer.inject(syn(1001));
        Seg a1 = peer.emittedOne();
        peer.inject(syn(1002));
        Seg a2 = peer.emittedOne();
        peer.inject(ackFor(1001, a1));
        peer.inject(ackFor(1002, a2));
        peer.inject(syn(1003));
        Seg a3 = peer.emittedOne();
        peer.inject(syn(1004));
        Seg a4 = peer.emittedOne();
        peer.inject(ackFor(1003, a3)); // three queued: more than the backlog of 2
        peer.inject(ackFor(1004, a4));
        assertThat(peer.host().counter(TcpExtMib.ListenOverflows)).isEqualTo(1);
        api.accept(fd, SOCK_NONBLOCK);
        // The request survived: the peer's retransmitted ACK now completes.
        peer.inject(ackFor(1004, a4));
        for (int i = 0; i < 3; i++) {
            api.accept(fd, SOCK_NONBLOCK);
        }
    }

    @Test
    void backlogIsCappedBySomaxconn() throws Exception {
        listener(TcpSettings.defaults().withSomaxconn(3), 1000);
        TcpSock sk = peer.host().tcp().sockets().iterator().next();
        assertThat(sk.acceptQueue().maxBacklog()).isEqualTo(3);
    }

    @Test
    void closingAListenerResetsConnectionsWaitingToBeAccepted() throws Exception {
        int fd = listener(TcpSettings.defaults(), 8);
        peer.inject(syn(1001));
        peer.inject(ackFor(1001, peer.emittedOne()));
        peer.emitted();
        api.close(fd);
        Seg rst = peer.emittedOne();
        assertThat(rst.flagString()).isEqualTo("R.");
        assertThat(rst.dport()).isEqualTo(1001);
        assertThat(peer.host().tcp().sockets()).isEmpty();
    }
}
