package net.tern.services;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import org.junit.jupiter.api.Test;

/**
 * A connection holds a buffer only while it has bytes in flight: taken from the loop's pool
 * when input comes, given back when it is all answered, so an idle connection holds none.
 */
class BuffersInFlightTest {

    @Test
    void anEchoConnectionHoldsABufferOnlyWhileItsEchoIsUnsent() throws Exception {
        try (ServicesTestBed t = new ServicesTestBed(Service.ECHO)) {
            int fd = t.connect(7);
            assertThat(t.loop().buffersTaken()).as("connected, nothing sent").isZero();
            t.api().send(fd, ByteBuffer.wrap("ping\r\n".getBytes(StandardCharsets.US_ASCII)), 0);
            t.pump();
            assertThat(t.readAtLeast(fd, 6)).hasSize(6);
            assertThat(t.loop().buffersTaken()).as("echoed: idle again").isZero();

            // A client that sends and does not read: the echo fills its window, then ours. The
            // buffers of both ends grow as Linux's autotuning grows them (up to tcp_wmem[2],
            // 4 MiB, for a send buffer), so more is sent than they can hold between them.
            byte[] data = new byte[16 << 20];
            new SplittableRandom(862).nextBytes(data);
            ByteBuffer out = ByteBuffer.wrap(data);
            for (int i = 0; i < 1000 && out.hasRemaining(); i++) {
                try {
                    t.api().send(fd, out, 0);
                } catch (ErrnoException e) {
                    if (e.errno() != Errno.EAGAIN) {
                        throw e;
                    }
                    t.pump();
                    if (t.api().poll(fd, net.tern.api.socket.SocketConstants.EPOLLOUT, 0) == 0) {
                        break; // the window is shut both ways
                    }
                }
            }
            t.pump();
            int sent = out.position();
            assertThat(sent).as("bytes sent before the window closed").isLessThan(data.length);
            assertThat(t.loop().buffersTaken()).as("an echo waiting to be sent").isEqualTo(1);

            ByteArrayOutputStream echoed = new ByteArrayOutputStream();
            for (int i = 0; i < 10_000 && echoed.size() < sent; i++) {
                t.readAvailable(fd, echoed);
                t.pump();
            }
            assertThat(echoed.toByteArray()).isEqualTo(java.util.Arrays.copyOf(data, sent));
            assertThat(t.loop().buffersTaken()).as("all echoed: idle again").isZero();
            t.api().close(fd);
        }
    }

    @Test
    void anHttpConnectionHoldsABufferOnlyWhileARequestIsIncomplete() throws Exception {
        try (ServicesTestBed t = new ServicesTestBed(Service.HTTP)) {
            int fd = t.connect(80);
            t.api().send(fd, ByteBuffer.wrap("GET /nowhere HTTP/1.1\r\nHo".getBytes(StandardCharsets.US_ASCII)), 0);
            t.pump();
            assertThat(t.loop().buffersTaken()).as("half a request head").isEqualTo(1);
            t.api().send(fd, ByteBuffer.wrap("st: tern\r\n\r\n".getBytes(StandardCharsets.US_ASCII)), 0);
            t.pump();
            ByteArrayOutputStream response = new ByteArrayOutputStream();
            t.readAvailable(fd, response);
            assertThat(response.toString(StandardCharsets.US_ASCII)).startsWith("HTTP/1.1 404 Not Found\r\n")
                    .contains("Connection: keep-alive");
            assertThat(t.loop().buffersTaken()).as("answered, kept alive, idle").isZero();
            t.api().close(fd);
        }
    }
}
