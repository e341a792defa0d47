package net.tern.itests;

import static net.tern.api.socket.SocketConstants.AF_INET;
import static net.tern.api.socket.SocketConstants.SOCK_NONBLOCK;
import static net.tern.api.socket.SocketConstants.SOCK_STREAM;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.ArrayList;
import java.util.List;
import javax.inject.Inject;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.InetSockAddr;
import net.tern.api.socket.SocketApi;
import net.tern.api.socket.SocketConstants;
import net.tern.netlink.Netlink;
import net.tern.netlink.NetlinkSocket;
import net.tern.netlink.NlMsg;
import net.tern.netlink.RouteMessage;
import net.tern.netlink.Rtnetlink;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerMethod;

/**
 * The netlink bundle as the built bundles boot it: the socket layer finds AF_NETLINK like any
 * family, and {@code net:ip} and {@code net:ss} work through it (the shell reaches the stack
 * through netlink sockets only); a subscriber hears the routes {@code net:ip} adds.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerMethod.class)
public class NetlinkIT extends TernTestSupport {
    @Inject
    private SocketApi sockets;

    private void awaitNetlink() throws InterruptedException {
        await("AF_NETLINK registered", WAIT_MILLIS,
                () -> sockets.families().stream().anyMatch(f -> f.family() == Netlink.AF_NETLINK));
    }

    @Test
    public void ipShowsAndChangesAddressesAndRoutesThroughNetlink() throws Exception {
        awaitNetlink();
        String addresses = runCommand("net:ip addr show lo");
        assertTrue(addresses, addresses.contains("1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 state UP"));
        assertTrue(addresses, addresses.contains("    inet 127.0.0.1/8 scope host lo"));

        try (NetlinkSocket listener = NetlinkSocket.open(sockets, Netlink.NETLINK_ROUTE)) {
            listener.join(Rtnetlink.RTNLGRP_IPV4_ROUTE);
            runCommand("net:ip route add unreachable 10.99.0.0/16 metric 7");
            String routes = runCommand("net:ip route");
            assertTrue(routes, routes.contains("unreachable 10.99.0.0/16 metric 7"));
            try {
                runCommand("net:ip route add unreachable 10.99.0.0/16 metric 7");
                fail("a duplicate route was added");
            } catch (AssertionError refused) {
                assertTrue(String.valueOf(refused.getCause()), refused.getCause().getMessage().contains("RTNETLINK answers: File exists"));
            }
            // The subscriber heard the route come (the notification is queued before the command returns).
            List<RouteMessage> heard = new ArrayList<>();
            for (NlMsg m : listener.receive()) {
                if (m.type() == Rtnetlink.RTM_NEWROUTE) {
                    heard.add(RouteMessage.from(m));
                }
            }
            assertEquals(1, heard.size());
            assertEquals(InetSockAddr.parseAddress("10.99.0.0"), heard.get(0).destination());
            assertEquals(Rtnetlink.RTN_UNREACHABLE, heard.get(0).type());
            runCommand("net:ip route del unreachable 10.99.0.0/16");
            assertTrue(!runCommand("net:ip route").contains("10.99.0.0"));
        }
    }

    @Test
    public void ssListsTcpSocketsWithTcpInfoThroughSockDiag() throws Exception {
        awaitNetlink();
        awaitInetProtocol(sockets, SocketConstants.IPPROTO_TCP);
        int listener = sockets.socket(AF_INET, SOCK_STREAM, 0);
        sockets.bind(listener, new InetSockAddr(InetSockAddr.INADDR_LOOPBACK, 7171));
        sockets.listen(listener, 8);
        int client = sockets.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        try {
            sockets.connect(client, new InetSockAddr(InetSockAddr.INADDR_LOOPBACK, 7171));
        } catch (ErrnoException e) {
            if (e.errno() != Errno.EINPROGRESS) {
                throw e;
            }
        }
        await("the connection up", WAIT_MILLIS,
                () -> runCommand("net:ss -tn dport = :7171").contains("ESTAB"));
        String listening = runCommand("net:ss -tlnp");
        assertTrue(listening, listening.contains("127.0.0.1:7171"));
        assertTrue(listening, listening.contains("users:((\"tern\",fd=" + listener + "))"));
        String info = runCommand("net:ss -tni dport = :7171");
        assertTrue(info, info.contains("cwnd:"));
        assertTrue(info, info.contains("mss:"));
        sockets.close(client);
        sockets.close(listener);
    }
}
