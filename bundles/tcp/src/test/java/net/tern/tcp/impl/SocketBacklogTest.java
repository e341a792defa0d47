package net.tern.tcp.impl;

import static net.tern.api.socket.SocketConstants.SOL_SOCKET;
import static net.tern.api.socket.SocketConstants.SO_RCVBUF;
import static net.tern.api.socket.SocketConstants.SO_SNDBUF;
import static net.tern.wire.TcpPacket.ACK;
import static net.tern.wire.TcpPacket.PSH;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import net.tern.api.socket.ErrnoException;
import net.tern.tcp.testing.Seg;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The socket backlog ({@code sk_add_backlog}, {@code release_sock}): a segment for a socket
 * that a thread owns waits on the socket's backlog, and the owner runs it, in arrival order,
 * as it lets go; the backlog holds at most {@code sk_rcvbuf + sk_sndbuf} and counts what it
 * drops as {@code TCPBacklogDrop}.
 */
class SocketBacklogTest extends ScriptedPeerTestBase {
    private static final int PEER_ISN = 70_000;

    SocketBacklogTest() {
        super(PEER_ISN);
    }

    private Conn open(int rcvbuf, int sndbuf) throws ErrnoException {
        int fd = socket();
        if (rcvbuf > 0) {
            api.setsockopt(fd, SOL_SOCKET, SO_RCVBUF, rcvbuf);
            api.setsockopt(fd, SOL_SOCKET, SO_SNDBUF, sndbuf);
        }
        Seg syn = connectToPeer(fd);
        peer.inject(synAckTo(syn).mss(1000).window(65535).build());
        assertThat(peer.emittedOne().flagString()).isEqualTo(".");
        return established(fd, syn);
    }

    private Seg data(Conn c, int offset, int length) {
        return fromPeer(c).flags(ACK | PSH).seq(PEER_ISN + 1 + offset).ack(c.nxt(0)).payload(new byte[length]).build();
    }

    @Test
    void segmentsForAnOwnedSocketWaitOnItsBacklogAndRunInOrderWhenTheOwnerLetsGo() throws Exception {
        Conn c = open(0, 0);
        TcpSock sk = sock();
        int rcvNxt = sk.rcv().rcvNxt();

        sk.lock(); // as a socket call holds it
        peer.inject(data(c, 0, 500));
        peer.inject(data(c, 500, 300));
        assertThat(sk.rcv().rcvNxt()).as("not processed while owned").isEqualTo(rcvNxt);
        assertThat(peer.emitted()).isEmpty();

        sk.unlock();
        assertThat(sk.rcv().rcvNxt()).isEqualTo(rcvNxt + 800);
        ByteBuffer got = ByteBuffer.allocate(2000);
        assertThat(api.recv(c.fd(), got, 0)).isEqualTo(800);
        assertThat(peer.host().counter(TcpExtMib.TCPBacklogDrop)).isZero();
        assertThat(peer.host().counter(TcpExtMib.TCPOFOQueue)).as("run in arrival order").isZero();
    }

    @Test
    void aNestedReleaseDoesNotRunTheBacklogOnlyTheOutermostDoes() throws Exception {
        Conn c = open(0, 0);
        TcpSock sk = sock();
        int rcvNxt = sk.rcv().rcvNxt();

        sk.lock();
        sk.lock();
        peer.inject(data(c, 0, 100));
        sk.unlock();
        assertThat(sk.rcv().rcvNxt()).isEqualTo(rcvNxt);
        sk.unlock();
        assertThat(sk.rcv().rcvNxt()).isEqualTo(rcvNxt + 100);
    }

    @Test
    void theBacklogHoldsAtMostRcvbufPlusSndbufAndCountsTheRestAsBacklogDrops() throws Exception {
        Conn c = open(2304, 4608);
        TcpSock sk = sock();
        int rcvNxt = sk.rcv().rcvNxt();
        int limit = sk.backlogLimit();
        int segments = 60;

        sk.lock();
        for (int i = 0; i < segments; i++) {
            peer.inject(data(c, i * 100, 100));
        }
        long drops = peer.host().counter(TcpExtMib.TCPBacklogDrop);
        sk.unlock();

        assertThat(drops).isPositive();
        long queued = segments - drops;
        // Each packet counts its true size (its buffer and Packet.OVERHEAD), so the queued
        // ones held no more than the limit.
        assertThat(queued * (100 + net.tern.spi.net.Packet.OVERHEAD)).isLessThanOrEqualTo(limit);
        // The first ones, run in order when the owner let go (as much as the window took).
        int advanced = sk.rcv().rcvNxt() - rcvNxt;
        assertThat(advanced).isPositive().isLessThanOrEqualTo((int) queued * 100);
        assertThat(peer.host().counter(TcpExtMib.TCPOFOQueue)).isZero();
    }

    @Test
    @Timeout(10)
    void anotherThreadsSegmentIsRunByTheOwnerOnItsOwnThreadAsItLetsGo() throws Exception {
        Conn c = open(0, 0);
        TcpSock sk = sock();
        int rcvNxt = sk.rcv().rcvNxt();
        CountDownLatch owned = new CountDownLatch(1);
        CountDownLatch injected = new CountDownLatch(1);
        Thread[] ranOn = new Thread[1];
        Thread owner = new Thread(() -> {
            sk.lock();
            owned.countDown();
            try {
                injected.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            sk.unlock();
            ranOn[0] = sk.rcv().rcvNxt() == rcvNxt + 200 ? Thread.currentThread() : null;
        }, "owner");
        owner.start();
        owned.await();

        peer.inject(data(c, 0, 200)); // input on the test's thread finds the socket owned
        assertThat(sk.rcv().rcvNxt()).isEqualTo(rcvNxt);
        injected.countDown();
        owner.join(TimeUnit.SECONDS.toMillis(5));

        assertThat(ranOn[0]).as("processed by the owner's release").isSameAs(owner);
        assertThat(peer.emitted()).extracting(Seg::ack).contains(PEER_ISN + 1 + 200);
    }
}
