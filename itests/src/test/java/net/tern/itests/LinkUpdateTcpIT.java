package net.tern.itests;

import static net.tern.api.socket.SocketConstants.AF_INET;
import static net.tern.api.socket.SocketConstants.IPPROTO_TCP;
import static net.tern.api.socket.SocketConstants.SOCK_STREAM;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import javax.inject.Inject;
import net.tern.api.socket.Accepted;
import net.tern.api.socket.InetSockAddr;
import net.tern.api.socket.SocketApi;
import net.tern.api.socket.SocketConstants;
import net.tern.inet.snmp.SnmpCounters;
import net.tern.spi.net.Link;
import net.tern.spi.net.LinkRegistry;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;

/**
 * DESIGN.md: "a link driver leaves: its device and routes go; TCP keeps retransmitting, so a
 * connection survives a driver update that completes within its retransmission limits". The
 * loopback driver bundle is updated ({@link Bundle#update()}) while a TCP transfer runs over
 * {@code lo}; the transfer completes intact (SHA-256 compared) after retransmitting what the
 * device dropped, and {@code lo} comes back with its address and routes.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class LinkUpdateTcpIT extends TernTestSupport {
    private static final String LOOPBACK_BUNDLE = "net.tern.link-loopback";
    private static final InetSockAddr SERVER = new InetSockAddr(InetSockAddr.INADDR_LOOPBACK, 7400);
    private static final int SIZE = 16 << 20;
    private static final int WARM_UP_SIZE = 8 << 20;
    /** Generous: on a loaded machine the RTO backs off while the device is away. */
    private static final int TIMEOUT_MILLIS = 60_000;

    @Inject
    private SocketApi sockets;

    @Inject
    private LinkRegistry links;

    @Inject
    private SnmpCounters snmp;

    @Test
    public void tcpTransferSurvivesAnUpdateOfTheLoopbackDriver() throws Exception {
        awaitInetProtocol(sockets, IPPROTO_TCP);
        String routesBefore = runCommand("net:ip route show table all");
        String addrBefore = runCommand("net:ip addr show dev lo");
        int listener = sockets.socket(AF_INET, SOCK_STREAM, 0);
        sockets.bind(listener, SERVER);
        sockets.listen(listener, 2);

        // A first transfer without the update: the JIT warms up and the machine's pace shows, so
        // the measured connection's RTO does not start from samples taken while classes load.
        int[] warmUp = connectedPair(listener);
        new StreamTransfer(sockets, warmUp[0], warmUp[1], WARM_UP_SIZE, 43, 64 * 1024, "warm-up").start()
                .assertDeliveredIntact(TIMEOUT_MILLIS);

        int[] pair = connectedPair(listener);
        long transferStart = System.nanoTime();
        // The reader takes half, then may take up to three quarters while the driver is
        // updated: data flows across the update, and the transfer cannot be over before it
        // begins however fast the machine is.
        StreamTransfer transfer = new StreamTransfer(sockets, pair[0], pair[1], SIZE, 44, 64 * 1024, "link-update")
                .readUpTo(SIZE / 2).start();

        await("half the transfer to cross", TIMEOUT_MILLIS, () -> transfer.received() >= SIZE / 2 || transfer.failed());
        int indexBefore = links.byName("lo").map(Link::index).orElse(-1);
        long retransBefore = snmp.snapshot().get("Tcp").get("RetransSegs");
        transfer.readUpTo(SIZE / 4 * 3);
        long updateStart = System.nanoTime();
        installedBundle(LOOPBACK_BUNDLE).update();
        long receivedAtUpdate = transfer.received();
        await("lo to come back", TIMEOUT_MILLIS, () -> links.byName("lo").map(Link::isUp).orElse(false));
        long updateMillis = (System.nanoTime() - updateStart) / 1_000_000;
        assertTrue("the driver update happened while the transfer ran (" + receivedAtUpdate + " of " + SIZE
                + " bytes received)", receivedAtUpdate < SIZE && !transfer.failed());
        transfer.readUpTo(Long.MAX_VALUE);

        try {
            transfer.assertDeliveredIntact(TIMEOUT_MILLIS * 2L);
        } catch (AssertionError e) {
            throw withReport(e, "after " + transfer.received() + " of " + SIZE + " bytes; lo back "
                    + updateMillis + " ms after the update began\n" + stackState());
        }
        long retransmitted = snmp.snapshot().get("Tcp").get("RetransSegs") - retransBefore;
        System.out.printf("LinkUpdateTcpIT: lo back %d ms after the update began; %d segments retransmitted;"
                + " %d MiB in %d ms%n", updateMillis, retransmitted, SIZE >> 20, (System.nanoTime() - transferStart) / 1_000_000);
        // Whether a segment was in flight during the few milliseconds lo was gone depends on the
        // threads' timing, so the count is reported, not asserted; DeviceSwapTest proves the
        // retransmission over a gap deterministically, in virtual time.
        assertTrue("lo was registered again (index " + indexBefore + " before)",
                links.byName("lo").isPresent());
        assertEquals("lo's addresses are back", addrBefore.replaceAll("\\d+: lo", "N: lo"),
                runCommand("net:ip addr show dev lo").replaceAll("\\d+: lo", "N: lo"));
        assertEquals("lo's routes are back", routesBefore, runCommand("net:ip route show table all"));
        for (int fd : new int[] {warmUp[0], warmUp[1], pair[0], pair[1], listener}) {
            sockets.close(fd);
        }
    }

    /** A new connection to {@code listener}: sender and receiver descriptors, with send and receive timeouts. */
    private int[] connectedPair(int listener) throws Exception {
        int sender = sockets.socket(AF_INET, SOCK_STREAM, 0);
        sockets.setsockopt(sender, SocketConstants.SOL_SOCKET, SocketConstants.SO_SNDTIMEO, TIMEOUT_MILLIS);
        sockets.connect(sender, SERVER);
        Accepted accepted = sockets.accept(listener);
        sockets.setsockopt(accepted.fd(), SocketConstants.SOL_SOCKET, SocketConstants.SO_RCVTIMEO, TIMEOUT_MILLIS);
        return new int[] {sender, accepted.fd()};
    }
}
