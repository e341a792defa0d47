package net.tern.udp.impl;

import net.tern.api.socket.Errno;
import net.tern.api.socket.SocketConstants;
import org.junit.jupiter.api.Test;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code udp_ioctl} as Linux 6.18 answers it (checked with Python's {@code fcntl.ioctl} in a
 * namespace): SIOCINQ is the first queued datagram's payload, not the sum, and 0 for an empty
 * datagram; SIOCOUTQ is 0 once a send returned; a request UDP does not know is ENOTTY, and
 * FIONBIO is the descriptor's own.
 */
class UdpIoctlTest extends UdpTestBase {

    @Test
    void siocinqIsTheFirstDatagramsPayload() throws Exception {
        int server = bound(lo(7000));
        int client = bed.udpSocket();
        assertThat(api.ioctl(server, SocketConstants.SIOCINQ, 0)).isZero();
        sendTo(client, new byte[100], lo(7000));
        sendTo(client, new byte[200], lo(7000));
        sendTo(client, new byte[0], lo(7000));
        bed.runUntilIdle();
        assertThat(api.ioctl(server, SocketConstants.FIONREAD, 0)).isEqualTo(100);
        assertThat(recv(server, 1000).returned()).isEqualTo(100);
        assertThat(api.ioctl(server, SocketConstants.SIOCINQ, 0)).isEqualTo(200);
        assertThat(recv(server, 1000).returned()).isEqualTo(200);
        assertThat(api.ioctl(server, SocketConstants.SIOCINQ, 0)).as("an empty datagram is queued").isZero();
        assertThat(recv(server, 1000).returned()).isZero();
        assertThat(api.ioctl(client, SocketConstants.SIOCOUTQ, 0)).isZero();
    }

    @Test
    void otherRequestsAreEnottyAndFionbioSetsNonBlocking() throws Exception {
        int sock = bed.udpSocket();
        assertThat(errnoOf(() -> api.ioctl(sock, SocketConstants.SIOCOUTQNSD, 0))).isEqualTo(Errno.ENOTTY);
        assertThat(errnoOf(() -> api.ioctl(sock, 0x1234, 0))).isEqualTo(Errno.ENOTTY);
        api.ioctl(sock, SocketConstants.FIONBIO, 1);
        assertThat(api.isNonBlocking(sock)).isTrue();
        api.ioctl(sock, SocketConstants.FIONBIO, 0);
        assertThat(api.isNonBlocking(sock)).isFalse();
        api.close(sock);
        assertThat(errnoOf(() -> api.ioctl(sock, SocketConstants.SIOCINQ, 0))).isEqualTo(Errno.EBADF);
    }
}
