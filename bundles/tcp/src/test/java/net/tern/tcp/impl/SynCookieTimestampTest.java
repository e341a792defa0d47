package net.tern.tcp.impl;

import static net.tern.api.socket.SocketConstants.AF_INET;
import static net.tern.api.socket.SocketConstants.SOCK_NONBLOCK;
import static net.tern.api.socket.SocketConstants.SOCK_STREAM;
import static net.tern.wire.TcpPacket.ACK;
import static net.tern.wire.TcpPacket.FIN;
import static net.tern.wire.TcpPacket.PSH;
import static net.tern.wire.TcpPacket.SYN;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.InetSockAddr;
import net.tern.api.socket.SocketApi;
import net.tern.core.testing.PacketLeakCheck;
import net.tern.tcp.testing.Seg;
import net.tern.tcp.testing.SegmentPeer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Timestamps after a handshake, as the peer's PAWS check (RFC 7323 5.3) sees them: every
 * segment of the connection, from the SYN-ACK on, carries a TSval at least the one before,
 * or the peer drops it. A SYN cookie's SYN-ACK encodes the options in its TSval's low bits
 * ({@code cookie_init_timestamp}); those bits must not put it ahead of the clock the
 * connection's later segments read. The tests open a connection at each of 64 successive
 * milliseconds, so the clock's low six bits take every value under the encoded options; at
 * each, the peer checks every segment as Linux would, and the data must go through without a
 * retransmission.
 */
@ExtendWith(PacketLeakCheck.class)
class SynCookieTimestampTest {
    private static final int PORT = 80;
    private static final int PEER_ISN = 1_000_000;
    private static final int BYTES = 100;

    private SegmentPeer peer;
    private SocketApi api;

    @AfterEach
    void tearDown() {
        if (peer != null) {
            peer.close();
        }
    }

    private int listener(int backlog) throws ErrnoException {
        peer = new SegmentPeer();
        api = peer.api();
        int fd = api.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        api.bind(fd, new InetSockAddr(0, PORT));
        api.listen(fd, backlog);
        return fd;
    }

    private static Seg syn(int port, int tsVal) {
        return SegmentPeer.from(port).to(SegmentPeer.LOCAL, PORT).flags(SYN).seq(PEER_ISN).mss(1460).sackOk()
                .timestamp(tsVal, 0).wscale(7).build();
    }

    /** The peer's side of one connection: its timestamps, and PAWS on what it receives. */
    private final class Client {
        final int port;
        int tsVal;
        int tsRecent;
        int serverIss;
        int rcvNxt;
        int dataSegments;
        int sentBytes;

        Client(int port, int tsVal) {
            this.port = port;
            this.tsVal = tsVal;
        }

        /** Sends the SYN and returns the SYN-ACK, whose TSval starts the peer's PAWS record. */
        Seg connect() {
            peer.inject(syn(port, tsVal));
            Seg synAck = only(SYN | ACK);
            serverIss = synAck.seq();
            rcvNxt = synAck.seq() + 1;
            tsRecent = synAck.options().tsVal;
            return synAck;
        }

        void send(int flags, byte[] data) {
            tsVal++;
            peer.inject(SegmentPeer.from(port).to(SegmentPeer.LOCAL, PORT).flags(flags).seq(PEER_ISN + 1 + sentBytes)
                    .ack(rcvNxt).window(1000).timestamp(tsVal, tsRecent).payload(data).build());
            sentBytes += data.length;
        }

        /**
         * What the stack sent to this client since the last look, each checked as the peer's
         * {@code tcp_paws_discard} would: a TSval older than the last one seen is dropped there.
         */
        List<Seg> receive(List<Seg> sent) {
            List<Seg> mine = sent.stream().filter(s -> s.dport() == port).toList();
            for (Seg s : mine) {
                assertThat(s.options().timestamp).as("timestamps on %s", s).isTrue();
                assertThat(s.options().tsVal - tsRecent)
                        .as("TSval %d of %s against the peer's TS.Recent %d: the peer's PAWS check drops it",
                                Integer.toUnsignedLong(s.options().tsVal), s, Integer.toUnsignedLong(tsRecent))
                        .isGreaterThanOrEqualTo(0);
                tsRecent = s.options().tsVal;
                if (s.length() > 0) {
                    dataSegments++;
                    assertThat(s.seq()).as("new data, not a retransmission: %s", s).isEqualTo(rcvNxt);
                    rcvNxt += s.length();
                }
                if (s.has(FIN)) {
                    rcvNxt++;
                }
            }
            return mine;
        }

        private Seg only(int flags) {
            List<Seg> mine = peer.emitted().stream().filter(s -> s.dport() == port).toList();
            assertThat(mine).hasSize(1);
            assertThat(mine.get(0).flags()).isEqualTo(flags);
            return mine.get(0);
        }
    }

    /** The client's handshake, then 100 bytes each way (the server echoes them), each segment checked by the client. */
    private void exchange(int listenFd, Client client) throws ErrnoException {
        client.send(ACK, new byte[0]);
        byte[] request = new byte[BYTES];
        for (int i = 0; i < BYTES; i++) {
            request[i] = (byte) (client.port + i);
        }
        client.send(ACK | PSH, request);
        client.receive(peer.emitted());
        int fd = api.accept(listenFd, SOCK_NONBLOCK).fd();
        ByteBuffer in = ByteBuffer.allocate(BYTES);
        assertThat(api.recv(fd, in, 0)).isEqualTo(BYTES);
        assertThat(in.array()).isEqualTo(request);
        in.flip();
        api.send(fd, in, 0);
        client.receive(peer.emitted());
        assertThat(client.rcvNxt).as("the echo reached the client").isEqualTo(client.serverIss + 1 + BYTES);
        client.send(ACK, new byte[0]);
    }

    /** 10 s more, longer than any RTO these connections may have: nothing is sent again, and what is sent passes PAWS. */
    private void nothingRetransmitted(List<Client> clients) {
        List<Seg> later = peer.advanceCollecting(10, TimeUnit.SECONDS);
        for (Client client : clients) {
            client.receive(later);
            assertThat(client.dataSegments).as("the echo to port %d went once", client.port).isEqualTo(1);
        }
    }

    /**
     * 64 connections, one per millisecond (so the clock's low six bits take every value),
     * each answered after {@code rttMillis}: a cookie's or a request's handshake, then the echo.
     */
    private List<Client> connectAtEachMillisecond(int fd, int rttMillis, boolean cookies) throws ErrnoException {
        List<Client> clients = new ArrayList<>();
        for (int phase = 0; phase < 64; phase++) {
            peer.advance(1, TimeUnit.MILLISECONDS);
            Client client = new Client(2000 + phase, 1000 * phase);
            clients.add(client);
            client.connect();
            assertThat(peer.host().counter(TcpExtMib.SyncookiesSent)).as("cookies").isEqualTo(cookies ? phase + 1 : 0);
            if (rttMillis > 0) {
                peer.advance(rttMillis, TimeUnit.MILLISECONDS);
            }
            exchange(fd, client);
        }
        return clients;
    }

    @Test
    void aCookieConnectionsTimestampsNeverGoBelowTheSynAcks() throws Exception {
        int fd = listener(1);
        // Two requests that are never completed fill the SYN queue of a backlog of one.
        peer.inject(syn(1001, 7));
        peer.inject(syn(1002, 7));
        nothingRetransmitted(connectAtEachMillisecond(fd, 0, true));
        assertThat(peer.host().counter(TcpExtMib.TCPReqQFullDoCookies)).isEqualTo(64);
        assertThat(peer.host().counter(TcpExtMib.SyncookiesSent)).isEqualTo(64);
        assertThat(peer.host().counter(TcpExtMib.SyncookiesRecv)).isEqualTo(64);
        assertThat(peer.host().counter(TcpExtMib.SyncookiesFailed)).isZero();
        assertThat(peer.host().counter(TcpExtMib.TCPReqQFullDrop)).isZero();
        assertThat(peer.host().counter(TcpExtMib.ListenOverflows)).isZero();
        assertThat(peer.host().counter(TcpExtMib.ListenDrops)).isZero();
        assertThat(peer.host().counter(TcpExtMib.PAWSEstab)).isZero();
    }

    /**
     * The cookie's encoding itself: the options in the low six bits, and the value never
     * ahead of the clock and less than 64 ms behind it, whatever the clock's low bits.
     */
    @Test
    void theCookieTimestampCarriesTheOptionsAndIsNeverAheadOfTheClock() {
        for (int options : new int[] {0, 0x17, 0x1f, 0x3f}) {
            for (int now = -200; now < 200; now++) {
                int ts = SynCookies.cookieInitTimestamp(now, options);
                assertThat(ts & 0x3f).isEqualTo(options);
                assertThat(now - ts).as("now %d, options %x", now, options).isBetween(0, 63);
            }
        }
        assertThat(SynCookies.cookieInitTimestamp(Integer.MAX_VALUE, 0x3f)).isEqualTo(Integer.MAX_VALUE);
        assertThat(SynCookies.cookieInitTimestamp(Integer.MIN_VALUE, 0x01)).isEqualTo(Integer.MAX_VALUE - 62);
    }

    @Test
    void aRequestsConnectionSendsTimestampsFromTheSynAcksOn() throws Exception {
        int fd = listener(128);
        // A round trip of 3 ms: the ACK comes later than the SYN-ACK left.
        nothingRetransmitted(connectAtEachMillisecond(fd, 3, false));
        assertThat(peer.host().counter(TcpExtMib.SyncookiesSent)).isZero();
    }

    /**
     * A SYN reusing the 4-tuple of a connection in TIME-WAIT here (RFC 6191): the new
     * connection's TSvals continue from the old one's, as the peer may still hold them.
     */
    @Test
    void aConnectionReusingATimeWaitFourTupleContinuesTheOldTimestamps() throws Exception {
        int fd = listener(8);
        Client old = new Client(3000, 500);
        old.connect();
        old.send(ACK, new byte[0]);
        int child = api.accept(fd, SOCK_NONBLOCK).fd();
        api.close(child); // the server closes first and holds TIME-WAIT
        old.receive(peer.emitted());
        old.send(ACK | FIN, new byte[0]);
        old.receive(peer.emitted());
        assertThat(peer.host().tcp().tables().lookupEstablished(new ConnKey(
                InetSockAddr.parseAddress(SegmentPeer.LOCAL), PORT, InetSockAddr.parseAddress(SegmentPeer.REMOTE),
                3000))).isInstanceOf(TimeWaitSock.class);
        peer.advance(1, TimeUnit.SECONDS);

        Client reuse = new Client(3000, old.tsVal + 1000);
        reuse.tsRecent = old.tsRecent;
        peer.inject(syn(3000, reuse.tsVal));
        List<Seg> synAck = reuse.receive(peer.emitted());
        assertThat(synAck).hasSize(1);
        assertThat(synAck.get(0).flagString()).isEqualTo("S.");
        assertThat(peer.host().tcp().tables().lookupEstablished(new ConnKey(
                InetSockAddr.parseAddress(SegmentPeer.LOCAL), PORT, InetSockAddr.parseAddress(SegmentPeer.REMOTE),
                3000))).as("the TIME-WAIT entry gave way to the new request").isInstanceOf(RequestSock.class);
        reuse.serverIss = synAck.get(0).seq();
        reuse.rcvNxt = reuse.serverIss + 1;
        exchange(fd, reuse);
        nothingRetransmitted(List.of(reuse));
    }
}
