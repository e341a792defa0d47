package net.tern.socket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import net.tern.api.socket.Accepted;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.SocketConstants;
import net.tern.core.testing.VirtualTime;
import net.tern.spi.proto.ProtocolFamily;
import net.tern.testfamily.LocalSockAddr;
import net.tern.testfamily.TestLocal;
import net.tern.testfamily.TestLocalFamily;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * A socket layer with the testlocal family registered, in virtual time, plus helpers for
 * calls made from a second thread. Every wait on another thread is bounded.
 */
abstract class SocketLayerTestBase {
    static final int AF = TestLocal.AF_TESTLOCAL;
    static final Duration BOUND = Duration.ofSeconds(10);

    final VirtualTime time = new VirtualTime();
    TestLocalFamily family;
    SocketLayer api;
    private ExecutorService threads;

    @BeforeEach
    void startLayer() {
        family = new TestLocalFamily(time);
        api = new SocketLayer(time, time);
        api.bindFamily(family, familyProperties(0, 1));
        threads = Executors.newCachedThreadPool();
    }

    @AfterEach
    void stopLayer() throws InterruptedException {
        threads.shutdownNow();
        assertThat(threads.awaitTermination(BOUND.toSeconds(), TimeUnit.SECONDS))
                .as("background calls ended").isTrue();
        api.deactivate();
    }

    static Map<String, Object> familyProperties(int ranking, long serviceId) {
        return Map.of(ProtocolFamily.FAMILY, AF, "service.ranking", ranking, "service.id", serviceId);
    }

    // ---- sockets ---------------------------------------------------------------------------

    int stream() throws ErrnoException {
        return api.socket(AF, SocketConstants.SOCK_STREAM, 0);
    }

    int dgram() throws ErrnoException {
        return api.socket(AF, SocketConstants.SOCK_DGRAM, 0);
    }

    static LocalSockAddr port(int port) {
        return new LocalSockAddr(port);
    }

    int listener(int port, int backlog) throws ErrnoException {
        int fd = stream();
        api.bind(fd, port(port));
        api.listen(fd, backlog);
        return fd;
    }

    /** A connected stream pair on {@code port}: {client, server, listener}. */
    int[] connectedPair(int port) throws ErrnoException {
        int listener = listener(port, 8);
        int client = stream();
        api.connect(client, port(port));
        Accepted accepted = api.accept(listener);
        return new int[] {client, accepted.fd(), listener};
    }

    static ByteBuffer bytes(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Receives once into a buffer of {@code max} bytes and returns what came as text. */
    String receive(int fd, int max) throws ErrnoException {
        ByteBuffer dst = ByteBuffer.allocate(max);
        int n = api.recv(fd, dst, 0);
        return new String(dst.array(), 0, n, StandardCharsets.UTF_8);
    }

    // ---- other threads --------------------------------------------------------------------

    <T> Future<T> inBackground(Callable<T> call) {
        return threads.submit(call);
    }

    /** Waits (bounded) until a thread sleeps in a call on {@code fd}. */
    void awaitBlocked(int fd) {
        await().atMost(BOUND).pollInterval(Duration.ofMillis(2)).until(() -> api.blockedCallers(fd) > 0);
    }

    /**
     * Waits (bounded) until {@code count} threads are parked in blocking calls: asleep with no
     * wake-up sent to them, so that nothing but a new event will make them return.
     */
    void awaitParked(int count) {
        await().atMost(BOUND).pollInterval(Duration.ofMillis(1)).until(() -> api.parkedCallers() == count);
    }

    static <T> T result(Future<T> future) throws Exception {
        return future.get(BOUND.toSeconds(), TimeUnit.SECONDS);
    }

    /** The background call failed with {@code errno}; returns its exception. */
    static ErrnoException failure(Future<?> future, Errno errno) {
        Throwable thrown = catchThrowable(() -> future.get(BOUND.toSeconds(), TimeUnit.SECONDS));
        assertThat(thrown).isInstanceOf(ExecutionException.class);
        Throwable cause = thrown.getCause();
        assertThat(cause).isInstanceOf(ErrnoException.class);
        ErrnoException e = (ErrnoException) cause;
        assertThat(e.errno()).as(e.getMessage()).isEqualTo(errno);
        return e;
    }

    /** The call fails with {@code errno}; returns its exception for a look at the message. */
    static ErrnoException assertErrno(Errno errno, ThrowingCallable call) {
        Throwable thrown = catchThrowable(call);
        assertThat(thrown).as("expected %s", errno).isInstanceOf(ErrnoException.class);
        ErrnoException e = (ErrnoException) thrown;
        assertThat(e.errno()).as(e.getMessage()).isEqualTo(errno);
        return e;
    }
}
