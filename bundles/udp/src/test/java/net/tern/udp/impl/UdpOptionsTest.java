package net.tern.udp.impl;

import static net.tern.api.socket.SocketConstants.SOL_SOCKET;
import static net.tern.api.socket.SocketConstants.SOL_TCP;
import static net.tern.api.socket.SocketConstants.SO_RCVBUF;
import static net.tern.api.socket.SocketConstants.TCP_INFO;
import static net.tern.api.socket.SocketConstants.TCP_NODELAY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.TcpInfo;
import org.junit.jupiter.api.Test;

/** Options of another transport's level on a UDP socket, as Linux's {@code ip_getsockopt} answers them. */
class UdpOptionsTest extends UdpTestBase {

    @Test
    void tcpInfoOnAUdpSocketIsEopnotsupp() throws Exception {
        int fd = bed.udpSocket();
        assertThatThrownBy(() -> api.getsockopt(fd, SOL_TCP, TCP_INFO, TcpInfo.class))
                .isInstanceOfSatisfying(ErrnoException.class, e -> {
                    assertThat(e.errno()).isEqualTo(Errno.EOPNOTSUPP);
                    assertThat(e.getMessage()).contains("TCP_INFO");
                });
        assertThatThrownBy(() -> api.getsockopt(fd, SOL_TCP, TCP_NODELAY))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EOPNOTSUPP));
    }

    @Test
    void genericOptionsReadThroughTheTypedCall() throws Exception {
        int fd = bed.udpSocket();
        assertThat(api.getsockopt(fd, SOL_SOCKET, SO_RCVBUF, Integer.class))
                .isEqualTo(api.getsockopt(fd, SOL_SOCKET, SO_RCVBUF));
        assertThatThrownBy(() -> api.getsockopt(fd, SOL_SOCKET, SO_RCVBUF, TcpInfo.class))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EINVAL));
    }
}
