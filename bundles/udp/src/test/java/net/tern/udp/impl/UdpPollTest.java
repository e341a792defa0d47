package net.tern.udp.impl;

import static net.tern.api.socket.SocketConstants.EPOLLERR;
import static net.tern.api.socket.SocketConstants.EPOLLHUP;
import static net.tern.api.socket.SocketConstants.EPOLLIN;
import static net.tern.api.socket.SocketConstants.EPOLLOUT;
import static net.tern.api.socket.SocketConstants.EPOLLRDHUP;
import static net.tern.api.socket.SocketConstants.EPOLL_CTL_ADD;
import static net.tern.api.socket.SocketConstants.SHUT_RD;
import static net.tern.api.socket.SocketConstants.SHUT_RDWR;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import net.tern.api.socket.EpollEvent;
import net.tern.api.socket.InetSockAddr;
import net.tern.api.socket.RecvResult;
import net.tern.api.socket.SocketConstants;
import org.junit.jupiter.api.Test;

/** {@code udp_poll}: readiness through poll, epoll and blocking calls. */
class UdpPollTest extends UdpTestBase {
    private static final int ALL = EPOLLIN | EPOLLOUT | EPOLLRDHUP;

    @Test
    void alwaysWritableAndReadableWhileADatagramIsQueued() throws Exception {
        int server = bound(lo(7000));
        assertThat(api.poll(server, ALL, 0)).isEqualTo(EPOLLOUT);

        sendTo(bed.udpSocket(), new byte[] {1}, lo(7000));
        sendTo(bed.udpSocket(), new byte[] {2}, lo(7000));
        bed.runUntilIdle();
        assertThat(api.poll(server, ALL, 0)).isEqualTo(EPOLLIN | EPOLLOUT);

        recv(server, 10);
        assertThat(api.poll(server, ALL, 0)).as("one still queued").isEqualTo(EPOLLIN | EPOLLOUT);
        recv(server, 10);
        assertThat(api.poll(server, ALL, 0)).isEqualTo(EPOLLOUT);
    }

    @Test
    void epollReportsADatagramsArrival() throws Exception {
        int server = bound(lo(7000));
        int epfd = api.epollCreate();
        api.epollCtl(epfd, EPOLL_CTL_ADD, server, EPOLLIN, 77);
        EpollEvent[] events = new EpollEvent[4];
        assertThat(api.epollWait(epfd, events, 0)).isZero();

        sendTo(bed.udpSocket(), new byte[] {1}, lo(7000));
        bed.runUntilIdle();

        assertThat(api.epollWait(epfd, events, 0)).isEqualTo(1);
        assertThat(events[0].events() & EPOLLIN).isEqualTo(EPOLLIN);
        assertThat(events[0].data()).isEqualTo(77);
        recv(server, 10);
        assertThat(api.epollWait(epfd, events, 0)).as("level-triggered: gone once read").isZero();
    }

    @Test
    void epollReportsAPendingError() throws Exception {
        int fd = bound(lo(7000));
        api.connect(fd, lo(9999));
        int epfd = api.epollCreate();
        api.epollCtl(epfd, EPOLL_CTL_ADD, fd, EPOLLIN, 5);
        send(fd, new byte[] {1});
        bed.runUntilIdle();

        EpollEvent[] events = new EpollEvent[4];
        assertThat(api.epollWait(epfd, events, 0)).isEqualTo(1);
        assertThat(events[0].events()).isEqualTo(EPOLLERR);
    }

    @Test
    void shutRdMakesTheSocketReadableAndAReadReturnsZero() throws Exception {
        int fd = bound(lo(7000));
        api.connect(fd, lo(7001));
        api.shutdown(fd, SHUT_RD);

        assertThat(api.poll(fd, ALL, 0)).isEqualTo(EPOLLIN | EPOLLOUT | EPOLLRDHUP);
        assertThat(recv(fd, 10).returned()).isZero();

        api.shutdown(fd, SHUT_RDWR);
        assertThat(api.poll(fd, ALL, 0) & EPOLLHUP).isEqualTo(EPOLLHUP);
    }

    @Test
    void aBlockedReceiverWakesWhenADatagramArrives() throws Exception {
        int server = api.socket(SocketConstants.AF_INET, SocketConstants.SOCK_DGRAM, 0); // blocking
        api.bind(server, lo(7000));
        ExecutorService thread = Executors.newSingleThreadExecutor();
        try {
            Future<RecvResult> receive = thread.submit(() -> api.recvfrom(server, ByteBuffer.allocate(10), 0));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (bed.socketLayer().blockedCallers(server) == 0) {
                assertThat(System.nanoTime()).as("the receiver blocks within 60 s").isLessThan(deadline);
                assertThat(receive.isDone()).as("nothing to receive yet").isFalse();
                Thread.onSpinWait();
            }

            int client = bed.udpSocket();
            sendTo(client, new byte[] {9, 8}, lo(7000));
            bed.runUntilIdle();

            RecvResult r = receive.get(60, TimeUnit.SECONDS);
            assertThat(r.bytes()).isEqualTo(2);
            assertThat(r.from()).isEqualTo(new InetSockAddr(LOOPBACK, localPort(client)));
        } finally {
            thread.shutdownNow();
            assertThat(thread.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
    }
}
