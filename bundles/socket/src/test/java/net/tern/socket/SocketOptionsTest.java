package net.tern.socket;

import static net.tern.api.socket.SocketConstants.SOL_SOCKET;
import static net.tern.api.socket.SocketConstants.SOL_TCP;
import static net.tern.api.socket.SocketConstants.SO_DOMAIN;
import static net.tern.api.socket.SocketConstants.SO_ERROR;
import static net.tern.api.socket.SocketConstants.SO_KEEPALIVE;
import static net.tern.api.socket.SocketConstants.SO_RCVBUF;
import static net.tern.api.socket.SocketConstants.SO_RCVTIMEO;
import static net.tern.api.socket.SocketConstants.SO_REUSEADDR;
import static net.tern.api.socket.SocketConstants.SO_SNDBUF;
import static net.tern.api.socket.SocketConstants.SO_SNDTIMEO;
import static net.tern.api.socket.SocketConstants.SO_TYPE;
import static net.tern.api.socket.SocketConstants.TCP_CONGESTION;
import static org.assertj.core.api.Assertions.assertThat;

import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.testfamily.TestLocal;
import org.junit.jupiter.api.Test;

class SocketOptionsTest extends SocketLayerTestBase {

    @Test
    void timeoutsAreStoredByTheLayer() throws Exception {
        int fd = stream();
        assertThat(api.getsockopt(fd, SOL_SOCKET, SO_RCVTIMEO)).isZero();
        api.setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, 250);
        api.setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, 750);
        assertThat(api.getsockopt(fd, SOL_SOCKET, SO_RCVTIMEO)).isEqualTo(250);
        assertThat(api.getsockopt(fd, SOL_SOCKET, SO_SNDTIMEO)).isEqualTo(750);
    }

    @Test
    void negativeTimeoutIsEinval() throws Exception {
        int fd = stream();
        ErrnoException e = assertErrno(Errno.EINVAL, () -> api.setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, -1));
        assertThat(e.getMessage()).contains("setsockopt(fd " + fd + ", SO_RCVTIMEO = -1)").contains("negative");
        assertErrno(Errno.EINVAL, () -> api.setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, -5));
        assertThat(api.getsockopt(fd, SOL_SOCKET, SO_RCVTIMEO)).isZero();
    }

    @Test
    void optionsTheProtocolLacksAreEnoprotoopt() throws Exception {
        int fd = stream();
        ErrnoException e = assertErrno(Errno.ENOPROTOOPT, () -> api.setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, 1));
        assertThat(e.getMessage()).contains("setsockopt(fd " + fd + ", SO_KEEPALIVE = 1)");
        assertErrno(Errno.ENOPROTOOPT, () -> api.getsockopt(fd, SOL_TCP, 1));
        assertErrno(Errno.ENOPROTOOPT, () -> api.setsockopt(fd, SOL_TCP, TCP_CONGESTION, "reno"));
        assertErrno(Errno.ENOPROTOOPT, () -> api.getsockoptString(fd, SOL_TCP, TCP_CONGESTION));
    }

    @Test
    void readOnlyOptionsCannotBeSet() throws Exception {
        int fd = stream();
        assertErrno(Errno.ENOPROTOOPT, () -> api.setsockopt(fd, SOL_SOCKET, SO_TYPE, 2));
        assertErrno(Errno.ENOPROTOOPT, () -> api.setsockopt(fd, SOL_SOCKET, SO_ERROR, 0));
        assertErrno(Errno.ENOPROTOOPT, () -> api.setsockopt(fd, SOL_SOCKET, SO_DOMAIN, 2));
    }

    @Test
    void layerOptionsAreIntegers() throws Exception {
        int fd = stream();
        assertErrno(Errno.EINVAL, () -> api.setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, "100"));
        assertErrno(Errno.EINVAL, () -> api.getsockoptString(fd, SOL_SOCKET, SO_TYPE));
        assertErrno(Errno.EINVAL, () -> api.setsockopt(fd, SOL_SOCKET, SO_RCVBUF, "big"));
    }

    @Test
    void bufferOptionsGoToTheProtocol() throws Exception {
        int fd = stream();
        assertThat(api.getsockopt(fd, SOL_SOCKET, SO_RCVBUF)).isEqualTo(TestLocal.DEFAULT_BUFFER);
        api.setsockopt(fd, SOL_SOCKET, SO_RCVBUF, 4096);
        api.setsockopt(fd, SOL_SOCKET, SO_SNDBUF, 1);
        api.setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, 7);
        assertThat(api.getsockopt(fd, SOL_SOCKET, SO_RCVBUF)).isEqualTo(4096);
        assertThat(api.getsockopt(fd, SOL_SOCKET, SO_SNDBUF)).as("clamped").isEqualTo(TestLocal.MIN_BUFFER);
        assertThat(api.getsockopt(fd, SOL_SOCKET, SO_REUSEADDR)).isEqualTo(1);
    }

    @Test
    void soErrorIsZeroWithoutAPendingError() throws Exception {
        assertThat(api.getsockopt(stream(), SOL_SOCKET, SO_ERROR)).isZero();
    }
}
