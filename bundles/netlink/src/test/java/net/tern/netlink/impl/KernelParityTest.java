package net.tern.netlink.impl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.InetSockAddr;
import net.tern.api.socket.SocketApi;
import net.tern.api.socket.SocketConstants;
import net.tern.api.socket.TcpInfo;
import net.tern.core.testing.PacketLeakCheck;
import net.tern.netlink.IfAddrMsg;
import net.tern.netlink.IfInfoMsg;
import net.tern.netlink.Netlink;
import net.tern.netlink.NetlinkSocket;
import net.tern.netlink.NlAttrs;
import net.tern.netlink.NlMsg;
import net.tern.netlink.NlWriter;
import net.tern.netlink.PktSched;
import net.tern.netlink.RouteMessage;
import net.tern.netlink.RtMsg;
import net.tern.netlink.Rtnetlink;
import net.tern.netlink.TcMsg;
import net.tern.netlink.diag.InetDiag;
import net.tern.netlink.diag.InetDiagMsg;
import net.tern.netlink.diag.InetDiagReqV2;
import net.tern.netlink.diag.TcpInfoLayout;
import net.tern.netlink.testing.NetlinkWiring;
import net.tern.udp.testing.UdpTestBed;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The stack's netlink answers against Linux's for the same configuration: a network namespace
 * with {@code lo} up and {@code eth0} (one end of a veth pair) at 10.0.0.1/24 with three routes, and the
 * stack with {@code lo} and {@code eth0} at 10.0.0.1/24 with the same routes. The same request
 * bytes, built with {@link NlWriter}, go to both (the kernel's through
 * {@code kernel_netlink.py}); both answers are read with this bundle's classes and compared
 * field by field: the address and route dumps whole, {@code lo}'s link message, {@code eth0}'s
 * default root qdisc and the errnos of refused qdisc requests, the UDP
 * sockets' {@code inet_diag_msg}, and the kernel's {@code tcp_info} read with
 * {@link TcpInfoLayout}.
 *
 * <p>Needs root, {@code ip} and {@code /usr/bin/python3}; without them it fails saying why,
 * unless {@code TERN_SKIP_ROOT_TESTS=1}, which skips it.
 */
@ExtendWith(PacketLeakCheck.class)
class KernelParityTest {
    private static final String NS = "tern-nl-" + ProcessHandle.current().pid();
    private static final String PYTHON = "/usr/bin/python3";
    private static Path script;

    private UdpTestBed bed;
    private SocketApi api;

    @BeforeAll
    static void namespace() throws Exception {
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
        script = Files.createTempFile("kernel_netlink", ".py");
        try (InputStream in = KernelParityTest.class.getResourceAsStream("/net/tern/netlink/kernel_netlink.py")) {
            Files.write(script, in.readAllBytes());
        }
        run("ip", "netns", "add", NS);
        ip("link", "set", "lo", "up");
        // A veth pair whose end eth0 gets index 2, as the stack's eth0 does (the peer is made second).
        ip("link", "add", "eth0p", "type", "veth", "peer", "name", "eth0");
        ip("addr", "add", "10.0.0.1/24", "dev", "eth0");
        ip("link", "set", "eth0p", "up");
        ip("link", "set", "eth0", "up");
        ip("route", "add", "192.168.5.0/24", "via", "10.0.0.2");
        ip("route", "add", "unreachable", "192.168.7.0/24", "metric", "5");
        ip("route", "add", "192.168.8.0/24", "dev", "eth0", "mtu", "lock", "1400");
    }

    @AfterAll
    static void removeNamespace() throws Exception {
        if (script != null) {
            run("ip", "netns", "del", NS);
            Files.deleteIfExists(script);
        }
    }

    private static void ip(String... args) throws Exception {
        List<String> argv = new ArrayList<>(List.of("ip", "-n", NS));
        argv.addAll(List.of(args));
        run(argv.toArray(new String[0]));
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

    /** The kernel's answer to each request: its messages, all datagrams joined. */
    private static List<List<NlMsg>> kernel(int protocol, boolean sockets, NlWriter... requests) throws Exception {
        List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", NS, PYTHON, script.toString(),
                Integer.toString(protocol), sockets ? "sockets" : "-"));
        for (NlWriter r : requests) {
            argv.add(HexFormat.of().formatHex(r.toByteArray()));
        }
        List<List<NlMsg>> answers = new ArrayList<>();
        for (String line : run(argv.toArray(new String[0])).lines().toList()) {
            if (line.equals("REQUEST")) {
                answers.add(new ArrayList<>());
            } else if (!line.isBlank()) {
                answers.get(answers.size() - 1).addAll(NlMsg.parse(
                        ByteBuffer.wrap(HexFormat.of().parseHex(line.strip())).order(ByteOrder.LITTLE_ENDIAN)));
            }
        }
        return answers;
    }

    /** The stack's answer to a request: its messages up to and with NLMSG_DONE or NLMSG_ERROR. */
    private List<NlMsg> tern(int protocol, NlWriter request) throws Exception {
        try (NetlinkSocket nl = NetlinkSocket.open(api, protocol)) {
            nl.send(request);
            List<NlMsg> answer = new ArrayList<>();
            while (answer.isEmpty() || !answer.get(answer.size() - 1).isDone() && !answer.get(answer.size() - 1).isError()) {
                answer.addAll(nl.receive());
            }
            return answer;
        }
    }

    @BeforeEach
    void stack() throws Exception {
        bed = new UdpTestBed();
        bed.fake("eth0", 1500, "10.0.0.1/24");
        NetlinkStack netlink = NetlinkWiring.attach(bed.socketLayer(), bed.stack(), bed.inet().fib());
        netlink.registerDiag(SocketConstants.IPPROTO_UDP, bed.udp().diag());
        api = bed.api();
        try (NetlinkSocket nl = NetlinkSocket.open(api, Netlink.NETLINK_ROUTE)) {
            // What "ip route add" sends for each of the namespace's routes.
            nl.talk(route(nl, "192.168.5.0", Rtnetlink.RTN_UNICAST, Rtnetlink.RT_SCOPE_UNIVERSE, "10.0.0.2", 0, -1, 0));
            nl.talk(route(nl, "192.168.7.0", Rtnetlink.RTN_UNREACHABLE, Rtnetlink.RT_SCOPE_UNIVERSE, null, 0, 5, 0));
            nl.talk(route(nl, "192.168.8.0", Rtnetlink.RTN_UNICAST, Rtnetlink.RT_SCOPE_LINK, null,
                    bed.link("eth0").index(), -1, 1400));
        }
    }

    @AfterEach
    void stop() {
        bed.close();
    }

    private static NlWriter route(NetlinkSocket nl, String destination, int type, int scope, String gateway, int oif,
            int metric, int mtu) {
        NlWriter w = nl.request(Rtnetlink.RTM_NEWROUTE, Netlink.NLM_F_CREATE | Netlink.NLM_F_EXCL | Netlink.NLM_F_ACK);
        new RtMsg(SocketConstants.AF_INET, 24, 0, 0, Rtnetlink.RT_TABLE_MAIN, Rtnetlink.RTPROT_BOOT, scope, type, 0).write(w);
        w.attrInAddr(Rtnetlink.RTA_DST, InetSockAddr.parseAddress(destination));
        if (gateway != null) {
            w.attrInAddr(Rtnetlink.RTA_GATEWAY, InetSockAddr.parseAddress(gateway));
        }
        if (oif != 0) {
            w.attrU32(Rtnetlink.RTA_OIF, oif);
        }
        if (metric >= 0) {
            w.attrU32(Rtnetlink.RTA_PRIORITY, metric);
        }
        if (mtu != 0) {
            int metrics = w.beginNested(Rtnetlink.RTA_METRICS);
            w.attrU32(Rtnetlink.RTAX_LOCK, 1 << Rtnetlink.RTAX_MTU);
            w.attrU32(Rtnetlink.RTAX_MTU, mtu);
            w.endNested(metrics);
        }
        return w;
    }

    private static NlWriter dumpRequest(int type, int seq, java.util.function.Consumer<NlWriter> header) {
        NlWriter w = new NlWriter().begin(type, Netlink.NLM_F_REQUEST | Netlink.NLM_F_DUMP, seq, 0);
        header.accept(w);
        return w.end();
    }

    /** Each message as the fields compared: the fixed header and the attributes the stack writes, by type. */
    private static List<String> describeAddresses(List<NlMsg> answer) throws ErrnoException {
        List<String> result = new ArrayList<>();
        for (NlMsg m : answer) {
            if (m.type() != Rtnetlink.RTM_NEWADDR) {
                continue;
            }
            IfAddrMsg ifa = IfAddrMsg.read(m);
            NlAttrs a = m.attrs(IfAddrMsg.SIZE);
            result.add(ifa + " address " + InetSockAddr.formatAddress(a.inAddr(Rtnetlink.IFA_ADDRESS)) + " local "
                    + InetSockAddr.formatAddress(a.inAddr(Rtnetlink.IFA_LOCAL)) + " label " + a.string(Rtnetlink.IFA_LABEL)
                    + " flags " + a.u32(Rtnetlink.IFA_FLAGS) + " cacheinfo lifetimes "
                    + a.payload(Rtnetlink.IFA_CACHEINFO).getInt(0) + "/" + a.payload(Rtnetlink.IFA_CACHEINFO).getInt(4)
                    + " multi " + ((m.flags() & Netlink.NLM_F_MULTI) != 0));
        }
        return result;
    }

    @Test
    void addressDumpMatchesTheKernels() throws Exception {
        NlWriter request = dumpRequest(Rtnetlink.RTM_GETADDR, 7,
                w -> new IfAddrMsg(SocketConstants.AF_INET, 0, 0, 0, 0).write(w));
        List<NlMsg> linux = kernel(Netlink.NETLINK_ROUTE, false, request).get(0);
        List<NlMsg> ours = tern(Netlink.NETLINK_ROUTE, request);
        assertThat(describeAddresses(ours)).isNotEmpty().isEqualTo(describeAddresses(linux));
        assertThat(ours.get(ours.size() - 1).type()).isEqualTo(linux.get(linux.size() - 1).type()).isEqualTo(Netlink.NLMSG_DONE);
        assertThat(ours.get(0).seq()).isEqualTo(linux.get(0).seq()).isEqualTo(7);
        // Every attribute the stack writes, Linux writes too.
        for (int i = 0; i < ours.size() - 1; i++) {
            assertThat(linux.get(i).attrs(IfAddrMsg.SIZE).types()).containsAll(ours.get(i).attrs(IfAddrMsg.SIZE).types());
        }
    }

    @Test
    void routeDumpMatchesTheKernels() throws Exception {
        NlWriter request = dumpRequest(Rtnetlink.RTM_GETROUTE, 8,
                w -> new RtMsg(SocketConstants.AF_INET, 0, 0, 0, 0, 0, 0, 0, 0).write(w));
        List<NlMsg> linux = kernel(Netlink.NETLINK_ROUTE, false, request).get(0);
        List<NlMsg> ours = tern(Netlink.NETLINK_ROUTE, request);
        List<String> linuxRoutes = new ArrayList<>();
        List<String> ourRoutes = new ArrayList<>();
        for (NlMsg m : linux) {
            if (m.type() == Rtnetlink.RTM_NEWROUTE) {
                linuxRoutes.add(RtMsg.read(m) + " " + RouteMessage.from(m));
            }
        }
        for (NlMsg m : ours) {
            if (m.type() == Rtnetlink.RTM_NEWROUTE) {
                ourRoutes.add(RtMsg.read(m) + " " + RouteMessage.from(m));
                assertThat(linux.stream().filter(k -> k.type() == Rtnetlink.RTM_NEWROUTE).findFirst().orElseThrow()
                        .attrs(RtMsg.SIZE).types()).contains(Rtnetlink.RTA_TABLE);
            }
        }
        assertThat(ourRoutes).hasSize(9).isEqualTo(linuxRoutes);
    }

    @Test
    void loopbackLinkMatchesTheKernels() throws Exception {
        NlWriter request = new NlWriter().begin(Rtnetlink.RTM_GETLINK, Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK, 9, 0);
        new IfInfoMsg(0, 0, 1, 0, 0).write(request);
        request.end();
        NlMsg linux = kernel(Netlink.NETLINK_ROUTE, false, request).get(0).get(0);
        NlMsg ours = tern(Netlink.NETLINK_ROUTE, request).get(0);
        int compared = Rtnetlink.IFF_UP | Rtnetlink.IFF_LOOPBACK | Rtnetlink.IFF_LOWER_UP;
        IfInfoMsg k = IfInfoMsg.read(linux);
        IfInfoMsg t = IfInfoMsg.read(ours);
        assertThat(t.type()).isEqualTo(k.type());
        assertThat(t.index()).isEqualTo(k.index());
        assertThat(t.flags() & compared).isEqualTo(k.flags() & compared);
        NlAttrs ka = linux.attrs(IfInfoMsg.SIZE);
        NlAttrs ta = ours.attrs(IfInfoMsg.SIZE);
        assertThat(ka.types()).containsAll(ta.types());
        for (int attribute : new int[] {Rtnetlink.IFLA_IFNAME, Rtnetlink.IFLA_MTU, Rtnetlink.IFLA_OPERSTATE,
            Rtnetlink.IFLA_LINKMODE, Rtnetlink.IFLA_ADDRESS, Rtnetlink.IFLA_BROADCAST, Rtnetlink.IFLA_CARRIER}) {
            assertThat(ta.bytes(attribute)).as("attribute %d", attribute).isEqualTo(ka.bytes(attribute));
        }
        assertThat(ta.payload(Rtnetlink.IFLA_STATS64).remaining()).isEqualTo(ka.payload(Rtnetlink.IFLA_STATS64).remaining());
    }

    /** A qdisc message as compared: its tcmsg, its attributes in order, its kind, and the statistics' layout and values. */
    private static String describeQdisc(NlMsg m) throws ErrnoException {
        NlAttrs a = m.attrs(TcMsg.SIZE);
        NlAttrs stats2 = a.nested(PktSched.TCA_STATS2);
        StringBuilder sb = new StringBuilder(TcMsg.read(m) + " attrs " + a.types() + " kind " + a.string(PktSched.TCA_KIND)
                + " hw_offload " + a.u8(PktSched.TCA_HW_OFFLOAD) + " stats2 " + stats2.types());
        for (int type : stats2.types()) {
            sb.append(' ').append(type).append('=').append(HexFormat.of().formatHex(stats2.bytes(type)));
        }
        sb.append(" stats ").append(HexFormat.of().formatHex(a.bytes(PktSched.TCA_STATS)));
        return sb.toString();
    }

    @Test
    void defaultQdiscAndQdiscRefusalsMatchTheKernels() throws Exception {
        int eth0 = bed.link("eth0").index();
        NlWriter dump = dumpRequest(Rtnetlink.RTM_GETQDISC, 12, w -> new TcMsg(0, 0, 0, 0, 0).write(w));
        NlWriter delete = new NlWriter().begin(Rtnetlink.RTM_DELQDISC, Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK, 13, 0);
        new TcMsg(0, eth0, 0, PktSched.TC_H_ROOT, 0).write(delete).end();
        NlWriter change = new NlWriter().begin(Rtnetlink.RTM_NEWQDISC, Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK, 14, 0);
        new TcMsg(0, eth0, 0, PktSched.TC_H_ROOT, 0).write(change).attrString(PktSched.TCA_KIND, "netem").end();
        NlWriter unknownKind = new NlWriter().begin(Rtnetlink.RTM_NEWQDISC,
                Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK | Netlink.NLM_F_CREATE | Netlink.NLM_F_EXCL, 15, 0);
        new TcMsg(0, eth0, 0, PktSched.TC_H_ROOT, 0).write(unknownKind).attrString(PktSched.TCA_KIND, "nosuchkind").end();
        NlWriter wrongHandle = new NlWriter().begin(Rtnetlink.RTM_DELQDISC, Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK, 16, 0);
        new TcMsg(0, eth0, 0x12340000, PktSched.TC_H_ROOT, 0).write(wrongHandle).end();
        List<List<NlMsg>> linux = kernel(Netlink.NETLINK_ROUTE, false, dump, delete, change, unknownKind, wrongHandle);

        List<String> linuxRoots = new ArrayList<>();
        for (NlMsg m : linux.get(0)) {
            if (m.type() == Rtnetlink.RTM_NEWQDISC && TcMsg.read(m).ifindex() == eth0) {
                linuxRoots.add(describeQdisc(m));
            }
        }
        List<String> ourRoots = new ArrayList<>();
        for (NlMsg m : tern(Netlink.NETLINK_ROUTE, dump)) {
            if (m.type() == Rtnetlink.RTM_NEWQDISC && TcMsg.read(m).ifindex() == eth0) {
                ourRoots.add(describeQdisc(m));
            }
        }
        assertThat(ourRoots).hasSize(1).isEqualTo(linuxRoots);
        NlWriter[] refused = {delete, change, unknownKind, wrongHandle};
        for (int i = 0; i < refused.length; i++) {
            NlMsg kernelAnswer = linux.get(i + 1).get(0);
            NlMsg ourAnswer = tern(Netlink.NETLINK_ROUTE, refused[i]).get(0);
            assertThat(ourAnswer.isError()).isTrue();
            assertThat(ourAnswer.error()).as("request %d", i + 1).isEqualTo(kernelAnswer.error()).isNegative();
        }
    }

    private static String describeSocket(NlMsg m) throws ErrnoException {
        InetDiagMsg d = InetDiagMsg.read(m);
        return d.family() + " " + d.state() + " " + d.local() + " " + d.peer() + " rqueue " + d.rqueue() + " wqueue " + d.wqueue();
    }

    /** A socket's memory attributes: their payload sizes, the queued bytes of each, and the shutdown bits. */
    private static String describeMemory(NlMsg m) throws ErrnoException {
        NlAttrs a = m.attrs(InetDiagMsg.SIZE);
        ByteBuffer mem = a.payload(InetDiag.INET_DIAG_MEMINFO).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer sk = a.payload(InetDiag.INET_DIAG_SKMEMINFO).order(ByteOrder.LITTLE_ENDIAN);
        return InetDiagMsg.read(m).local() + " meminfo " + mem.remaining() + " bytes r" + mem.getInt(0) + " w"
                + mem.getInt(4) + " t" + mem.getInt(12) + ", skmeminfo " + sk.remaining() + " bytes r" + sk.getInt(0)
                + " t" + sk.getInt(8) + " w" + sk.getInt(20) + " bl" + sk.getInt(28) + " d" + sk.getInt(32)
                + ", shutdown " + a.u8(InetDiag.INET_DIAG_SHUTDOWN);
    }

    @Test
    void udpSocketDumpMatchesTheKernelsAndTheKernelsTcpInfoReadsRight() throws Exception {
        int unconnected = bed.udpSocket();
        api.bind(unconnected, new InetSockAddr(0, 5353));
        int connected = bed.udpSocket();
        api.bind(connected, new InetSockAddr(InetSockAddr.INADDR_LOOPBACK, 33000));
        api.connect(connected, new InetSockAddr(InetSockAddr.INADDR_LOOPBACK, 53));
        NlWriter udp = dumpRequest(InetDiag.SOCK_DIAG_BY_FAMILY, 10,
                w -> InetDiagReqV2.dump(SocketConstants.AF_INET, SocketConstants.IPPROTO_UDP, 0, InetDiag.TCPF_ALL).write(w));
        NlWriter tcp = dumpRequest(InetDiag.SOCK_DIAG_BY_FAMILY, 11,
                w -> InetDiagReqV2.dump(SocketConstants.AF_INET, SocketConstants.IPPROTO_TCP,
                        InetDiag.ext(InetDiag.INET_DIAG_INFO) | InetDiag.ext(InetDiag.INET_DIAG_CONG), InetDiag.TCPF_ALL)
                        .write(w));
        NlWriter udpMem = dumpRequest(InetDiag.SOCK_DIAG_BY_FAMILY, 12,
                w -> InetDiagReqV2.dump(SocketConstants.AF_INET, SocketConstants.IPPROTO_UDP,
                        InetDiag.ext(InetDiag.INET_DIAG_MEMINFO) | InetDiag.ext(InetDiag.INET_DIAG_SKMEMINFO),
                        InetDiag.TCPF_ALL).write(w));
        List<List<NlMsg>> linux = kernel(Netlink.NETLINK_SOCK_DIAG, true, udp, tcp, udpMem);

        List<String> linuxUdp = new ArrayList<>();
        for (NlMsg m : linux.get(0)) {
            if (m.type() == InetDiag.SOCK_DIAG_BY_FAMILY) {
                linuxUdp.add(describeSocket(m));
            }
        }
        List<String> ourUdp = new ArrayList<>();
        for (NlMsg m : tern(Netlink.NETLINK_SOCK_DIAG, udp)) {
            if (m.type() == InetDiag.SOCK_DIAG_BY_FAMILY) {
                ourUdp.add(describeSocket(m));
            }
        }
        assertThat(ourUdp).hasSize(2).containsExactlyInAnyOrderElementsOf(linuxUdp);

        // ss -m's attributes (INET_DIAG_MEMINFO, INET_DIAG_SKMEMINFO) and the shutdown byte
        // Linux sends unasked: the same sizes, and an idle socket's queues empty in both.
        List<String> linuxMem = new ArrayList<>();
        for (NlMsg m : linux.get(2)) {
            if (m.type() == InetDiag.SOCK_DIAG_BY_FAMILY) {
                linuxMem.add(describeMemory(m));
            }
        }
        List<String> ourMem = new ArrayList<>();
        for (NlMsg m : tern(Netlink.NETLINK_SOCK_DIAG, udpMem)) {
            if (m.type() == InetDiag.SOCK_DIAG_BY_FAMILY) {
                ourMem.add(describeMemory(m));
            }
        }
        assertThat(ourMem).hasSize(2).containsExactlyInAnyOrderElementsOf(linuxMem);

        // The kernel's TCP answer read with the stack's classes: the listener with its backlog,
        // and the established client's tcp_info at the offsets Linux puts its fields.
        TcpInfo client = null;
        boolean listenerSeen = false;
        for (NlMsg m : linux.get(1)) {
            if (m.type() != InetDiag.SOCK_DIAG_BY_FAMILY) {
                continue;
            }
            InetDiagMsg d = InetDiagMsg.read(m);
            NlAttrs a = m.attrs(InetDiagMsg.SIZE);
            if (d.state() == TcpInfo.TCP_LISTEN && d.local().port() == 7171) {
                listenerSeen = true;
                assertThat(d.wqueue()).isEqualTo(8);
            }
            if (d.state() == TcpInfo.TCP_ESTABLISHED && d.peer().port() == 7171) {
                assertThat(a.payload(InetDiag.INET_DIAG_INFO).remaining()).isGreaterThanOrEqualTo(TcpInfoLayout.SIZE);
                client = TcpInfoLayout.read(a.payload(InetDiag.INET_DIAG_INFO), a.string(InetDiag.INET_DIAG_CONG));
            }
        }
        assertThat(listenerSeen).isTrue();
        assertThat(client).isNotNull();
        assertThat(client.state()).isEqualTo(TcpInfo.TCP_ESTABLISHED);
        assertThat(client.hasOptions(TcpInfo.TCPI_OPT_TIMESTAMPS | TcpInfo.TCPI_OPT_SACK | TcpInfo.TCPI_OPT_WSCALE)).isTrue();
        assertThat(client.pmtu()).isEqualTo(65535); // IP_MAX_MTU: loopback's 65536 capped
        assertThat(client.advmss()).isEqualTo(65483);
        assertThat(client.sndMss()).isBetween(32_000, 65_483);
        assertThat(client.sndCwnd()).isEqualTo(10);
        assertThat(client.sndSsthresh()).isEqualTo(0x7fffffff);
        assertThat(client.rcvWnd()).isGreaterThan(0);
        assertThat(client.congestion()).isNotEmpty();
    }
}
