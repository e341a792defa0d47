package net.tern.itests;

import static net.tern.api.socket.SocketConstants.AF_INET;
import static net.tern.api.socket.SocketConstants.IPPROTO_TCP;
import static net.tern.api.socket.SocketConstants.IPPROTO_UDP;
import static net.tern.api.socket.SocketConstants.SOCK_DGRAM;
import static net.tern.api.socket.SocketConstants.SOCK_STREAM;
import static net.tern.itests.FamilyHotSwapIT.expectErrno;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.inject.Inject;
import net.tern.api.socket.Accepted;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.InetSockAddr;
import net.tern.api.socket.SocketApi;
import net.tern.api.socket.SocketConstants;
import net.tern.spi.net.Link;
import net.tern.spi.net.LinkRegistry;
import net.tern.spi.net.PacketTap;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerMethod;
import org.osgi.framework.Bundle;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * Drain-then-abort hot swap of the {@code tcp} bundle, as DESIGN.md and bundles/tcp/README.md
 * describe it: stopping the bundle refuses new stream sockets at once (EPROTONOSUPPORT),
 * lets open connections close by themselves for {@code drainMillis} (configured here through
 * Config Admin, PID {@code net.tern.tcp}), then aborts what is left with RST and
 * ECONNABORTED. A connection the application closes during the drain ends cleanly with
 * every byte delivered; UDP keeps working throughout; TCP serves again once restarted.
 *
 * <p>No step depends on how fast the machine is. The drain itself is looked at with a drain
 * far longer than the test waits for any one thing, so whatever the test sees while the stop
 * waits happens during the drain however slowly it runs, and the stop can end early only
 * because the connections closed. The abort is looked at with a short drain, where the
 * stop's duration has only a lower bound.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerMethod.class)
public class TcpHotSwapIT extends TernTestSupport {
    private static final String TCP_BUNDLE = "net.tern.tcp";
    private static final String TCP_PID = "net.tern.tcp";
    /**
     * Twice the longest the test waits for any one thing: what the test sees while the stop
     * waits happens during the drain, and a stop that ends before it ended because no
     * connection was left.
     */
    private static final long LONG_DRAIN_MILLIS = 120_000;
    /** A drain the test sits out, to see what is left open aborted. */
    private static final long SHORT_DRAIN_MILLIS = 1_000;
    private static final InetSockAddr SERVER = new InetSockAddr(InetSockAddr.INADDR_LOOPBACK, 7200);
    private static final InetSockAddr UDP_ECHO = new InetSockAddr(InetSockAddr.INADDR_LOOPBACK, 7201);
    /** Bound on each blocking call and each wait: generous, for a busy machine; passing tests take milliseconds. */
    private static final int TIMEOUT_MILLIS = 60_000;

    @Inject
    private SocketApi sockets;

    @Inject
    private ConfigurationAdmin configAdmin;

    @Inject
    private LinkRegistry links;

    @Test
    public void stoppingTcpRefusesNewSocketsAtOnceAndWaitsUntilTheConnectionsCloseThemselves() throws Exception {
        int listener = configureDrainAndListen(LONG_DRAIN_MILLIS);
        int[] closing = connectTo(listener);
        int closingClient = closing[0];
        int closingServer = closing[1];
        int[] staying = connectTo(listener);
        int stayingClient = staying[0];
        int stayingServer = staying[1];

        Link lo = links.byName("lo").orElseThrow(() -> new AssertionError("no lo"));
        RstCounter rsts = new RstCounter(SERVER.port(), localPort(closingClient), localPort(stayingClient));
        lo.addTap(rsts);
        Bundle tcpBundle = installedBundle(TCP_BUNDLE);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        long stopStart = System.nanoTime();
        Thread stopper = stopInBackground(tcpBundle, failure);
        try {
            // New stream sockets are refused as soon as the stop begins: while it waits for the drain.
            await("socket(AF_INET, SOCK_STREAM) to fail with EPROTONOSUPPORT", TIMEOUT_MILLIS, this::streamSocketRefused);
            expectErrno(Errno.EPROTONOSUPPORT, () -> sockets.socket(AF_INET, SOCK_STREAM, 0));
            assertTrue("the stop waits for the drain", stopper.isAlive());

            // During the drain the application ends one connection; it closes cleanly, all data delivered.
            byte[] last = new byte[200_000];
            new SplittableRandom(5).nextBytes(last);
            Thread writer = new Thread(() -> {
                try {
                    ByteBuffer out = ByteBuffer.wrap(last);
                    while (out.hasRemaining()) {
                        sockets.send(closingClient, out, 0);
                    }
                    sockets.close(closingClient);
                } catch (ErrnoException e) {
                    failure.compareAndSet(null, e);
                }
            }, "drain-writer");
            writer.start();
            byte[] got = readToEof(closingServer, last.length);
            writer.join(TIMEOUT_MILLIS);
            assertFalse("the writer ended", writer.isAlive());
            assertNull("writing and closing during the drain", failure.get());
            assertArrayEquals("every byte sent before close arrives, then EOF", digest(last), digest(got));
            sockets.close(closingServer);

            // UDP is not affected.
            udpRoundTrip("during the drain");
            assertTrue("the stop still waits for the connection left open", stopper.isAlive());

            // The last connection closes by itself: the drain is over, long before drainMillis.
            sockets.close(stayingClient);
            assertEquals("the server side reads the end of the stream", 0,
                    sockets.recv(stayingServer, ByteBuffer.allocate(16), 0));
            sockets.close(stayingServer);
            stopper.join(TIMEOUT_MILLIS);
            assertFalse("the stop ends once no connection is left", stopper.isAlive());
        } finally {
            lo.removeTap(rsts);
        }
        long stopMillis = (System.nanoTime() - stopStart) / 1_000_000;
        assertNull("stopping the bundle", failure.get());
        assertTrue("the stop did not sit out drainMillis (" + LONG_DRAIN_MILLIS + " ms; it took " + stopMillis + " ms)",
                stopMillis < LONG_DRAIN_MILLIS);
        assertEquals("no RST: both connections closed by themselves, none was aborted", 0, rsts.count());
        expectErrno(Errno.ECONNABORTED, () -> sockets.accept(listener, 0));
        sockets.close(listener);
        udpRoundTrip("with TCP stopped");

        tcpBundle.start();
        awaitInetProtocol(sockets, IPPROTO_TCP);
        tcpEcho("after the restart");
    }

    @Test
    public void stoppingTcpAbortsWhatIsStillOpenAfterTheDrainAndRestartingServesAgain() throws Exception {
        int listener = configureDrainAndListen(SHORT_DRAIN_MILLIS);
        int[] staying = connectTo(listener);
        int stayingClient = staying[0];
        int stayingServer = staying[1];

        Link lo = links.byName("lo").orElseThrow(() -> new AssertionError("no lo"));
        RstCounter rsts = new RstCounter(SERVER.port(), localPort(stayingClient));
        lo.addTap(rsts);
        Bundle tcpBundle = installedBundle(TCP_BUNDLE);
        long stopStart = System.nanoTime();
        try {
            tcpBundle.stop();
            await("a RST for the aborted connection", TIMEOUT_MILLIS, () -> rsts.count() > 0);
        } finally {
            lo.removeTap(rsts);
        }
        long stopMillis = (System.nanoTime() - stopStart) / 1_000_000;
        assertTrue("the stop waited drainMillis (" + SHORT_DRAIN_MILLIS + " ms) for the open connection (took "
                + stopMillis + " ms)", stopMillis >= SHORT_DRAIN_MILLIS);

        // The connection left open was aborted: ECONNABORTED to both ends' owners.
        for (int fd : new int[] {stayingClient, stayingServer}) {
            expectErrno(Errno.ECONNABORTED, () -> sockets.recv(fd, ByteBuffer.allocate(16), SocketConstants.MSG_DONTWAIT));
            expectErrno(Errno.ECONNABORTED, () -> sockets.send(fd, ByteBuffer.allocate(16), SocketConstants.MSG_DONTWAIT));
        }
        expectErrno(Errno.ECONNABORTED, () -> sockets.accept(listener, 0));
        for (int fd : new int[] {stayingClient, stayingServer, listener}) {
            sockets.close(fd);
        }
        udpRoundTrip("with TCP stopped");

        // Started again, TCP serves a new connection on the same port.
        tcpBundle.start();
        awaitInetProtocol(sockets, IPPROTO_TCP);
        tcpEcho("after the restart");
    }

    /** Sets {@code drainMillis}, waits for TCP and UDP, and returns a listener on {@link #SERVER}. */
    private int configureDrainAndListen(long drainMillis) throws Exception {
        configureTcpDrain(configAdmin, sockets, drainMillis);
        awaitInetProtocol(sockets, IPPROTO_TCP);
        awaitInetProtocol(sockets, IPPROTO_UDP);
        return listen(8);
    }

    private int listen(int backlog) throws ErrnoException {
        int listener = streamSocket();
        sockets.bind(listener, SERVER);
        sockets.listen(listener, backlog);
        return listener;
    }

    /** A new connection to {@code listener}: the client's descriptor, then the server's. */
    private int[] connectTo(int listener) throws ErrnoException {
        int client = streamSocket();
        sockets.connect(client, SERVER);
        return new int[] {client, acceptWithTimeout(listener)};
    }

    /** Stops {@code bundle} on a thread of its own (the stop blocks for the drain); a failure goes to {@code failure}. */
    private static Thread stopInBackground(Bundle bundle, AtomicReference<Throwable> failure) {
        Thread stopper = new Thread(() -> {
            try {
                bundle.stop();
            } catch (Throwable e) {
                failure.compareAndSet(null, e);
            }
        }, "stop-tcp");
        stopper.start();
        return stopper;
    }

    private int localPort(int fd) throws ErrnoException {
        return ((InetSockAddr) sockets.getsockname(fd)).port();
    }

    private boolean streamSocketRefused() {
        try {
            sockets.close(sockets.socket(AF_INET, SOCK_STREAM, 0));
            return false;
        } catch (ErrnoException e) {
            return e.errno() == Errno.EPROTONOSUPPORT;
        }
    }

    private int streamSocket() throws ErrnoException {
        int fd = sockets.socket(AF_INET, SOCK_STREAM, 0);
        withTimeouts(fd);
        return fd;
    }

    private int acceptWithTimeout(int listener) throws ErrnoException {
        Accepted a = sockets.accept(listener);
        withTimeouts(a.fd());
        return a.fd();
    }

    private void withTimeouts(int fd) throws ErrnoException {
        sockets.setsockopt(fd, SocketConstants.SOL_SOCKET, SocketConstants.SO_RCVTIMEO, TIMEOUT_MILLIS);
        sockets.setsockopt(fd, SocketConstants.SOL_SOCKET, SocketConstants.SO_SNDTIMEO, TIMEOUT_MILLIS);
    }

    /** Reads until EOF (bounded by the receive timeout and by {@code limit} bytes). */
    private byte[] readToEof(int fd, int limit) throws ErrnoException {
        ByteBuffer all = ByteBuffer.allocate(limit + 1);
        while (all.hasRemaining()) {
            if (sockets.recv(fd, all, 0) == 0) {
                break;
            }
        }
        byte[] got = new byte[all.position()];
        all.flip().get(got);
        return got;
    }

    /** A small TCP exchange over a fresh connection; fails the test if anything goes wrong. */
    private void tcpEcho(String when) throws Exception {
        int listener = listen(1);
        int[] connection = connectTo(listener);
        int client = connection[0];
        int server = connection[1];
        byte[] message = ("hello " + when).getBytes(StandardCharsets.US_ASCII);
        sockets.send(client, ByteBuffer.wrap(message), 0);
        sockets.shutdown(client, SocketConstants.SHUT_WR);
        assertArrayEquals("TCP " + when, message, readToEof(server, message.length));
        for (int fd : new int[] {client, server, listener}) {
            sockets.close(fd);
        }
    }

    private void udpRoundTrip(String when) throws Exception {
        int server = sockets.socket(AF_INET, SOCK_DGRAM, 0);
        int client = sockets.socket(AF_INET, SOCK_DGRAM, 0);
        try {
            sockets.bind(server, UDP_ECHO);
            sockets.setsockopt(server, SocketConstants.SOL_SOCKET, SocketConstants.SO_RCVTIMEO, TIMEOUT_MILLIS);
            byte[] message = ("udp " + when).getBytes(StandardCharsets.US_ASCII);
            sockets.sendto(client, ByteBuffer.wrap(message), 0, UDP_ECHO);
            ByteBuffer in = ByteBuffer.allocate(64);
            int n = sockets.recvfrom(server, in, 0).bytes();
            assertEquals("UDP " + when, new String(message, StandardCharsets.US_ASCII),
                    new String(in.array(), 0, n, StandardCharsets.US_ASCII));
        } finally {
            sockets.close(client);
            sockets.close(server);
        }
    }

    private static byte[] digest(byte[] data) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(data);
    }

    /** Counts TCP segments with RST between a server port and any of some client ports, either way, as they cross the link. */
    static final class RstCounter implements PacketTap {
        private final int serverPort;
        private final int[] clientPorts;
        private final AtomicInteger count = new AtomicInteger();

        RstCounter(int serverPort, int... clientPorts) {
            this.serverPort = serverPort;
            this.clientPorts = clientPorts.clone();
        }

        int count() {
            return count.get();
        }

        @Override
        public void tap(Link link, Direction direction, long timestampNanos, int protocol, ByteBuf data) {
            if (direction != Direction.TRANSMIT) {
                return;
            }
            int ip = data.readerIndex();
            if (data.readableBytes() < 40 || data.getUnsignedByte(ip + 9) != IPPROTO_TCP) {
                return;
            }
            int tcp = ip + (data.getUnsignedByte(ip) & 0x0f) * 4;
            int source = data.getUnsignedShort(tcp);
            int destination = data.getUnsignedShort(tcp + 2);
            boolean rst = (data.getUnsignedByte(tcp + 13) & 0x04) != 0;
            if (rst && (source == serverPort && isClient(destination) || destination == serverPort && isClient(source))) {
                count.incrementAndGet();
            }
        }

        private boolean isClient(int port) {
            for (int p : clientPorts) {
                if (p == port) {
                    return true;
                }
            }
            return false;
        }
    }
}
