package net.tern.socket;

import static net.tern.api.socket.SocketConstants.EPOLLERR;
import static net.tern.api.socket.SocketConstants.EPOLLHUP;
import static net.tern.api.socket.SocketConstants.EPOLLIN;
import static net.tern.api.socket.SocketConstants.EPOLL_CTL_ADD;
import static net.tern.api.socket.SocketConstants.SHUT_RDWR;
import static net.tern.api.socket.SocketConstants.SOCK_STREAM;
import static net.tern.api.socket.SocketConstants.SOL_SOCKET;
import static net.tern.api.socket.SocketConstants.SO_ERROR;
import static net.tern.api.socket.SocketConstants.SO_RCVBUF;
import static net.tern.api.socket.SocketConstants.SO_RCVTIMEO;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.awaitility.Awaitility.await;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import net.tern.api.socket.EpollEvent;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.ProtocolInfo;
import net.tern.api.socket.SockAddr;
import net.tern.spi.proto.ProtoOps;
import net.tern.spi.proto.ProtoSocket;
import net.tern.spi.proto.ProtocolFamily;
import net.tern.testfamily.TestLocalFamily;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

class WithdrawalTest extends SocketLayerTestBase {
    private static final String LEFT = "protocol family 250 (testlocal) left the stack";
    private final Map<String, Object> properties = familyProperties(0, 1);

    @Test
    void everyCallButCloseFailsWithEconnabortedAndTheReason() throws Exception {
        int[] pair = connectedPair(7300);
        int fd = pair[0];
        api.unbindFamily(family, properties);

        List<ThrowingCallable> calls = List.of(
                () -> api.recv(fd, ByteBuffer.allocate(8), 0),
                () -> api.send(fd, bytes("x"), 0),
                () -> api.bind(fd, port(1)),
                () -> api.connect(fd, port(7300)),
                () -> api.listen(fd, 1),
                () -> api.accept(fd),
                () -> api.shutdown(fd, SHUT_RDWR),
                () -> api.getsockname(fd),
                () -> api.getpeername(fd),
                () -> api.getsockopt(fd, SOL_SOCKET, SO_ERROR),
                () -> api.getsockopt(fd, SOL_SOCKET, SO_RCVBUF),
                () -> api.setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, 5),
                () -> api.setNonBlocking(fd, true),
                () -> api.isNonBlocking(fd));
        for (ThrowingCallable call : calls) {
            ErrnoException e = assertErrno(Errno.ECONNABORTED, call);
            assertThat(e.getMessage()).contains("(fd " + fd).contains(LEFT);
        }
        api.close(fd);
        assertErrno(Errno.EBADF, () -> api.close(fd));
        assertThat(api.families()).isEmpty();
    }

    @Test
    void theProtocolSocketsAreReleased() throws Exception {
        connectedPair(7301);
        assertThat(family.openSockets()).as("client, server and listener").isEqualTo(3);
        api.unbindFamily(family, properties);
        assertThat(family.openSockets()).isZero();
    }

    @Test
    void aBlockedReceiverIsWokenWithEconnaborted() throws Exception {
        int[] pair = connectedPair(7302);
        Future<Integer> received = inBackground(() -> api.recv(pair[1], ByteBuffer.allocate(8), 0));
        awaitBlocked(pair[1]);
        api.unbindFamily(family, properties);
        ErrnoException e = failure(received, Errno.ECONNABORTED);
        assertThat(e.getMessage()).contains("recv(fd " + pair[1] + ")").contains(LEFT);
    }

    @Test
    void epollSetsAreWokenWithErrorAndHangUp() throws Exception {
        int[] pair = connectedPair(7303);
        int ep = api.epollCreate();
        api.epollCtl(ep, EPOLL_CTL_ADD, pair[1], EPOLLIN, 77);
        EpollEvent[] out = new EpollEvent[2];
        Future<Integer> waited = inBackground(() -> api.epollWait(ep, out, -1));
        awaitBlocked(ep);
        api.unbindFamily(family, properties);
        assertThat(result(waited)).isEqualTo(1);
        assertThat(out[0]).isEqualTo(new EpollEvent(EPOLLERR | EPOLLHUP, 77));
        assertThat(api.poll(pair[1], EPOLLIN, 0)).as("poll reports it too").isEqualTo(EPOLLERR | EPOLLHUP);
    }

    @Test
    void newSocketsFailWithEafnosupportUntilTheFamilyComesBack() throws Exception {
        int old = stream();
        api.unbindFamily(family, properties);
        ErrnoException e = assertErrno(Errno.EAFNOSUPPORT, () -> api.socket(AF, SOCK_STREAM, 0));
        assertThat(e.getMessage()).contains("no protocol family 250");

        api.close(old);
        api.bindFamily(new TestLocalFamily(time), familyProperties(0, 2));
        int[] pair = connectedPair(7304);
        assertThat(pair[2]).as("the freed descriptor is reused by the listener").isEqualTo(old);
        api.send(pair[0], bytes("back"), 0);
        assertThat(receive(pair[1], 8)).isEqualTo("back");
    }

    @Test
    void aProtocolCanWithdrawItsSocketsItself() throws Exception {
        int[] pair = connectedPair(7305);
        Future<Integer> received = inBackground(() -> api.recv(pair[1], ByteBuffer.allocate(8), 0));
        awaitBlocked(pair[1]);
        assertThat(family.abortAll()).isEqualTo(3);

        ErrnoException woken = failure(received, Errno.ECONNABORTED);
        assertThat(woken.getMessage()).contains("protocol family 250 (testlocal) stopped");
        ErrnoException later = assertErrno(Errno.ECONNABORTED, () -> api.send(pair[0], bytes("x"), 0));
        assertThat(later.getMessage()).contains("send(fd " + pair[0] + ")").contains("stopped");
        assertErrno(Errno.EAFNOSUPPORT, () -> api.socket(AF, SOCK_STREAM, 0));
        for (int fd : pair) {
            api.close(fd);
        }
        assertThat(api.openDescriptors()).isZero();
    }

    @Test
    void aProtocolFailingToReleaseDoesNotStopTheWithdrawal() throws Exception {
        ReleaseFailingFamily failing = new ReleaseFailingFamily(new TestLocalFamily(time));
        Map<String, Object> failingProperties = familyProperties(100, 2);
        api.bindFamily(failing, failingProperties);
        int a = stream();
        int b = stream();
        assertThatCode(() -> api.unbindFamily(failing, failingProperties)).doesNotThrowAnyException();
        assertThat(failing.releases).isEqualTo(2);
        assertErrno(Errno.ECONNABORTED, () -> api.getsockname(a));
        assertErrno(Errno.ECONNABORTED, () -> api.getsockname(b));
        assertThat(stream()).as("the family in reserve serves again").isEqualTo(5);
    }

    @Test
    void closeReleasesTheProtocolSocketOnlyAfterAnOperationInFlightLeaves() throws Exception {
        GatedFamily gated = new GatedFamily(new TestLocalFamily(time));
        api.bindFamily(gated, familyProperties(10, 3));
        int fd = stream();
        api.bind(fd, port(7302));
        Future<SockAddr> inFlight = inBackground(() -> api.getsockname(fd));
        assertThat(gated.entered.await(BOUND.toSeconds(), TimeUnit.SECONDS)).as("getsockname entered").isTrue();
        Future<Object> closing = inBackground(() -> {
            api.close(fd);
            return null;
        });
        // The closer must wait: its descriptor is gone at once, its protocol socket is not.
        await().atMost(BOUND).until(() -> gated.closerParked());
        assertThat(gated.events).containsExactly("getsockname entered");
        gated.gate.countDown();
        result(closing);
        assertThat(result(inFlight)).isEqualTo(port(7302));
        assertThat(gated.events).containsExactly("getsockname entered", "getsockname left", "release");
    }

    /**
     * The test family with each socket's operations passed through {@link #intercept}: a
     * subclass adds behaviour around (or instead of) the real operation.
     */
    private abstract static class InterceptingFamily implements ProtocolFamily {
        private final TestLocalFamily delegate;

        InterceptingFamily(TestLocalFamily delegate) {
            this.delegate = delegate;
        }

        /** Runs {@code method} on the socket: {@code real} is the test family's own operations. */
        abstract Object intercept(Method method, Object[] args, ProtoOps real) throws Throwable;

        static Object invoke(Method method, Object[] args, ProtoOps real) throws Throwable {
            try {
                return method.invoke(real, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        }

        @Override
        public int family() {
            return delegate.family();
        }

        @Override
        public String name() {
            return delegate.name();
        }

        @Override
        public void create(ProtoSocket sock, int protocol) throws ErrnoException {
            delegate.create(sock, protocol);
            ProtoOps real = sock.ops();
            ProtoOps intercepted = (ProtoOps) Proxy.newProxyInstance(ProtoOps.class.getClassLoader(),
                    new Class<?>[] {ProtoOps.class}, (proxy, method, args) -> intercept(method, args, real));
            sock.attach(intercepted, sock.sk(), sock.protocol());
        }

        @Override
        public List<ProtocolInfo> protocols() {
            return delegate.protocols();
        }
    }

    /** A family whose operations throw from release after releasing: a protocol bug the layer must contain. */
    private static final class ReleaseFailingFamily extends InterceptingFamily {
        volatile int releases;

        ReleaseFailingFamily(TestLocalFamily delegate) {
            super(delegate);
        }

        @Override
        Object intercept(Method method, Object[] args, ProtoOps real) throws Throwable {
            Object result = invoke(method, args, real);
            if (method.getName().equals("release")) {
                releases++;
                throw new IllegalStateException("release failed on purpose");
            }
            return result;
        }
    }

    /** A family whose getsockname waits at a gate, recording when operations enter, leave and release. */
    private static final class GatedFamily extends InterceptingFamily {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch gate = new CountDownLatch(1);
        final List<String> events = new CopyOnWriteArrayList<>();

        GatedFamily(TestLocalFamily delegate) {
            super(delegate);
        }

        /** Whether some thread sits parked in close, waiting for the operations in flight. */
        boolean closerParked() {
            for (Map.Entry<Thread, StackTraceElement[]> e : Thread.getAllStackTraces().entrySet()) {
                for (StackTraceElement frame : e.getValue()) {
                    if (frame.getMethodName().equals("releaseOnce") && e.getKey().getState() == Thread.State.WAITING) {
                        return true;
                    }
                }
            }
            return false;
        }

        @Override
        Object intercept(Method method, Object[] args, ProtoOps real) throws Throwable {
            if (method.getName().equals("getname")) {
                events.add("getsockname entered");
                entered.countDown();
                if (!gate.await(BOUND.toSeconds(), TimeUnit.SECONDS)) {
                    throw new IllegalStateException("gate never opened");
                }
                events.add("getsockname left");
            } else if (method.getName().equals("release")) {
                events.add("release");
            }
            return invoke(method, args, real);
        }
    }
}
