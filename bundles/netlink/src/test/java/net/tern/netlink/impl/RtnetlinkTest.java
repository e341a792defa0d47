package net.tern.netlink.impl;

import static net.tern.netlink.Netlink.NLM_F_ACK;
import static net.tern.netlink.Netlink.NLM_F_CREATE;
import static net.tern.netlink.Netlink.NLM_F_DUMP;
import static net.tern.netlink.Netlink.NLM_F_EXCL;
import static net.tern.netlink.Netlink.NLM_F_REPLACE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.InetSockAddr;
import net.tern.api.socket.SocketApi;
import net.tern.api.socket.SocketConstants;
import net.tern.core.testing.PacketLeakCheck;
import net.tern.netlink.IfAddrMsg;
import net.tern.netlink.IfInfoMsg;
import net.tern.netlink.Netlink;
import net.tern.netlink.NetlinkSocket;
import net.tern.netlink.NlAttrs;
import net.tern.netlink.NlMsg;
import net.tern.netlink.NlWriter;
import net.tern.netlink.RtMsg;
import net.tern.netlink.Rtnetlink;
import net.tern.netlink.SockAddrNl;
import net.tern.netlink.testing.NetlinkWiring;
import net.tern.udp.testing.UdpTestBed;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** NETLINK_ROUTE through the socket API: dumps, changes, errors as iproute2 reads them, notifications. */
@ExtendWith(PacketLeakCheck.class)
class RtnetlinkTest {
    private UdpTestBed bed;
    private SocketApi api;
    private NetlinkSocket nl;
    private int eth0;

    @BeforeEach
    void start() throws Exception {
        bed = new UdpTestBed();
        bed.fake("eth0", 1500, "10.0.0.1/24");
        NetlinkWiring.attach(bed.socketLayer(), bed.stack(), bed.inet().fib());
        api = bed.api();
        nl = NetlinkSocket.open(api, Netlink.NETLINK_ROUTE);
        eth0 = bed.link("eth0").index();
    }

    @AfterEach
    void stop() throws Exception {
        nl.close();
        bed.close();
    }

    private List<NlMsg> dump(int type, int familyHeaderSize) throws ErrnoException {
        NlWriter w = nl.request(type, NLM_F_DUMP);
        w.zeros(familyHeaderSize);
        return nl.dump(w);
    }

    @Test
    void linkDumpNamesEachLinkWithItsIndexFlagsMtuAndStatistics() throws Exception {
        List<NlMsg> links = dump(Rtnetlink.RTM_GETLINK, IfInfoMsg.SIZE);
        assertThat(links).hasSize(2);
        assertThat(links).allSatisfy(m -> {
            assertThat(m.type()).isEqualTo(Rtnetlink.RTM_NEWLINK);
            assertThat(m.flags() & Netlink.NLM_F_MULTI).isNotZero();
        });
        IfInfoMsg lo = IfInfoMsg.read(links.get(0));
        NlAttrs loAttrs = links.get(0).attrs(IfInfoMsg.SIZE);
        assertThat(loAttrs.string(Rtnetlink.IFLA_IFNAME)).isEqualTo("lo");
        assertThat(lo.type()).isEqualTo(Rtnetlink.ARPHRD_LOOPBACK);
        assertThat(lo.flags() & (Rtnetlink.IFF_UP | Rtnetlink.IFF_LOOPBACK)).isEqualTo(Rtnetlink.IFF_UP | Rtnetlink.IFF_LOOPBACK);
        assertThat(loAttrs.u32(Rtnetlink.IFLA_MTU)).isEqualTo(65536);
        assertThat(loAttrs.payload(Rtnetlink.IFLA_STATS64).remaining()).isEqualTo(Rtnetlink.RTNL_LINK_STATS64_SIZE);
        NlAttrs eth = links.get(1).attrs(IfInfoMsg.SIZE);
        assertThat(eth.string(Rtnetlink.IFLA_IFNAME)).isEqualTo("eth0");
        assertThat(IfInfoMsg.read(links.get(1)).index()).isEqualTo(eth0);
        assertThat(eth.u32(Rtnetlink.IFLA_MTU)).isEqualTo(1500);
    }

    @Test
    void addressDumpGivesEachAddressWithPrefixScopeAndLabel() throws Exception {
        List<NlMsg> addresses = dump(Rtnetlink.RTM_GETADDR, IfAddrMsg.SIZE);
        List<String> seen = new ArrayList<>();
        for (NlMsg m : addresses) {
            IfAddrMsg ifa = IfAddrMsg.read(m);
            NlAttrs a = m.attrs(IfAddrMsg.SIZE);
            seen.add(a.string(Rtnetlink.IFA_LABEL) + " " + InetSockAddr.formatAddress(a.inAddr(Rtnetlink.IFA_LOCAL)) + "/"
                    + ifa.prefixLen() + " scope " + ifa.scope() + " flags " + a.u32(Rtnetlink.IFA_FLAGS));
        }
        assertThat(seen).containsExactly("lo 127.0.0.1/8 scope 254 flags 128", "eth0 10.0.0.1/24 scope 0 flags 128");
    }

    private NlWriter newAddress(int flags, int index, String address, int prefix) {
        NlWriter w = nl.request(Rtnetlink.RTM_NEWADDR, flags | NLM_F_ACK);
        new IfAddrMsg(SocketConstants.AF_INET, prefix, 0, 0, index).write(w);
        int a = InetSockAddr.parseAddress(address);
        w.attrInAddr(Rtnetlink.IFA_LOCAL, a).attrInAddr(Rtnetlink.IFA_ADDRESS, a);
        return w;
    }

    @Test
    void newAddressIsAcknowledgedAndADuplicateWithExclIsEexist() throws Exception {
        nl.talk(newAddress(NLM_F_CREATE | NLM_F_EXCL, eth0, "10.0.1.1", 24));
        assertThat(bed.link("eth0").addresses().toString()).contains("10.0.1.1/24");
        assertThatThrownBy(() -> nl.talk(newAddress(NLM_F_CREATE | NLM_F_EXCL, eth0, "10.0.1.1", 24)))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EEXIST));
        // NLM_F_REPLACE without NLM_F_EXCL takes the address that is there.
        nl.talk(newAddress(NLM_F_CREATE | NLM_F_REPLACE, eth0, "10.0.1.1", 24));
    }

    @Test
    void badAddressRequestsGetTheErrnoIproute2Expects() throws Exception {
        assertThatThrownBy(() -> nl.talk(newAddress(NLM_F_CREATE | NLM_F_EXCL, 99, "10.0.1.1", 24)))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENODEV));
        NlWriter noLocal = nl.request(Rtnetlink.RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK);
        new IfAddrMsg(SocketConstants.AF_INET, 24, 0, 0, eth0).write(noLocal);
        assertThatThrownBy(() -> nl.talk(noLocal)).isInstanceOfSatisfying(ErrnoException.class, e -> {
            assertThat(e.errno()).isEqualTo(Errno.EINVAL);
            assertThat(e.detail()).contains("Local address is not supplied");
        });
        // An attribute whose nla_len is shorter than its own header.
        NlWriter malformed = nl.request(Rtnetlink.RTM_NEWADDR, NLM_F_CREATE | NLM_F_ACK);
        new IfAddrMsg(SocketConstants.AF_INET, 24, 0, 0, eth0).write(malformed);
        malformed.u16(2).u16(Rtnetlink.IFA_LOCAL).u32(0x0a000101);
        assertThatThrownBy(() -> nl.talk(malformed))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EINVAL));
        NlWriter deleteMissing = nl.request(Rtnetlink.RTM_DELADDR, NLM_F_ACK);
        new IfAddrMsg(SocketConstants.AF_INET, 24, 0, 0, eth0).write(deleteMissing);
        deleteMissing.attrInAddr(Rtnetlink.IFA_LOCAL, InetSockAddr.parseAddress("10.9.9.9"));
        assertThatThrownBy(() -> nl.talk(deleteMissing))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EADDRNOTAVAIL));
    }

    @Test
    void unknownMessageTypeIsEopnotsuppAndTheErrorEchoesTheRequest() throws Exception {
        NlWriter neigh = nl.request(30 /* RTM_GETNEIGH */, NLM_F_ACK);
        neigh.zeros(12);
        nl.send(neigh);
        List<NlMsg> answer = nl.receive();
        assertThat(answer).hasSize(1);
        NlMsg error = answer.get(0);
        assertThat(error.type()).isEqualTo(Netlink.NLMSG_ERROR);
        assertThat(error.error()).isEqualTo(-Errno.EOPNOTSUPP.number());
        // The original header follows the error code, with the request's type and sequence.
        assertThat(error.body().getShort(4 + 4)).isEqualTo((short) 30);
        assertThat(error.seq()).isEqualTo(error.body().getInt(4 + 8));
        assertThat(error.errorMessage()).contains("not served");
    }

    @Test
    void successfulChangeWithAckAnswersErrorZeroWithTheRequestHeaderOnly() throws Exception {
        nl.send(newAddress(NLM_F_CREATE | NLM_F_EXCL, eth0, "10.0.2.1", 24));
        List<NlMsg> answer = nl.receive();
        assertThat(answer).hasSize(1);
        assertThat(answer.get(0).type()).isEqualTo(Netlink.NLMSG_ERROR);
        assertThat(answer.get(0).error()).isZero();
        assertThat(answer.get(0).flags() & Netlink.NLM_F_CAPPED).isNotZero();
        assertThat(answer.get(0).body().remaining()).isEqualTo(4 + Netlink.NLMSG_HDRLEN);
    }

    private NlWriter route(int type, int flags, String destination, int length, String gateway) {
        NlWriter w = nl.request(type, flags | NLM_F_ACK);
        new RtMsg(SocketConstants.AF_INET, length, 0, 0, Rtnetlink.RT_TABLE_MAIN,
                type == Rtnetlink.RTM_NEWROUTE ? Rtnetlink.RTPROT_BOOT : 0, Rtnetlink.RT_SCOPE_UNIVERSE,
                type == Rtnetlink.RTM_NEWROUTE ? Rtnetlink.RTN_UNICAST : 0, 0).write(w);
        w.attrInAddr(Rtnetlink.RTA_DST, InetSockAddr.parseAddress(destination));
        if (gateway != null) {
            w.attrInAddr(Rtnetlink.RTA_GATEWAY, InetSockAddr.parseAddress(gateway));
        }
        return w;
    }

    @Test
    void routesAreAddedDumpedAndDeletedWithExclAndEsrchSemantics() throws Exception {
        nl.talk(route(Rtnetlink.RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, "192.168.5.0", 24, "10.0.0.2"));
        assertThatThrownBy(() -> nl.talk(route(Rtnetlink.RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, "192.168.5.0", 24,
                "10.0.0.3"))).isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EEXIST));
        // Replace changes the gateway of the route that is there.
        nl.talk(route(Rtnetlink.RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE, "192.168.5.0", 24, "10.0.0.3"));
        // Without NLM_F_CREATE there is nothing to replace for a new prefix.
        assertThatThrownBy(() -> nl.talk(route(Rtnetlink.RTM_NEWROUTE, NLM_F_REPLACE, "192.168.6.0", 24, "10.0.0.3")))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENOENT));

        NlMsg found = null;
        for (NlMsg m : dump(Rtnetlink.RTM_GETROUTE, RtMsg.SIZE)) {
            NlAttrs a = m.attrs(RtMsg.SIZE);
            if (a.has(Rtnetlink.RTA_DST) && a.inAddr(Rtnetlink.RTA_DST) == InetSockAddr.parseAddress("192.168.5.0")) {
                found = m;
            }
        }
        assertThat(found).isNotNull();
        RtMsg rtm = RtMsg.read(found);
        NlAttrs a = found.attrs(RtMsg.SIZE);
        assertThat(rtm.dstLen()).isEqualTo(24);
        assertThat(rtm.table()).isEqualTo(Rtnetlink.RT_TABLE_MAIN);
        assertThat(rtm.type()).isEqualTo(Rtnetlink.RTN_UNICAST);
        assertThat(rtm.scope()).isEqualTo(Rtnetlink.RT_SCOPE_UNIVERSE);
        assertThat(a.inAddr(Rtnetlink.RTA_GATEWAY)).isEqualTo(InetSockAddr.parseAddress("10.0.0.3"));
        assertThat(a.u32(Rtnetlink.RTA_OIF)).isEqualTo(eth0);

        nl.talk(route(Rtnetlink.RTM_DELROUTE, 0, "192.168.5.0", 24, null));
        assertThatThrownBy(() -> nl.talk(route(Rtnetlink.RTM_DELROUTE, 0, "192.168.5.0", 24, null)))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ESRCH));
    }

    @Test
    void linkChangesGoThroughNewlinkAndUnknownLinksAreEnodev() throws Exception {
        NlWriter mtu = nl.request(Rtnetlink.RTM_NEWLINK, NLM_F_ACK);
        new IfInfoMsg(0, 0, eth0, 0, 0).write(mtu);
        mtu.attrU32(Rtnetlink.IFLA_MTU, 1400);
        nl.talk(mtu);
        assertThat(bed.link("eth0").mtu()).isEqualTo(1400);

        NlWriter down = nl.request(Rtnetlink.RTM_NEWLINK, NLM_F_ACK);
        new IfInfoMsg(0, 0, eth0, 0, Rtnetlink.IFF_UP).write(down);
        nl.talk(down);
        assertThat(bed.link("eth0").isUp()).isFalse();

        NlWriter byName = nl.request(Rtnetlink.RTM_GETLINK, 0);
        new IfInfoMsg(0, 0, 0, 0, 0).write(byName);
        byName.attrString(Rtnetlink.IFLA_IFNAME, "nosuch0");
        assertThatThrownBy(() -> nl.talk(byName))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENODEV));
        NlWriter delete = nl.request(Rtnetlink.RTM_DELLINK, NLM_F_ACK);
        new IfInfoMsg(0, 0, eth0, 0, 0).write(delete);
        assertThatThrownBy(() -> nl.talk(delete))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EOPNOTSUPP));
    }

    @Test
    void subscribersHearAddressAndRouteChangesWhoeverMadeThem() throws Exception {
        NetlinkSocket listener = NetlinkSocket.open(api, Netlink.NETLINK_ROUTE);
        listener.join(Rtnetlink.RTNLGRP_IPV4_IFADDR);
        listener.join(Rtnetlink.RTNLGRP_IPV4_ROUTE);
        listener.setNonBlocking(true);
        nl.talk(newAddress(NLM_F_CREATE | NLM_F_EXCL, eth0, "10.0.3.1", 24));

        List<String> heard = new ArrayList<>();
        while (api.poll(listener.fd(), SocketConstants.EPOLLIN, 0) != 0) {
            for (NlMsg m : listener.receive()) {
                if (m.type() == Rtnetlink.RTM_NEWADDR) {
                    heard.add("addr " + InetSockAddr.formatAddress(m.attrs(IfAddrMsg.SIZE).inAddr(Rtnetlink.IFA_LOCAL)));
                } else if (m.type() == Rtnetlink.RTM_NEWROUTE) {
                    RtMsg rtm = RtMsg.read(m);
                    heard.add("route " + InetSockAddr.formatAddress(m.attrs(RtMsg.SIZE).inAddr(Rtnetlink.RTA_DST)) + "/"
                            + rtm.dstLen() + " table " + rtm.table());
                }
            }
        }
        assertThat(heard).contains("addr 10.0.3.1", "route 10.0.3.0/24 table 254", "route 10.0.3.1/32 table 255");
        // The requester did not join: its queue holds only its acknowledgement, taken already.
        assertThat(api.poll(nl.fd(), SocketConstants.EPOLLIN, 0)).isZero();
        listener.close();
    }

    @Test
    void aSocketBindsToAPortIdAndAnotherCannotTakeIt() throws Exception {
        int a = api.socket(Netlink.AF_NETLINK, SocketConstants.SOCK_RAW, Netlink.NETLINK_ROUTE);
        int b = api.socket(Netlink.AF_NETLINK, SocketConstants.SOCK_DGRAM, Netlink.NETLINK_ROUTE);
        api.bind(a, new SockAddrNl(4242, 0));
        assertThat(api.getsockname(a)).isEqualTo(new SockAddrNl(4242, 0));
        assertThatThrownBy(() -> api.bind(b, new SockAddrNl(4242, 0)))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EADDRINUSE));
        assertThatThrownBy(() -> api.socket(Netlink.AF_NETLINK, SocketConstants.SOCK_RAW, 9))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EPROTONOSUPPORT));
        assertThatThrownBy(() -> api.socket(Netlink.AF_NETLINK, SocketConstants.SOCK_STREAM, 0))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ESOCKTNOSUPPORT));
        api.close(a);
        api.close(b);
    }

    @Test
    void aShortReceiveBufferTruncatesAndMsgTruncGivesTheWholeLength() throws Exception {
        NlWriter w = nl.request(Rtnetlink.RTM_GETLINK, NLM_F_DUMP);
        w.zeros(IfInfoMsg.SIZE);
        nl.send(w);
        ByteBuffer small = ByteBuffer.allocate(16);
        int whole = api.recv(nl.fd(), small, SocketConstants.MSG_PEEK | SocketConstants.MSG_TRUNC);
        assertThat(whole).isGreaterThan(16);
        assertThat(small.position()).isEqualTo(16);
        small.clear();
        var r = api.recvfrom(nl.fd(), small, 0);
        assertThat(r.truncated()).isTrue();
        assertThat(r.from()).isEqualTo(SockAddrNl.KERNEL);
    }

    @Test
    void linkSubscribersHearTheNewMtuAndAShortAttributeIsEinval() throws Exception {
        NetlinkSocket listener = NetlinkSocket.open(api, Netlink.NETLINK_ROUTE);
        listener.join(Rtnetlink.RTNLGRP_LINK);
        NlWriter mtu = nl.request(Rtnetlink.RTM_NEWLINK, NLM_F_ACK);
        new IfInfoMsg(0, 0, eth0, 0, 0).write(mtu);
        mtu.attrU32(Rtnetlink.IFLA_MTU, 1280);
        nl.talk(mtu);
        List<NlMsg> heard = listener.receive();
        assertThat(heard).hasSize(1);
        assertThat(heard.get(0).type()).isEqualTo(Rtnetlink.RTM_NEWLINK);
        assertThat(heard.get(0).attrs(IfInfoMsg.SIZE).u32(Rtnetlink.IFLA_MTU)).isEqualTo(1280);
        listener.close();

        NlWriter shortMtu = nl.request(Rtnetlink.RTM_NEWLINK, NLM_F_ACK);
        new IfInfoMsg(0, 0, eth0, 0, 0).write(shortMtu);
        shortMtu.attrU16(Rtnetlink.IFLA_MTU, 1000);
        assertThatThrownBy(() -> nl.talk(shortMtu))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EINVAL));
        assertThat(bed.link("eth0").mtu()).isEqualTo(1280);
    }

    @Test
    void notificationsBeyondTheReceiveBufferAreDroppedAndTheNextReceiveIsEnobufs() throws Exception {
        NetlinkSocket listener = NetlinkSocket.open(api, Netlink.NETLINK_ROUTE);
        api.setsockopt(listener.fd(), SocketConstants.SOL_SOCKET, SocketConstants.SO_RCVBUF, 1024);
        listener.join(Rtnetlink.RTNLGRP_IPV4_ROUTE);
        for (int i = 0; i < 40; i++) {
            nl.talk(route(Rtnetlink.RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, "192.168." + i + ".0", 24, "10.0.0.2"));
        }
        assertThatThrownBy(listener::receive)
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENOBUFS));
        // What fitted is still there, and the error came once.
        int queued = 0;
        listener.setNonBlocking(true);
        while (api.poll(listener.fd(), SocketConstants.EPOLLIN, 0) != 0) {
            queued += listener.receive().size();
        }
        assertThat(queued).isBetween(1, 39);
        listener.close();
    }

    @Test
    void anAddressDumpFiltersByLinkOnlyWithStrictChecking() throws Exception {
        NlWriter onlyEth0 = nl.request(Rtnetlink.RTM_GETADDR, NLM_F_DUMP);
        new IfAddrMsg(SocketConstants.AF_INET, 0, 0, 0, eth0).write(onlyEth0);
        assertThat(nl.dump(onlyEth0)).extracting(m -> IfAddrMsg.read(m).index()).containsExactly(eth0);
        api.setsockopt(nl.fd(), Netlink.SOL_NETLINK, Netlink.NETLINK_GET_STRICT_CHK, 0);
        NlWriter again = nl.request(Rtnetlink.RTM_GETADDR, NLM_F_DUMP);
        new IfAddrMsg(SocketConstants.AF_INET, 0, 0, 0, eth0).write(again);
        assertThat(nl.dump(again)).hasSize(2);
    }
}
