package net.tern.socket;

import static net.tern.api.socket.SocketConstants.EPOLLERR;
import static net.tern.api.socket.SocketConstants.EPOLLOUT;
import static net.tern.api.socket.SocketConstants.MSG_DONTWAIT;
import static net.tern.api.socket.SocketConstants.SHUT_RD;
import static net.tern.api.socket.SocketConstants.SOL_SOCKET;
import static net.tern.api.socket.SocketConstants.SO_ERROR;
import static net.tern.api.socket.SocketConstants.SO_RCVBUF;
import static net.tern.api.socket.SocketConstants.SO_RCVTIMEO;
import static net.tern.api.socket.SocketConstants.SO_SNDTIMEO;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import net.tern.api.socket.Accepted;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.testfamily.TestLocal;
import org.junit.jupiter.api.Test;

class BlockingCallsTest extends SocketLayerTestBase {

    @Test
    void blockingReceiveIsWokenByASendFromAnotherThread() throws Exception {
        int[] pair = connectedPair(7100);
        Future<String> received = inBackground(() -> receive(pair[1], 64));
        awaitBlocked(pair[1]);
        api.send(pair[0], bytes("wake up"), 0);
        assertThat(result(received)).isEqualTo("wake up");
    }

    @Test
    void aParkedCallerIsCountedUntilAWakeUpIsSentToItAndAgainOnceAsleepAgain() throws Exception {
        int[] pair = connectedPair(7113);
        api.setsockopt(pair[1], SOL_SOCKET, SO_RCVTIMEO, 500);
        assertThat(api.parkedCallers()).isZero();
        Future<String> received = inBackground(() -> receive(pair[1], 64));
        awaitParked(1);
        // A wake-up without data (room freed on the other side): it looks and parks again.
        api.send(pair[1], bytes("ping"), 0);
        assertThat(receive(pair[0], 64)).isEqualTo("ping");
        awaitParked(1);
        // The deadline's timer wakes it: uncounted as soon as the timer has run, before it returns.
        time.advance(500, TimeUnit.MILLISECONDS);
        assertThat(api.parkedCallers()).isZero();
        failure(received, Errno.EAGAIN);
        // And data: uncounted when the send returns.
        Future<String> second = inBackground(() -> receive(pair[1], 64));
        awaitParked(1);
        api.send(pair[0], bytes("data"), 0);
        assertThat(api.parkedCallers()).isZero();
        assertThat(result(second)).isEqualTo("data");
        assertThat(api.parkedCallers()).isZero();
    }

    @Test
    void blockingAcceptReturnsWhenAClientConnects() throws Exception {
        int listener = listener(7101, 4);
        Future<Accepted> accepted = inBackground(() -> api.accept(listener));
        awaitBlocked(listener);
        int client = stream();
        api.connect(client, port(7101));
        assertThat(result(accepted).peer()).isEqualTo(api.getsockname(client));
    }

    @Test
    void blockingReceiveOfNothingOnAnIdleConnectionReturnsAtOnce() throws Exception {
        int[] pair = connectedPair(7110);
        assertThat(api.recv(pair[1], ByteBuffer.allocate(0), 0)).isZero();
    }

    @Test
    void blockingReceiveOnASocketShutForReadingIsEndOfStreamAtOnce() throws Exception {
        int[] pair = connectedPair(7111);
        api.shutdown(pair[1], SHUT_RD);
        assertThat(api.recv(pair[1], ByteBuffer.allocate(8), 0)).isZero();
    }

    @Test
    void blockedReceiveSleepsThroughAWakeUpWithoutDataAndTakesTheDataThatFollows() throws Exception {
        int[] pair = connectedPair(7112);
        Future<String> received = inBackground(() -> receive(pair[1], 64));
        awaitBlocked(pair[1]);
        // A wake-up that brings no data (room freed on the other side): poll still says idle.
        api.send(pair[1], bytes("ping"), 0);
        assertThat(receive(pair[0], 64)).isEqualTo("ping");
        awaitParked(1);
        assertThat(received.isDone()).as("still blocked after a wake-up without data").isFalse();
        api.send(pair[0], bytes("pong"), 0);
        assertThat(result(received)).isEqualTo("pong");
    }

    @Test
    void receiveTimeoutExpiresInVirtualTimeWithEagain() throws Exception {
        int[] pair = connectedPair(7102);
        api.setsockopt(pair[1], SOL_SOCKET, SO_RCVTIMEO, 100);
        Future<String> received = inBackground(() -> receive(pair[1], 64));
        awaitBlocked(pair[1]);
        awaitParked(1);
        time.advance(99, TimeUnit.MILLISECONDS);
        assertThat(api.parkedCallers()).as("still asleep, not woken, at 99 ms").isEqualTo(1);
        time.advance(1, TimeUnit.MILLISECONDS);
        ErrnoException e = failure(received, Errno.EAGAIN);
        assertThat(e.getMessage()).contains("recv(fd " + pair[1] + ")").contains("100 ms").contains("SO_RCVTIMEO");
    }

    @Test
    void receiveTimeoutAlsoBoundsAccept() throws Exception {
        int listener = listener(7103, 4);
        api.setsockopt(listener, SOL_SOCKET, SO_RCVTIMEO, 50);
        Future<Accepted> accepted = inBackground(() -> api.accept(listener));
        awaitBlocked(listener);
        time.advance(50, TimeUnit.MILLISECONDS);
        failure(accepted, Errno.EAGAIN);
        assertThat(api.openDescriptors()).isEqualTo(1);
    }

    @Test
    void dataArrivingBeforeTheTimeoutCancelsIt() throws Exception {
        int[] pair = connectedPair(7104);
        api.setsockopt(pair[1], SOL_SOCKET, SO_RCVTIMEO, 1000);
        Future<String> received = inBackground(() -> receive(pair[1], 64));
        awaitBlocked(pair[1]);
        int timersWhileBlocked = time.pendingTimers();
        api.send(pair[0], bytes("in time"), 0);
        assertThat(result(received)).isEqualTo("in time");
        assertThat(time.pendingTimers()).as("the timeout's timer was cancelled").isEqualTo(timersWhileBlocked - 1);
    }

    @Test
    void dontWaitOnABlockingSocketIsEagainAtOnce() throws Exception {
        int[] pair = connectedPair(7105);
        assertErrno(Errno.EAGAIN, () -> api.recv(pair[1], ByteBuffer.allocate(8), MSG_DONTWAIT));
        assertThat(api.isNonBlocking(pair[1])).isFalse();
    }

    @Test
    void blockingConnectToTheBlackHoleFailsWithEtimedout() throws Exception {
        int fd = stream();
        Future<Void> connect = inBackground(() -> {
            api.connect(fd, port(TestLocal.BLACKHOLE_PORT));
            return null;
        });
        awaitBlocked(fd);
        time.advance(TestLocal.DEFAULT_BLACKHOLE_TIMEOUT_MS - 1, TimeUnit.MILLISECONDS);
        assertThat(connect.isDone()).isFalse();
        time.advance(1, TimeUnit.MILLISECONDS);
        ErrnoException e = failure(connect, Errno.ETIMEDOUT);
        assertThat(e.getMessage()).contains("connect(fd " + fd + ", testlocal:9)");
        assertThat(api.getsockopt(fd, SOL_SOCKET, SO_ERROR)).as("the error was consumed").isZero();
    }

    @Test
    void nonBlockingConnectToTheBlackHoleReportsEtimedoutThroughSoError() throws Exception {
        int fd = stream();
        api.setNonBlocking(fd, true);
        ErrnoException e = assertErrno(Errno.EINPROGRESS, () -> api.connect(fd, port(TestLocal.BLACKHOLE_PORT)));
        assertThat(e.getMessage()).contains("connect(fd " + fd + ", testlocal:9)");
        assertThat(api.poll(fd, EPOLLOUT, 0)).isZero();
        assertErrno(Errno.EALREADY, () -> api.connect(fd, port(TestLocal.BLACKHOLE_PORT)));
        time.advance(TestLocal.DEFAULT_BLACKHOLE_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        assertThat(api.poll(fd, EPOLLOUT, 0) & EPOLLERR).isEqualTo(EPOLLERR);
        assertThat(api.getsockopt(fd, SOL_SOCKET, SO_ERROR)).isEqualTo(Errno.ETIMEDOUT.number());
        assertThat(api.getsockopt(fd, SOL_SOCKET, SO_ERROR)).as("SO_ERROR clears it").isZero();
    }

    @Test
    void sendTimeoutBoundsABlockingConnectWithEinprogress() throws Exception {
        int fd = stream();
        api.setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, 500);
        Future<Void> connect = inBackground(() -> {
            api.connect(fd, port(TestLocal.BLACKHOLE_PORT));
            return null;
        });
        awaitBlocked(fd);
        time.advance(500, TimeUnit.MILLISECONDS);
        ErrnoException e = failure(connect, Errno.EINPROGRESS);
        assertThat(e.getMessage()).contains("SO_SNDTIMEO 500 ms");
        time.advance(TestLocal.DEFAULT_BLACKHOLE_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        assertThat(api.getsockopt(fd, SOL_SOCKET, SO_ERROR)).as("the attempt went on and timed out")
                .isEqualTo(Errno.ETIMEDOUT.number());
    }

    @Test
    void blockingConnectWaitsForRoomInTheAcceptQueue() throws Exception {
        int listener = listener(7106, 0);
        api.connect(stream(), port(7106));
        int second = stream();
        Future<Void> connect = inBackground(() -> {
            api.connect(second, port(7106));
            return null;
        });
        awaitBlocked(second);
        api.accept(listener);
        result(connect);
        assertThat(api.getpeername(second)).isEqualTo(port(7106));
    }

    @Test
    void blockingConnectFailsWithEconnrefusedWhenTheListenerGoes() throws Exception {
        int listener = listener(7107, 0);
        api.connect(stream(), port(7107));
        int second = stream();
        Future<Void> connect = inBackground(() -> {
            api.connect(second, port(7107));
            return null;
        });
        awaitBlocked(second);
        api.close(listener);
        failure(connect, Errno.ECONNREFUSED);
    }

    @Test
    void closingADescriptorWakesItsBlockedReceiverWithEbadf() throws Exception {
        int[] pair = connectedPair(7108);
        Future<String> received = inBackground(() -> receive(pair[1], 64));
        awaitBlocked(pair[1]);
        api.close(pair[1]);
        ErrnoException e = failure(received, Errno.EBADF);
        assertThat(e.getMessage()).contains("recv(fd " + pair[1] + ")").contains("closed");
    }

    @Test
    void blockingStreamSendTakesEveryByte() throws Exception {
        int[] pair = connectedPair(7109);
        api.setsockopt(pair[1], SOL_SOCKET, SO_RCVBUF, TestLocal.MIN_BUFFER);
        int total = 10_000;
        Future<Integer> sent = inBackground(() -> api.send(pair[0], ByteBuffer.allocate(total), 0));
        Future<Integer> received = inBackground(() -> {
            int got = 0;
            ByteBuffer chunk = ByteBuffer.allocate(100);
            while (got < total) {
                chunk.clear();
                got += api.recv(pair[1], chunk, 0);
            }
            return got;
        });
        assertThat(result(sent)).isEqualTo(total);
        assertThat(result(received)).isEqualTo(total);
    }

    @Test
    void sendTimeoutReturnsTheBytesAlreadyTaken() throws Exception {
        int[] pair = connectedPair(7110);
        api.setsockopt(pair[1], SOL_SOCKET, SO_RCVBUF, TestLocal.MIN_BUFFER);
        api.setsockopt(pair[0], SOL_SOCKET, SO_SNDTIMEO, 100);
        Future<Integer> sent = inBackground(() -> api.send(pair[0], ByteBuffer.allocate(1000), 0));
        awaitBlocked(pair[0]);
        time.advance(100, TimeUnit.MILLISECONDS);
        assertThat(result(sent)).isEqualTo(TestLocal.MIN_BUFFER);
        ErrnoException e = assertErrno(Errno.EAGAIN, () -> api.send(pair[0], ByteBuffer.allocate(10), MSG_DONTWAIT));
        assertThat(e.getMessage()).contains("send(fd " + pair[0] + ")");
    }

    @Test
    void interruptingABlockedCallIsEintr() throws Exception {
        int[] pair = connectedPair(7111);
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread reader = new Thread(() -> {
            try {
                api.recv(pair[1], ByteBuffer.allocate(8), 0);
            } catch (Throwable t) {
                thrown.set(t);
            }
        });
        reader.start();
        awaitBlocked(pair[1]);
        reader.interrupt();
        reader.join(BOUND.toMillis());
        assertThat(reader.isAlive()).isFalse();
        assertThat(thrown.get()).isInstanceOf(ErrnoException.class);
        assertThat(((ErrnoException) thrown.get()).errno()).isEqualTo(Errno.EINTR);
    }
}
