package net.tern.packet.impl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.MsgHeader;
import net.tern.api.socket.SocketApi;
import net.tern.api.socket.SocketConstants;
import net.tern.core.testing.FakeDevice;
import net.tern.core.testing.PacketLeakCheck;
import net.tern.core.testing.TestStack;
import net.tern.link.loopback.LoopbackDevice;
import net.tern.packet.IfPacket;
import net.tern.packet.SockAddrLl;
import net.tern.packet.TpacketStats;
import net.tern.packet.testing.PacketWiring;
import net.tern.socket.SocketLayer;
import net.tern.spi.net.EtherType;
import net.tern.spi.net.Link;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Tern's packet sockets against Linux's: {@code kernel_packet.py} asks the kernel, in a network
 * namespace with {@code lo} and a veth end {@code va}, what packet sockets see and refuse
 * (the packet types of one datagram on lo for an {@code ETH_P_ALL} and an {@code ETH_P_IP}
 * socket; what a sender, a watcher and a {@code PACKET_IGNORE_OUTGOING} socket see of a packet
 * sent on va; {@code PACKET_STATISTICS} read twice; the {@code SO_RCVBUF} floor and its drops;
 * the errnos), and the same is asked of a stack with {@code lo} and a device {@code va}. The
 * two answers must be the same, fact by fact.
 *
 * <p>Needs root, {@code ip} and {@code /usr/bin/python3}; without them it fails saying why,
 * unless {@code TERN_SKIP_ROOT_TESTS=1}, which skips it.
 */
@ExtendWith(PacketLeakCheck.class)
class KernelParityTest {
    private static final String NS = "tern-pk-" + ProcessHandle.current().pid();
    private static final String PYTHON = "/usr/bin/python3";

    private final TestStack stack = new TestStack();
    private final FakeDevice vaDevice = new FakeDevice("va");
    private SocketApi api;
    private Link lo;
    private Link va;

    @BeforeEach
    void start() throws Exception {
        lo = stack.register(new LoopbackDevice());
        va = stack.register(vaDevice);
        SocketLayer sockets = new SocketLayer(stack.clock(), stack.timers());
        PacketWiring.attach(sockets, stack);
        api = sockets;
    }

    @AfterEach
    void stop() {
        vaDevice.releaseTransmitted();
        stack.close();
    }

    private static String run(String... argv) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", argv) + " did not end within 60 s");
        }
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", argv) + " failed (" + p.exitValue() + "): " + out);
        }
        return out;
    }

    /** The kernel's facts, from a namespace made for them and deleted after. */
    private static Map<String, String> linux() throws Exception {
        boolean skip = "1".equals(System.getenv("TERN_SKIP_ROOT_TESTS"));
        String problem = !"0".equals(run("id", "-u").strip()) ? "it needs root (a network namespace)"
                : !Files.isExecutable(Path.of("/usr/sbin/ip")) && !Files.isExecutable(Path.of("/sbin/ip")) ? "ip (iproute2) is not installed"
                : !Files.isExecutable(Path.of(PYTHON)) ? PYTHON + " is not installed" : null;
        if (problem != null) {
            if (skip) {
                Assumptions.abort(problem + ", and TERN_SKIP_ROOT_TESTS=1: skipped");
            }
            fail("the kernel comparison: " + problem + "; run as root with iproute2 and python3, or set TERN_SKIP_ROOT_TESTS=1");
        }
        Path script = Files.createTempFile("kernel_packet", ".py");
        try (InputStream in = KernelParityTest.class.getResourceAsStream("/net/tern/packet/kernel_packet.py")) {
            Files.write(script, in.readAllBytes());
        }
        run("ip", "netns", "add", NS);
        try {
            run("ip", "-n", NS, "link", "set", "lo", "up");
            run("ip", "-n", NS, "link", "add", "va", "type", "veth", "peer", "name", "vb");
            run("ip", "-n", NS, "link", "set", "va", "up");
            run("ip", "-n", NS, "link", "set", "vb", "up");
            Map<String, String> facts = new LinkedHashMap<>();
            for (String line : run("ip", "netns", "exec", NS, PYTHON, script.toString()).lines().toList()) {
                String[] kv = line.split(" ", 2);
                facts.put(kv[0], kv.length > 1 ? kv[1] : "");
            }
            return facts;
        } finally {
            run("ip", "netns", "del", NS);
            Files.deleteIfExists(script);
        }
    }

    /** The IPv4 packet the script sends on va (to 10.1.0.2, id 9, 40 bytes). */
    private static byte[] ipPacket() {
        byte[] b = new byte[40];
        byte[] head = {0x45, 0, 0, 40, 0, 9, 0, 0, 64, 17, 0, 0, 10, 1, 0, 1, 10, 1, 0, 2};
        System.arraycopy(head, 0, b, 0, head.length);
        return b;
    }

    private int socket(int protocol, Link link) throws ErrnoException {
        int fd = api.socket(IfPacket.AF_PACKET, SocketConstants.SOCK_DGRAM | SocketConstants.SOCK_NONBLOCK, IfPacket.htons(protocol));
        api.bind(fd, SockAddrLl.of(protocol, link.index()));
        return fd;
    }

    private String pkttypes(int fd) {
        List<String> seen = new ArrayList<>();
        while (true) {
            MsgHeader msg = new MsgHeader();
            if (api.sysRecv(fd, ByteBuffer.allocate(2048), 0, msg) < 0) {
                return seen.isEmpty() ? "-" : String.join(",", seen);
            }
            seen.add(Integer.toString(((SockAddrLl) msg.from).pkttype()));
        }
    }

    private String stats(int fd) throws ErrnoException {
        TpacketStats s = api.getsockopt(fd, SocketConstants.SOL_PACKET, IfPacket.PACKET_STATISTICS, TpacketStats.class);
        return s.packets() + "/" + s.drops();
    }

    private static String errnoOf(Callable call) {
        try {
            call.run();
            return "0";
        } catch (ErrnoException e) {
            return Integer.toString(e.errno().number());
        }
    }

    private interface Callable {
        void run() throws ErrnoException;
    }

    private void sendOnLo(int length) {
        lo.transmit(stack.packet(EtherType.IPV4, java.util.Arrays.copyOf(ipPacket(), length)));
        stack.runUntilIdle();
    }

    /** Tern's facts, asked as the script asks the kernel. */
    private Map<String, String> tern() throws Exception {
        Map<String, String> facts = new LinkedHashMap<>();
        int everything = socket(IfPacket.ETH_P_ALL, lo);
        int ipOnly = socket(IfPacket.ETH_P_IP, lo);
        sendOnLo(32);
        facts.put("lo_all_pkttypes", pkttypes(everything));
        facts.put("lo_ip_pkttypes", pkttypes(ipOnly));
        facts.put("stats_first_read_drops", stats(everything).split("/")[1]);
        facts.put("stats_second_read", stats(everything));

        int sender = socket(IfPacket.ETH_P_ALL, va);
        int watcher = socket(IfPacket.ETH_P_ALL, va);
        int ignoring = socket(IfPacket.ETH_P_ALL, va);
        api.setsockopt(ignoring, SocketConstants.SOL_PACKET, IfPacket.PACKET_IGNORE_OUTGOING, 1);
        api.sendto(sender, ByteBuffer.wrap(ipPacket()), 0, SockAddrLl.of(IfPacket.ETH_P_IP, va.index()));
        facts.put("va_sender_sees", pkttypes(sender));
        facts.put("va_watcher_sees", pkttypes(watcher));
        facts.put("va_ignoring_sees", pkttypes(ignoring));

        int small = socket(IfPacket.ETH_P_IP, lo);
        api.setsockopt(small, SocketConstants.SOL_SOCKET, SocketConstants.SO_RCVBUF, 0);
        facts.put("rcvbuf_floor", Integer.toString(api.getsockopt(small, SocketConstants.SOL_SOCKET, SocketConstants.SO_RCVBUF)));
        for (int i = 0; i < 20; i++) {
            sendOnLo(68);
        }
        TpacketStats s = api.getsockopt(small, SocketConstants.SOL_PACKET, IfPacket.PACKET_STATISTICS, TpacketStats.class);
        facts.put("small_buffer_drops_counted", s.drops() > 0 && s.packets() == 20 ? "yes" : "no " + s);

        facts.put("errno_stream", errnoOf(() -> api.socket(IfPacket.AF_PACKET, SocketConstants.SOCK_STREAM, 0)));
        int unbound = api.socket(IfPacket.AF_PACKET, SocketConstants.SOCK_DGRAM, IfPacket.htons(IfPacket.ETH_P_ALL));
        facts.put("errno_bind_no_such_link", errnoOf(() -> api.bind(unbound, SockAddrLl.of(IfPacket.ETH_P_ALL, 99))));
        facts.put("errno_send_unbound", errnoOf(() -> api.send(unbound, ByteBuffer.wrap(ipPacket()), 0)));
        facts.put("errno_connect", errnoOf(() -> api.connect(unbound, SockAddrLl.of(0, lo.index()))));
        facts.put("errno_getpeername", errnoOf(() -> api.getpeername(unbound)));
        facts.put("errno_send_over_mtu", errnoOf(() -> api.sendto(sender, ByteBuffer.wrap(new byte[1601]), 0,
                SockAddrLl.of(IfPacket.ETH_P_IP, va.index()))));
        va.setUp(false);
        IntSupplier recv = () -> (int) -api.sysRecv(sender, ByteBuffer.allocate(100), 0, null);
        facts.put("errno_recv_bound_link_down", Integer.toString(recv.getAsInt()));
        facts.put("errno_send_link_down", errnoOf(() -> api.sendto(watcher, ByteBuffer.wrap(ipPacket()), 0,
                SockAddrLl.of(IfPacket.ETH_P_IP, va.index()))));
        return facts;
    }

    @Test
    void packetSocketsBehaveAsLinuxs() throws Exception {
        Map<String, String> linux = linux();
        Map<String, String> tern = tern();
        assertThat(linux).as("the kernel's answers").containsEntry("lo_all_pkttypes", "4,0")
                .containsEntry("errno_send_unbound", Integer.toString(Errno.ENXIO.number()));
        assertThat(tern).isEqualTo(linux);
    }
}
