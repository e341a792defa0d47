package net.tern.itests;

import static net.tern.api.socket.SocketConstants.AF_INET;
import static net.tern.api.socket.SocketConstants.EPOLLERR;
import static net.tern.api.socket.SocketConstants.EPOLLHUP;
import static net.tern.api.socket.SocketConstants.EPOLLIN;
import static net.tern.api.socket.SocketConstants.EPOLLOUT;
import static net.tern.api.socket.SocketConstants.EPOLL_CTL_ADD;
import static net.tern.api.socket.SocketConstants.EPOLL_CTL_MOD;
import static net.tern.api.socket.SocketConstants.SOCK_NONBLOCK;
import static net.tern.api.socket.SocketConstants.SOCK_STREAM;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.fail;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import javax.inject.Inject;
import net.tern.api.socket.Accepted;
import net.tern.api.socket.EpollEvent;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.InetSockAddr;
import net.tern.api.socket.SocketApi;
import net.tern.api.socket.SocketConstants;
import net.tern.inet.snmp.SnmpCounters;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/**
 * A thousand TCP connections over loopback in the container, all open at once, driven by one
 * thread with non-blocking sockets and one epoll set, as an event-loop server and its clients
 * would be: every connection carries its own payload to the server and back (SHA-256
 * compared per connection), then all close in order (client first, the server on EOF). The
 * TCP counters account for every open and close, and every descriptor is given back.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class TcpConcurrencyIT extends TernTestSupport {
    private static final InetSockAddr SERVER = new InetSockAddr(InetSockAddr.INADDR_LOOPBACK, 7100);
    private static final int CONNECTIONS = 1000;
    private static final int PAYLOAD = 4096;
    private static final long DEADLINE_MILLIS = 120_000;

    /** What the epoll data of a descriptor says it is. */
    private static final long LISTENER = -1;
    private static final long SERVER_SIDE = 1L << 32;

    @Inject
    private SocketApi sockets;

    @Inject
    private SnmpCounters snmp;

    /** One connection as both ends see it. */
    private static final class Conn {
        final int index;
        final int client;
        final byte[] payload;
        final ByteBuffer toSend;
        final MessageDigest echoed;
        int echoedBytes;
        boolean clientSaidEof;
        int server = -1;
        /** What the server read and has not yet written back. */
        final ByteBuffer serverPending = ByteBuffer.allocate(PAYLOAD);
        boolean serverSawEof;

        Conn(int index, int client) throws Exception {
            this.index = index;
            this.client = client;
            this.payload = new byte[PAYLOAD];
            new SplittableRandom(1000 + index).nextBytes(payload);
            this.toSend = ByteBuffer.wrap(payload);
            this.echoed = MessageDigest.getInstance("SHA-256");
            serverPending.flip();
        }
    }

    @Test
    public void thousandConcurrentConnectionsEchoDistinctPayloadsAndCloseCleanly() throws Exception {
        awaitInetProtocol(sockets, SocketConstants.IPPROTO_TCP);
        long activeBefore = tcpCounter("ActiveOpens");
        long passiveBefore = tcpCounter("PassiveOpens");
        long estabBefore = tcpCounter("CurrEstab");
        long failsBefore = tcpCounter("AttemptFails");
        long resetsBefore = tcpCounter("EstabResets");
        long outRstsBefore = tcpCounter("OutRsts");
        long deadline = System.nanoTime() + DEADLINE_MILLIS * 1_000_000L;

        TreeSet<Integer> descriptors = new TreeSet<>();
        int epoll = sockets.epollCreate();
        descriptors.add(epoll);
        int listener = sockets.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        descriptors.add(listener);
        sockets.setsockopt(listener, SocketConstants.SOL_SOCKET, SocketConstants.SO_REUSEADDR, 1);
        sockets.bind(listener, SERVER);
        sockets.listen(listener, CONNECTIONS);
        sockets.epollCtl(epoll, EPOLL_CTL_ADD, listener, EPOLLIN, LISTENER);

        // Open: every client connects at once; each is told apart by its index in the epoll data.
        List<Conn> conns = new ArrayList<>(CONNECTIONS);
        for (int i = 0; i < CONNECTIONS; i++) {
            int fd = sockets.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
            descriptors.add(fd);
            conns.add(new Conn(i, fd));
            try {
                sockets.connect(fd, SERVER);
            } catch (ErrnoException e) {
                assertEquals(e.getMessage(), Errno.EINPROGRESS, e.errno());
            }
            sockets.epollCtl(epoll, EPOLL_CTL_ADD, fd, EPOLLOUT, i);
        }

        // Exchange: accept everything, clients send when connected, servers echo, clients check.
        Map<Integer, Conn> byServerFd = new HashMap<>();
        Map<Integer, Conn> byClientPort = new HashMap<>();
        for (Conn c : conns) {
            byClientPort.put(((InetSockAddr) sockets.getsockname(c.client)).port(), c);
        }
        EpollEvent[] events = new EpollEvent[256];
        ByteBuffer scratch = ByteBuffer.allocate(PAYLOAD);
        int complete = 0;
        while (complete < CONNECTIONS) {
            checkDeadline(deadline, "the echo of every payload (" + complete + " complete)");
            int n = sockets.epollWait(epoll, events, 1000);
            for (int e = 0; e < n; e++) {
                long data = events[e].data();
                int ready = events[e].events();
                if (data == LISTENER) {
                    acceptAll(listener, epoll, byClientPort, byServerFd, descriptors);
                } else if (data >= SERVER_SIDE) {
                    echo(byServerFd.get((int) (data - SERVER_SIDE)), epoll, scratch);
                } else {
                    Conn c = conns.get((int) data);
                    if ((ready & (EPOLLERR | EPOLLHUP)) != 0) {
                        fail("connection " + c.index + " failed: SO_ERROR "
                                + sockets.getsockopt(c.client, SocketConstants.SOL_SOCKET, SocketConstants.SO_ERROR));
                    }
                    if (c.toSend.hasRemaining()) {
                        sockets.send(c.client, c.toSend, 0);
                        if (!c.toSend.hasRemaining()) {
                            sockets.epollCtl(epoll, EPOLL_CTL_MOD, c.client, EPOLLIN, c.index);
                        }
                    } else if (readEcho(c, scratch) && c.echoedBytes == PAYLOAD) {
                        complete++;
                    }
                }
            }
        }

        // Every connection is open at once, both ends in this stack.
        assertEquals("connections accepted", CONNECTIONS, byServerFd.size());
        assertEquals("TcpActiveOpens grew by one per connect", CONNECTIONS, tcpCounter("ActiveOpens") - activeBefore);
        assertEquals("TcpPassiveOpens grew by one per accepted connection", CONNECTIONS,
                tcpCounter("PassiveOpens") - passiveBefore);
        assertEquals("TcpCurrEstab counts both ends of every connection", 2L * CONNECTIONS,
                tcpCounter("CurrEstab") - estabBefore);
        for (Conn c : conns) {
            assertArrayEquals("payload of connection " + c.index + " came back intact",
                    MessageDigest.getInstance("SHA-256").digest(c.payload), c.echoed.digest());
        }

        // Close: each client closes; its server sees EOF after all the data and closes too.
        for (Conn c : conns) {
            sockets.close(c.client);
        }
        int serversClosed = 0;
        while (serversClosed < CONNECTIONS) {
            checkDeadline(deadline, "EOF on every server socket (" + serversClosed + " closed)");
            int n = sockets.epollWait(epoll, events, 1000);
            for (int e = 0; e < n; e++) {
                Conn c = byServerFd.get((int) (events[e].data() - SERVER_SIDE));
                if (c == null || c.serverSawEof) {
                    continue;
                }
                scratch.clear();
                int got = sockets.recv(c.server, scratch, 0);
                assertEquals("server socket of connection " + c.index + " reads EOF, nothing more", 0, got);
                c.serverSawEof = true;
                sockets.close(c.server);
                serversClosed++;
            }
        }
        sockets.close(listener);
        sockets.close(epoll);

        await("TcpCurrEstab back to where it started", WAIT_MILLIS, () -> tcpCounter("CurrEstab") == estabBefore);
        assertEquals("no connection attempt failed", failsBefore, tcpCounter("AttemptFails"));
        assertEquals("no established connection was reset", resetsBefore, tcpCounter("EstabResets"));
        assertEquals("no RST was sent", outRstsBefore, tcpCounter("OutRsts"));
        assertNoDescriptorLeft(descriptors);
    }

    /** Accepts until EAGAIN; the new server sockets join the epoll set for input. */
    private void acceptAll(int listener, int epoll, Map<Integer, Conn> byClientPort, Map<Integer, Conn> byServerFd,
            TreeSet<Integer> descriptors) throws ErrnoException {
        while (true) {
            Accepted accepted;
            try {
                accepted = sockets.accept(listener, SOCK_NONBLOCK);
            } catch (ErrnoException e) {
                if (e.errno() == Errno.EAGAIN) {
                    return;
                }
                throw e;
            }
            descriptors.add(accepted.fd());
            Conn c = byClientPort.get(((InetSockAddr) accepted.peer()).port());
            if (c == null || c.server != -1) {
                fail("accepted a connection from " + accepted.peer() + " that no client made, or twice");
            }
            c.server = accepted.fd();
            byServerFd.put(accepted.fd(), c);
            sockets.epollCtl(epoll, EPOLL_CTL_ADD, accepted.fd(), EPOLLIN, SERVER_SIDE + accepted.fd());
        }
    }

    /** Server side: write back what is pending, read more; wait for output room when the send buffer is full. */
    private void echo(Conn c, int epoll, ByteBuffer scratch) throws ErrnoException {
        if (c.serverPending.hasRemaining()) {
            sockets.send(c.server, c.serverPending, 0);
        }
        if (!c.serverPending.hasRemaining()) {
            int n = recvNow(c.server, scratch);
            if (n < 0) {
                return;
            }
            assertEquals("the client does not close before its echo is back", true, n > 0);
            scratch.flip();
            c.serverPending.clear();
            c.serverPending.put(scratch).flip();
            try {
                sockets.send(c.server, c.serverPending, 0);
            } catch (ErrnoException e) {
                if (e.errno() != Errno.EAGAIN) {
                    throw e;
                }
            }
        }
        int interest = c.serverPending.hasRemaining() ? EPOLLOUT : EPOLLIN;
        sockets.epollCtl(epoll, EPOLL_CTL_MOD, c.server, interest, SERVER_SIDE + c.server);
    }

    /** Client side: takes in what came back; true when this call finished the echo. */
    private boolean readEcho(Conn c, ByteBuffer scratch) throws ErrnoException {
        int before = c.echoedBytes;
        while (c.echoedBytes < PAYLOAD) {
            int n = recvNow(c.client, scratch);
            if (n < 0) {
                break;
            }
            if (n == 0) {
                fail("connection " + c.index + ": EOF after " + c.echoedBytes + " of " + PAYLOAD + " echoed bytes");
            }
            c.echoed.update(scratch.array(), 0, n);
            c.echoedBytes += n;
        }
        return before < PAYLOAD && c.echoedBytes == PAYLOAD;
    }

    /** A non-blocking {@code recv} into a cleared {@code scratch}: the byte count, 0 at EOF, -1 for EAGAIN. */
    private int recvNow(int fd, ByteBuffer scratch) throws ErrnoException {
        scratch.clear();
        try {
            return sockets.recv(fd, scratch, 0);
        } catch (ErrnoException e) {
            if (e.errno() == Errno.EAGAIN) {
                return -1;
            }
            throw e;
        }
    }

    /**
     * Descriptors are handed out lowest-free first (as {@code alloc_fd}), so if as many new
     * sockets as the test used get exactly the same numbers, every one of them was given back.
     */
    private void assertNoDescriptorLeft(TreeSet<Integer> used) throws ErrnoException {
        for (int fd : used) {
            try {
                sockets.getsockname(fd);
                fail("descriptor " + fd + " is still open");
            } catch (ErrnoException e) {
                assertEquals(e.getMessage(), Errno.EBADF, e.errno());
            }
        }
        TreeSet<Integer> again = new TreeSet<>();
        try {
            for (int i = 0; i < used.size(); i++) {
                again.add(sockets.socket(AF_INET, SOCK_STREAM, 0));
            }
            assertEquals("the same descriptors come back when as many sockets are opened again", used, again);
        } finally {
            for (int fd : again) {
                sockets.close(fd);
            }
        }
    }

    private long tcpCounter(String name) {
        Map<String, Long> group = snmp.snapshot().get("Tcp");
        if (group == null || !group.containsKey(name)) {
            throw new AssertionError("no counter Tcp" + name + " in " + snmp.groups());
        }
        return group.get(name);
    }

    private static void checkDeadline(long deadline, String what) {
        if (System.nanoTime() - deadline > 0) {
            throw new AssertionError("timed out after " + DEADLINE_MILLIS + " ms waiting for " + what);
        }
    }
}
