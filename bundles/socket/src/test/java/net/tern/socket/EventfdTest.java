package net.tern.socket;

import static net.tern.api.socket.SocketConstants.EFD_NONBLOCK;
import static net.tern.api.socket.SocketConstants.EPOLLIN;
import static net.tern.api.socket.SocketConstants.EPOLLOUT;
import static net.tern.api.socket.SocketConstants.EPOLL_CTL_ADD;
import static net.tern.api.socket.SocketConstants.EPOLL_CTL_DEL;
import static net.tern.api.socket.SocketConstants.EPOLL_CTL_MOD;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.Future;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import org.junit.jupiter.api.Test;

/** eventfd: a counter descriptor that wakes an epoll wait from another thread. */
class EventfdTest extends SocketLayerTestBase {

    @Test
    void writesAddUpAndAReadTakesTheWholeCounter() throws Exception {
        int efd = api.eventfd(2, EFD_NONBLOCK);
        assertThat(api.sysEventfdWrite(efd, 3)).isZero();
        assertThat(api.sysEventfdRead(efd)).isEqualTo(5);
        assertThat(api.sysEventfdRead(efd)).isEqualTo(Errno.EAGAIN.negative());
        assertThat(api.sysEventfdWrite(efd, -1)).isEqualTo(Errno.EINVAL.negative());
        assertThat(api.sysEventfdWrite(efd, Long.MAX_VALUE)).isZero();
        assertThat(api.sysEventfdWrite(efd, 1)).as("it would pass the maximum").isEqualTo(Errno.EAGAIN.negative());
        assertThat(api.sysEventfdRead(efd)).isEqualTo(Long.MAX_VALUE);
        api.close(efd);
        assertThat(api.sysEventfdRead(efd)).isEqualTo(Errno.EBADF.negative());
        assertThat(api.sysEventfdWrite(stream(), 1)).as("not an eventfd").isEqualTo(Errno.EINVAL.negative());
    }

    @Test
    void aWriteWakesAnEpollWaitInAnotherThread() throws Exception {
        int efd = api.eventfd(0, EFD_NONBLOCK);
        int epfd = api.epollCreate();
        assertThat(api.sysEpollCtl(epfd, EPOLL_CTL_ADD, efd, EPOLLIN, 99)).isZero();
        int[] events = new int[2];
        long[] data = new long[2];
        assertThat(api.sysEpollWait(epfd, events, data, 0)).isZero();
        Future<Integer> waited = inBackground(() -> api.sysEpollWait(epfd, events, data, -1));
        awaitBlocked(epfd);
        assertThat(api.sysEventfdWrite(efd, 1)).isZero();
        assertThat(result(waited)).isEqualTo(1);
        assertThat(events[0]).isEqualTo(EPOLLIN);
        assertThat(data[0]).isEqualTo(99);
        assertThat(api.sysEpollWait(epfd, events, data, 0)).as("level-triggered: still readable").isEqualTo(1);
        api.sysEventfdRead(efd);
        assertThat(api.sysEpollWait(epfd, events, data, 0)).as("read: quiet again").isZero();
    }

    @Test
    void aBlockingReadWaitsForAWrite() throws Exception {
        int efd = api.eventfd(0, 0);
        Future<Long> read = inBackground(() -> api.sysEventfdRead(efd));
        awaitBlocked(efd);
        api.sysEventfdWrite(efd, 7);
        assertThat(result(read)).isEqualTo(7);
        Future<Long> closed = inBackground(() -> api.sysEventfdRead(efd));
        awaitBlocked(efd);
        api.close(efd);
        assertThat(result(closed)).isEqualTo(Errno.EBADF.negative());
    }

    @Test
    void epollControlAsValuesAndClosingAnEventfdLeavesTheSet() throws Exception {
        int efd = api.eventfd(1, EFD_NONBLOCK);
        int epfd = api.epollCreate();
        assertThat(api.sysEpollCtl(epfd, EPOLL_CTL_MOD, efd, EPOLLIN, 1)).isEqualTo(Errno.ENOENT.negative());
        assertThat(api.sysEpollCtl(epfd, EPOLL_CTL_ADD, efd, EPOLLOUT, 1)).isZero();
        assertThat(api.sysEpollCtl(epfd, EPOLL_CTL_ADD, efd, EPOLLOUT, 1)).isEqualTo(Errno.EEXIST.negative());
        assertThat(api.sysEpollCtl(epfd, EPOLL_CTL_ADD, epfd, EPOLLIN, 1)).isEqualTo(Errno.EINVAL.negative());
        assertThat(api.sysEpollCtl(epfd, 9, efd, EPOLLIN, 1)).isEqualTo(Errno.EINVAL.negative());
        int[] events = new int[2];
        long[] data = new long[2];
        assertThat(api.sysEpollWait(epfd, events, data, 0)).isEqualTo(1);
        assertThat(events[0]).isEqualTo(EPOLLOUT);
        assertThat(api.sysEpollCtl(epfd, EPOLL_CTL_DEL, efd, 0, 0)).isZero();
        assertThat(api.sysEpollWait(epfd, events, data, 0)).isZero();
        api.sysEpollCtl(epfd, EPOLL_CTL_ADD, efd, EPOLLIN, 1);
        api.close(efd);
        assertThat(api.sysEpollWait(epfd, events, data, 0)).as("closed: gone from the set").isZero();
        ErrnoException e = assertErrno(Errno.EEXIST, () -> {
            int other = api.eventfd(0, 0);
            api.epollCtl(epfd, EPOLL_CTL_ADD, other, EPOLLIN, 0);
            api.epollCtl(epfd, EPOLL_CTL_ADD, other, EPOLLIN, 0);
        });
        assertThat(e.getMessage()).contains("epollCtl(epfd " + epfd + ", EPOLL_CTL_ADD, fd ").contains("is already in the set");
    }
}
