package net.tern.socket;

import static net.tern.api.socket.SocketConstants.EPOLLERR;
import static net.tern.api.socket.SocketConstants.EPOLLIN;
import static net.tern.api.socket.SocketConstants.EPOLLOUT;
import static net.tern.api.socket.SocketConstants.MSG_TRUNC;
import static net.tern.api.socket.SocketConstants.SOL_SOCKET;
import static net.tern.api.socket.SocketConstants.SO_ERROR;
import static net.tern.api.socket.SocketConstants.SO_RCVBUF;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Future;
import net.tern.api.socket.Errno;
import net.tern.api.socket.RecvResult;
import net.tern.api.socket.SockAddr;
import net.tern.testfamily.TestLocal;
import org.junit.jupiter.api.Test;

class DatagramSocketTest extends SocketLayerTestBase {

    @Test
    void datagramsKeepTheirBoundariesAndSender() throws Exception {
        int receiver = dgram();
        api.bind(receiver, port(8000));
        int sender = dgram();
        assertThat(api.sendto(sender, bytes("abc"), 0, port(8000))).isEqualTo(3);
        assertThat(api.sendto(sender, bytes("defg"), 0, port(8000))).isEqualTo(4);
        SockAddr senderAddress = api.getsockname(sender);

        ByteBuffer dst = ByteBuffer.allocate(64);
        RecvResult first = api.recvfrom(receiver, dst, 0);
        assertThat(first.bytes()).isEqualTo(3);
        assertThat(first.from()).isEqualTo(senderAddress);
        assertThat(first.truncated()).isFalse();
        dst.clear();
        RecvResult second = api.recvfrom(receiver, dst, 0);
        assertThat(second.bytes()).isEqualTo(4);
        assertThat(new String(dst.array(), 0, 4, StandardCharsets.UTF_8)).isEqualTo("defg");
    }

    @Test
    void aShortBufferGetsTheHeadAndMsgTrunc() throws Exception {
        int receiver = dgram();
        api.bind(receiver, port(8001));
        api.sendto(dgram(), bytes("0123456789"), 0, port(8001));
        api.sendto(dgram(), bytes("next"), 0, port(8001));
        ByteBuffer small = ByteBuffer.allocate(4);
        RecvResult result = api.recvfrom(receiver, small, 0);
        assertThat(result.bytes()).isEqualTo(4);
        assertThat(result.truncated()).isTrue();
        assertThat(new String(small.array(), StandardCharsets.UTF_8)).isEqualTo("0123");
        assertThat(receive(receiver, 64)).as("the tail was discarded").isEqualTo("next");
    }

    @Test
    void msgTruncAskedForReturnsTheRealLength() throws Exception {
        int receiver = dgram();
        api.bind(receiver, port(8002));
        api.sendto(dgram(), bytes("0123456789"), 0, port(8002));
        RecvResult result = api.recvfrom(receiver, ByteBuffer.allocate(4), MSG_TRUNC);
        assertThat(result.bytes()).isEqualTo(10);
        assertThat(result.flags() & MSG_TRUNC).isEqualTo(MSG_TRUNC);
    }

    @Test
    void connectedSocketLearnsOfAnUnreachablePeerAsEconnrefused() throws Exception {
        int fd = dgram();
        api.connect(fd, port(8003));
        assertThat(api.send(fd, bytes("anyone?"), 0)).as("the datagram itself leaves").isEqualTo(7);
        assertThat(api.poll(fd, EPOLLOUT, 0) & EPOLLERR).isEqualTo(EPOLLERR);
        assertErrno(Errno.ECONNREFUSED, () -> api.send(fd, bytes("again"), 0));
        assertThat(api.getsockopt(fd, SOL_SOCKET, SO_ERROR)).as("reported once").isZero();
        api.send(fd, bytes("third"), 0);
        assertErrno(Errno.ECONNREFUSED, () -> api.recv(fd, ByteBuffer.allocate(8), 0));
    }

    @Test
    void unconnectedSendToAnEmptyPortIsDroppedSilently() throws Exception {
        int fd = dgram();
        assertThat(api.sendto(fd, bytes("lost"), 0, port(8004))).isEqualTo(4);
        assertThat(api.getsockopt(fd, SOL_SOCKET, SO_ERROR)).isZero();
        assertThat(family.datagramsDropped()).isEqualTo(1);
    }

    @Test
    void aFullReceiveQueueDropsAndCounts() throws Exception {
        int receiver = dgram();
        api.bind(receiver, port(8005));
        api.setsockopt(receiver, SOL_SOCKET, SO_RCVBUF, TestLocal.MIN_BUFFER);
        int sender = dgram();
        for (int i = 0; i < 3; i++) {
            assertThat(api.sendto(sender, ByteBuffer.allocate(100), 0, port(8005))).isEqualTo(100);
        }
        assertThat(family.datagramsDropped()).isEqualTo(1);
        assertThat(api.recv(receiver, ByteBuffer.allocate(200), 0)).isEqualTo(100);
        assertThat(api.recv(receiver, ByteBuffer.allocate(200), 0)).isEqualTo(100);
        api.setNonBlocking(receiver, true);
        assertErrno(Errno.EAGAIN, () -> api.recv(receiver, ByteBuffer.allocate(200), 0));
    }

    @Test
    void connectedSocketOnlyHearsItsPeer() throws Exception {
        int receiver = dgram();
        api.bind(receiver, port(8006));
        int peer = dgram();
        api.bind(peer, port(8007));
        api.connect(receiver, port(8007));
        api.sendto(dgram(), bytes("stranger"), 0, port(8006));
        api.sendto(peer, bytes("friend"), 0, port(8006));
        assertThat(receive(receiver, 64)).isEqualTo("friend");
        assertThat(api.getpeername(receiver)).isEqualTo(port(8007));
        api.connect(receiver, SockAddr.UNSPEC);
        assertErrno(Errno.ENOTCONN, () -> api.getpeername(receiver));
    }

    @Test
    void sendingWithoutADestinationIsEdestaddrreq() throws Exception {
        int fd = dgram();
        assertErrno(Errno.EDESTADDRREQ, () -> api.send(fd, bytes("where?"), 0));
    }

    @Test
    void bindingADatagramPortInUseIsEaddrinuse() throws Exception {
        api.bind(dgram(), port(8008));
        assertErrno(Errno.EADDRINUSE, () -> api.bind(dgram(), port(8008)));
        int stream = stream();
        api.bind(stream, port(8008));
        assertThat(api.getsockname(stream)).as("streams have their own ports").isEqualTo(port(8008));
    }

    @Test
    void blockingReceiveIsWokenByADatagram() throws Exception {
        int receiver = dgram();
        api.bind(receiver, port(8009));
        Future<RecvResult> received = inBackground(() -> api.recvfrom(receiver, ByteBuffer.allocate(64), 0));
        awaitBlocked(receiver);
        int sender = dgram();
        api.sendto(sender, bytes("ping"), 0, port(8009));
        assertThat(result(received).bytes()).isEqualTo(4);
        assertThat(api.poll(receiver, EPOLLIN, 0)).isZero();
    }

    @Test
    void listenAndAcceptAreNotDatagramOperations() throws Exception {
        int fd = dgram();
        assertErrno(Errno.EOPNOTSUPP, () -> api.listen(fd, 1));
        assertErrno(Errno.EOPNOTSUPP, () -> api.accept(fd));
    }
}
