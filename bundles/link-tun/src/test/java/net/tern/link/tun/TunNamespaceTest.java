package net.tern.link.tun;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.tern.core.testing.PacketLeakCheck;
import net.tern.core.testing.TestStack;
import net.tern.inet.testing.InetTestBed;
import net.tern.spi.net.EtherType;
import net.tern.spi.net.IfAddress;
import net.tern.spi.net.Link;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The driver against the Linux kernel as the peer, as root: each test creates its own
 * network namespace, opens the TUN device inside it from Java ({@code netns} option), gives
 * the kernel's side 10.77.0.1/24 and the stack's side 10.77.0.2/24, and deletes the
 * namespace afterwards. Traffic never leaves that namespace.
 */
@ExtendWith(PacketLeakCheck.class)
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TunNamespaceTest {
    private static final AtomicInteger SEQUENCE = new AtomicInteger();
    private static final String IFNAME = "terntun0";
    private static final String KERNEL = "10.77.0.1";
    private static final String TERN = "10.77.0.2";
    private static final int WAIT_SECONDS = 10;

    private String netns;
    private boolean namespaceCreated;
    private TestStack stack;
    private InetTestBed bed;

    @BeforeEach
    void createNamespace() {
        RootOnly.require("ip");
        netns = "ternt" + ProcessHandle.current().pid() + "x" + SEQUENCE.incrementAndGet();
        RootOnly.check(WAIT_SECONDS, "ip", "netns", "add", netns);
        namespaceCreated = true;
    }

    @AfterEach
    void deleteNamespace() {
        try {
            if (bed != null) {
                bed.close();
            } else if (stack != null) {
                stack.close();
            }
        } finally {
            if (namespaceCreated) {
                RootOnly.run(WAIT_SECONDS, "ip", "netns", "del", netns);
            }
        }
    }

    private TunDevice device() {
        return new TunDevice(TunSettings.of(IFNAME).withNetns(netns)
                .withAddresses(List.of(IfAddress.parse(TERN + "/24"))));
    }

    /** The kernel's side of the link, once the device exists in the namespace. */
    private void configureKernelSide() {
        inNamespace("ip", "addr", "add", KERNEL + "/24", "dev", IFNAME);
        inNamespace("ip", "link", "set", IFNAME, "up");
    }

    private String inNamespace(String... argv) {
        String[] full = new String[argv.length + 4];
        full[0] = "ip";
        full[1] = "netns";
        full[2] = "exec";
        full[3] = netns;
        System.arraycopy(argv, 0, full, 4, argv.length);
        return RootOnly.check(WAIT_SECONDS, full);
    }

    @Test
    void theInterfaceIsCreatedInTheNamespaceWithItsMtuAndNotOutsideIt() throws Exception {
        stack = new TestStack();
        // Not 1500, the TUN default: the kernel's side shows this MTU only if SIOCSIFMTU set it.
        Link link = stack.register(new TunDevice(TunSettings.of(IFNAME).withNetns(netns).withMtu(1400)
                .withAddresses(List.of(IfAddress.parse(TERN + "/24")))));

        assertThat(link.isUp()).isTrue();
        assertThat(link.mtu()).isEqualTo(1400);
        assertThat(inNamespace("ip", "link", "show", IFNAME)).contains(IFNAME).contains("mtu 1400");
        assertThat(RootOnly.run(WAIT_SECONDS, "ip", "link", "show", IFNAME).exitCode())
                .as("the host's namespace has no " + IFNAME).isNotZero();

        link.setUp(false);
        assertThat(RootOnly.run(WAIT_SECONDS, "ip", "netns", "exec", netns, "ip", "link", "show", IFNAME)
                .exitCode()).as("closing the file deletes the interface the driver created").isNotZero();
    }

    @Test
    void fourQueuesAreFourFilesOnOneMultiQueueInterfaceAndClosingThemDeletesIt() throws Exception {
        stack = new TestStack();
        TunDevice device = new TunDevice(TunSettings.of(IFNAME).withNetns(netns).withQueues(4)
                .withAddresses(List.of(IfAddress.parse(TERN + "/24"))));
        Link link = stack.register(device);

        assertThat(device.queues()).isEqualTo(4);
        assertThat(device.isReceiving()).isTrue();
        // tun_attach raises the interface's real queue counts with each file attached.
        assertThat(inNamespace("ls", "/sys/class/net/" + IFNAME + "/queues").split("\\s+"))
                .contains("tx-0", "tx-1", "tx-2", "tx-3").doesNotContain("tx-4");
        assertThat(inNamespace("ip", "-d", "link", "show", IFNAME)).contains("multi_queue");

        link.setUp(false);
        assertThat(RootOnly.run(WAIT_SECONDS, "ip", "netns", "exec", netns, "ip", "link", "show", IFNAME)
                .exitCode()).as("the last queue's file closed deletes the interface").isNotZero();
    }

    @Test
    void aPersistentSingleQueueInterfaceIsAttachedWithOneQueue() throws Exception {
        inNamespace("ip", "tuntap", "add", "dev", IFNAME, "mode", "tun");
        stack = new TestStack();
        TunDevice device = new TunDevice(TunSettings.of(IFNAME).withNetns(netns).withQueues(4));
        Link link = stack.register(device);

        assertThat(link.isUp()).isTrue();
        assertThat(device.queues()).as("EINVAL to IFF_MULTI_QUEUE: one file without it").isEqualTo(1);
        assertThat(device.isReceiving()).isTrue();
    }

    @Test
    void withOffloadTheKernelMaySendLargeTcpPacketsAndPartialChecksums() throws Exception {
        RootOnly.require("ethtool");
        stack = new TestStack();
        stack.register(device());

        // TUNSETOFFLOAD's flags become the kernel interface's features (tun's set_offload).
        String on = inNamespace("ethtool", "-k", IFNAME);
        assertThat(on).contains("tx-checksumming: on").contains("tx-tcp-segmentation: on")
                .contains("tx-tcp6-segmentation: on");
        stack.close();
        stack = null;

        stack = new TestStack();
        stack.register(new TunDevice(TunSettings.of(IFNAME).withNetns(netns).withOffload(false)));
        String off = inNamespace("ethtool", "-k", IFNAME);
        assertThat(off).contains("tx-checksumming: off").contains("tcp-segmentation-offload: off");
    }

    @Test
    void aPacketTheKernelSendsArrivesThroughTheReaderAsIpv4() throws Exception {
        stack = new TestStack();
        List<byte[]> icmp = new CopyOnWriteArrayList<>();
        stack.addPacketHandler(EtherType.IPV4, packet -> {
            byte[] bytes = new byte[packet.length()];
            packet.buf().getBytes(packet.buf().readerIndex(), bytes);
            if (bytes.length >= 28 && bytes[9] == 1) {
                icmp.add(bytes);
            }
            packet.release();
        });
        Link link = stack.register(device());
        configureKernelSide();
        RootOnly.require("ping");

        // No IPv4 layer here, so the ping gets no answer; what matters is that it arrives.
        String[] ping = {"ip", "netns", "exec", netns, "ping", "-c", "1", "-W", "2", TERN};
        RootOnly.await(RootOnly.start(ping), WAIT_SECONDS, ping, stack::runUntilIdle);

        awaitWhileRunning(stack::runUntilIdle, () -> !icmp.isEmpty());
        byte[] request = icmp.get(0);
        assertThat(request[0] >>> 4).as("IP version").isEqualTo(4);
        assertThat(dotted(request, 12)).isEqualTo(KERNEL);
        assertThat(dotted(request, 16)).isEqualTo(TERN);
        assertThat(request[20]).as("ICMP echo request").isEqualTo((byte) 8);
        assertThat(link.stats().rxPackets.sum()).isGreaterThanOrEqualTo(1);
    }

    @Test
    void withIpv4OnTheLinkTheKernelsPingGetsItsReply() throws Exception {
        bed = new InetTestBed();
        bed.stack().register(device());
        configureKernelSide();
        RootOnly.require("ping");

        String[] ping = {"ip", "netns", "exec", netns, "ping", "-c", "1", "-W", "2", TERN};
        RootOnly.Result result = RootOnly.await(RootOnly.start(ping), WAIT_SECONDS, ping, bed::runUntilIdle);

        assertThat(result.exitCode()).as("ping exit; output:%n%s", result.output()).isZero();
        assertThat(result.output()).contains("1 received");
    }

    @Test
    void aPacketTernTransmitsReachesTheKernel() throws Exception {
        stack = new TestStack();
        Link link = stack.register(device());
        configureKernelSide();
        long before = kernelRxPackets();

        byte[] udp = {0x30, 0x39, 0, 9, 0, 12, 0, 0, 't', 'e', 'r', 'n'}; // port 12345 to discard, no checksum
        byte[] datagram = InetTestBed.datagram(TERN, KERNEL, 17, udp);
        assertThat(link.transmit(stack.packet(EtherType.IPV4, datagram))).isTrue();

        awaitWhileRunning(stack::runUntilIdle, () -> kernelRxPackets() > before);
        assertThat(kernelRxPackets()).isEqualTo(before + 1);
        assertThat(link.stats().txPackets.sum()).isEqualTo(1);
        assertThat(link.stats().txErrors.sum()).isZero();
    }

    @Test
    void whenTheKernelDeletesTheInterfaceTheReaderStopsAndTheLinkGoesDown() throws Exception {
        stack = new TestStack();
        TunDevice device = device();
        Link link = stack.register(device);
        configureKernelSide();

        inNamespace("ip", "link", "del", IFNAME);

        awaitWhileRunning(stack::runUntilIdle, () -> !device.isReceiving() && !link.isUp());
        assertThat(link.isUp()).isFalse();
        assertThat(link.stats().rxErrors.sum()).isGreaterThanOrEqualTo(1);
        // Down, a transmit is refused before it reaches the gone file; nothing throws.
        link.transmit(stack.packet(EtherType.IPV4, InetTestBed.datagram(TERN, KERNEL, 17, new byte[8])));
        assertThat(link.stats().txErrors.sum()).isZero();
        link.setUp(false); // and stopping again is harmless
        assertThat(link.isUp()).isFalse();
    }

    /** The kernel's received-packets counter for the interface, from {@code ip -s link show}. */
    private long kernelRxPackets() {
        String out = inNamespace("ip", "-s", "link", "show", IFNAME);
        // RX:  bytes packets errors dropped ...
        //        123       2      0       0 ...
        Matcher m = Pattern.compile("RX:[^\\n]*\\n\\s*(\\d+)\\s+(\\d+)").matcher(out);
        assertThat(m.find()).as("RX counters in:%n%s", out).isTrue();
        return Long.parseLong(m.group(2));
    }

    private static String dotted(byte[] b, int at) {
        return (b[at] & 0xff) + "." + (b[at + 1] & 0xff) + "." + (b[at + 2] & 0xff) + "." + (b[at + 3] & 0xff);
    }

    /** Runs {@code pump} until {@code done}, for at most {@link #WAIT_SECONDS}. */
    private static void awaitWhileRunning(Runnable pump, BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT_SECONDS * 1_000_000_000L;
        while (!done.getAsBoolean() && System.nanoTime() < deadline) {
            pump.run();
            Thread.sleep(2); // pacing only: the condition decides, the deadline bounds
        }
        pump.run();
        assertThat(done.getAsBoolean()).as("reached within %d s", WAIT_SECONDS).isTrue();
    }

}
