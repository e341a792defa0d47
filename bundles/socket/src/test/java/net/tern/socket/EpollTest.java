package net.tern.socket;

import static net.tern.api.socket.SocketConstants.EPOLLET;
import static net.tern.api.socket.SocketConstants.EPOLLHUP;
import static net.tern.api.socket.SocketConstants.EPOLLIN;
import static net.tern.api.socket.SocketConstants.EPOLLONESHOT;
import static net.tern.api.socket.SocketConstants.EPOLLOUT;
import static net.tern.api.socket.SocketConstants.EPOLLPRI;
import static net.tern.api.socket.SocketConstants.EPOLL_CTL_ADD;
import static net.tern.api.socket.SocketConstants.EPOLL_CTL_DEL;
import static net.tern.api.socket.SocketConstants.EPOLL_CTL_MOD;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import net.tern.api.socket.EpollEvent;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import org.junit.jupiter.api.Test;

class EpollTest extends SocketLayerTestBase {
    private final EpollEvent[] events = new EpollEvent[8];

    private int waitNow(int epfd) throws ErrnoException {
        Arrays.fill(events, null);
        return api.epollWait(epfd, events, 0);
    }

    @Test
    void levelTriggeredReportsUntilTheDataIsRead() throws Exception {
        int[] pair = connectedPair(9000);
        int ep = api.epollCreate();
        api.epollCtl(ep, EPOLL_CTL_ADD, pair[1], EPOLLIN, 42);
        assertThat(waitNow(ep)).isZero();

        api.send(pair[0], bytes("data"), 0);
        assertThat(waitNow(ep)).isEqualTo(1);
        assertThat(events[0]).isEqualTo(new EpollEvent(EPOLLIN, 42));
        assertThat(waitNow(ep)).as("still readable, still reported").isEqualTo(1);

        receive(pair[1], 64);
        assertThat(waitNow(ep)).as("drained").isZero();
    }

    @Test
    void edgeTriggeredReportsOncePerWakeUp() throws Exception {
        int[] pair = connectedPair(9001);
        int ep = api.epollCreate();
        api.epollCtl(ep, EPOLL_CTL_ADD, pair[1], EPOLLIN | EPOLLET, 7);

        api.send(pair[0], bytes("one"), 0);
        assertThat(waitNow(ep)).isEqualTo(1);
        assertThat(events[0].events()).isEqualTo(EPOLLIN);
        assertThat(waitNow(ep)).as("no new edge although data is still there").isZero();

        api.send(pair[0], bytes("two"), 0);
        assertThat(waitNow(ep)).as("a new arrival is a new edge").isEqualTo(1);
        assertThat(receive(pair[1], 64)).isEqualTo("onetwo");
    }

    @Test
    void oneShotIsSilentUntilRearmedWithMod() throws Exception {
        int[] pair = connectedPair(9002);
        int ep = api.epollCreate();
        api.epollCtl(ep, EPOLL_CTL_ADD, pair[1], EPOLLIN | EPOLLONESHOT, 1);

        api.send(pair[0], bytes("a"), 0);
        assertThat(waitNow(ep)).isEqualTo(1);
        api.send(pair[0], bytes("b"), 0);
        assertThat(waitNow(ep)).as("disabled after reporting").isZero();

        api.epollCtl(ep, EPOLL_CTL_MOD, pair[1], EPOLLIN | EPOLLONESHOT, 2);
        assertThat(waitNow(ep)).isEqualTo(1);
        assertThat(events[0]).isEqualTo(new EpollEvent(EPOLLIN, 2));
    }

    @Test
    void errorAndHangUpAreReportedWithoutBeingAskedFor() throws Exception {
        int[] pair = connectedPair(9003);
        int ep = api.epollCreate();
        api.epollCtl(ep, EPOLL_CTL_ADD, pair[0], EPOLLPRI, 3);
        assertThat(waitNow(ep)).isZero();
        api.close(pair[1]);
        assertThat(waitNow(ep)).isEqualTo(1);
        assertThat(events[0].events()).isEqualTo(EPOLLHUP);
    }

    @Test
    void listenerIsReadableWhenAConnectionWaits() throws Exception {
        int listener = listener(9004, 4);
        int ep = api.epollCreate();
        api.epollCtl(ep, EPOLL_CTL_ADD, listener, EPOLLIN, listener);
        assertThat(waitNow(ep)).isZero();
        api.connect(stream(), port(9004));
        assertThat(waitNow(ep)).isEqualTo(1);
        assertThat(events[0].data()).isEqualTo(listener);
    }

    @Test
    void registeringAnAlreadyReadySocketReportsItAtOnce() throws Exception {
        int[] pair = connectedPair(9005);
        int ep = api.epollCreate();
        api.epollCtl(ep, EPOLL_CTL_ADD, pair[0], EPOLLOUT, 5);
        assertThat(waitNow(ep)).isEqualTo(1);
        assertThat(events[0]).isEqualTo(new EpollEvent(EPOLLOUT, 5));
    }

    @Test
    void waitTimesOutInVirtualTime() throws Exception {
        int[] pair = connectedPair(9006);
        int ep = api.epollCreate();
        api.epollCtl(ep, EPOLL_CTL_ADD, pair[1], EPOLLIN, 0);
        Future<Integer> waited = inBackground(() -> api.epollWait(ep, new EpollEvent[4], 250));
        awaitBlocked(ep);
        time.advance(249, TimeUnit.MILLISECONDS);
        assertThat(waited.isDone()).isFalse();
        time.advance(1, TimeUnit.MILLISECONDS);
        assertThat(result(waited)).isZero();
    }

    @Test
    void blockedWaitIsWokenByASend() throws Exception {
        int[] pair = connectedPair(9007);
        int ep = api.epollCreate();
        api.epollCtl(ep, EPOLL_CTL_ADD, pair[1], EPOLLIN, 99);
        EpollEvent[] out = new EpollEvent[4];
        Future<Integer> waited = inBackground(() -> api.epollWait(ep, out, -1));
        awaitBlocked(ep);
        api.send(pair[0], bytes("go"), 0);
        assertThat(result(waited)).isEqualTo(1);
        assertThat(out[0]).isEqualTo(new EpollEvent(EPOLLIN, 99));
    }

    @Test
    void closingTheSetWakesItsWaiterWithEbadf() throws Exception {
        int ep = api.epollCreate();
        Future<Integer> waited = inBackground(() -> api.epollWait(ep, new EpollEvent[1], -1));
        awaitBlocked(ep);
        api.close(ep);
        failure(waited, Errno.EBADF);
    }

    @Test
    void moreReadySocketsThanRoomAreReportedInTurn() throws Exception {
        int ep = api.epollCreate();
        int[] senders = new int[3];
        for (int i = 0; i < 3; i++) {
            int[] pair = connectedPair(9010 + i);
            senders[i] = pair[0];
            api.epollCtl(ep, EPOLL_CTL_ADD, pair[1], EPOLLIN, i);
            api.send(pair[0], bytes("x"), 0);
        }
        EpollEvent[] two = new EpollEvent[2];
        assertThat(api.epollWait(ep, two, 0)).isEqualTo(2);
        assertThat(two[0].data()).isEqualTo(0);
        assertThat(two[1].data()).isEqualTo(1);
        assertThat(api.epollWait(ep, two, 0)).isEqualTo(2);
        assertThat(two[0].data()).as("the one left out comes first").isEqualTo(2);
        assertThat(two[1].data()).isEqualTo(0);
    }

    @Test
    void closingASocketRemovesItFromTheSet() throws Exception {
        int[] pair = connectedPair(9020);
        int ep = api.epollCreate();
        api.epollCtl(ep, EPOLL_CTL_ADD, pair[1], EPOLLIN, 1);
        api.send(pair[0], bytes("x"), 0);
        api.close(pair[1]);
        assertThat(waitNow(ep)).isZero();
        int reused = stream();
        assertThat(reused).isEqualTo(pair[1]);
        assertErrno(Errno.ENOENT, () -> api.epollCtl(ep, EPOLL_CTL_MOD, reused, EPOLLIN, 1));
        api.epollCtl(ep, EPOLL_CTL_ADD, reused, EPOLLIN, 1);
    }

    @Test
    void deletedSocketsAreNoLongerReported() throws Exception {
        int[] pair = connectedPair(9021);
        int ep = api.epollCreate();
        api.epollCtl(ep, EPOLL_CTL_ADD, pair[1], EPOLLIN, 1);
        api.send(pair[0], bytes("x"), 0);
        api.epollCtl(ep, EPOLL_CTL_DEL, pair[1], 0, 0);
        assertThat(waitNow(ep)).isZero();
        assertErrno(Errno.ENOENT, () -> api.epollCtl(ep, EPOLL_CTL_DEL, pair[1], 0, 0));
    }

    @Test
    void controlErrorsAreThoseOfLinux() throws Exception {
        int fd = stream();
        int ep = api.epollCreate();
        int other = api.epollCreate();
        api.epollCtl(ep, EPOLL_CTL_ADD, fd, EPOLLIN, 0);
        ErrnoException exists = assertErrno(Errno.EEXIST, () -> api.epollCtl(ep, EPOLL_CTL_ADD, fd, EPOLLIN, 0));
        assertThat(exists.getMessage()).contains("epollCtl(epfd " + ep + ", EPOLL_CTL_ADD, fd " + fd + ")");
        assertErrno(Errno.ENOENT, () -> api.epollCtl(other, EPOLL_CTL_MOD, fd, EPOLLIN, 0));
        assertErrno(Errno.EINVAL, () -> api.epollCtl(ep, EPOLL_CTL_ADD, ep, EPOLLIN, 0));
        assertErrno(Errno.ENOTSOCK, () -> api.epollCtl(ep, EPOLL_CTL_ADD, other, EPOLLIN, 0));
        assertErrno(Errno.EBADF, () -> api.epollCtl(ep, EPOLL_CTL_ADD, 999, EPOLLIN, 0));
        assertErrno(Errno.EBADF, () -> api.epollCtl(999, EPOLL_CTL_ADD, fd, EPOLLIN, 0));
        assertErrno(Errno.EINVAL, () -> api.epollCtl(fd, EPOLL_CTL_ADD, fd, EPOLLIN, 0));
        assertErrno(Errno.EINVAL, () -> api.epollCtl(ep, 9, fd, EPOLLIN, 0));
        assertErrno(Errno.EINVAL, () -> api.epollWait(fd, new EpollEvent[1], 0));
        assertErrno(Errno.EINVAL, () -> api.epollWait(ep, new EpollEvent[0], 0));
    }

    @Test
    void anEpollDescriptorIsNotASocket() throws Exception {
        int ep = api.epollCreate();
        ErrnoException e = assertErrno(Errno.ENOTSOCK, () -> api.recv(ep, ByteBuffer.allocate(1), 0));
        assertThat(e.getMessage()).contains("recv(fd " + ep + ")").contains("epoll");
        assertErrno(Errno.ENOTSOCK, () -> api.bind(ep, port(1)));
        assertErrno(Errno.ENOTSOCK, () -> api.poll(ep, EPOLLIN, 0));
        api.close(ep);
        assertErrno(Errno.EBADF, () -> api.close(ep));
    }
}
