package net.tern.itests;

import static net.tern.api.socket.SocketConstants.AF_INET;
import static net.tern.api.socket.SocketConstants.SOCK_STREAM;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.Random;
import javax.inject.Inject;
import net.tern.api.socket.Accepted;
import net.tern.api.socket.InetSockAddr;
import net.tern.api.socket.SocketApi;
import net.tern.api.socket.SocketConstants;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/** TCP as the built bundles boot it: a connection over loopback carries data both ways intact and closes. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class TcpIT extends TernTestSupport {
    private static final InetSockAddr SERVER = new InetSockAddr(InetSockAddr.INADDR_LOOPBACK, 7070);

    @Inject
    private SocketApi sockets;

    @Test
    public void echoOverLoopbackCarriesEveryByteAndCloses() throws Exception {
        awaitInetProtocol(sockets, SocketConstants.IPPROTO_TCP);
        int listener = sockets.socket(AF_INET, SOCK_STREAM, 0);
        sockets.bind(listener, SERVER);
        sockets.listen(listener, 16);
        int client = sockets.socket(AF_INET, SOCK_STREAM, 0);
        for (int fd : new int[] {listener, client}) {
            sockets.setsockopt(fd, SocketConstants.SOL_SOCKET, SocketConstants.SO_RCVTIMEO, (int) WAIT_MILLIS);
            sockets.setsockopt(fd, SocketConstants.SOL_SOCKET, SocketConstants.SO_SNDTIMEO, (int) WAIT_MILLIS);
        }
        sockets.connect(client, SERVER);
        Accepted server = sockets.accept(listener);
        sockets.setsockopt(server.fd(), SocketConstants.SOL_SOCKET, SocketConstants.SO_RCVTIMEO, (int) WAIT_MILLIS);
        assertEquals(sockets.getsockname(client), server.peer());
        // tcp_diag is registered and net:ss reads it: the listener and both ends of the connection.
        String ss = runCommand("net:ss -tanp");
        int clientPort = ((InetSockAddr) sockets.getsockname(client)).port();
        assertTrue(ss, ss.lines().anyMatch(l -> l.matches("LISTEN\\s+0\\s+16\\s+127\\.0\\.0\\.1:7070\\s+0\\.0\\.0\\.0:\\*.*fd="
                + listener + ".*")));
        assertTrue(ss, ss.lines().anyMatch(l -> l.matches("ESTAB\\s+0\\s+0\\s+127\\.0\\.0\\.1:" + clientPort
                + "\\s+127\\.0\\.0\\.1:7070\\s.*fd=" + client + ".*")));
        assertTrue(ss, ss.lines().anyMatch(l -> l.matches("ESTAB\\s+0\\s+0\\s+127\\.0\\.0\\.1:7070\\s+127\\.0\\.0\\.1:"
                + clientPort + "\\s.*fd=" + server.fd() + ".*")));

        byte[] data = new byte[1 << 20];
        new Random(7).nextBytes(data);
        Thread echo = new Thread(() -> {
            try {
                ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
                int n;
                while ((n = sockets.recv(server.fd(), buf, 0)) > 0) {
                    buf.flip();
                    while (buf.hasRemaining()) {
                        sockets.send(server.fd(), buf, 0);
                    }
                    buf.clear();
                }
                sockets.shutdown(server.fd(), SocketConstants.SHUT_WR);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "tcp-echo");
        echo.start();

        MessageDigest sent = MessageDigest.getInstance("SHA-256");
        MessageDigest received = MessageDigest.getInstance("SHA-256");
        ByteBuffer out = ByteBuffer.wrap(data);
        ByteBuffer in = ByteBuffer.allocate(64 * 1024);
        long total = 0;
        sent.update(data);
        while (out.hasRemaining()) {
            int before = out.position();
            out.limit(Math.min(data.length, before + 32 * 1024));
            sockets.send(client, out, 0);
            out.limit(data.length);
            // Drain what came back so neither side's window stalls the other.
            while (sockets.poll(client, SocketConstants.EPOLLIN, 0) != 0 && total < data.length) {
                int n = sockets.recv(client, in, SocketConstants.MSG_DONTWAIT);
                received.update(in.array(), 0, n);
                total += n;
                in.clear();
            }
        }
        sockets.shutdown(client, SocketConstants.SHUT_WR);
        int n;
        while ((n = sockets.recv(client, in, 0)) > 0) {
            received.update(in.array(), 0, n);
            total += n;
            in.clear();
        }
        echo.join(WAIT_MILLIS);
        assertEquals(data.length, total);
        assertArrayEquals(sent.digest(), received.digest());
        for (int fd : new int[] {client, server.fd(), listener}) {
            sockets.close(fd);
        }
    }
}
