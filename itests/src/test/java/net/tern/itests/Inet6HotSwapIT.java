package net.tern.itests;

import static net.tern.api.socket.SocketConstants.AF_INET;
import static net.tern.api.socket.SocketConstants.AF_INET6;
import static net.tern.api.socket.SocketConstants.SOCK_DGRAM;
import static net.tern.api.socket.SocketConstants.SOCK_STREAM;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import javax.inject.Inject;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.Inet6SockAddr;
import net.tern.api.socket.InetSockAddr;
import net.tern.api.socket.ProcNetSnmp;
import net.tern.api.socket.RecvResult;
import net.tern.api.socket.SockAddr;
import net.tern.api.socket.SocketApi;
import net.tern.api.socket.SocketConstants;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerMethod;
import org.osgi.framework.Bundle;

/**
 * AF_INET6 as a second family, installed and removed while the stack runs: listed beside
 * AF_INET by {@code net:families}; stopping the inet6 bundle makes {@code socket(AF_INET6)}
 * fail with EAFNOSUPPORT and takes IPv6's counters away while IPv4 keeps serving; starting it
 * again brings both back. TCP over IPv6 comes and goes with it, its connections aborted while
 * IPv4's run on. No error reaches the log meanwhile ({@link TernTestSupport}).
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerMethod.class)
public class Inet6HotSwapIT extends TernTestSupport {
    private static final String INET6_BUNDLE = "net.tern.inet6";
    private static final InetSockAddr SERVER = new InetSockAddr(InetSockAddr.INADDR_LOOPBACK, 7008);
    private static final InetSockAddr TCP4_SERVER = new InetSockAddr(InetSockAddr.INADDR_LOOPBACK, 7011);

    @Inject
    private SocketApi sockets;

    @Test
    public void netFamiliesShowsInet6BesideInet() throws Exception {
        awaitService(Object.class, "(osgi.command.function=families)", WAIT_MILLIS);
        await("AF_INET6 to register", WAIT_MILLIS, () -> hasFamily(AF_INET6) && hasFamily(AF_INET));
        String out = runCommand("net:families");
        assertTrue(out, out.lines().anyMatch(line -> line.matches("10\\s+inet6\\s+.*")));
        assertTrue(out, out.lines().anyMatch(line -> line.matches("2\\s+inet\\s+.*")));
    }

    /**
     * {@code net:ip -6} works through netlink's AF_INET6 side while inet6 runs: it shows
     * {@code ::1}, adds and shows a route; with inet6 stopped the IPv6 dump is empty and a change
     * is refused (EOPNOTSUPP), IPv4's {@code net:ip} unaffected; inet6 back, it works again.
     */
    @Test
    public void ipMinusSixComesAndGoesWithInet6() throws Exception {
        awaitService(Object.class, "(osgi.command.function=ip)", WAIT_MILLIS);
        await("net:ip -6 to show ::1", WAIT_MILLIS, () -> {
            try {
                return runCommand("net:ip -6 addr show lo").contains("inet6 ::1/128 scope host");
            } catch (AssertionError notYet) {
                return false;
            }
        });
        runCommand("net:ip -6 route add fd77::/64 dev lo metric 9");
        String routes = runCommand("net:ip -6 route");
        assertTrue(routes, routes.contains("fd77::/64 dev lo metric 9 pref medium"));

        Bundle inet6 = installedBundle(INET6_BUNDLE);
        inet6.stop();
        try {
            String none = String.valueOf(runCommand("net:ip -6 route"));
            assertFalse(none, none.contains("fd77"));
            try {
                runCommand("net:ip -6 addr add fd78::1/64 dev lo");
                throw new IllegalStateException("an IPv6 address was added without IPv6");
            } catch (AssertionError refused) {
                assertTrue(String.valueOf(refused.getCause()),
                        String.valueOf(refused.getCause()).contains("RTNETLINK answers: Operation not supported"));
            }
            assertTrue(runCommand("net:ip addr show lo").contains("inet 127.0.0.1/8"));
        } finally {
            inet6.start();
        }
        await("net:ip -6 back", WAIT_MILLIS, () -> {
            try {
                return runCommand("net:ip -6 addr show lo").contains("inet6 ::1/128 scope host");
            } catch (AssertionError notYet) {
                return false;
            }
        });
    }

    @Test
    public void stoppingInet6RefusesItsSocketsAndLeavesIpv4Serving() throws Exception {
        await("AF_INET6 to register", WAIT_MILLIS, () -> hasFamily(AF_INET6));
        awaitUdp();
        assertNotEquals("AF_INET6 is there", Errno.EAFNOSUPPORT, errnoOf(() -> sockets.socket(AF_INET6, SOCK_DGRAM, 0)));
        await("UDP over IPv6", WAIT_MILLIS, () -> errnoOrNull(() -> sockets.socket(AF_INET6, SOCK_DGRAM, 0)) == null);
        int udp6 = sockets.socket(AF_INET6, SOCK_DGRAM, 0);
        sockets.bind(udp6, Inet6SockAddr.parse("[::1]:7009"));
        udpExchange6(udp6);
        await("IPv6's counters in nstat", WAIT_MILLIS,
                () -> ProcNetSnmp.read(sockets).containsKey("Ip6") && ProcNetSnmp.read(sockets).containsKey("Icmp6"));

        Bundle inet6 = installedBundle(INET6_BUNDLE);
        inet6.stop();
        try {
            assertFalse("AF_INET6 still listed after its bundle stopped", hasFamily(AF_INET6));
            assertEquals(Errno.EAFNOSUPPORT, errnoOf(() -> sockets.socket(AF_INET6, SOCK_DGRAM, 0)));
            assertEquals(Errno.EAFNOSUPPORT, errnoOf(() -> sockets.socket(AF_INET6, SOCK_STREAM, 0)));
            assertFalse("Ip6 counters left with the bundle", ProcNetSnmp.read(sockets).containsKey("Ip6"));
            udpExchange();                                       // IPv4 unaffected
            try {
                sockets.recv(udp6, ByteBuffer.allocate(8), SocketConstants.MSG_DONTWAIT);
                throw new AssertionError("the IPv6 UDP socket outlived IPv6");
            } catch (ErrnoException e) {
                assertEquals("the IPv6 UDP socket is withdrawn", Errno.ECONNABORTED, e.errno());
            }
        } finally {
            inet6.start();
        }
        await("AF_INET6 to come back", WAIT_MILLIS, () -> hasFamily(AF_INET6));
        assertNotEquals(Errno.EAFNOSUPPORT, errnoOf(() -> sockets.socket(AF_INET6, SOCK_DGRAM, 0)));
        await("IPv6's counters back", WAIT_MILLIS, () -> ProcNetSnmp.read(sockets).containsKey("Ip6"));
        assertTrue(sockets.procRead(ProcNetSnmp.SNMP6).contains("Ip6InReceives"));
        udpExchange();
        sockets.close(udp6);
        await("UDP over IPv6 back", WAIT_MILLIS, () -> errnoOrNull(() -> sockets.socket(AF_INET6, SOCK_DGRAM, 0)) == null);
        int again = sockets.socket(AF_INET6, SOCK_DGRAM, 0);
        sockets.bind(again, Inet6SockAddr.parse("[::1]:7009"));
        udpExchange6(again);
        sockets.close(again);
    }

    /** A datagram from a new IPv6 socket to {@code server} on [::1]:7009, read with its sender's IPv6 name. */
    private void udpExchange6(int server) throws Exception {
        sockets.setsockopt(server, SocketConstants.SOL_SOCKET, SocketConstants.SO_RCVTIMEO, 5000);
        int client = sockets.socket(AF_INET6, SOCK_DGRAM, 0);
        try {
            sockets.sendto(client, ByteBuffer.wrap("v6".getBytes(StandardCharsets.US_ASCII)), 0,
                    Inet6SockAddr.parse("[::1]:7009"));
            ByteBuffer in = ByteBuffer.allocate(8);
            RecvResult got = sockets.recvfrom(server, in, 0);
            assertEquals("v6", new String(in.array(), 0, got.bytes(), StandardCharsets.US_ASCII));
            assertEquals(((Inet6SockAddr) sockets.getsockname(client)).port(), ((Inet6SockAddr) got.from()).port());
        } finally {
            sockets.close(client);
        }
    }

    /**
     * TCP over IPv6 on {@code ::1} from the tcp bundle, beside an IPv4 connection; stopping
     * inet6 aborts the IPv6 connection (ECONNABORTED) and refuses AF_INET6 stream sockets,
     * while the IPv4 connection carries on; started again, TCP over IPv6 serves again.
     */
    @Test
    public void tcpOverIpv6ComesAndGoesWithInet6WhileIpv4ConnectionsRun() throws Exception {
        await("TCP over IPv6", WAIT_MILLIS, () -> errnoOrNull(() -> sockets.socket(AF_INET6, SOCK_STREAM, 0)) == null);
        int listener6 = listener(AF_INET6, Inet6SockAddr.parse("[::1]:7010"));
        int listener4 = listener(AF_INET, TCP4_SERVER);
        int[] six = connect(AF_INET6, Inet6SockAddr.parse("[::1]:7010"), listener6);
        int[] four = connect(AF_INET, TCP4_SERVER, listener4);
        exchange(six, "over IPv6");
        exchange(four, "over IPv4");
        assertEquals(Inet6SockAddr.parse("[::1]:7010"), sockets.getpeername(six[0]));

        Bundle inet6 = installedBundle(INET6_BUNDLE);
        inet6.stop();
        try {
            assertEquals(Errno.EAFNOSUPPORT, errnoOf(() -> sockets.socket(AF_INET6, SOCK_STREAM, 0)));
            try {
                int n = sockets.recv(six[1], ByteBuffer.allocate(16), 0);
                throw new AssertionError("the aborted IPv6 connection read " + n);
            } catch (ErrnoException e) {
                assertEquals("the IPv6 connection is aborted", Errno.ECONNABORTED, e.errno());
            }
            exchange(four, "IPv4 carries on");
        } finally {
            inet6.start();
        }
        await("TCP over IPv6 back", WAIT_MILLIS, () -> errnoOrNull(() -> sockets.socket(AF_INET6, SOCK_STREAM, 0)) == null);
        for (int fd : new int[] {six[0], six[1], listener6}) {
            sockets.close(fd);
        }
        int again = listener(AF_INET6, Inet6SockAddr.parse("[::1]:7010"));
        int[] back = connect(AF_INET6, Inet6SockAddr.parse("[::1]:7010"), again);
        exchange(back, "over IPv6 again");
        exchange(four, "and IPv4 still");
        for (int fd : new int[] {back[0], back[1], again, four[0], four[1], listener4}) {
            sockets.close(fd);
        }
    }

    /**
     * {@code net:ss -6} through sock_diag's AF_INET6 dump: a listener on {@code ::1} in
     * brackets, a dual-stack one on {@code ::} as {@code *}, and that one's IPv4 connection by
     * its IPv4-mapped addresses; {@code net:ss -4} lists none of them but the AF_INET client.
     */
    @Test
    public void ssSixListsIpv6SocketsAndDualStackConnectionsByIpv4MappedAddresses() throws Exception {
        await("TCP over IPv6", WAIT_MILLIS, () -> errnoOrNull(() -> sockets.socket(AF_INET6, SOCK_STREAM, 0)) == null);
        int listener6 = listener(AF_INET6, Inet6SockAddr.parse("[::1]:7011"));
        int dualStack = listener(AF_INET6, Inet6SockAddr.parse("[::]:7012"));
        int[] mapped = connect(AF_INET, new InetSockAddr(InetSockAddr.INADDR_LOOPBACK, 7012), dualStack);
        try {
            await("net:ss -6 lists the IPv6 listener", WAIT_MILLIS,
                    () -> runCommand("net:ss -6tln").contains("[::1]:7011"));
            String listening = runCommand("net:ss -6tlnp");
            assertTrue(listening, listening.contains("*:7012"));
            assertTrue(listening, listening.contains("users:((\"tern\",fd=" + listener6 + "))"));
            String connections = runCommand("net:ss -6tn sport = :7012");
            assertTrue(connections, connections.contains("[::ffff:127.0.0.1]:7012"));
            String ipv4 = runCommand("net:ss -4tan");
            assertFalse(ipv4, ipv4.contains(":7011"));
            assertFalse(ipv4, ipv4.contains("[::ffff:"));
            assertTrue(ipv4, ipv4.contains("127.0.0.1:7012"));
            String both = runCommand("net:ss -tln");
            assertTrue(both, both.contains("[::1]:7011") && both.contains("*:7012"));
        } finally {
            for (int fd : new int[] {mapped[0], mapped[1], dualStack, listener6}) {
                sockets.close(fd);
            }
        }
    }

    private int listener(int family, SockAddr address) throws ErrnoException {
        int fd = sockets.socket(family, SOCK_STREAM, 0);
        sockets.setsockopt(fd, SocketConstants.SOL_SOCKET, SocketConstants.SO_RCVTIMEO, (int) WAIT_MILLIS);
        sockets.bind(fd, address);
        sockets.listen(fd, 4);
        return fd;
    }

    /** A connection to {@code listener} at {@code to}: {client, server}, both with receive timeouts. */
    private int[] connect(int family, SockAddr to, int listener) throws ErrnoException {
        int client = sockets.socket(family, SOCK_STREAM, 0);
        sockets.setsockopt(client, SocketConstants.SOL_SOCKET, SocketConstants.SO_RCVTIMEO, (int) WAIT_MILLIS);
        sockets.connect(client, to);
        int server = sockets.accept(listener).fd();
        sockets.setsockopt(server, SocketConstants.SOL_SOCKET, SocketConstants.SO_RCVTIMEO, (int) WAIT_MILLIS);
        return new int[] {client, server};
    }

    /** {@code text} from client to server and back. */
    private void exchange(int[] pair, String text) throws ErrnoException {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        sockets.send(pair[0], ByteBuffer.wrap(bytes), 0);
        assertEquals(text, readExactly(pair[1], bytes.length));
        sockets.send(pair[1], ByteBuffer.wrap(bytes), 0);
        assertEquals(text, readExactly(pair[0], bytes.length));
    }

    private String readExactly(int fd, int length) throws ErrnoException {
        ByteBuffer in = ByteBuffer.allocate(length);
        while (in.hasRemaining()) {
            if (sockets.recv(fd, in, 0) == 0) {
                break;
            }
        }
        return new String(in.array(), 0, in.position(), StandardCharsets.US_ASCII);
    }

    private Errno errnoOrNull(Call call) {
        try {
            return errnoOf(call);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private void udpExchange() throws Exception {
        int server = sockets.socket(AF_INET, SOCK_DGRAM, 0);
        try {
            sockets.bind(server, SERVER);
            sockets.setsockopt(server, SocketConstants.SOL_SOCKET, SocketConstants.SO_RCVTIMEO, 5000);
            int client = sockets.socket(AF_INET, SOCK_DGRAM, 0);
            sockets.sendto(client, ByteBuffer.wrap("v4".getBytes(StandardCharsets.US_ASCII)), 0, SERVER);
            ByteBuffer in = ByteBuffer.allocate(8);
            RecvResult got = sockets.recvfrom(server, in, 0);
            assertEquals("v4", new String(in.array(), 0, got.bytes(), StandardCharsets.US_ASCII));
            sockets.close(client);
        } finally {
            sockets.close(server);
        }
    }

    private void awaitUdp() throws InterruptedException {
        await("AF_INET with UDP", WAIT_MILLIS, () -> sockets.families().stream()
                .anyMatch(f -> f.family() == AF_INET && f.protocols().stream().anyMatch(p -> p.protocol() == 17)));
    }

    private boolean hasFamily(int number) {
        return sockets.families().stream().anyMatch(f -> f.family() == number);
    }

    interface Call {
        int run() throws Exception;
    }

    /** The errno {@code call} failed with; closes what it opened if it succeeded (null then). */
    private Errno errnoOf(Call call) throws Exception {
        try {
            int fd = call.run();
            sockets.close(fd);
            return null;
        } catch (ErrnoException e) {
            return e.errno();
        }
    }
}
