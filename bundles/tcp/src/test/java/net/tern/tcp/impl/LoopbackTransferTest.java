package net.tern.tcp.impl;

import static net.tern.api.socket.SocketConstants.AF_INET;
import static net.tern.api.socket.SocketConstants.EPOLLIN;
import static net.tern.api.socket.SocketConstants.EPOLLRDHUP;
import static net.tern.api.socket.SocketConstants.SHUT_WR;
import static net.tern.api.socket.SocketConstants.SOCK_NONBLOCK;
import static net.tern.api.socket.SocketConstants.SOCK_STREAM;
import static net.tern.api.socket.SocketConstants.SOL_SOCKET;
import static net.tern.api.socket.SocketConstants.SO_LINGER;
import static net.tern.api.socket.SocketConstants.SO_REUSEADDR;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.InetSockAddr;
import net.tern.api.socket.SocketApi;
import net.tern.core.testing.PacketLeakCheck;
import net.tern.inet.sock.SkState;
import net.tern.tcp.testing.LoopbackHost;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Connections to self over {@code lo}, through the socket API, in virtual time. */
@ExtendWith(PacketLeakCheck.class)
class LoopbackTransferTest {
    private LoopbackHost lo;
    private SocketApi api;

    @BeforeEach
    void setUp() throws ErrnoException {
        lo = new LoopbackHost();
        api = lo.api();
    }

    @AfterEach
    void tearDown() {
        lo.close();
    }

    private static byte[] text(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private byte[] readAll(int fd, int expected) throws ErrnoException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (out.size() < expected) {
            byte[] chunk = lo.readAvailable(fd);
            if (chunk == null) {
                break;
            }
            out.writeBytes(chunk);
            if (chunk.length == 0) {
                lo.advance(1, TimeUnit.MILLISECONDS);
            }
        }
        return out.toByteArray();
    }

    /**
     * A server restarting with SO_REUSEADDR may bind and listen on its port again while a
     * connection the old listener accepted is still closing (FIN-WAIT-1): Linux's
     * inet_csk_bind_conflict lets two SO_REUSEADDR sockets share a port unless the other listens.
     */
    @Test
    void aRestartedListenerWithReuseAddrBindsBesideAClosingChild() throws Exception {
        int old = api.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        api.setsockopt(old, SOL_SOCKET, SO_REUSEADDR, 1);
        api.bind(old, new InetSockAddr(InetSockAddr.INADDR_LOOPBACK, 8081));
        api.listen(old, 8);
        int[] pair = lo.connectPair(old, 8081);
        api.close(old);
        api.close(pair[1]);
        int plain = api.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        assertThatThrownBy(() -> api.bind(plain, new InetSockAddr(InetSockAddr.INADDR_LOOPBACK, 8081)))
                .as("the closing child still holds the port")
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EADDRINUSE));

        int fresh = api.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        api.setsockopt(fresh, SOL_SOCKET, SO_REUSEADDR, 1);
        api.bind(fresh, new InetSockAddr(InetSockAddr.INADDR_LOOPBACK, 8081));
        api.listen(fresh, 8);
        int[] again = lo.connectPair(fresh, 8081);
        lo.sendAll(again[0], text("again"), 100);
        lo.runUntilIdle();
        assertThat(lo.readAvailable(again[1])).isEqualTo(text("again"));
    }

    @Test
    void dataFlowsBothWays() throws Exception {
        int l = lo.listen(8080, 8);
        int[] pair = lo.connectPair(l, 8080);
        lo.sendAll(pair[0], text("hello"), 100);
        lo.runUntilIdle();
        assertThat(lo.readAvailable(pair[1])).isEqualTo(text("hello"));
        lo.sendAll(pair[1], text("world!"), 100);
        lo.runUntilIdle();
        assertThat(lo.readAvailable(pair[0])).isEqualTo(text("world!"));
        assertThat(api.getpeername(pair[1])).isEqualTo(api.getsockname(pair[0]));
    }

    @Test
    void megabytesEachWayArriveIntact_seed3() throws Exception {
        int l = lo.listen(8080, 8);
        int[] pair = lo.connectPair(l, 8080);
        byte[] up = new byte[3 << 20];
        byte[] down = new byte[3 << 20];
        new SplittableRandom(3).nextBytes(up);
        new SplittableRandom(4).nextBytes(down);
        byte[][] got = lo.transferBothWays(pair, up, down, 20_000);
        assertThat(digest(got[0])).isEqualTo(digest(up));
        assertThat(digest(got[1])).isEqualTo(digest(down));
    }

    private static byte[] digest(byte[] data) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(data);
    }

    @Test
    void halfCloseLetsThePeerKeepSending() throws Exception {
        int l = lo.listen(8080, 8);
        int[] pair = lo.connectPair(l, 8080);
        api.shutdown(pair[0], SHUT_WR);
        lo.runUntilIdle();
        assertThat(lo.readAvailable(pair[1])).isNull(); // end of stream
        assertThat(api.poll(pair[1], EPOLLIN | EPOLLRDHUP, 0) & EPOLLRDHUP).isEqualTo(EPOLLRDHUP);
        assertThatThrownBy(() -> api.send(pair[0], ByteBuffer.wrap(text("x")), 0))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EPIPE));
        lo.sendAll(pair[1], text("still talking"), 100);
        lo.runUntilIdle();
        assertThat(readAll(pair[0], 13)).isEqualTo(text("still talking"));
        api.close(pair[1]);
        lo.runUntilIdle();
        assertThat(lo.readAvailable(pair[0])).isNull();
    }

    @Test
    void fourWayCloseLeavesTimeWaitForTwoMsl() throws Exception {
        int l = lo.listen(8080, 8);
        int[] pair = lo.connectPair(l, 8080);
        InetSockAddr client = (InetSockAddr) api.getsockname(pair[0]);
        ConnKey key = new ConnKey(client.address(), client.port(), InetSockAddr.INADDR_LOOPBACK, 8080);
        Tcp tcp = lo.host().tcp();
        assertThat(lo.host().counter(TcpMib.CurrEstab)).as("both ends established").isEqualTo(2);
        api.close(pair[0]); // active close: FIN-WAIT-1, FIN-WAIT-2 once ACKed
        lo.runUntilIdle();
        assertThat(lo.readAvailable(pair[1])).isNull();
        api.close(pair[1]); // passive close: LAST-ACK, then CLOSED
        lo.runUntilIdle();
        assertThat(tcp.tables().lookupEstablished(key)).isInstanceOf(TimeWaitSock.class);
        assertThat(lo.host().counter(TcpExtMib.TW)).as("counted as TIME-WAIT begins, as Linux 6.x").isEqualTo(1);
        assertThat(tcp.tables().lookupEstablished(new ConnKey(InetSockAddr.INADDR_LOOPBACK, 8080,
                client.address(), client.port()))).isNull();
        int rebind = api.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        assertThatThrownBy(() -> api.bind(rebind, client)).isInstanceOfSatisfying(ErrnoException.class,
                e -> assertThat(e.errno()).isEqualTo(Errno.EADDRINUSE));
        lo.advance(60_000 - 10, TimeUnit.MILLISECONDS);
        assertThat(tcp.tables().lookupEstablished(key)).isInstanceOf(TimeWaitSock.class);
        lo.advance(20, TimeUnit.MILLISECONDS);
        assertThat(tcp.tables().lookupEstablished(key)).isNull();
        api.bind(rebind, client);
        assertThat(lo.host().counter(TcpExtMib.TW)).isEqualTo(1);
        assertThat(lo.host().counter(TcpMib.CurrEstab)).isZero();
    }

    @Test
    void simultaneousCloseGoesThroughClosingToTimeWaitOnBothSides() throws Exception {
        int l = lo.listen(8080, 8);
        int[] pair = lo.connectPair(l, 8080);
        Tcp tcp = lo.host().tcp();
        // Loopback receives on the sending thread, so both FINs leave before either arrives
        // only if the second socket is owned while the first FIN comes: it waits on its
        // backlog until the second FIN has left.
        TcpSock second = tcp.sockets().stream()
                .filter(s -> s.socket() != null && s.socket().fd() == pair[1]).findFirst().orElseThrow();
        second.lock();
        try {
            api.shutdown(pair[0], SHUT_WR);
            api.shutdown(pair[1], SHUT_WR);
        } finally {
            second.unlock();
        }
        lo.runUntilIdle();
        long timeWaits = tcp.tables().establishedEntries().stream().filter(e -> e instanceof TimeWaitSock).count();
        assertThat(timeWaits).isEqualTo(2);
        assertThat(lo.readAvailable(pair[0])).isNull();
        assertThat(lo.readAvailable(pair[1])).isNull();
    }

    @Test
    void lingerZeroCloseResetsThePeer() throws Exception {
        int l = lo.listen(8080, 8);
        int[] pair = lo.connectPair(l, 8080);
        api.setsockopt(pair[0], SOL_SOCKET, SO_LINGER, 0);
        api.close(pair[0]);
        lo.runUntilIdle();
        assertThatThrownBy(() -> api.recv(pair[1], ByteBuffer.allocate(10), 0))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ECONNRESET));
        assertThat(lo.readAvailable(pair[1])).isNull(); // after the error, end of stream
        assertThatThrownBy(() -> api.send(pair[1], ByteBuffer.wrap(text("x")), 0))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EPIPE));
        assertThat(lo.host().counter(TcpMib.EstabResets)).isEqualTo(2);
    }

    @Test
    void closingWithUnreadDataResetsInsteadOfFin() throws Exception {
        int l = lo.listen(8080, 8);
        int[] pair = lo.connectPair(l, 8080);
        lo.sendAll(pair[0], text("unread"), 100);
        lo.runUntilIdle();
        api.close(pair[1]);
        lo.runUntilIdle();
        assertThatThrownBy(() -> api.recv(pair[0], ByteBuffer.allocate(10), 0))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ECONNRESET));
        assertThat(lo.host().counter(TcpExtMib.TCPAbortOnClose)).isEqualTo(1);
    }

    @Test
    void writeAfterThePeerClosedAndResetIsEpipe() throws Exception {
        int l = lo.listen(8080, 8);
        int[] pair = lo.connectPair(l, 8080);
        api.close(pair[1]);
        lo.runUntilIdle();
        // The peer's socket is gone: our data draws a RST (TCPAbortOnData), then writes fail.
        lo.sendAll(pair[0], text("anyone?"), 100);
        lo.runUntilIdle();
        assertThatThrownBy(() -> api.send(pair[0], ByteBuffer.wrap(text("x")), 0))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EPIPE));
        assertThat(lo.host().counter(TcpExtMib.TCPAbortOnData)).isEqualTo(1);
    }

    @Test
    void unconnectedSocketsFailSendWithEpipeAndRecvWithEnotconn() throws Exception {
        int fd = api.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        assertThatThrownBy(() -> api.send(fd, ByteBuffer.wrap(text("x")), 0))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EPIPE));
        assertThatThrownBy(() -> api.recv(fd, ByteBuffer.allocate(1), 0))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENOTCONN));
    }

    @Test
    void connectToAPortWithoutListenerIsRefused() throws Exception {
        int fd = lo.startConnect(9);
        lo.runUntilIdle();
        assertThatThrownBy(() -> api.connect(fd, new InetSockAddr(InetSockAddr.INADDR_LOOPBACK, 9)))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ECONNREFUSED));
    }

    @Test
    void bindingAPortInUseIsEaddrinuse() throws Exception {
        lo.listen(8080, 8);
        int other = api.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        assertThatThrownBy(() -> api.bind(other, new InetSockAddr(0, 8080)))
                .isInstanceOfSatisfying(ErrnoException.class, e -> {
                    assertThat(e.errno()).isEqualTo(Errno.EADDRINUSE);
                    assertThat(e.getMessage()).contains("8080");
                });
    }

    @Test
    void closedSocketsLeaveNothingBehind() throws Exception {
        int l = lo.listen(8080, 8);
        int[] pair = lo.connectPair(l, 8080);
        api.close(pair[1]);
        lo.runUntilIdle();
        api.close(pair[0]);
        api.close(l);
        lo.runUntilIdle();
        lo.advance(61, TimeUnit.SECONDS);
        Tcp tcp = lo.host().tcp();
        assertThat(tcp.sockets()).isEmpty();
        assertThat(tcp.tables().establishedCount()).isZero();
        assertThat(tcp.tables().boundPorts()).isZero();
        assertThat(lo.time().pendingTimers()).isZero();
    }

    @Test
    void stateOfAnAcceptedSocketIsEstablished() throws Exception {
        int l = lo.listen(8080, 8);
        int[] pair = lo.connectPair(l, 8080);
        assertThat(lo.host().tcp().sockets()).extracting(TcpSock::state)
                .containsExactlyInAnyOrder(SkState.LISTEN, SkState.ESTABLISHED, SkState.ESTABLISHED);
        assertThat(pair).hasSize(2);
    }
}
