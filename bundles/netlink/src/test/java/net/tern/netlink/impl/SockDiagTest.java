package net.tern.netlink.impl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.Inet6SockAddr;
import net.tern.api.socket.InetSockAddr;
import net.tern.api.socket.SocketApi;
import net.tern.api.socket.SocketConstants;
import net.tern.core.testing.PacketLeakCheck;
import net.tern.netlink.Netlink;
import net.tern.netlink.NetlinkSocket;
import net.tern.netlink.NlAttrs;
import net.tern.netlink.NlMsg;
import net.tern.netlink.NlWriter;
import net.tern.netlink.diag.InetDiag;
import net.tern.netlink.diag.InetDiagBytecode;
import net.tern.netlink.diag.InetDiagMsg;
import net.tern.netlink.diag.InetDiagReqV2;
import net.tern.netlink.testing.NetlinkWiring;
import net.tern.udp.testing.UdpTestBed;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** NETLINK_SOCK_DIAG: inet_diag dumps of UDP sockets with state and bytecode filters, and its errors. */
@ExtendWith(PacketLeakCheck.class)
class SockDiagTest {
    private UdpTestBed bed;
    private SocketApi api;
    private NetlinkSocket nl;
    private NetlinkStack netlink;
    private int unconnected;
    private int connected;

    @BeforeEach
    void start() throws Exception {
        bed = new UdpTestBed();
        netlink = NetlinkWiring.attach(bed.socketLayer(), bed.stack(), bed.inet().fib());
        netlink.registerDiag(SocketConstants.IPPROTO_UDP, bed.udp().diag());
        api = bed.api();
        nl = NetlinkSocket.open(api, Netlink.NETLINK_SOCK_DIAG);
        unconnected = bed.udpSocket();
        api.bind(unconnected, new InetSockAddr(0, 5353));
        connected = bed.udpSocket();
        api.bind(connected, new InetSockAddr(InetSockAddr.INADDR_LOOPBACK, 33000));
        api.connect(connected, new InetSockAddr(InetSockAddr.INADDR_LOOPBACK, 53));
    }

    @AfterEach
    void stop() throws Exception {
        nl.close();
        bed.close();
    }

    private List<InetDiagMsg> dump(int protocol, int states, byte[] bytecode) throws ErrnoException {
        return dump(SocketConstants.AF_INET, protocol, states, bytecode);
    }

    private List<InetDiagMsg> dump(int family, int protocol, int states, byte[] bytecode) throws ErrnoException {
        NlWriter w = nl.request(InetDiag.SOCK_DIAG_BY_FAMILY, Netlink.NLM_F_DUMP);
        InetDiagReqV2.dump(family, protocol, 0, states).write(w);
        if (bytecode != null) {
            w.attrBytes(InetDiag.INET_DIAG_REQ_BYTECODE, bytecode);
        }
        List<InetDiagMsg> result = new java.util.ArrayList<>();
        for (NlMsg m : nl.dump(w)) {
            assertThat(m.type()).isEqualTo(InetDiag.SOCK_DIAG_BY_FAMILY);
            result.add(InetDiagMsg.read(m));
        }
        return result;
    }

    @Test
    void dumpAnswersEachSocketWithItsStateAddressesAndDescriptor() throws Exception {
        List<InetDiagMsg> all = dump(SocketConstants.IPPROTO_UDP, InetDiag.TCPF_ALL, null);
        assertThat(all).extracting(m -> m.state() + " " + m.local() + " " + m.peer() + " fd " + m.fd())
                .containsExactlyInAnyOrder("7 0.0.0.0:5353 0.0.0.0:0 fd " + unconnected,
                        "1 127.0.0.1:33000 127.0.0.1:53 fd " + connected);
    }

    @Test
    void statesSelectWhichSocketsAreDumped() throws Exception {
        assertThat(dump(SocketConstants.IPPROTO_UDP, 1 << 1, null)).extracting(InetDiagMsg::local)
                .containsExactly(new InetSockAddr(InetSockAddr.INADDR_LOOPBACK, 33000));
        assertThat(dump(SocketConstants.IPPROTO_UDP, 1 << 10, null)).isEmpty();
    }

    /** ss's {@code sport = :5353}: S_GE 5353 then S_LE 5353, each with its port in a second op; a failure jumps
     * one op past the end (reject). */
    @Test
    void bytecodeFiltersOnPortsAsInetDiagBcRunDoes() throws Exception {
        byte[] sportIs5353 = {
            InetDiagBytecode.S_GE, 8, 20, 0, 0, 0, (byte) 0xe9, 0x14,
            InetDiagBytecode.S_LE, 8, 12, 0, 0, 0, (byte) 0xe9, 0x14};
        assertThat(dump(SocketConstants.IPPROTO_UDP, InetDiag.TCPF_ALL, sportIs5353)).extracting(InetDiagMsg::local)
                .containsExactly(new InetSockAddr(0, 5353));
        byte[] dportIs53 = {InetDiagBytecode.D_EQ, 8, 12, 0, 0, 0, 53, 0};
        assertThat(dump(SocketConstants.IPPROTO_UDP, InetDiag.TCPF_ALL, dportIs53)).extracting(InetDiagMsg::peer)
                .containsExactly(new InetSockAddr(InetSockAddr.INADDR_LOOPBACK, 53));
    }

    @Test
    void badRequestsGetNetlinkErrors() {
        byte[] jumpsOutside = {InetDiagBytecode.S_GE, 8, 40, 0, 0, 0, 53, 0};
        assertThatThrownBy(() -> dump(SocketConstants.IPPROTO_UDP, InetDiag.TCPF_ALL, jumpsOutside))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EINVAL));
        assertThatThrownBy(() -> dump(99, InetDiag.TCPF_ALL, null))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENOENT));
        NlWriter old = nl.request(18 /* TCPDIAG_GETSOCK */, Netlink.NLM_F_DUMP);
        old.zeros(InetDiagReqV2.SIZE);
        assertThatThrownBy(() -> nl.dump(old))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EOPNOTSUPP));
        NlWriter cut = nl.request(InetDiag.SOCK_DIAG_BY_FAMILY, Netlink.NLM_F_DUMP);
        cut.zeros(20);
        assertThatThrownBy(() -> nl.dump(cut))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EINVAL));
    }

    @Test
    void aLookupOfOneSocketAnswersItOrEnoent() throws Exception {
        InetSockAddr local = new InetSockAddr(InetSockAddr.INADDR_LOOPBACK, 33000);
        InetSockAddr peer = new InetSockAddr(InetSockAddr.INADDR_LOOPBACK, 53);
        NlWriter w = nl.request(InetDiag.SOCK_DIAG_BY_FAMILY, Netlink.NLM_F_ACK);
        new InetDiagReqV2(SocketConstants.AF_INET, SocketConstants.IPPROTO_UDP, 0, InetDiag.TCPF_ALL, local, peer, 0,
                InetDiagReqV2.NO_COOKIE).write(w);
        List<NlMsg> answer = nl.talk(w);
        assertThat(answer).hasSize(1);
        assertThat(InetDiagMsg.read(answer.get(0)).fd()).isEqualTo(connected);
        NlWriter none = nl.request(InetDiag.SOCK_DIAG_BY_FAMILY, Netlink.NLM_F_ACK);
        new InetDiagReqV2(SocketConstants.AF_INET, SocketConstants.IPPROTO_UDP, 0, InetDiag.TCPF_ALL, local,
                new InetSockAddr(InetSockAddr.INADDR_LOOPBACK, 54), 0, InetDiagReqV2.NO_COOKIE).write(none);
        assertThatThrownBy(() -> nl.talk(none))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENOENT));
    }

    /**
     * TCP sockets of both families: a dual-stack listener on ::, an IPV6_V6ONLY one on ::1, a
     * dual-stack socket's IPv4 connection and an AF_INET one.
     */
    private void registerTcpOfBothFamilies() {
        Inet6SockAddr any = Inet6SockAddr.ANY;
        Inet6SockAddr mappedLocal = Inet6SockAddr.v4Mapped(new InetSockAddr(InetSockAddr.parseAddress("10.0.0.1"), 7));
        Inet6SockAddr mappedPeer = Inet6SockAddr.v4Mapped(new InetSockAddr(InetSockAddr.parseAddress("10.0.0.2"), 40000));
        netlink.registerDiag(SocketConstants.IPPROTO_TCP, () -> List.of(
                net.tern.spi.diag.InetDiagMsg.of(6, 10, 0, 128, new Inet6SockAddr(0, 0, 7), any, 3, null, false),
                net.tern.spi.diag.InetDiagMsg.of(6, 10, 0, 128, Inet6SockAddr.parse("[::1]:8"), any, 4, null, true),
                net.tern.spi.diag.InetDiagMsg.of(6, 1, 0, 0, mappedLocal, mappedPeer, 5, null, false),
                new net.tern.spi.diag.InetDiagMsg(6, 10, 0, 128, new InetSockAddr(0, 9), new InetSockAddr(0, 0), 6)));
    }

    @Test
    void anInet6DumpAnswersTheInet6SocketsWithSixteenByteAddressesAndAnInetDumpKeepsThemOut() throws Exception {
        registerTcpOfBothFamilies();
        assertThat(dump(SocketConstants.AF_INET, SocketConstants.IPPROTO_TCP, InetDiag.TCPF_ALL, null))
                .extracting(m -> m.family() + " " + m.localName() + " " + m.peerName())
                .containsExactly("2 0.0.0.0:9 0.0.0.0:0");
        assertThat(dump(SocketConstants.AF_INET6, SocketConstants.IPPROTO_TCP, InetDiag.TCPF_ALL, null))
                .extracting(m -> m.family() + " " + m.localName() + " " + m.peerName() + " fd " + m.fd())
                .containsExactly("10 [::]:7 [::]:0 fd 3", "10 [::1]:8 [::]:0 fd 4",
                        "10 [::ffff:10.0.0.1]:7 [::ffff:10.0.0.2]:40000 fd 5");

        NlWriter w = nl.request(InetDiag.SOCK_DIAG_BY_FAMILY, Netlink.NLM_F_DUMP);
        InetDiagReqV2.dump(SocketConstants.AF_INET6, SocketConstants.IPPROTO_TCP, 0, 1 << 1).write(w);
        NlMsg established = nl.dump(w).get(0);
        ByteBuffer b = established.body().order(ByteOrder.BIG_ENDIAN);
        // inet_diag_sockid: sport, dport, then src and dst in 16 bytes each
        assertThat(b.getShort(4)).isEqualTo((short) 7);
        assertThat(b.getShort(6)).isEqualTo((short) 40000);
        assertThat(new long[] {b.getLong(8), b.getLong(16), b.getLong(24), b.getLong(32)})
                .containsExactly(0, 0x0000ffff0a000001L, 0, 0x0000ffff0a000002L);
        NlWriter v4 = nl.request(InetDiag.SOCK_DIAG_BY_FAMILY, Netlink.NLM_F_DUMP);
        InetDiagReqV2.dump(SocketConstants.AF_INET, SocketConstants.IPPROTO_TCP, 0, InetDiag.TCPF_ALL).write(v4);
        ByteBuffer inet = nl.dump(v4).get(0).body().order(ByteOrder.BIG_ENDIAN);
        // an IPv4 address in the first word, zeros after it
        assertThat(new int[] {inet.getInt(12), inet.getInt(16), inet.getInt(20)}).containsOnly(0);
    }

    /** INET_DIAG_SKV6ONLY: sent for an AF_INET6 listener (LISTEN or CLOSE), not for a connection nor for AF_INET. */
    @Test
    void anInet6ListenerCarriesItsV6OnlyFlag() throws Exception {
        registerTcpOfBothFamilies();
        List<String> flags = new java.util.ArrayList<>();
        for (int family : new int[] {SocketConstants.AF_INET, SocketConstants.AF_INET6}) {
            NlWriter w = nl.request(InetDiag.SOCK_DIAG_BY_FAMILY, Netlink.NLM_F_DUMP);
            InetDiagReqV2.dump(family, SocketConstants.IPPROTO_TCP, 0, InetDiag.TCPF_ALL).write(w);
            for (NlMsg m : nl.dump(w)) {
                NlAttrs attrs = m.attrs(InetDiagMsg.SIZE);
                flags.add(InetDiagMsg.read(m).localName() + " "
                        + (attrs.has(InetDiag.INET_DIAG_SKV6ONLY) ? attrs.u8(InetDiag.INET_DIAG_SKV6ONLY) : "-"));
            }
        }
        assertThat(flags).containsExactly("0.0.0.0:9 -", "[::]:7 0", "[::1]:8 1", "[::ffff:10.0.0.1]:7 -");
    }

    /**
     * inet_diag_bc_run's host conditions across families: an AF_INET condition matches a
     * dual-stack socket's IPv4-mapped address by its IPv4 address, an AF_INET6 one the 128 bits.
     */
    @Test
    void hostConditionsMatchIpv4MappedAndIpv6Addresses() throws Exception {
        registerTcpOfBothFamilies();
        // S_COND {AF_INET, /24, port -1, 10.0.0.0}
        byte[] srcIn10Net = {InetDiagBytecode.S_COND, 16, 20, 0, 2, 24, 0, 0, -1, -1, -1, -1, 10, 0, 0, 0};
        assertThat(dump(SocketConstants.AF_INET6, SocketConstants.IPPROTO_TCP, InetDiag.TCPF_ALL, srcIn10Net))
                .extracting(m -> m.localName().toString()).containsExactly("[::ffff:10.0.0.1]:7");
        // S_COND {AF_INET6, /128, port -1, ::1}
        byte[] srcIsLoopback6 = new byte[28];
        ByteBuffer op = ByteBuffer.wrap(srcIsLoopback6).order(ByteOrder.LITTLE_ENDIAN);
        op.put((byte) InetDiagBytecode.S_COND).put((byte) 28).putShort((short) 32).put((byte) 10).put((byte) 128)
                .putShort((short) 0).putInt(-1);
        srcIsLoopback6[27] = 1;
        assertThat(dump(SocketConstants.AF_INET6, SocketConstants.IPPROTO_TCP, InetDiag.TCPF_ALL, srcIsLoopback6))
                .extracting(m -> m.localName().toString()).containsExactly("[::1]:8");
    }

    @Test
    void aLookupOfAnInet6SocketComparesAllSixteenBytes() throws Exception {
        registerTcpOfBothFamilies();
        Inet6SockAddr local = Inet6SockAddr.parse("[::ffff:10.0.0.1]:7");
        Inet6SockAddr peer = Inet6SockAddr.parse("[::ffff:10.0.0.2]:40000");
        NlWriter w = nl.request(InetDiag.SOCK_DIAG_BY_FAMILY, Netlink.NLM_F_ACK);
        new InetDiagReqV2(SocketConstants.AF_INET6, SocketConstants.IPPROTO_TCP, 0, InetDiag.TCPF_ALL,
                InetSockAddr.parse("10.0.0.1:7"), InetSockAddr.parse("10.0.0.2:40000"), 0, InetDiagReqV2.NO_COOKIE,
                local, peer).write(w);
        assertThat(InetDiagMsg.read(nl.talk(w).get(0)).fd()).isEqualTo(5);
        NlWriter asInet = nl.request(InetDiag.SOCK_DIAG_BY_FAMILY, Netlink.NLM_F_ACK);
        new InetDiagReqV2(SocketConstants.AF_INET, SocketConstants.IPPROTO_TCP, 0, InetDiag.TCPF_ALL,
                InetSockAddr.parse("10.0.0.1:7"), InetSockAddr.parse("10.0.0.2:40000"), 0, InetDiagReqV2.NO_COOKIE)
                .write(asInet);
        assertThatThrownBy(() -> nl.talk(asInet))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENOENT));
    }
}
