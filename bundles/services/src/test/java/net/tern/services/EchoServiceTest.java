package net.tern.services;

import static net.tern.api.socket.SocketConstants.SHUT_WR;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import net.tern.api.socket.InetSockAddr;
import net.tern.api.socket.RecvResult;
import org.junit.jupiter.api.Test;

class EchoServiceTest {

    @Test
    void tcpEchoReturnsEveryByteAndClosesAfterThePeersFin() throws Exception {
        try (ServicesTestBed t = new ServicesTestBed(Service.ECHO)) {
            byte[] data = new byte[300_000];
            new SplittableRandom(862).nextBytes(data);
            int fd = t.connect(7);
            ByteArrayOutputStream echoed = new ByteArrayOutputStream();
            t.sendAll(fd, data, echoed);
            t.api().shutdown(fd, SHUT_WR);
            t.pump();
            echoed.write(t.readToEnd(fd));
            assertThat(echoed.toByteArray()).isEqualTo(data);
            t.api().close(fd);
            t.pump();
            assertThat(t.sockets()).extracting(SocketRow::state).containsExactly("LISTEN", "UNCONN");
        }
    }

    @Test
    void tcpEchoSendsWhatIsPendingAfterAnEarlyFin() throws Exception {
        try (ServicesTestBed t = new ServicesTestBed(Service.ECHO)) {
            int fd = t.connect(7);
            // The data and the FIN arrive together: the echo of all of it must still come.
            t.api().send(fd, ByteBuffer.wrap("hello, echo\r\n".getBytes()), 0);
            t.api().shutdown(fd, SHUT_WR);
            t.pump();
            assertThat(new String(t.readToEnd(fd))).isEqualTo("hello, echo\r\n");
            t.api().close(fd);
        }
    }

    @Test
    void udpEchoReturnsEachDatagramIncludingEmptyOnes() throws Exception {
        try (ServicesTestBed t = new ServicesTestBed(Service.ECHO)) {
            int fd = t.bed().udpSocket();
            InetSockAddr server = new InetSockAddr(ServicesTestBed.LOOPBACK, 7);
            byte[][] datagrams = {"one".getBytes(), new byte[0], new byte[1400], "last".getBytes()};
            new SplittableRandom(7).nextBytes(datagrams[2]);
            for (byte[] d : datagrams) {
                t.api().sendto(fd, ByteBuffer.wrap(d), 0, server);
            }
            t.pump();
            for (byte[] d : datagrams) {
                ByteBuffer buf = ByteBuffer.allocate(2000);
                RecvResult r = t.api().recvfrom(fd, buf, 0);
                assertThat(r.from()).isEqualTo(server);
                assertThat(r.bytes()).isEqualTo(d.length);
                assertThat(java.util.Arrays.copyOf(buf.array(), r.bytes())).isEqualTo(d);
            }
            t.api().close(fd);
        }
    }
}
