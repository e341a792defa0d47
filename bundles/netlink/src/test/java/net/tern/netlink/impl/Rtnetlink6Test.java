package net.tern.netlink.impl;

import static net.tern.netlink.Netlink.NLM_F_ACK;
import static net.tern.netlink.Netlink.NLM_F_CREATE;
import static net.tern.netlink.Netlink.NLM_F_DUMP;
import static net.tern.netlink.Netlink.NLM_F_EXCL;
import static net.tern.netlink.Netlink.NLM_F_REPLACE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.Inet6SockAddr;
import net.tern.api.socket.SocketApi;
import net.tern.api.socket.SocketConstants;
import net.tern.core.testing.PacketLeakCheck;
import net.tern.inet6.impl.Inet6;
import net.tern.netlink.Addr6Message;
import net.tern.netlink.IfAddrMsg;
import net.tern.netlink.Netlink;
import net.tern.netlink.NetlinkSocket;
import net.tern.netlink.NlMsg;
import net.tern.netlink.NlWriter;
import net.tern.netlink.Route6Message;
import net.tern.netlink.RtMsg;
import net.tern.netlink.Rtnetlink;
import net.tern.netlink.testing.Inet6Wiring;
import net.tern.netlink.testing.NetlinkWiring;
import net.tern.udp.testing.UdpTestBed;
import net.tern.wire.Ipv6Address;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** NETLINK_ROUTE's AF_INET6 addresses and routes, as {@code ip -6 addr} and {@code ip -6 route} use them. */
@ExtendWith(PacketLeakCheck.class)
class Rtnetlink6Test {
    private UdpTestBed bed;
    private Inet6Wiring ipv6;
    private Inet6 inet6;
    private SocketApi api;
    private NetlinkSocket nl;
    private int lo;
    private int eth0;

    @BeforeEach
    void start() throws Exception {
        bed = new UdpTestBed();
        bed.fake("eth0", 1500, "10.0.0.1/24");
        ipv6 = Inet6Wiring.attach(bed, NetlinkWiring.attach(bed.socketLayer(), bed.stack(), bed.inet().fib()), 7);
        inet6 = ipv6.inet6();
        api = bed.api();
        nl = NetlinkSocket.open(api, Netlink.NETLINK_ROUTE);
        lo = bed.link("lo").index();
        eth0 = bed.link("eth0").index();
    }

    @AfterEach
    void stop() throws Exception {
        nl.close();
        ipv6.close();
        bed.close();
    }

    private NlWriter address(int type, int flags, int index, String address, int prefix) {
        NlWriter w = nl.request(type, flags | NLM_F_ACK);
        new IfAddrMsg(SocketConstants.AF_INET6, prefix, 0, 0, index).write(w);
        long[] a = Inet6SockAddr.parseAddress(address);
        w.attrIn6Addr(Rtnetlink.IFA_LOCAL, a[0], a[1]);
        return w;
    }

    private NlWriter route(int type, int flags, String destination, int length, String gateway, int oif) {
        NlWriter w = nl.request(type, flags | NLM_F_ACK);
        new RtMsg(SocketConstants.AF_INET6, length, 0, 0, Rtnetlink.RT_TABLE_MAIN, Rtnetlink.RTPROT_BOOT,
                Rtnetlink.RT_SCOPE_UNIVERSE, type == Rtnetlink.RTM_NEWROUTE ? Rtnetlink.RTN_UNICAST : 0, 0).write(w);
        long[] d = Inet6SockAddr.parseAddress(destination);
        w.attrIn6Addr(Rtnetlink.RTA_DST, d[0], d[1]);
        if (gateway != null) {
            long[] g = Inet6SockAddr.parseAddress(gateway);
            w.attrIn6Addr(Rtnetlink.RTA_GATEWAY, g[0], g[1]);
        }
        if (oif != 0) {
            w.attrU32(Rtnetlink.RTA_OIF, oif);
        }
        return w;
    }

    private List<String> addresses() throws ErrnoException {
        return Addr6Message.dump(nl).stream()
                .map(a -> a.index() + " " + a.address() + "/" + a.prefixLen() + " scope " + a.scope()).toList();
    }

    private List<String> routes() throws ErrnoException {
        return Route6Message.dump(nl).stream().map(r -> r.prefix() + (r.hasGateway() ? " via " + r.gateway() : "")
                + " dev " + r.oif() + " proto " + r.protocol() + " metric " + r.priority()).toList();
    }

    @Test
    void addressDumpOfAfInet6GivesLoopbackAndLinkLocalAsPermanentWithTheirScopes() throws Exception {
        List<Addr6Message> all = Addr6Message.dump(nl);
        assertThat(all).anySatisfy(a -> {
            assertThat(a.index()).isEqualTo(lo);
            assertThat(a.address()).isEqualTo("::1");
            assertThat(a.prefixLen()).isEqualTo(128);
            assertThat(a.scope()).isEqualTo(Rtnetlink.RT_SCOPE_HOST);
            assertThat(a.flags()).isEqualTo(Rtnetlink.IFA_F_PERMANENT);
        });
        assertThat(all).anySatisfy(a -> {
            assertThat(a.index()).isEqualTo(eth0);
            assertThat(a.address()).startsWith("fe80::");
            assertThat(a.prefixLen()).isEqualTo(64);
            assertThat(a.scope()).isEqualTo(Rtnetlink.RT_SCOPE_LINK);
        });
        assertThat(all).hasSize(2);
    }

    @Test
    void anUnspecifiedFamilyDumpGivesIpv4ThenIpv6() throws Exception {
        NlWriter w = nl.request(Rtnetlink.RTM_GETADDR, NLM_F_DUMP);
        new IfAddrMsg(SocketConstants.AF_UNSPEC, 0, 0, 0, 0).write(w);
        List<Integer> families = nl.dump(w).stream().map(m -> m.body().get(0) & 0xff).toList();
        assertThat(families).containsExactly(2, 2, 10, 10);
    }

    @Test
    void anAddressAddedBringsItsPrefixRouteAndGoesOnlyWithItsOwnPrefixLength() throws Exception {
        nl.talk(address(Rtnetlink.RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, eth0, "fd00::1", 64));
        assertThat(addresses()).contains(eth0 + " fd00::1/64 scope 0");
        assertThat(routes()).contains("fd00::/64 dev " + eth0 + " proto 2 metric 256");
        assertThat(inet6.addrconf().local(Ipv6Address.parse("fd00::1"))).isNotNull();

        assertThatThrownBy(() -> nl.talk(address(Rtnetlink.RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, eth0, "fd00::1", 64)))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EEXIST));
        // The same again with NLM_F_REPLACE changes nothing and succeeds.
        nl.talk(address(Rtnetlink.RTM_NEWADDR, NLM_F_CREATE | NLM_F_REPLACE, eth0, "fd00::1", 64));
        // ip -6 addr del without a length sends 128, which this address does not have (inet6_addr_del).
        assertThatThrownBy(() -> nl.talk(address(Rtnetlink.RTM_DELADDR, 0, eth0, "fd00::1", 128)))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EADDRNOTAVAIL));
        nl.talk(address(Rtnetlink.RTM_DELADDR, 0, eth0, "fd00::1", 64));
        assertThat(addresses()).noneMatch(a -> a.contains("fd00::1"));
        assertThat(routes()).noneMatch(r -> r.startsWith("fd00::/64"));
    }

    @Test
    void routesAreAddedDumpedAndDeletedAndTheStackRoutesByThem() throws Exception {
        nl.talk(address(Rtnetlink.RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, eth0, "fd00::1", 64));
        // No device given: the gateway's link, by the prefix route of fd00::1/64.
        nl.talk(route(Rtnetlink.RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, "::", 0, "fd00::ff", 0));
        assertThat(routes()).contains("default via fd00::ff dev " + eth0 + " proto 3 metric 1024");
        assertThat(inet6.fib().lookup(Ipv6Address.parse("2001:db8::1"), 0).gateway())
                .isEqualTo(Ipv6Address.parse("fd00::ff"));

        assertThatThrownBy(() -> nl.talk(route(Rtnetlink.RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, "::", 0, "fd00::fe", eth0)))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EEXIST));
        nl.talk(route(Rtnetlink.RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE, "::", 0, "fd00::fe", eth0));
        assertThat(routes()).contains("default via fd00::fe dev " + eth0 + " proto 3 metric 1024")
                .noneMatch(r -> r.contains("fd00::ff"));

        nl.talk(route(Rtnetlink.RTM_DELROUTE, 0, "::", 0, null, 0));
        assertThat(routes()).noneMatch(r -> r.startsWith("default"));
        assertThatThrownBy(() -> nl.talk(route(Rtnetlink.RTM_DELROUTE, 0, "::", 0, null, 0)))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ESRCH));
    }

    @Test
    void badRequestsGetErrnosAndWhatTheTableCannotHoldIsRefused() throws Exception {
        assertThatThrownBy(() -> nl.talk(address(Rtnetlink.RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, 99, "fd00::1", 64)))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENODEV));
        assertThatThrownBy(() -> nl.talk(address(Rtnetlink.RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, eth0, "fd00::1", 129)))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EINVAL));
        NlWriter noAddress = nl.request(Rtnetlink.RTM_NEWADDR, NLM_F_CREATE | NLM_F_ACK);
        new IfAddrMsg(SocketConstants.AF_INET6, 64, 0, 0, eth0).write(noAddress);
        assertThatThrownBy(() -> nl.talk(noAddress))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EINVAL));
        assertThatThrownBy(() -> nl.talk(route(Rtnetlink.RTM_NEWROUTE, NLM_F_CREATE, "fd01::", 64, null, 0)))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENODEV));
        // A gateway on no link's prefix cannot name the link (ip6_route_check_nh).
        assertThatThrownBy(() -> nl.talk(route(Rtnetlink.RTM_NEWROUTE, NLM_F_CREATE, "fd01::", 64, "fd09::1", 0)))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EINVAL));
        assertThatThrownBy(() -> nl.talk(route(Rtnetlink.RTM_NEWROUTE, NLM_F_CREATE, "fd01::1", 64, null, eth0)))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EINVAL));
        NlWriter mtu = route(Rtnetlink.RTM_NEWROUTE, NLM_F_CREATE, "fd01::", 64, null, eth0);
        int metrics = mtu.beginNested(Rtnetlink.RTA_METRICS);
        mtu.attrU32(Rtnetlink.RTAX_MTU, 1400);
        mtu.endNested(metrics);
        assertThatThrownBy(() -> nl.talk(mtu))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EOPNOTSUPP));
        assertThat(routes()).noneMatch(r -> r.startsWith("fd01::"));
    }

    @Test
    void subscribersHearIpv6AddressAndRouteChangesWhoeverMadeThem() throws Exception {
        NetlinkSocket listener = NetlinkSocket.open(api, Netlink.NETLINK_ROUTE);
        listener.join(Rtnetlink.RTNLGRP_IPV6_IFADDR);
        listener.join(Rtnetlink.RTNLGRP_IPV6_ROUTE);
        listener.setNonBlocking(true);
        // Added by configuration, not by a netlink request.
        inet6.addrconf().addAddress(eth0, Ipv6Address.parse("fd00::7"), 64);
        nl.talk(route(Rtnetlink.RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, "fd02::", 48, "fd00::9", eth0));

        List<String> heard = new ArrayList<>();
        while (api.poll(listener.fd(), SocketConstants.EPOLLIN, 0) != 0) {
            for (NlMsg m : listener.receive()) {
                if (m.type() == Rtnetlink.RTM_NEWADDR) {
                    heard.add("addr " + Addr6Message.from(m).address());
                } else if (m.type() == Rtnetlink.RTM_NEWROUTE) {
                    heard.add("route " + Route6Message.from(m).prefix());
                }
            }
        }
        assertThat(heard).containsExactlyInAnyOrder("addr fd00::7", "route fd00::/64", "route fd02::/48");
        listener.close();
    }

    @Test
    void withoutIpv6Afinet6RequestsAreEopnotsuppAndItsDumpsEmpty() throws Exception {
        ipv6.netlink().close();
        assertThat(Addr6Message.dump(nl)).isEmpty();
        assertThat(Route6Message.dump(nl)).isEmpty();
        assertThatThrownBy(() -> nl.talk(address(Rtnetlink.RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, eth0, "fd00::1", 64)))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EOPNOTSUPP));
        // IPv4 is served as before.
        NlWriter w = nl.request(Rtnetlink.RTM_GETADDR, NLM_F_DUMP);
        new IfAddrMsg(SocketConstants.AF_UNSPEC, 0, 0, 0, 0).write(w);
        assertThat(nl.dump(w)).hasSize(2);
    }
}
