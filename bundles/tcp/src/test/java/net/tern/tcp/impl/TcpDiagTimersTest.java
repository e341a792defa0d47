package net.tern.tcp.impl;

import static net.tern.api.socket.SocketConstants.AF_INET;
import static net.tern.api.socket.SocketConstants.SOCK_NONBLOCK;
import static net.tern.api.socket.SocketConstants.SOCK_STREAM;
import static net.tern.api.socket.SocketConstants.SOL_SOCKET;
import static net.tern.api.socket.SocketConstants.SO_KEEPALIVE;
import static net.tern.wire.TcpPacket.ACK;
import static net.tern.wire.TcpPacket.FIN;
import static net.tern.wire.TcpPacket.SYN;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import net.tern.api.socket.InetSockAddr;
import net.tern.spi.diag.InetDiagMsg;
import net.tern.spi.diag.SkMemInfo;
import net.tern.tcp.testing.Seg;
import net.tern.tcp.testing.SegmentPeer;
import org.junit.jupiter.api.Test;

/**
 * What {@code tcp_diag} reports for {@code ss -o -e -m}, as {@code inet_sk_diag_fill},
 * {@code inet_req_diag_fill} and {@code inet_twsk_diag_fill} fill it: the pending timer with
 * its expiry and count ({@code on} for a retransmission, {@code persist} for a zero-window
 * probe, {@code keepalive}, a request's SYN-ACK timer, a TIME-WAIT entry's), the cookie a
 * TIME-WAIT entry inherits, the shutdown bits and the socket's memory.
 */
class TcpDiagTimersTest extends ScriptedPeerTestBase {
    private static final int PEER_ISN = 90_000;

    TcpDiagTimersTest() {
        super(PEER_ISN);
    }

    /** An established connection with a 100 ms RTT (RTO 300 ms) to a peer offering {@code window}. */
    private Conn open(int window) throws Exception {
        return openWithRtt(100, window);
    }

    private InetDiagMsg diagOf(Conn c) {
        return peer.host().tcp().diag().dump().stream().filter(m -> m.fd() == c.fd()).findFirst().orElseThrow();
    }

    @Test
    void unacknowledgedDataShowsTheRetransmissionTimerWithItsTimeoutsInARow() throws Exception {
        Conn c = open(65535);
        assertThat(diagOf(c).timer()).isEqualTo(InetDiagMsg.TIMER_NONE);
        api.send(c.fd(), ByteBuffer.wrap(new byte[1000]), 0);
        peer.emitted();

        InetDiagMsg armed = diagOf(c);
        assertThat(armed.timer()).isEqualTo(InetDiagMsg.TIMER_ON);
        assertThat(armed.retrans()).isZero();
        assertThat(armed.expiresMillis()).isEqualTo(300);

        peer.advance(100, TimeUnit.MILLISECONDS);
        assertThat(diagOf(c).expiresMillis()).isEqualTo(200);
        peer.advance(200, TimeUnit.MILLISECONDS); // the timeout: sent again, the RTO doubled
        InetDiagMsg backedOff = diagOf(c);
        assertThat(backedOff.timer()).isEqualTo(InetDiagMsg.TIMER_ON);
        assertThat(backedOff.retrans()).isEqualTo(1);
        assertThat(backedOff.expiresMillis()).isEqualTo(600);
    }

    @Test
    void aZeroWindowShowsThePersistTimerWithTheProbesUnanswered() throws Exception {
        Conn c = open(0);
        api.send(c.fd(), ByteBuffer.wrap(new byte[1000]), 0);
        InetDiagMsg first = diagOf(c);
        assertThat(first.timer()).isEqualTo(InetDiagMsg.TIMER_PERSIST);
        assertThat(first.retrans()).isZero();
        assertThat(first.expiresMillis()).isEqualTo(300);

        peer.advance(300, TimeUnit.MILLISECONDS); // the first probe goes, the next backs off
        InetDiagMsg probing = diagOf(c);
        assertThat(probing.timer()).isEqualTo(InetDiagMsg.TIMER_PERSIST);
        assertThat(probing.retrans()).isEqualTo(1);
        assertThat(probing.expiresMillis()).isEqualTo(600);
    }

    @Test
    void keepaliveShowsItsIdleTimeLeft() throws Exception {
        Conn c = open(65535);
        api.setsockopt(c.fd(), SOL_SOCKET, SO_KEEPALIVE, 1);
        peer.advance(1, TimeUnit.SECONDS);
        InetDiagMsg m = diagOf(c);
        assertThat(m.timer()).isEqualTo(InetDiagMsg.TIMER_KEEPALIVE);
        assertThat(m.retrans()).isZero();
        assertThat(m.expiresMillis()).isEqualTo(7_199_000);
    }

    @Test
    void aTimeWaitEntryShowsTheTimeLeftAndKeepsItsSocketsCookie() throws Exception {
        Conn c = open(65535);
        long cookie = diagOf(c).cookie();
        assertThat(cookie).isPositive();
        api.shutdown(c.fd(), 1); // SHUT_WR: our FIN
        Seg fin = peer.emittedOne();
        assertThat(diagOf(c).shutdown()).isEqualTo(2); // SEND_SHUTDOWN, as Linux's sk_shutdown
        peer.inject(fromPeer(c).flags(FIN | ACK).seq(PEER_ISN + 1).ack(fin.seq() + 1).build());
        peer.emitted();
        api.close(c.fd());
        peer.advance(10, TimeUnit.SECONDS);

        InetDiagMsg tw = peer.host().tcp().diag().dump().stream().filter(m -> m.state() == InetDiagMsg.TIME_WAIT)
                .findFirst().orElseThrow();
        assertThat(tw.timer()).isEqualTo(InetDiagMsg.TIMER_TIMEWAIT);
        assertThat(tw.retrans()).isZero();
        assertThat(tw.expiresMillis()).isEqualTo(50_000);
        assertThat(tw.cookie()).isEqualTo(cookie);
        assertThat(tw.shutdown()).isEqualTo(-1);
        assertThat(tw.mem()).isNull();
    }

    @Test
    void aRequestShowsItsSynAckTimerAndTheSynAcksSentAgain() throws Exception {
        int fd = api.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        api.bind(fd, new InetSockAddr(0, 80));
        api.listen(fd, 8);
        peer.inject(SegmentPeer.from(1001).to(SegmentPeer.LOCAL, 80).flags(SYN).seq(1000).mss(1460).build());
        InetDiagMsg req = peer.host().tcp().diag().dump().stream().filter(m -> m.state() == 3).findFirst()
                .orElseThrow();
        assertThat(req.timer()).isEqualTo(InetDiagMsg.TIMER_ON);
        assertThat(req.retrans()).isZero();
        assertThat(req.expiresMillis()).isEqualTo(1000);

        peer.advance(1000, TimeUnit.MILLISECONDS);
        InetDiagMsg again = peer.host().tcp().diag().dump().stream().filter(m -> m.state() == 3).findFirst()
                .orElseThrow();
        assertThat(again.retrans()).isEqualTo(1);
        assertThat(again.expiresMillis()).isEqualTo(2000);
        assertThat(again.cookie()).isEqualTo(req.cookie()).isNotEqualTo(peer.host().tcp().diag().dump().stream()
                .filter(m -> m.fd() == fd).findFirst().orElseThrow().cookie());
        api.close(fd);
    }

    @Test
    void aConnectionReportsItsBuffersAndTheMemoryItsQueuesAreCharged() throws Exception {
        Conn c = open(65535);
        InetDiagMsg idle = diagOf(c);
        SkMemInfo quiet = idle.mem();
        assertThat(quiet.rcvbuf()).isEqualTo(sock().rcvbuf());
        assertThat(quiet.sndbuf()).isEqualTo(sock().sndbuf());
        assertThat(quiet.rmemAlloc()).isZero();
        assertThat(quiet.wmemQueued()).isZero();
        assertThat(idle.shutdown()).isZero();

        api.send(c.fd(), ByteBuffer.wrap(new byte[3000]), 0);
        peer.emitted();
        peer.inject(fromPeer(c).flags(ACK).seq(PEER_ISN + 1).ack(c.nxt(0)).payload(new byte[500]).build());
        SkMemInfo busy = diagOf(c).mem();
        assertThat(busy.wmemQueued()).isEqualTo(sock().mem().wmemQueued()).isGreaterThanOrEqualTo(3000);
        assertThat(busy.rmemAlloc()).isEqualTo(sock().mem().rmemAlloc()).isGreaterThanOrEqualTo(500);
        assertThat(busy.fwdAlloc()).isEqualTo(sock().mem().forwardAlloc());
        assertThat(busy.drops()).isZero();
        assertThat(busy.backlog()).isZero();
    }
}
