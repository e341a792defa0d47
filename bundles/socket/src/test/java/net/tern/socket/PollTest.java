package net.tern.socket;

import static net.tern.api.socket.SocketConstants.EPOLLHUP;
import static net.tern.api.socket.SocketConstants.EPOLLIN;
import static net.tern.api.socket.SocketConstants.EPOLLOUT;
import static net.tern.api.socket.SocketConstants.EPOLLRDHUP;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.SocketConstants;
import org.junit.jupiter.api.Test;

class PollTest extends SocketLayerTestBase {

    @Test
    void reportsTheCurrentReadinessLimitedToTheInterest() throws Exception {
        int[] pair = connectedPair(9100);
        assertThat(api.poll(pair[0], EPOLLIN | EPOLLOUT, 0)).isEqualTo(EPOLLOUT);
        assertThat(api.poll(pair[1], EPOLLIN, 0)).isZero();
        api.send(pair[0], bytes("x"), 0);
        assertThat(api.poll(pair[1], EPOLLIN | EPOLLOUT, 0)).isEqualTo(EPOLLIN | EPOLLOUT);
        assertThat(api.poll(pair[1], EPOLLIN, 0)).isEqualTo(EPOLLIN);
    }

    @Test
    void anUnconnectedStreamSocketIsWritableAndHungUpAsOnLinux() throws Exception {
        assertThat(api.poll(stream(), EPOLLIN | EPOLLOUT, 0)).isEqualTo(EPOLLOUT | EPOLLHUP);
    }

    @Test
    void waitsUntilTheSocketBecomesReady() throws Exception {
        int[] pair = connectedPair(9101);
        Future<Integer> polled = inBackground(() -> api.poll(pair[1], EPOLLIN, -1));
        awaitBlocked(pair[1]);
        api.send(pair[0], bytes("x"), 0);
        assertThat(result(polled)).isEqualTo(EPOLLIN);
    }

    @Test
    void timesOutInVirtualTimeWithAnEmptyMask() throws Exception {
        int[] pair = connectedPair(9102);
        Future<Integer> polled = inBackground(() -> api.poll(pair[1], EPOLLIN, 300));
        awaitBlocked(pair[1]);
        time.advance(299, TimeUnit.MILLISECONDS);
        assertThat(polled.isDone()).isFalse();
        time.advance(1, TimeUnit.MILLISECONDS);
        assertThat(result(polled)).isZero();
    }

    @Test
    void hangUpIsReportedWhateverTheInterest() throws Exception {
        int[] pair = connectedPair(9103);
        api.close(pair[0]);
        assertThat(api.poll(pair[1], EPOLLRDHUP, 0)).isEqualTo(EPOLLRDHUP | EPOLLHUP);
    }

    @Test
    void ppollWaitsToTheNanosecondOfTheStacksClockAndAnswersByValue() throws Exception {
        int[] pair = connectedPair(9104);
        time.advance(250, TimeUnit.MICROSECONDS); // off the millisecond grid: the wait ends on the next tick after its end
        long start = api.clockGettime(SocketConstants.CLOCK_MONOTONIC);
        Future<Integer> polled = inBackground(() -> api.sysPpoll(pair[1], EPOLLIN, TimeUnit.MICROSECONDS.toNanos(1500)));
        awaitBlocked(pair[1]);
        time.advance(1, TimeUnit.MILLISECONDS);
        assertThat(polled.isDone()).as("1 ms of 1.5 ms").isFalse();
        time.advance(1, TimeUnit.MILLISECONDS);
        assertThat(result(polled)).isZero();
        assertThat(api.clockGettime(SocketConstants.CLOCK_MONOTONIC) - start).isEqualTo(TimeUnit.MILLISECONDS.toNanos(2));
        assertThat(api.sysPpoll(pair[1], EPOLLOUT, 0)).isEqualTo(EPOLLOUT);
        assertThat(api.sysPpoll(999, EPOLLIN, 0)).isEqualTo(Errno.EBADF.negative());
    }

    @Test
    void theClocksAreTheStacksAndAnUnknownClockIsEinval() throws Exception {
        long before = api.clockGettime(SocketConstants.CLOCK_MONOTONIC);
        time.advance(7, TimeUnit.MILLISECONDS);
        assertThat(api.clockGettime(SocketConstants.CLOCK_MONOTONIC) - before).isEqualTo(TimeUnit.MILLISECONDS.toNanos(7));
        assertThat(api.clockGettime(SocketConstants.CLOCK_REALTIME))
                .isEqualTo(TimeUnit.MILLISECONDS.toNanos(time.currentTimeMillis()));
        assertThatThrownBy(() -> api.clockGettime(5)).isInstanceOf(ErrnoException.class)
                .extracting(e -> ((ErrnoException) e).errno()).isEqualTo(Errno.EINVAL);
    }
}
