package net.tern.services;

import static net.tern.api.socket.SocketConstants.AF_INET;
import static net.tern.api.socket.SocketConstants.EPOLLIN;
import static net.tern.api.socket.SocketConstants.EPOLLOUT;
import static net.tern.api.socket.SocketConstants.EPOLLRDHUP;
import static net.tern.api.socket.SocketConstants.SOCK_NONBLOCK;
import static net.tern.api.socket.SocketConstants.SOCK_STREAM;
import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.InetSockAddr;
import net.tern.api.socket.SocketApi;
import org.junit.jupiter.api.Test;

/**
 * {@code maxConnections} as back-pressure, in virtual time: at the limit a service stops
 * accepting, a new connection waits in the stack's accept queue (not accepted and closed),
 * and it is served when a connection ends; past the listen backlog the stack holds the
 * handshake back as Linux does with a full accept queue, and the client still gets served.
 */
class ConnectionLimitTest {

    private static ByteBuffer ascii(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
    }

    private static void assertEchoes(ServicesTestBed t, int fd, String line) throws Exception {
        t.api().send(fd, ascii(line), 0);
        t.pump();
        assertThat(new String(t.readAtLeast(fd, line.length()), StandardCharsets.US_ASCII)).isEqualTo(line);
    }

    private static long serviceConnections(ServicesTestBed t) {
        return t.sockets().stream().filter(r -> r.protocol().equals("tcp") && !r.state().equals("LISTEN")).count();
    }

    @Test
    void atTheLimitANewConnectionWaitsInTheAcceptQueueAndIsServedWhenOneEnds() throws Exception {
        try (ServicesTestBed t = new ServicesTestBed(3, Service.ECHO)) {
            int[] served = new int[3];
            for (int i = 0; i < served.length; i++) {
                served[i] = t.connect(7);
                assertEchoes(t, served[i], "served " + i + "\r\n");
            }
            int waiting = t.connect(7);
            assertThat(t.api().poll(waiting, EPOLLOUT, 0)).as("the stack completed the handshake").isEqualTo(EPOLLOUT);
            t.api().send(waiting, ascii("waiting\r\n"), 0);
            t.pumpFor(5000);

            // Not served, and not turned away either: no FIN, no RST, no echo; queued for accept.
            assertThat(t.api().poll(waiting, EPOLLIN | EPOLLRDHUP, 0)).as("readiness of the waiting client").isZero();
            assertThat(t.acceptQueue(7)).as("connections in the echo listener's accept queue").isEqualTo(1);
            assertThat(serviceConnections(t)).isEqualTo(3);
            assertThat(t.counter("TcpExt", "ListenOverflows")).isZero();

            t.api().close(served[0]);
            t.pump();
            assertThat(t.acceptQueue(7)).isZero();
            assertThat(new String(t.readAtLeast(waiting, 9), StandardCharsets.US_ASCII)).isEqualTo("waiting\r\n");
            assertThat(serviceConnections(t)).isEqualTo(3);
            assertEchoes(t, served[1], "still served\r\n");

            // Full again: the next one waits, and is served when the next one ends.
            int next = t.connect(7);
            t.api().send(next, ascii("next\r\n"), 0);
            t.pump();
            assertThat(t.api().poll(next, EPOLLIN | EPOLLRDHUP, 0)).isZero();
            t.api().close(served[2]);
            t.pump();
            assertThat(new String(t.readAtLeast(next, 6), StandardCharsets.US_ASCII)).isEqualTo("next\r\n");
            for (int fd : new int[] {served[1], waiting, next}) {
                t.api().close(fd);
            }
        }
    }

    @Test
    void pastTheBacklogTheHandshakeWaitsAsWithLinuxAndTheClientIsServedLater() throws Exception {
        ServiceSettings oneAtATime = new ServiceSettings(List.of(Service.ECHO), InetSockAddr.INADDR_ANY, 0, 1, 1);
        try (ServicesTestBed t = new ServicesTestBed(oneAtATime)) {
            int a = t.connect(7);
            assertEchoes(t, a, "a\r\n");
            // Backlog 1: the accept queue holds two (Linux's sk_acceptq_is_full is "more than the backlog").
            int b = t.connect(7);
            int c = t.connect(7);
            assertThat(t.acceptQueue(7)).isEqualTo(2);
            int d = t.connect(7);
            assertThat(t.api().poll(d, EPOLLOUT, 0)).as("d's SYN dropped: the accept queue is full").isZero();
            assertThat(t.counter("TcpExt", "ListenOverflows")).isPositive();

            t.api().close(a);
            t.pump();
            assertThat(t.acceptQueue(7)).as("b accepted").isEqualTo(1);
            t.pumpFor(3000); // d's SYN again, after its retransmission timeout
            assertThat(t.api().poll(d, EPOLLOUT, 0)).as("d connected").isEqualTo(EPOLLOUT);
            assertThat(t.acceptQueue(7)).isEqualTo(2);

            for (int fd : new int[] {b, c}) {
                assertEchoes(t, fd, "served\r\n");
                t.api().close(fd);
                t.pump();
            }
            assertEchoes(t, d, "d at last\r\n");
            t.api().close(d);
        }
    }

    /**
     * {@code accept} failing for want of descriptors leaves the connection queued and the
     * listener readable: the listener is not watched until after the loop's next wait, so
     * the loop does not spin on it, and the connection is served once descriptors are back.
     */
    @Test
    void anAcceptShortOfDescriptorsPausesTheListenerInsteadOfSpinning() throws Exception {
        AtomicBoolean shortage = new AtomicBoolean(true);
        AtomicInteger accepts = new AtomicInteger();
        UnaryOperator<SocketApi> failingAccept = api -> (SocketApi) Proxy.newProxyInstance(
                SocketApi.class.getClassLoader(), new Class<?>[] {SocketApi.class}, (proxy, method, args) -> {
                    if (method.getName().equals("sysAccept")) {
                        accepts.incrementAndGet();
                        if (shortage.get()) {
                            return Errno.EMFILE.negative(); // all descriptors are in use
                        }
                    }
                    try {
                        return method.invoke(api, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        ServiceSettings echo = new ServiceSettings(List.of(Service.ECHO), InetSockAddr.INADDR_ANY, 0, 10, 16);
        try (ServicesTestBed t = new ServicesTestBed(echo, failingAccept)) {
            int fd = t.api().socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
            try {
                t.api().connect(fd, new InetSockAddr(ServicesTestBed.LOOPBACK, 7));
            } catch (ErrnoException e) {
                assertThat(e.errno()).isEqualTo(Errno.EINPROGRESS);
            }
            t.bed().runUntilIdle();
            assertThat(t.acceptQueue(7)).isEqualTo(1);

            assertThat(t.loop().runOnce(0)).as("the listener is readable; its accept fails").isEqualTo(1);
            assertThat(accepts).hasValue(1);
            assertThat(t.loop().runOnce(0)).as("the next round: the listener is not watched").isZero();
            assertThat(accepts).hasValue(1);

            shortage.set(false);
            t.pump();
            assertThat(t.acceptQueue(7)).isZero();
            assertEchoes(t, fd, "served after the shortage\r\n");
            t.api().close(fd);
        }
    }
}
