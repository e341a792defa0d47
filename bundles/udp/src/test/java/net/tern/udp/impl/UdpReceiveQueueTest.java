package net.tern.udp.impl;

import net.tern.api.socket.Errno;
import net.tern.api.socket.SocketConstants;
import net.tern.inet.ip.InetConstants;
import net.tern.inet.sock.InetSock;
import net.tern.wire.UdpPacket;
import org.junit.jupiter.api.Test;
import static net.tern.api.socket.SocketConstants.SOL_SOCKET;
import static net.tern.api.socket.SocketConstants.SO_RCVBUF;
import static org.assertj.core.api.Assertions.assertThat;

/** The bounded receive queue: {@code sk_rmem_alloc} against {@code SO_RCVBUF}. */
class UdpReceiveQueueTest extends UdpTestBase {

    private UdpSock sockOf(int port) {
        UdpSock sk = bed.udp().table().lookup(LOOPBACK, 1, LOOPBACK, port);
        assertThat(sk).isNotNull();
        return sk;
    }

    @Test
    void datagramsBeyondTheReceiveBufferAreDroppedAndCounted() throws Exception {
        fillPastTheBudget(100);
    }

    @Test
    void aQueueChargedExactlyToTheBudgetStillTakesOneMore() throws Exception {
        // 184 bytes of payload make a truesize of 576, and 4 x 576 is SOCK_MIN_RCVBUF exactly.
        fillPastTheBudget(184);
        assertThat(bed.udp("InDatagrams")).isEqualTo(5 + 1);
    }

    private void fillPastTheBudget(int payload) throws Exception {
        int server = bound(lo(7000));
        api.setsockopt(server, SOL_SOCKET, SO_RCVBUF, 1); // doubled, then raised to SOCK_MIN_RCVBUF
        int rcvbuf = api.getsockopt(server, SOL_SOCKET, SO_RCVBUF);
        assertThat(rcvbuf).isEqualTo(InetSock.MIN_RCVBUF);
        int client = bed.udpSocket();
        // Each datagram sent here sits in a buffer of IP's headroom, the UDP header and the payload.
        int truesize = bed.truesize(InetConstants.MAX_IP_HEADROOM + UdpPacket.HEADER_LENGTH + payload);
        int admitted = 0;
        for (int charged = 0; charged <= rcvbuf; charged += truesize) {
            admitted++;
        }
        int sent = admitted + 4;

        for (int i = 0; i < sent; i++) {
            sendTo(client, new byte[payload], lo(7000));
        }
        bed.runUntilIdle();

        UdpSock sk = sockOf(7000);
        assertThat(sk.queued()).isEqualTo(admitted);
        assertThat(sk.rmemAlloc()).isEqualTo(admitted * truesize).isGreaterThan(rcvbuf);
        assertThat(sk.drops()).isEqualTo(4);
        assertThat(bed.udp("RcvbufErrors")).isEqualTo(4);
        assertThat(bed.udp("InErrors")).isEqualTo(4);

        for (int i = 0; i < admitted; i++) {
            assertThat(recv(server, 1000).returned()).isEqualTo(payload);
        }
        assertThat(errnoOf(() -> recv(server, 1000))).isEqualTo(Errno.EAGAIN);
        assertThat(sk.rmemAlloc()).as("reading uncharges").isZero();

        sendTo(client, new byte[payload], lo(7000));
        bed.runUntilIdle();
        assertThat(recv(server, 1000).returned()).as("room again once read").isEqualTo(payload);
        assertThat(bed.udp("InDatagrams")).isEqualTo(admitted + 1);
    }

    @Test
    void peekingDoesNotUnchargeAndClosingReleasesTheQueue() throws Exception {
        int server = bound(lo(7000));
        int client = bed.udpSocket();
        for (int i = 0; i < 3; i++) {
            sendTo(client, new byte[10], lo(7000));
        }
        bed.runUntilIdle();
        UdpSock sk = sockOf(7000);
        int charged = sk.rmemAlloc();
        assertThat(charged).isPositive();

        recv(server, 100, SocketConstants.MSG_PEEK);
        assertThat(sk.rmemAlloc()).isEqualTo(charged);

        api.close(server);
        assertThat(sk.isDead()).isTrue();
        assertThat(sk.queued()).isZero();
        assertThat(sk.rmemAlloc()).isZero();
    }

    @Test
    void datagramsArrivingWhileAReaderHoldsTheSocketAreQueuedAtOnceUpToTheReceiveBufferNotTheBacklog()
            throws Exception {
        int server = bound(lo(7000));
        int client = bed.udpSocket();
        UdpSock sk = sockOf(7000);
        int rcvbuf = api.getsockopt(server, SOL_SOCKET, SO_RCVBUF);
        int truesize = bed.truesize(InetConstants.MAX_IP_HEADROOM + UdpPacket.HEADER_LENGTH + 64);
        int admitted = 0;
        for (int charged = 0; charged <= rcvbuf; charged += truesize) {
            admitted++;
        }
        // More than the socket's backlog would hold (rcvbuf + sndbuf, by truesize) and more
        // than the receive buffer: what a reader holding the socket meets under a flood.
        int sent = admitted + sk.backlogLimit() / truesize + 10;
        java.util.concurrent.CountDownLatch held = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
        Thread reader = new Thread(() -> {
            sk.lock(); // a reader inside recvmsg
            try {
                held.countDown();
                done.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                sk.unlock();
            }
        }, "reader-holding-the-socket");
        reader.start();
        held.await();
        try {
            for (int i = 0; i < sent; i++) {
                sendTo(client, new byte[64], lo(7000));
            }
            bed.runUntilIdle();
            assertThat(sk.queued()).as("queued while the reader holds the socket").isEqualTo(admitted);
        } finally {
            done.countDown();
            reader.join();
        }
        assertThat(sk.queued()).isEqualTo(admitted);
        assertThat(sk.drops()).isEqualTo(sent - admitted);
        assertThat(bed.udp("RcvbufErrors")).as("every drop a full receive buffer, as Linux counts it")
                .isEqualTo(sent - admitted);
        for (int i = 0; i < admitted; i++) {
            assertThat(recv(server, 1000).returned()).isEqualTo(64);
        }
    }
}
