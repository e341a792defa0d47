package net.tern.socket;

import static net.tern.api.socket.SocketConstants.EPOLLERR;
import static net.tern.api.socket.SocketConstants.EPOLLHUP;
import static net.tern.api.socket.SocketConstants.EPOLLIN;
import static net.tern.api.socket.SocketConstants.EPOLLOUT;
import static net.tern.api.socket.SocketConstants.EPOLLRDHUP;
import static net.tern.api.socket.SocketConstants.MSG_DONTWAIT;
import static net.tern.api.socket.SocketConstants.MSG_PEEK;
import static net.tern.api.socket.SocketConstants.SHUT_RD;
import static net.tern.api.socket.SocketConstants.SHUT_WR;
import static net.tern.api.socket.SocketConstants.SOCK_NONBLOCK;
import static net.tern.api.socket.SocketConstants.SOL_SOCKET;
import static net.tern.api.socket.SocketConstants.SO_ACCEPTCONN;
import static net.tern.api.socket.SocketConstants.SO_ERROR;
import static net.tern.api.socket.SocketConstants.SO_RCVBUF;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import net.tern.api.socket.Accepted;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.InetSockAddr;
import net.tern.testfamily.TestLocal;
import org.junit.jupiter.api.Test;

class StreamSocketTest extends SocketLayerTestBase {

    @Test
    void connectedSocketsCarryBytesBothWays() throws Exception {
        int listener = listener(7000, 4);
        int client = stream();
        api.connect(client, port(7000));
        Accepted accepted = api.accept(listener);
        int server = accepted.fd();

        assertThat(api.send(client, bytes("hello"), 0)).isEqualTo(5);
        assertThat(receive(server, 64)).isEqualTo("hello");
        assertThat(api.send(server, bytes("world!"), 0)).isEqualTo(6);
        assertThat(receive(client, 64)).isEqualTo("world!");

        assertThat(accepted.peer()).isEqualTo(api.getsockname(client));
        assertThat(api.getpeername(client)).isEqualTo(port(7000));
        assertThat(api.getsockname(server)).isEqualTo(port(7000));
        assertThat(api.getpeername(server)).isEqualTo(api.getsockname(client));
        assertThat(((net.tern.testfamily.LocalSockAddr) api.getsockname(client)).port())
                .isBetween(TestLocal.EPHEMERAL_LOW, TestLocal.EPHEMERAL_HIGH);
    }

    @Test
    void peekLeavesTheBytesQueued() throws Exception {
        int[] pair = connectedPair(7001);
        api.send(pair[0], bytes("abc"), 0);
        ByteBuffer peeked = ByteBuffer.allocate(8);
        assertThat(api.recv(pair[1], peeked, MSG_PEEK)).isEqualTo(3);
        assertThat(receive(pair[1], 8)).isEqualTo("abc");
    }

    @Test
    void bindingAPortInUseIsEaddrinuse() throws Exception {
        int first = stream();
        api.bind(first, port(7002));
        int second = stream();
        ErrnoException e = assertErrno(Errno.EADDRINUSE, () -> api.bind(second, port(7002)));
        assertThat(e.getMessage()).contains("bind(fd " + second + ", testlocal:7002)").contains("port 7002");
        api.close(first);
        api.bind(second, port(7002));
    }

    @Test
    void bindingPortZeroPicksAnEphemeralPort() throws Exception {
        int fd = stream();
        api.bind(fd, port(0));
        int bound = ((net.tern.testfamily.LocalSockAddr) api.getsockname(fd)).port();
        assertThat(bound).isBetween(TestLocal.EPHEMERAL_LOW, TestLocal.EPHEMERAL_HIGH);
    }

    @Test
    void bindingTwiceIsEinval() throws Exception {
        int fd = stream();
        api.bind(fd, port(7003));
        assertErrno(Errno.EINVAL, () -> api.bind(fd, port(7004)));
    }

    @Test
    void bindingAnotherFamilysAddressIsEafnosupport() throws Exception {
        int fd = stream();
        assertErrno(Errno.EAFNOSUPPORT, () -> api.bind(fd, InetSockAddr.parse("127.0.0.1:80")));
    }

    @Test
    void bindingTheBlackHolePortIsEaddrnotavail() throws Exception {
        int fd = stream();
        assertErrno(Errno.EADDRNOTAVAIL, () -> api.bind(fd, port(TestLocal.BLACKHOLE_PORT)));
    }

    @Test
    void connectingWhereNothingListensIsEconnrefused() throws Exception {
        int fd = stream();
        ErrnoException e = assertErrno(Errno.ECONNREFUSED, () -> api.connect(fd, port(7005)));
        assertThat(e.getMessage()).contains("connect(fd " + fd + ", testlocal:7005)");
        int bound = stream();
        api.bind(bound, port(7006));
        assertErrno(Errno.ECONNREFUSED, () -> api.connect(fd, port(7006)));
    }

    @Test
    void connectingTwiceIsEisconn() throws Exception {
        int[] pair = connectedPair(7007);
        assertErrno(Errno.EISCONN, () -> api.connect(pair[0], port(7007)));
    }

    @Test
    void unconnectedSocketsAreEnotconn() throws Exception {
        int fd = stream();
        assertErrno(Errno.ENOTCONN, () -> api.getpeername(fd));
        assertErrno(Errno.ENOTCONN, () -> api.send(fd, bytes("x"), 0));
        assertErrno(Errno.ENOTCONN, () -> api.recv(fd, ByteBuffer.allocate(1), 0));
        assertErrno(Errno.ENOTCONN, () -> api.shutdown(fd, SHUT_WR));
        int listener = listener(7008, 1);
        assertErrno(Errno.ENOTCONN, () -> api.getpeername(listener));
    }

    @Test
    void acceptOnASocketThatIsNotListeningIsEinval() throws Exception {
        int fd = stream();
        assertErrno(Errno.EINVAL, () -> api.accept(fd));
        assertErrno(Errno.EINVAL, () -> api.accept(fd, 0x1));
    }

    @Test
    void nonBlockingReceiveWithoutDataIsEagain() throws Exception {
        int[] pair = connectedPair(7009);
        ErrnoException e = assertErrno(Errno.EAGAIN, () -> api.recv(pair[1], ByteBuffer.allocate(8), MSG_DONTWAIT));
        assertThat(e.getMessage()).contains("recv(fd " + pair[1] + ")");
        api.setNonBlocking(pair[1], true);
        assertErrno(Errno.EAGAIN, () -> api.recv(pair[1], ByteBuffer.allocate(8), 0));
    }

    @Test
    void nonBlockingAcceptWithoutConnectionIsEagain() throws Exception {
        int listener = listener(7010, 1);
        api.setNonBlocking(listener, true);
        ErrnoException e = assertErrno(Errno.EAGAIN, () -> api.accept(listener));
        assertThat(e.getMessage()).contains("accept(fd " + listener + ")");
        assertThat(api.openDescriptors()).as("the reserved descriptor was given back").isEqualTo(1);
    }

    @Test
    void acceptWithSockNonblockMakesTheNewSocketNonBlocking() throws Exception {
        int listener = listener(7011, 1);
        int client = stream();
        api.connect(client, port(7011));
        Accepted accepted = api.accept(listener, SOCK_NONBLOCK);
        assertThat(api.isNonBlocking(accepted.fd())).isTrue();
        assertThat(api.isNonBlocking(listener)).isFalse();
        assertThat(api.getsockopt(listener, SOL_SOCKET, SO_ACCEPTCONN)).isEqualTo(1);
        assertThat(api.getsockopt(accepted.fd(), SOL_SOCKET, SO_ACCEPTCONN)).isZero();
    }

    @Test
    void shutdownOfTheWritingSideGivesTheReaderEndOfStream() throws Exception {
        int[] pair = connectedPair(7012);
        api.send(pair[0], bytes("last"), 0);
        api.shutdown(pair[0], SHUT_WR);
        assertThat(api.poll(pair[1], EPOLLIN | EPOLLRDHUP, 0)).isEqualTo(EPOLLIN | EPOLLRDHUP);
        assertThat(receive(pair[1], 64)).isEqualTo("last");
        assertThat(api.recv(pair[1], ByteBuffer.allocate(8), 0)).as("end of stream").isZero();
        assertThat(api.send(pair[1], bytes("reply"), 0)).as("the other direction still works").isEqualTo(5);
        assertThat(receive(pair[0], 64)).isEqualTo("reply");
    }

    @Test
    void sendingAfterShuttingDownIsEpipe() throws Exception {
        int[] pair = connectedPair(7013);
        api.shutdown(pair[0], SHUT_WR);
        ErrnoException e = assertErrno(Errno.EPIPE, () -> api.send(pair[0], bytes("x"), 0));
        assertThat(e.getMessage()).contains("send(fd " + pair[0] + ")");
    }

    @Test
    void sendingToAPeerThatShutItsReadingSideIsEpipe() throws Exception {
        int[] pair = connectedPair(7014);
        api.shutdown(pair[1], SHUT_RD);
        assertErrno(Errno.EPIPE, () -> api.send(pair[0], bytes("x"), 0));
        assertThat(api.recv(pair[1], ByteBuffer.allocate(8), 0)).isZero();
    }

    @Test
    void closingThePeerHangsUpTheOtherSideAndSendingIsEpipe() throws Exception {
        int[] pair = connectedPair(7015);
        api.send(pair[1], bytes("bye"), 0);
        api.close(pair[1]);
        int mask = api.poll(pair[0], EPOLLIN, 0);
        assertThat(mask & EPOLLHUP).isEqualTo(EPOLLHUP);
        assertThat(mask & EPOLLIN).isEqualTo(EPOLLIN);
        assertThat(receive(pair[0], 8)).as("data sent before the close").isEqualTo("bye");
        assertThat(api.recv(pair[0], ByteBuffer.allocate(8), 0)).isZero();
        assertErrno(Errno.EPIPE, () -> api.send(pair[0], bytes("x"), 0));
    }

    @Test
    void fullSendBufferTakesWhatFitsThenIsEagain() throws Exception {
        int[] pair = connectedPair(7016);
        api.setsockopt(pair[1], SOL_SOCKET, SO_RCVBUF, TestLocal.MIN_BUFFER);
        api.setNonBlocking(pair[0], true);
        assertThat(api.poll(pair[0], EPOLLOUT, 0)).isEqualTo(EPOLLOUT);
        ByteBuffer big = ByteBuffer.allocate(1000);
        assertThat(api.send(pair[0], big, 0)).isEqualTo(TestLocal.MIN_BUFFER);
        assertThat(big.position()).isEqualTo(TestLocal.MIN_BUFFER);
        assertThat(api.poll(pair[0], EPOLLOUT, 0)).as("not writable when full").isZero();
        assertErrno(Errno.EAGAIN, () -> api.send(pair[0], big, 0));
        assertThat(api.recv(pair[1], ByteBuffer.allocate(100), 0)).isEqualTo(100);
        assertThat(api.poll(pair[0], EPOLLOUT, 0)).isEqualTo(EPOLLOUT);
        assertThat(api.send(pair[0], big, 0)).isEqualTo(100);
    }

    @Test
    void connectToAFullAcceptQueueIsInProgressUntilAcceptMakesRoom() throws Exception {
        int listener = listener(7017, 0);
        int first = stream();
        api.connect(first, port(7017));
        int second = api.socket(AF, net.tern.api.socket.SocketConstants.SOCK_STREAM | SOCK_NONBLOCK, 0);
        ErrnoException e = assertErrno(Errno.EINPROGRESS, () -> api.connect(second, port(7017)));
        assertThat(e.getMessage()).contains("connect(fd " + second + ", testlocal:7017)");
        assertErrno(Errno.EALREADY, () -> api.connect(second, port(7017)));
        assertThat(api.poll(second, EPOLLOUT, 0)).isZero();

        api.accept(listener);
        assertThat(api.poll(second, EPOLLOUT, 0)).isEqualTo(EPOLLOUT);
        assertThat(api.getsockopt(second, SOL_SOCKET, SO_ERROR)).isZero();
        assertThat(api.getpeername(second)).isEqualTo(port(7017));
        Accepted accepted = api.accept(listener);
        assertThat(accepted.peer()).isEqualTo(api.getsockname(second));
    }

    @Test
    void listenerClosingRefusesTheConnectorsStillWaiting() throws Exception {
        int listener = listener(7018, 0);
        api.connect(stream(), port(7018));
        int waiting = stream();
        api.setNonBlocking(waiting, true);
        assertErrno(Errno.EINPROGRESS, () -> api.connect(waiting, port(7018)));
        api.close(listener);
        assertThat(api.poll(waiting, EPOLLOUT, 0) & EPOLLERR).isEqualTo(EPOLLERR);
        assertThat(api.getsockopt(waiting, SOL_SOCKET, SO_ERROR)).isEqualTo(Errno.ECONNREFUSED.number());
    }

    @Test
    void acceptedConnectionOutlivesItsListener() throws Exception {
        int[] pair = connectedPair(7019);
        api.close(pair[2]);
        api.send(pair[0], bytes("still here"), 0);
        assertThat(receive(pair[1], 64)).isEqualTo("still here");
    }
}
