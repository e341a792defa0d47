package net.tern.netlink.impl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.InetSockAddr;
import net.tern.api.socket.SocketApi;
import net.tern.api.socket.SocketConstants;
import net.tern.core.testing.PacketLeakCheck;
import net.tern.netlink.Netlink;
import net.tern.netlink.NetlinkSocket;
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
    private int unconnected;
    private int connected;

    @BeforeEach
    void start() throws Exception {
        bed = new UdpTestBed();
        NetlinkWiring.attach(bed.socketLayer(), bed.stack(), bed.inet().fib())
                .registerDiag(SocketConstants.IPPROTO_UDP, bed.udp().diag());
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
        NlWriter w = nl.request(InetDiag.SOCK_DIAG_BY_FAMILY, Netlink.NLM_F_DUMP);
        InetDiagReqV2.dump(SocketConstants.AF_INET, protocol, 0, states).write(w);
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
}
