package net.tern.socket;

import static net.tern.api.socket.SocketConstants.EPOLLIN;
import static net.tern.api.socket.SocketConstants.EPOLL_CTL_ADD;
import static net.tern.api.socket.SocketConstants.MSG_DONTWAIT;
import static net.tern.api.socket.SocketConstants.MSG_TRUNC;
import static net.tern.api.socket.SocketConstants.SHUT_WR;
import static net.tern.api.socket.SocketConstants.SOCK_NONBLOCK;
import static net.tern.api.socket.SocketConstants.SOCK_STREAM;
import static net.tern.api.socket.SocketConstants.SOL_SOCKET;
import static net.tern.api.socket.SocketConstants.SO_RCVTIMEO;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.MsgHeader;
import org.junit.jupiter.api.Test;

/** The {@code sys*} calls: results and errors as values, vectors of buffers, and how they wait. */
class SysCallsTest extends SocketLayerTestBase {

    @Test
    void errorsComeBackAsNegativeErrnosWithoutAnException() throws Exception {
        int epfd = api.epollCreate();
        ByteBuffer buf = ByteBuffer.allocate(4);
        assertThat(api.sysRecv(99, buf, 0, null)).isEqualTo(Errno.EBADF.negative());
        assertThat(api.sysSend(epfd, buf, 0, null)).isEqualTo(Errno.ENOTSOCK.negative());
        assertThat(api.sysAccept(99, 0)).isEqualTo(Errno.EBADF.negative());
        assertThat(api.sysConnect(stream(), null)).isEqualTo(Errno.EFAULT.negative());
        assertThat(api.sysRecv(stream(), (ByteBuffer) null, 0, null)).isEqualTo(Errno.EFAULT.negative());
        assertThat(api.sysEpollWait(99, new int[1], new long[1], 0)).isEqualTo(Errno.EBADF.negative());
        int notListening = stream();
        api.setNonBlocking(notListening, true);
        assertThat(api.sysAccept(notListening, 0)).as("the protocol's own refusal, as its errno")
                .isEqualTo(Errno.EINVAL.negative());
        int[] pair = connectedPair(7400);
        assertThat(api.sysRecv(pair[1], buf, MSG_DONTWAIT, null)).isEqualTo(Errno.EAGAIN.negative());
        assertThat(Errno.ofResult(api.sysRecv(pair[1], buf, MSG_DONTWAIT, null))).isEqualTo(Errno.EAGAIN);
    }

    @Test
    void aBlockingReceiveTimesOutWithEagainAndTheThrowingCallSaysWhy() throws Exception {
        int[] pair = connectedPair(7401);
        api.setsockopt(pair[1], SOL_SOCKET, SO_RCVTIMEO, 50);
        Future<Long> received = inBackground(() -> api.sysRecv(pair[1], ByteBuffer.allocate(4), 0, null));
        awaitBlocked(pair[1]);
        time.advance(50, TimeUnit.MILLISECONDS);
        assertThat(result(received)).isEqualTo(Errno.EAGAIN.negative());

        Future<Integer> thrown = inBackground(() -> api.recv(pair[1], ByteBuffer.allocate(4), 0));
        awaitBlocked(pair[1]);
        time.advance(50, TimeUnit.MILLISECONDS);
        ErrnoException e = failure(thrown, Errno.EAGAIN);
        assertThat(e.getMessage()).isEqualTo("EAGAIN: recv(fd " + pair[1]
                + "): timed out after 50 ms (SO_RCVTIMEO): Resource temporarily unavailable");
    }

    @Test
    void closingTheDescriptorWakesABlockedReceiverWithEbadf() throws Exception {
        int[] pair = connectedPair(7402);
        Future<Long> received = inBackground(() -> api.sysRecv(pair[1], ByteBuffer.allocate(4), 0, null));
        awaitBlocked(pair[1]);
        api.close(pair[1]);
        assertThat(result(received)).isEqualTo(Errno.EBADF.negative());
    }

    @Test
    void aVectorSendGathersAndAVectorReceiveScattersAStream() throws Exception {
        int[] pair = connectedPair(7403);
        ByteBuffer[] out = {bytes("ab"), ByteBuffer.allocate(0), bytes("cde"), bytes("f")};
        assertThat(api.sysSend(pair[0], out, 1, 3, 0, null)).as("from the second buffer on").isEqualTo(4);
        assertThat(out[0].remaining()).as("outside the range").isEqualTo(2);
        assertThat(out[2].hasRemaining() || out[3].hasRemaining()).isFalse();

        ByteBuffer[] in = {ByteBuffer.allocate(1), ByteBuffer.allocate(2), ByteBuffer.allocate(8)};
        assertThat(api.sysRecv(pair[1], in, 0, 3, 0, null)).isEqualTo(4);
        assertThat(text(in[0])).isEqualTo("c");
        assertThat(text(in[1])).isEqualTo("de");
        assertThat(text(in[2])).isEqualTo("f");
        assertThat(api.sysRecv(pair[1], in, 2, 1, MSG_DONTWAIT, null)).as("nothing more")
                .isEqualTo(Errno.EAGAIN.negative());

        api.shutdown(pair[0], SHUT_WR);
        ByteBuffer[] end = {ByteBuffer.allocate(4), ByteBuffer.allocate(4)};
        assertThat(api.sysRecv(pair[1], end, 0, 2, 0, null)).as("end of stream").isZero();
    }

    @Test
    void aVectorReceiveReturnsWhatIsThereWithoutWaitingToFillEveryBuffer() throws Exception {
        int[] pair = connectedPair(7404);
        api.send(pair[0], bytes("xyz"), 0);
        ByteBuffer[] in = {ByteBuffer.allocate(2), ByteBuffer.allocate(8)};
        Future<Long> received = inBackground(() -> api.sysRecv(pair[1], in, 0, 2, 0, null));
        assertThat(result(received)).isEqualTo(3);
        assertThat(text(in[0]) + text(in[1])).isEqualTo("xyz");
    }

    @Test
    void aVectorSendIsOneDatagramAndAVectorReceiveScattersIt() throws Exception {
        int receiver = dgram();
        api.bind(receiver, port(8100));
        int sender = dgram();
        ByteBuffer[] out = {bytes("0123"), bytes("4567"), bytes("89")};
        assertThat(api.sysSend(sender, out, 0, 3, 0, port(8100))).isEqualTo(10);
        assertThat(out[0].hasRemaining() || out[1].hasRemaining() || out[2].hasRemaining()).isFalse();

        ByteBuffer[] in = {ByteBuffer.allocate(3), ByteBuffer.allocate(5)};
        MsgHeader msg = new MsgHeader();
        assertThat(api.sysRecv(receiver, in, 0, 2, 0, msg)).as("what fits of one datagram").isEqualTo(8);
        assertThat(text(in[0])).isEqualTo("012");
        assertThat(text(in[1])).isEqualTo("34567");
        assertThat(msg.truncated()).isTrue();
        assertThat(msg.flags & MSG_TRUNC).isEqualTo(MSG_TRUNC);
        assertThat(msg.from).isEqualTo(api.getsockname(sender));
        api.setNonBlocking(receiver, true);
        assertThat(api.sysRecv(receiver, in, 0, 2, 0, msg.reset())).as("the tail was discarded")
                .isEqualTo(Errno.EAGAIN.negative());
    }

    @Test
    void acceptAndConnectAsValues() throws Exception {
        int listener = listener(7405, 0);
        api.setNonBlocking(listener, true);
        assertThat(api.sysAccept(listener, 0)).isEqualTo(Errno.EAGAIN.negative());
        int openBefore = api.openDescriptors();
        assertThat(api.sysAccept(listener, 0)).isEqualTo(Errno.EAGAIN.negative());
        assertThat(api.openDescriptors()).as("no descriptor taken by a would-block accept").isEqualTo(openBefore);

        int first = stream();
        assertThat(api.sysConnect(first, port(7405))).isZero();
        int second = api.socket(AF, SOCK_STREAM | SOCK_NONBLOCK, 0);
        assertThat(api.sysConnect(second, port(7405))).as("the accept queue is full")
                .isEqualTo(Errno.EINPROGRESS.negative());
        assertThat(api.sysConnect(second, port(7405))).isEqualTo(Errno.EALREADY.negative());
        int accepted = api.sysAccept(listener, SOCK_NONBLOCK);
        assertThat(accepted).isPositive();
        assertThat(api.isNonBlocking(accepted)).isTrue();
        assertThat(api.getpeername(accepted)).isEqualTo(api.getsockname(first));
        assertThat(api.sysConnect(second, port(7405))).as("up now (the test family says so at once)")
                .isEqualTo(Errno.EISCONN.negative());
        assertThat(api.sysConnect(stream(), port(7499))).as("nobody listens")
                .isEqualTo(Errno.ECONNREFUSED.negative());
    }

    @Test
    void epollWaitIntoArrays() throws Exception {
        int[] pair = connectedPair(7406);
        int epfd = api.epollCreate();
        api.epollCtl(epfd, EPOLL_CTL_ADD, pair[1], EPOLLIN, 41);
        int[] events = new int[4];
        long[] data = new long[2];
        assertThat(api.sysEpollWait(epfd, events, data, 0)).isZero();
        api.send(pair[0], bytes("x"), 0);
        assertThat(api.sysEpollWait(epfd, events, data, 0)).isEqualTo(1);
        assertThat(events[0]).isEqualTo(EPOLLIN);
        assertThat(data[0]).isEqualTo(41);
        receive(pair[1], 4);
        Future<Integer> waited = inBackground(() -> api.sysEpollWait(epfd, events, data, -1));
        awaitBlocked(epfd);
        api.close(epfd);
        assertThat(result(waited)).as("the set was closed under the wait").isEqualTo(Errno.EBADF.negative());
    }

    private static String text(ByteBuffer buffer) {
        return new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8);
    }
}
