package net.tern.itests;

import static net.tern.api.socket.SocketConstants.AF_INET;
import static net.tern.api.socket.SocketConstants.SOCK_DGRAM;
import static net.tern.api.socket.SocketConstants.SOCK_STREAM;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.bundle;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Hashtable;
import java.util.Random;
import javax.inject.Inject;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.Inet6SockAddr;
import net.tern.api.socket.InetSockAddr;
import net.tern.api.socket.RecvResult;
import net.tern.api.socket.SocketApi;
import net.tern.api.socket.SocketConstants;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * The services bundle as the distribution runs it: configured through Config Admin
 * ({@code net.tern.services}, {@code services=echo,discard,chargen,http}), then each service
 * talked to through the {@link SocketApi} in the container, over loopback, with blocking
 * sockets that have timeouts.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ServicesIT extends TernTestSupport {
    private static final int TIMEOUT = (int) WAIT_MILLIS;

    @Inject
    private SocketApi sockets;

    @Inject
    private ConfigurationAdmin configAdmin;

    @Override
    protected Option[] extraOptions() {
        String dir = System.getProperty("bundles.dir", "target/bundles");
        return new Option[] {bundle(new File(dir, "tern-services.jar").toURI().toString()).startLevel(3).start()};
    }

    @Before
    public void servicesRunning() throws Exception {
        // Once per container: a new configuration restarts the services.
        Configuration config = configAdmin.getConfiguration("net.tern.services", "?");
        if (config.getProperties() == null) {
            Hashtable<String, Object> props = new Hashtable<>();
            props.put("services", "echo,discard,chargen,http");
            config.update(props);
        }
        await("the services listening", TIMEOUT, () -> connects(80) && connects(19) && connects(9) && connects(7));
    }

    private boolean connects(int port) {
        try {
            int fd = tcp(port);
            sockets.close(fd);
            return true;
        } catch (ErrnoException e) {
            return false;
        }
    }

    private int tcp(int port) throws ErrnoException {
        int fd = sockets.socket(AF_INET, SOCK_STREAM, 0);
        sockets.setsockopt(fd, SocketConstants.SOL_SOCKET, SocketConstants.SO_RCVTIMEO, TIMEOUT);
        sockets.setsockopt(fd, SocketConstants.SOL_SOCKET, SocketConstants.SO_SNDTIMEO, TIMEOUT);
        try {
            sockets.connect(fd, new InetSockAddr(InetSockAddr.INADDR_LOOPBACK, port));
        } catch (ErrnoException e) {
            sockets.close(fd);
            throw e;
        }
        return fd;
    }

    private void sendAll(int fd, byte[] data) throws ErrnoException {
        ByteBuffer buf = ByteBuffer.wrap(data);
        while (buf.hasRemaining()) {
            sockets.send(fd, buf, 0);
        }
    }

    private byte[] readToEnd(int fd) throws ErrnoException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer buf = ByteBuffer.allocate(65536);
        int n;
        while ((n = sockets.recv(fd, buf, 0)) > 0) {
            out.write(buf.array(), 0, n);
            buf.clear();
        }
        return out.toByteArray();
    }

    @Test
    public void tcpEchoReturnsTheDataThenCloses() throws Exception {
        int fd = tcp(7);
        byte[] data = new byte[40_000]; // fits the socket buffers both ways: no reader thread needed
        new Random(862).nextBytes(data);
        sendAll(fd, data);
        sockets.shutdown(fd, SocketConstants.SHUT_WR);
        assertArrayEquals(data, readToEnd(fd));
        sockets.close(fd);
    }

    /** Beside each IPv4 socket the services have an IPv6-only one on [::] while IPv6 runs: echo over [::1]. */
    @Test
    public void tcpEchoAnswersOverIpv6() throws Exception {
        Inet6SockAddr echo6 = new Inet6SockAddr(0, 1, 7);
        await("echo on [::1]:7", TIMEOUT, () -> {
            try {
                int probe = sockets.socket(SocketConstants.AF_INET6, SOCK_STREAM, 0);
                try {
                    sockets.connect(probe, echo6);
                    return true;
                } finally {
                    sockets.close(probe);
                }
            } catch (ErrnoException notYet) {
                return false;
            }
        });
        int fd = sockets.socket(SocketConstants.AF_INET6, SOCK_STREAM, 0);
        sockets.setsockopt(fd, SocketConstants.SOL_SOCKET, SocketConstants.SO_RCVTIMEO, TIMEOUT);
        sockets.connect(fd, echo6);
        byte[] data = new byte[20_000];
        new Random(6).nextBytes(data);
        sendAll(fd, data);
        sockets.shutdown(fd, SocketConstants.SHUT_WR);
        assertArrayEquals(data, readToEnd(fd));
        sockets.close(fd);
    }

    @Test
    public void udpEchoReturnsEachDatagram() throws Exception {
        int fd = sockets.socket(AF_INET, SOCK_DGRAM, 0);
        sockets.setsockopt(fd, SocketConstants.SOL_SOCKET, SocketConstants.SO_RCVTIMEO, TIMEOUT);
        InetSockAddr echo = new InetSockAddr(InetSockAddr.INADDR_LOOPBACK, 7);
        for (byte[] d : new byte[][] {"ping".getBytes(StandardCharsets.US_ASCII), new byte[0]}) {
            sockets.sendto(fd, ByteBuffer.wrap(d), 0, echo);
            ByteBuffer buf = ByteBuffer.allocate(100);
            RecvResult r = sockets.recvfrom(fd, buf, 0);
            assertEquals(echo, r.from());
            assertArrayEquals(d, Arrays.copyOf(buf.array(), r.bytes()));
        }
        sockets.close(fd);
    }

    @Test
    public void discardTakesEverythingAndAnswersWithItsFin() throws Exception {
        int fd = tcp(9);
        sendAll(fd, new byte[30_000]);
        sockets.shutdown(fd, SocketConstants.SHUT_WR);
        assertEquals(0, readToEnd(fd).length);
        sockets.close(fd);
    }

    @Test
    public void chargenSendsRfc864Lines() throws Exception {
        int fd = tcp(19);
        byte[] first = new byte[74 * 2];
        ByteBuffer buf = ByteBuffer.wrap(first);
        while (buf.hasRemaining()) {
            assertTrue(sockets.recv(fd, buf, 0) > 0);
        }
        String text = new String(first, StandardCharsets.US_ASCII);
        assertTrue(text, text.startsWith(" !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefg\r\n"
                + "!\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefgh\r\n"));
        sockets.close(fd);
    }

    @Test
    public void httpServesTheStatusPageAndJson() throws Exception {
        int fd = tcp(80);
        sendAll(fd, "GET /status.json HTTP/1.1\r\nHost: tern\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        String response = new String(readToEnd(fd), StandardCharsets.UTF_8);
        sockets.close(fd);
        assertTrue(response, response.startsWith("HTTP/1.1 200 OK\r\n"));
        assertTrue(response, response.contains("\"name\":\"lo\""));
        assertTrue(response, response.contains("\"service\":\"chargen\""));
        assertTrue(response, response.contains("\"Tcp\":{"));
        // Every socket of the stack through tcp_diag and udp_diag, not only the services' own; a
        // listener's Send-Q is its backlog (the services' default, 511, as nginx and Redis use).
        assertTrue(response, response.contains("\"protocol\":\"tcp\",\"state\":\"LISTEN\",\"recvQ\":0,"
                + "\"sendQ\":511,\"local\":\"0.0.0.0:19\""));
        assertTrue(response, response.contains("{\"protocol\":\"udp\",\"state\":\"UNCONN\""));

        fd = tcp(80);
        sendAll(fd, "GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        String page = new String(readToEnd(fd), StandardCharsets.UTF_8);
        sockets.close(fd);
        assertTrue(page, page.startsWith("HTTP/1.1 200 OK\r\n") && page.contains("<h2>Links</h2>"));
    }
}
