package net.tern.itests;

import static net.tern.api.socket.SocketConstants.IPPROTO_TCP;
import static net.tern.itests.HostCommands.output;
import static net.tern.itests.HostCommands.requireRoot;
import static net.tern.itests.HostCommands.run;
import static net.tern.itests.HostCommands.stop;
import static org.junit.Assert.assertTrue;

import javax.inject.Inject;
import net.tern.api.socket.SocketApi;
import net.tern.spi.net.Link;
import net.tern.spi.net.LinkRegistry;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * 256 MiB each way between Tern and the Linux kernel through a TUN, with the driver's offload
 * on (virtio-net headers: TCP packets of up to 64 KiB both ways, partial checksums) and off,
 * and once with the kernel's offloads turned off ({@code ethtool -K}) in the middle of the
 * transfer. In a network namespace of its own the test makes a persistent TUN (the kernel at
 * 10.98.0.1/24) and a kernel TCP echo ({@code socat ... EXEC:cat}); Tern (10.98.0.2/24, from a
 * Config Admin factory configuration of {@code net.tern.link.tun}) sends seeded random bytes
 * to it and reads them back on the same connection, SHA-256 compared. The kernel's counters of
 * the TUN show whether large packets went: with offload, what it received from Tern averages
 * more than the MTU a packet; without, it never does.
 *
 * <p>Needs root, {@code /dev/net/tun}, {@code ip}, {@code socat} and {@code ethtool}; without
 * them it fails saying so, unless {@code TERN_SKIP_ROOT_TESTS=1} is set. The namespace is
 * deleted, and the echo stopped, whatever the outcome.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class TunOffloadTransferIT extends TernTestSupport {
    private static final String TUN = "terntun8";
    private static final String KERNEL_ADDRESS = "10.98.0.1";
    private static final String TERN_ADDRESS = "10.98.0.2/24";
    private static final int ECHO_PORT = 7008;
    private static final int MTU = 1500;
    private static final int SIZE = 256 << 20;
    private static final int TIMEOUT_MILLIS = 240_000;

    @Inject
    private SocketApi sockets;

    @Inject
    private LinkRegistry links;

    @Inject
    private ConfigurationAdmin configAdmin;

    @Override
    protected Option[] extraOptions() {
        return new Option[] {optionalTernBundle("jna"), optionalTernBundle("tern-link-tun")};
    }

    @Test
    public void withOffloadLargePacketsGoBothWaysAndEveryByteArrives() throws Exception {
        Counters kernel = echoThroughTheKernel(true, false);
        assertTrue("the kernel received packets larger than the MTU from Tern: " + kernel,
                kernel.rxBytes > kernel.rxPackets * MTU);
        assertTrue("Tern received packets larger than the MTU from the kernel: " + kernel,
                kernel.ternRxBytes > kernel.ternRxPackets * MTU);
    }

    @Test
    public void withoutOffloadEveryPacketFitsTheMtuAndEveryByteArrives() throws Exception {
        Counters kernel = echoThroughTheKernel(false, false);
        assertTrue("the kernel received no packet larger than the MTU: " + kernel,
                kernel.rxBytes <= kernel.rxPackets * MTU);
        assertTrue("Tern received no packet larger than the MTU: " + kernel,
                kernel.ternRxBytes <= kernel.ternRxPackets * MTU);
    }

    @Test
    public void theKernelsOffloadsTurnedOffMidTransferLoseNothing() throws Exception {
        Counters kernel = echoThroughTheKernel(true, true);
        assertTrue("the kernel still received large packets from Tern: " + kernel,
                kernel.rxBytes > kernel.rxPackets * MTU);
    }

    /** What the kernel's TUN interface and Tern's link counted over one echo. */
    private record Counters(long rxPackets, long rxBytes, long ternRxPackets, long ternRxBytes) {
    }

    /**
     * Echoes {@link #SIZE} bytes through the kernel over a TUN whose driver has {@code offload}
     * on or off; with {@code ethtoolMidway}, the kernel's checksum and segmentation offloads
     * on the TUN are turned off once half the echo is back. Returns the counters.
     */
    private Counters echoThroughTheKernel(boolean offload, boolean ethtoolMidway) throws Exception {
        requireRoot("ip", "socat", "ethtool");
        String ns = "ternof" + ProcessHandle.current().pid();
        Process echo = null;
        Configuration tunConfig = null;
        run(10, "ip", "netns", "add", ns);
        try {
            HostCommands.addTun(ns, TUN, KERNEL_ADDRESS + "/24");
            echo = startKernelEcho(ns, KERNEL_ADDRESS, ECHO_PORT);

            awaitInetProtocol(sockets, IPPROTO_TCP);
            tunConfig = tunConfiguration(configAdmin, TUN);
            attachTun(tunConfig, links, TUN, TIMEOUT_MILLIS, "netns", ns, "mtu", MTU, "addresses",
                    new String[] {TERN_ADDRESS}, "offload", offload);
            Link link = links.byName(TUN).orElseThrow();
            long rxPackets0 = kernelCounter(ns, "rx_packets");
            long rxBytes0 = kernelCounter(ns, "rx_bytes");
            long ternPackets0 = link.stats().rxPackets.sum();
            long ternBytes0 = link.stats().rxBytes.sum();

            int fd = connectToKernel(sockets, KERNEL_ADDRESS, ECHO_PORT, TIMEOUT_MILLIS);
            long start = System.nanoTime();
            StreamTransfer transfer = new StreamTransfer(sockets, fd, fd, SIZE, 46, 64 * 1024, "tun-offload")
                    .readUpTo(ethtoolMidway ? SIZE / 2 : Long.MAX_VALUE).start();
            if (ethtoolMidway) {
                await("half the echo to come back", TIMEOUT_MILLIS,
                        () -> transfer.received() >= SIZE / 2 || transfer.failed());
                run(10, "ip", "netns", "exec", ns, "ethtool", "-K", TUN, "tx", "off", "tso", "off", "gso", "off");
                String features = output(5, "ip", "netns", "exec", ns, "ethtool", "-k", TUN);
                assertTrue(features, features.contains("tcp-segmentation-offload: off"));
                transfer.readUpTo(Long.MAX_VALUE);
            }
            try {
                transfer.assertDeliveredIntact(TIMEOUT_MILLIS);
            } catch (AssertionError e) {
                throw withReport(e, "after " + transfer.received() + " of " + SIZE + " bytes\n" + stackState()
                        + "\nkernel: " + output(5, "ip", "netns", "exec", ns, "ip", "-s", "link", "show", TUN));
            }
            long millis = Math.max(1, (System.nanoTime() - start) / 1_000_000);
            Counters counters = new Counters(kernelCounter(ns, "rx_packets") - rxPackets0,
                    kernelCounter(ns, "rx_bytes") - rxBytes0, link.stats().rxPackets.sum() - ternPackets0,
                    link.stats().rxBytes.sum() - ternBytes0);
            System.out.printf("TunOffloadTransferIT: offload %s%s: %d MiB each way in %d ms (%.2f Gbit/s each way);"
                    + " %s%n", offload ? "on" : "off", ethtoolMidway ? ", kernel offloads off midway" : "", SIZE >> 20,
                    millis, SIZE * 8.0 / millis / 1e6, counters);
            sockets.close(fd);
            return counters;
        } finally {
            try {
                detachTun(tunConfig, links, TUN);
            } finally {
                stop(echo);
                run(10, "ip", "netns", "del", ns);
            }
        }
    }

    /** A counter of the kernel's side of the TUN ({@code /sys/class/net/TUN/statistics}, inside the namespace). */
    private static long kernelCounter(String ns, String name) {
        return Long.parseLong(output(5, "ip", "netns", "exec", ns, "cat",
                "/sys/class/net/" + TUN + "/statistics/" + name).trim());
    }
}
