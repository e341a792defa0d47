package net.tern.services;

import static net.tern.api.socket.SocketConstants.SHUT_WR;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.InetSockAddr;
import org.junit.jupiter.api.Test;

class DiscardServiceTest {

    @Test
    void tcpDiscardReadsEverythingSendsNothingAndClosesAfterTheFin() throws Exception {
        try (ServicesTestBed t = new ServicesTestBed(Service.DISCARD)) {
            int fd = t.connect(9);
            t.sendAll(fd, new byte[200_000], null);
            t.api().shutdown(fd, SHUT_WR);
            t.pump();
            assertThat(t.readToEnd(fd)).isEmpty();
            SocketRow connection = t.sockets().stream().filter(r -> r.protocol().equals("tcp")).findFirst().orElseThrow();
            assertThat(connection.state()).isEqualTo("LISTEN"); // the connection is gone
            t.api().close(fd);
        }
    }

    @Test
    void connectionRowCountsTheBytesDiscarded() throws Exception {
        try (ServicesTestBed t = new ServicesTestBed(Service.DISCARD)) {
            int fd = t.connect(9);
            t.sendAll(fd, new byte[5000], null);
            t.pump();
            assertThat(t.sockets()).anySatisfy(r -> {
                assertThat(r.state()).isEqualTo("ESTAB");
                assertThat(r.bytesIn()).isEqualTo(5000);
                assertThat(r.bytesOut()).isZero();
            });
            t.api().close(fd);
        }
    }

    @Test
    void udpDiscardAnswersNothing() throws Exception {
        try (ServicesTestBed t = new ServicesTestBed(Service.DISCARD)) {
            int fd = t.bed().udpSocket();
            t.api().sendto(fd, ByteBuffer.wrap("drop me".getBytes()), 0, new InetSockAddr(ServicesTestBed.LOOPBACK, 9));
            t.pump();
            assertThatThrownBy(() -> t.api().recvfrom(fd, ByteBuffer.allocate(100), 0))
                    .isInstanceOf(ErrnoException.class)
                    .satisfies(e -> assertThat(((ErrnoException) e).errno()).isEqualTo(Errno.EAGAIN));
            assertThat(t.sockets()).anySatisfy(r -> {
                assertThat(r.protocol()).isEqualTo("udp");
                assertThat(r.bytesIn()).isEqualTo(7);
            });
            t.api().close(fd);
        }
    }
}
