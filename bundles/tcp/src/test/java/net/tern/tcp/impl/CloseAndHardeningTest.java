package net.tern.tcp.impl;

import static net.tern.api.socket.SocketConstants.AF_INET;
import static net.tern.api.socket.SocketConstants.SHUT_WR;
import static net.tern.api.socket.SocketConstants.SOCK_NONBLOCK;
import static net.tern.api.socket.SocketConstants.SOCK_STREAM;
import static net.tern.api.socket.SocketConstants.SOL_SOCKET;
import static net.tern.api.socket.SocketConstants.SOL_TCP;
import static net.tern.api.socket.SocketConstants.SO_ERROR;
import static net.tern.api.socket.SocketConstants.SO_KEEPALIVE;
import static net.tern.api.socket.SocketConstants.TCP_KEEPCNT;
import static net.tern.api.socket.SocketConstants.TCP_KEEPIDLE;
import static net.tern.api.socket.SocketConstants.TCP_KEEPINTVL;
import static net.tern.wire.TcpPacket.ACK;
import static net.tern.wire.TcpPacket.FIN;
import static net.tern.wire.TcpPacket.RST;
import static net.tern.wire.TcpPacket.SYN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.tern.api.socket.Accepted;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.InetSockAddr;
import net.tern.inet.sock.SkState;
import net.tern.tcp.testing.Seg;
import net.tern.tcp.testing.SegmentPeer;
import org.junit.jupiter.api.Test;

/** Closing states at segment level, RFC 5961, keepalive, TIME-WAIT reuse and the abort of a stopping TCP. */
class CloseAndHardeningTest extends ScriptedPeerTestBase {
    private static final int PEER_ISN = 90_000;

    CloseAndHardeningTest() {
        super(PEER_ISN);
    }

    private Conn open() throws ErrnoException {
        int fd = socket();
        Seg syn = connectToPeer(fd);
        peer.inject(synAckTo(syn).mss(1460).build());
        peer.emitted();
        return established(fd, syn);
    }

    private ConnKey key(Conn c) {
        return new ConnKey(InetSockAddr.parseAddress(SegmentPeer.LOCAL), c.port(),
                InetSockAddr.parseAddress(SegmentPeer.REMOTE), 80);
    }

    @Test
    void activeCloseWalksFinWait1FinWait2TimeWaitAndExpires() throws Exception {
        Conn c = open();
        TcpSock sk = sock();
        api.shutdown(c.fd(), SHUT_WR);
        Seg fin = peer.emittedOne();
        assertThat(fin.flagString()).isEqualTo("F.");
        assertThat(fin.seq()).isEqualTo(c.nxt(0));
        assertThat(sk.state()).isEqualTo(SkState.FIN_WAIT1);
        peer.inject(fromPeer(c).flags(ACK).seq(PEER_ISN + 1).ack(c.nxt(1)).build());
        assertThat(sk.state()).isEqualTo(SkState.FIN_WAIT2);
        peer.inject(fromPeer(c).flags(FIN | ACK).seq(PEER_ISN + 1).ack(c.nxt(1)).build());
        Seg ack = peer.emittedOne();
        assertThat(ack.ack()).isEqualTo(PEER_ISN + 2);
        assertThat(sk.state()).isEqualTo(SkState.CLOSE);
        assertThat(peer.host().tcp().tables().lookupEstablished(key(c))).isInstanceOf(TimeWaitSock.class);
        // A retransmitted FIN is ACKed again from TIME-WAIT.
        peer.inject(fromPeer(c).flags(FIN | ACK).seq(PEER_ISN + 1).ack(c.nxt(1)).build());
        assertThat(peer.emittedOne().ack()).isEqualTo(PEER_ISN + 2);
        peer.advance(60, TimeUnit.SECONDS);
        assertThat(peer.host().tcp().tables().lookupEstablished(key(c))).isNull();
    }

    @Test
    void passiveCloseWalksCloseWaitLastAckClosed() throws Exception {
        Conn c = open();
        TcpSock sk = sock();
        peer.inject(fromPeer(c).flags(FIN | ACK).seq(PEER_ISN + 1).ack(c.nxt(0)).build());
        assertThat(sk.state()).isEqualTo(SkState.CLOSE_WAIT);
        // tcp_fin delays the ACK, by the ACK timeout, none before any data: within a tick.
        assertThat(peer.emitted()).isEmpty();
        peer.advance(1, TimeUnit.MILLISECONDS);
        assertThat(peer.emittedOne().ack()).isEqualTo(PEER_ISN + 2);
        assertThat(api.recv(c.fd(), ByteBuffer.allocate(10), 0)).isZero();
        api.close(c.fd());
        Seg fin = peer.emittedOne();
        assertThat(fin.flagString()).isEqualTo("F.");
        assertThat(sk.state()).isEqualTo(SkState.LAST_ACK);
        peer.inject(fromPeer(c).flags(ACK).seq(PEER_ISN + 2).ack(c.nxt(1)).build());
        assertThat(sk.state()).isEqualTo(SkState.CLOSE);
        assertThat(peer.host().tcp().sockets()).isEmpty();
        assertThat(peer.host().tcp().tables().lookupEstablished(key(c))).isNull();
    }

    @Test
    void finCrossingOurFinGoesThroughClosing() throws Exception {
        Conn c = open();
        TcpSock sk = sock();
        api.shutdown(c.fd(), SHUT_WR);
        peer.emitted();
        peer.inject(fromPeer(c).flags(FIN | ACK).seq(PEER_ISN + 1).ack(c.nxt(0)).build());
        assertThat(peer.emittedOne().ack()).isEqualTo(PEER_ISN + 2);
        assertThat(sk.state()).isEqualTo(SkState.CLOSING);
        peer.inject(fromPeer(c).flags(ACK).seq(PEER_ISN + 2).ack(c.nxt(1)).build());
        assertThat(peer.host().tcp().tables().lookupEstablished(key(c))).isInstanceOf(TimeWaitSock.class);
    }

    @Test
    void orphanedFinWait2GivesUpAfterTheFinTimeout() throws Exception {
        Conn c = open();
        api.close(c.fd());
        peer.emitted();
        peer.inject(fromPeer(c).flags(ACK).seq(PEER_ISN + 1).ack(c.nxt(1)).build());
        assertThat(peer.host().tcp().sockets()).hasSize(1);
        peer.advance(60, TimeUnit.SECONDS);
        assertThat(peer.host().tcp().sockets()).isEmpty();
    }

    @Test
    void inexactRstDrawsAChallengeAckAndExactRstResets() throws Exception {
        Conn c = open();
        peer.inject(fromPeer(c).flags(RST).seq(PEER_ISN + 100).build());
        Seg challenge = peer.emittedOne();
        assertThat(challenge.flagString()).isEqualTo(".");
        assertThat(challenge.ack()).isEqualTo(PEER_ISN + 1);
        assertThat(peer.host().counter(TcpExtMib.TCPChallengeACK)).isEqualTo(1);
        assertThat(sock().state()).isEqualTo(SkState.ESTABLISHED);
        peer.inject(fromPeer(c).flags(RST).seq(PEER_ISN + 1).build());
        assertThat(api.getsockopt(c.fd(), SOL_SOCKET, SO_ERROR)).isEqualTo(Errno.ECONNRESET.number());
    }

    @Test
    void synOnAnEstablishedConnectionDrawsAChallengeAck() throws Exception {
        Conn c = open();
        peer.inject(fromPeer(c).flags(SYN).seq(PEER_ISN + 5000).build());
        assertThat(peer.emittedOne().ack()).isEqualTo(PEER_ISN + 1);
        assertThat(peer.host().counter(TcpExtMib.TCPSYNChallenge)).isEqualTo(1);
        assertThat(sock().state()).isEqualTo(SkState.ESTABLISHED);
    }

    @Test
    void ackOfUnsentDataIsAnsweredAndTheSegmentDropped() throws Exception {
        Conn c = open();
        peer.inject(fromPeer(c).flags(ACK).seq(PEER_ISN + 1).ack(c.nxt(5000)).payload(new byte[10]).build());
        assertThat(peer.emittedOne().ack()).isEqualTo(PEER_ISN + 1);
        assertThatThrownBy(() -> api.recv(c.fd(), ByteBuffer.allocate(10), 0))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EAGAIN));
    }

    @Test
    void outOfWindowSegmentsAreAckedAtMostTwiceASecond() throws Exception {
        Conn c = open();
        Seg old = fromPeer(c).flags(ACK).seq(PEER_ISN - 100_000).ack(c.nxt(0)).build();
        peer.inject(old);
        assertThat(peer.emitted()).hasSize(1);
        peer.inject(old);
        assertThat(peer.emitted()).isEmpty();
        peer.advance(500, TimeUnit.MILLISECONDS);
        peer.inject(old);
        assertThat(peer.emitted()).hasSize(1);
    }

    @Test
    void keepaliveProbesAnIdleConnectionThenResetsIt() throws Exception {
        Conn c = open();
        api.setsockopt(c.fd(), SOL_TCP, TCP_KEEPIDLE, 10);
        api.setsockopt(c.fd(), SOL_TCP, TCP_KEEPINTVL, 5);
        api.setsockopt(c.fd(), SOL_TCP, TCP_KEEPCNT, 2);
        api.setsockopt(c.fd(), SOL_SOCKET, SO_KEEPALIVE, 1);
        long start = peer.time().nanoTime();
        List<Seg> sent = peer.advanceCollecting(25, TimeUnit.SECONDS);
        assertThat(sent).extracting(s -> (s.atNanos() - start) / 1_000_000_000L).containsExactly(10L, 15L, 20L);
        assertThat(sent.get(0).seq()).isEqualTo(c.nxt(-1));
        assertThat(sent.get(2).flagString()).isEqualTo("R.");
        assertThat(api.getsockopt(c.fd(), SOL_SOCKET, SO_ERROR)).isEqualTo(Errno.ETIMEDOUT.number());
    }

    @Test
    void answeredKeepaliveProbesKeepTheConnection() throws Exception {
        Conn c = open();
        api.setsockopt(c.fd(), SOL_TCP, TCP_KEEPIDLE, 10);
        api.setsockopt(c.fd(), SOL_SOCKET, SO_KEEPALIVE, 1);
        peer.advance(10, TimeUnit.SECONDS);
        assertThat(peer.emittedOne().seq()).isEqualTo(c.nxt(-1));
        peer.inject(fromPeer(c).flags(ACK).seq(PEER_ISN + 1).ack(c.nxt(0)).build());
        peer.advance(9, TimeUnit.SECONDS);
        assertThat(peer.emitted()).isEmpty();
        assertThat(sock().state()).isEqualTo(SkState.ESTABLISHED);
    }

    @Test
    void aNewerSynReusesATimeWaitPairWithAnIsnBeyondTheOldOne() throws Exception {
        int l = api.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        api.bind(l, new InetSockAddr(0, 80));
        api.listen(l, 8);
        Seg.Builder in = SegmentPeer.from(40000).to(SegmentPeer.LOCAL, 80);
        peer.inject(in.flags(SYN).seq(1000).build());
        Seg synAck = peer.emittedOne();
        peer.inject(in.flags(ACK).seq(1001).ack(synAck.seq() + 1).build());
        Accepted a = api.accept(l, SOCK_NONBLOCK);
        api.close(a.fd()); // we close first: TIME-WAIT is ours
        Seg fin = peer.emittedOne();
        peer.inject(in.flags(FIN | ACK).seq(1001).ack(fin.seq() + 1).build());
        peer.emitted();
        peer.inject(in.flags(SYN).seq(500_000).build());
        Seg again = peer.emittedOne();
        assertThat(again.flagString()).isEqualTo("S.");
        assertThat(again.seq()).isEqualTo(fin.seq() + 1 + 65535 + 2);
        // Linux 6.18 counts no TWRecycled for a SYN reopening a TIME-WAIT 4-tuple (only for connect() taking one).
        assertThat(peer.host().counter(TcpExtMib.TWRecycled)).isZero();
    }

    @Test
    void stoppingTcpAbortsConnectionsWithRstAndEconnaborted() throws Exception {
        Conn c = open();
        assertThat(peer.host().tcp().drain(0)).isFalse();
        peer.host().tcp().close();
        Seg rst = peer.emittedOne();
        assertThat(rst.flagString()).isEqualTo("R.");
        assertThatThrownBy(() -> api.recv(c.fd(), ByteBuffer.allocate(10), 0))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ECONNABORTED));
        assertThatThrownBy(() -> api.socket(AF_INET, SOCK_STREAM, 0))
                .isInstanceOfSatisfying(ErrnoException.class,
                        e -> assertThat(e.errno()).isEqualTo(Errno.EPROTONOSUPPORT));
        assertThat(peer.host().tcp().sockets()).isEmpty();
    }

    @Test
    void portUnreachableDuringTheHandshakeIsConnectionRefused() throws Exception {
        int fd = api.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        assertThatThrownBy(() -> api.connect(fd, InetSockAddr.parse("10.0.0.2:80"))).isInstanceOf(ErrnoException.class);
        Seg syn = peer.emittedOne();
        peer.injectIcmpError(3, 3, 0, syn);
        assertThat(api.getsockopt(fd, SOL_SOCKET, SO_ERROR)).isEqualTo(Errno.ECONNREFUSED.number());
    }

    @Test
    void timeWaitLastsTwiceTheConfiguredMsl() throws Exception {
        peer.close();
        peer = new SegmentPeer(TcpSettings.defaults().withMsl(1000), 1500);
        api = peer.api();
        Conn c = open();
        api.shutdown(c.fd(), SHUT_WR);
        peer.emitted();
        peer.inject(fromPeer(c).flags(FIN | ACK).seq(PEER_ISN + 1).ack(c.nxt(1)).build());
        peer.emitted();
        assertThat(peer.host().tcp().tables().lookupEstablished(key(c))).isInstanceOf(TimeWaitSock.class);
        peer.advance(1999, TimeUnit.MILLISECONDS);
        assertThat(peer.host().tcp().tables().lookupEstablished(key(c))).isInstanceOf(TimeWaitSock.class);
        peer.advance(1, TimeUnit.MILLISECONDS);
        assertThat(peer.host().tcp().tables().lookupEstablished(key(c))).isNull();
    }
}
