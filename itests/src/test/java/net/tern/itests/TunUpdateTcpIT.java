package net.tern.itests;

import static net.tern.api.socket.SocketConstants.IPPROTO_TCP;
import static net.tern.itests.HostCommands.output;
import static net.tern.itests.HostCommands.requireRoot;
import static net.tern.itests.HostCommands.run;
import static net.tern.itests.HostCommands.stop;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import javax.inject.Inject;
import net.tern.api.socket.SocketApi;
import net.tern.inet.snmp.SnmpCounters;
import net.tern.spi.net.Link;
import net.tern.spi.net.LinkRegistry;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * {@link LinkUpdateTcpIT} over a real Linux TUN: the TUN driver bundle is updated
 * ({@link Bundle#update()}) while a TCP transfer runs between Tern and the Linux kernel, and
 * the transfer completes intact. In a network namespace of its own the test makes a
 * persistent multi-queue TUN of three queues (the kernel at 10.97.0.1/24) and a kernel TCP echo server ({@code socat ...
 * EXEC:cat}); Tern's TUN device comes from a Config Admin factory configuration of
 * {@code net.tern.link.tun} (10.97.0.2/24 in that namespace). Tern sends seeded random bytes
 * to the echo and reads them back on the same connection (SHA-256 compared). The update
 * closes the old driver's file (the persistent interface stays, without carrier) and the new
 * bundle's component attaches to it again from the same configuration; TCP on both sides
 * retransmits what was dropped meanwhile.
 *
 * <p>Failsafe does not run this test a second time when it fails (itests/pom.xml): a driver
 * update must never stall a connection. It once stalled about one run in ten: the loss at the
 * update left the kernel retransmitting old segments that acknowledged Tern's data with a
 * window its full receive buffer had closed; Tern took the acknowledgment but not the window
 * (RFC 9293's SND.WL1 test), sent past the kernel's window, and Linux 6.18 dropped those
 * segments whole, their ACKs included ({@code TcpExtBeyondWindow}), so neither end heard the
 * other again. TCP now updates the window on every ACK that moves SND.UNA, as
 * {@code tcp_may_update_window} does.
 *
 * <p>Needs root (namespace, TUN), {@code /dev/net/tun}, {@code ip} and {@code socat}. Without
 * them it fails saying so, unless {@code TERN_SKIP_ROOT_TESTS=1} is set, which skips it (the
 * convention of link-tun's root tests and {@link DistributionLaunchIT}: CI runs as root, and
 * a skipped test there would hide a broken driver). The namespace is deleted, and the echo
 * server killed, whatever the outcome.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class TunUpdateTcpIT extends TernTestSupport {
    private static final String TUN_BUNDLE = "net.tern.link-tun";
    private static final String TUN = "terntun7";
    private static final String KERNEL_ADDRESS = "10.97.0.1";
    private static final String TERN_ADDRESS = "10.97.0.2/24";
    private static final int ECHO_PORT = 7007;
    private static final int MTU = 1500;
    /** The TUN is multi-queue: the update closes every queue's file and the new driver attaches them all again. */
    private static final int QUEUES = 3;
    /**
     * Large enough that the echo is still running when the update has closed the old file,
     * even on an idle machine (Tern over TUN moves about 1 Gbit/s; README, Performance).
     */
    private static final int SIZE = 64 << 20;
    /** Generous: on a loaded machine the RTO backs off while the device is away. */
    private static final int TIMEOUT_MILLIS = 60_000;

    @Inject
    private SocketApi sockets;

    @Inject
    private LinkRegistry links;

    @Inject
    private SnmpCounters snmp;

    @Inject
    private ConfigurationAdmin configAdmin;

    @Override
    protected Option[] extraOptions() {
        return new Option[] {optionalTernBundle("jna"), optionalTernBundle("tern-link-tun")};
    }

    @Test
    public void tcpTransferToTheKernelSurvivesAnUpdateOfTheTunDriver() throws Exception {
        requireRoot("ip", "socat");
        String ns = "ternit" + ProcessHandle.current().pid();
        Process echo = null;
        Configuration tunConfig = null;
        run(10, "ip", "netns", "add", ns);
        try {
            HostCommands.addTun(ns, TUN, KERNEL_ADDRESS + "/24", true);
            // One connection, no fork: socat exits when the echo ends, and it is the only process to stop.
            echo = startKernelEcho(ns, KERNEL_ADDRESS, ECHO_PORT);

            awaitInetProtocol(sockets, IPPROTO_TCP);
            tunConfig = tunConfiguration(configAdmin, TUN);
            attachTun(tunConfig, links, TUN, TIMEOUT_MILLIS, "netns", ns, "mtu", MTU, "addresses",
                    new String[] {TERN_ADDRESS}, "queues", QUEUES);
            assertEquals("queues attached before the update", QUEUES, HostCommands.tunQueues(ns, TUN).size());
            // The configured (IPv4) addresses: the IPv6 link-local address of a device registered
            // again is drawn anew (a random interface identifier, as Linux gives a TUN).
            String addrBefore = runCommand("net:ip -4 addr show dev " + TUN);
            String routesBefore = runCommand("net:ip route show table all");
            assertTrue(addrBefore, addrBefore.contains(TERN_ADDRESS));

            int fd = connectToKernel(sockets, KERNEL_ADDRESS, ECHO_PORT, TIMEOUT_MILLIS);
            long transferStart = System.nanoTime();
            // The echo comes back on the same connection: the writer sends and then shuts down
            // its side (cat sees end of file and exits), the reader digests until the echo's end.
            // The reader takes half the echo, then may take up to three quarters while the driver
            // is updated: data flows across the update, and the echo cannot be over before it
            // begins however fast the machine is.
            StreamTransfer transfer = new StreamTransfer(sockets, fd, fd, SIZE, 45, 64 * 1024, "tun-update")
                    .readUpTo(SIZE / 2).start();
            await("half the echo to come back", TIMEOUT_MILLIS,
                    () -> transfer.received() >= SIZE / 2 || transfer.failed());
            int indexBefore = links.byName(TUN).map(Link::index).orElse(-1);
            long retransBefore = snmp.snapshot().get("Tcp").get("RetransSegs");
            transfer.readUpTo(SIZE / 4 * 3);
            long updateStart = System.nanoTime();
            installedBundle(TUN_BUNDLE).update();
            // update() returns once the old bundle has stopped (its device left the stack, its file
            // closed) and the new one has started: bytes still to come mean the echo spanned the gap.
            long receivedAtUpdate = transfer.received();
            await(TUN + " to come back", TIMEOUT_MILLIS, () -> links.byName(TUN).map(Link::isUp).orElse(false));
            long updateMillis = (System.nanoTime() - updateStart) / 1_000_000;
            assertTrue("the driver update happened while the echo ran (" + receivedAtUpdate + " of " + SIZE + " bytes back)",
                    receivedAtUpdate < SIZE && !transfer.failed());
            transfer.readUpTo(Long.MAX_VALUE);

            try {
                transfer.assertDeliveredIntact(TIMEOUT_MILLIS * 2L);
            } catch (AssertionError e) {
                throw withReport(e, "after " + transfer.received() + " of " + SIZE + " bytes; "
                        + TUN + " back " + updateMillis + " ms after the update began\n" + stackState() + "\nkernel: "
                        + output(5, "ip", "netns", "exec", ns, "ip", "-s", "link", "show", TUN));
            }
            long retransmitted = snmp.snapshot().get("Tcp").get("RetransSegs") - retransBefore;
            System.out.printf("TunUpdateTcpIT: %s back %d ms after the update began; %d segments retransmitted by Tern;"
                    + " %d MiB echoed in %d ms%n", TUN, updateMillis, retransmitted, SIZE >> 20,
                    (System.nanoTime() - transferStart) / 1_000_000);
            assertEquals("the updated driver bundle is active", Bundle.ACTIVE, installedBundle(TUN_BUNDLE).getState());
            assertEquals("queues attached again after the update", QUEUES, HostCommands.tunQueues(ns, TUN).size());
            // Interface indexes are never reused: a new one means the old device left the stack
            // and the new bundle's component registered it again from the configuration.
            int indexAfter = links.byName(TUN).map(Link::index).orElse(-1);
            assertTrue(TUN + " was registered again by the new driver (ifindex " + indexBefore + " before, "
                    + indexAfter + " after)", indexAfter > indexBefore && indexBefore > 0);
            assertEquals(TUN + "'s addresses are back", addrBefore.replaceAll("\\d+: " + TUN, "N: " + TUN),
                    runCommand("net:ip -4 addr show dev " + TUN).replaceAll("\\d+: " + TUN, "N: " + TUN));
            assertEquals(TUN + "'s routes are back", routesBefore, runCommand("net:ip route show table all"));
            sockets.close(fd);
        } finally {
            try {
                detachTun(tunConfig, links, TUN);
            } finally {
                stop(echo);
                run(10, "ip", "netns", "del", ns);
            }
        }
    }
}
