package net.tern.socket;

import static net.tern.api.socket.SocketConstants.EPOLLIN;
import static net.tern.api.socket.SocketConstants.SOL_SOCKET;
import static net.tern.api.socket.SocketConstants.SO_TYPE;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.List;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

class DescriptorErrorsTest extends SocketLayerTestBase {

    @Test
    void callsOnAClosedDescriptorAreEbadfNamingTheCallAndDescriptor() throws Exception {
        int fd = stream();
        api.close(fd);
        record Expected(String call, ThrowingCallable run) {
        }
        List<Expected> calls = List.of(
                new Expected("recv(fd 3)", () -> api.recv(fd, ByteBuffer.allocate(1), 0)),
                new Expected("recvfrom(fd 3)", () -> api.recvfrom(fd, ByteBuffer.allocate(1), 0)),
                new Expected("send(fd 3)", () -> api.send(fd, bytes("x"), 0)),
                new Expected("sendto(fd 3, testlocal:5)", () -> api.sendto(fd, bytes("x"), 0, port(5))),
                new Expected("bind(fd 3, testlocal:5)", () -> api.bind(fd, port(5))),
                new Expected("listen(fd 3, backlog 1)", () -> api.listen(fd, 1)),
                new Expected("accept(fd 3)", () -> api.accept(fd)),
                new Expected("connect(fd 3, testlocal:5)", () -> api.connect(fd, port(5))),
                new Expected("shutdown(fd 3, how 1)", () -> api.shutdown(fd, 1)),
                new Expected("getsockopt(fd 3, SO_TYPE)", () -> api.getsockopt(fd, SOL_SOCKET, SO_TYPE)),
                new Expected("setsockopt(fd 3, SO_TYPE = 1)", () -> api.setsockopt(fd, SOL_SOCKET, SO_TYPE, 1)),
                new Expected("getsockname(fd 3)", () -> api.getsockname(fd)),
                new Expected("getpeername(fd 3)", () -> api.getpeername(fd)),
                new Expected("poll(fd 3)", () -> api.poll(fd, EPOLLIN, 0)),
                new Expected("close(fd 3)", () -> api.close(fd)));
        for (Expected expected : calls) {
            ErrnoException e = assertErrno(Errno.EBADF, expected.run());
            assertThat(e.getMessage()).startsWith("EBADF: " + expected.call() + ": fd 3 is not open");
        }
    }

    @Test
    void descriptorsThatWereNeverOpenAreEbadf() {
        for (int fd : new int[] {-1, 0, 1, 2, 3, 1 << 20, Integer.MAX_VALUE}) {
            assertErrno(Errno.EBADF, () -> api.recv(fd, ByteBuffer.allocate(1), 0));
            assertErrno(Errno.EBADF, () -> api.close(fd));
        }
    }

    @Test
    void closingTwiceIsEbadf() throws Exception {
        int fd = dgram();
        api.close(fd);
        ErrnoException e = assertErrno(Errno.EBADF, () -> api.close(fd));
        assertThat(e.getMessage()).contains("close(fd " + fd + ")");
    }

    @Test
    void nullBuffersAndAddressesAreEfault() throws Exception {
        int fd = dgram();
        assertErrno(Errno.EFAULT, () -> api.bind(fd, null));
        assertErrno(Errno.EFAULT, () -> api.connect(fd, null));
        assertErrno(Errno.EFAULT, () -> api.send(fd, null, 0));
        assertErrno(Errno.EFAULT, () -> api.recv(fd, null, 0));
    }

    @Test
    void badShutdownModeIsEinval() throws Exception {
        int[] pair = connectedPair(7400);
        ErrnoException e = assertErrno(Errno.EINVAL, () -> api.shutdown(pair[0], 7));
        assertThat(e.getMessage()).contains("shutdown(fd " + pair[0] + ", how 7)");
    }
}
