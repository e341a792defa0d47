package net.tern.itests;

import static net.tern.api.socket.SocketConstants.AF_INET;
import static net.tern.api.socket.SocketConstants.SOCK_STREAM;
import static net.tern.api.socket.SocketConstants.SOL_SOCKET;
import static net.tern.api.socket.SocketConstants.SO_RCVTIMEO;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import javax.inject.Inject;
import net.tern.api.socket.Accepted;
import net.tern.api.socket.InetSockAddr;
import net.tern.api.socket.SocketApi;
import net.tern.inet.route.RouteTable;
import net.tern.spi.net.IfAddress;
import net.tern.spi.net.Impairment;
import net.tern.spi.net.Link;
import net.tern.spi.net.LinkRegistry;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * Configuration through Config Admin, as fileinstall hands it over from {@code etc/}: an
 * interface's address and impairment and a route are applied to {@code lo} and taken away
 * when the configuration goes; a TCP setting changes while a connection stays open.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ConfigIT extends TernTestSupport {
    private static final long WAIT = WAIT_MILLIS;

    @Inject
    private ConfigurationAdmin configAdmin;

    @Inject
    private LinkRegistry links;

    @Inject
    private RouteTable routes;

    @Inject
    private SocketApi sockets;

    private Link lo() throws InterruptedException {
        await("lo", WAIT, () -> links.byName("lo").isPresent());
        return links.byName("lo").orElseThrow();
    }

    private boolean hasRoute(String text) {
        return routes.routes().stream().anyMatch(r -> r.toString().startsWith(text));
    }

    @Test
    public void interfaceAndRouteConfigurationsApplyAndGoWithTheirConfiguration() throws Exception {
        Link lo = lo();
        IfAddress address = IfAddress.parse("10.9.0.1/24");
        Impairment impairment = Impairment.parse("delay 1ms seed 3");

        Configuration iface = configAdmin.getFactoryConfiguration("net.tern.interface", "lo", "?");
        iface.update(properties("device", "lo", "addresses", "10.9.0.1/24", "impair", "delay 1ms seed 3"));
        Configuration route = configAdmin.getFactoryConfiguration("net.tern.route", "test", "?");
        route.update(properties("destination", "10.20.0.0/16", "device", "lo"));

        await("10.9.0.1/24 and the impairment on lo", WAIT,
                () -> lo.addresses().contains(address) && lo.impairment().equals(impairment));
        await("the configured route", WAIT, () -> hasRoute("10.20.0.0/16 dev lo"));

        iface.update(properties("device", "lo", "addresses", "10.9.1.1/24"));
        await("the updated address, the impairment gone", WAIT, () -> !lo.addresses().contains(address)
                && lo.addresses().contains(IfAddress.parse("10.9.1.1/24")) && lo.impairment().isNone());

        iface.delete();
        route.delete();
        await("the configuration's address and route gone", WAIT,
                () -> lo.addresses().equals(java.util.List.of(IfAddress.parse("127.0.0.1/8")))
                        && !hasRoute("10.20.0.0/16"));
    }

    @Test
    public void aTcpSettingChangesWhileAConnectionStaysOpen() throws Exception {
        lo();
        await("AF_INET with TCP", WAIT, () -> sockets.families().stream()
                .anyMatch(f -> f.family() == AF_INET && f.protocols().stream().anyMatch(p -> p.protocol() == 6)));
        ServiceReference<?> tcpBefore = tcpProtoSw();
        InetSockAddr server = new InetSockAddr(InetSockAddr.INADDR_LOOPBACK, 7171);
        int listener = sockets.socket(AF_INET, SOCK_STREAM, 0);
        sockets.bind(listener, server);
        sockets.listen(listener, 8);
        int client = sockets.socket(AF_INET, SOCK_STREAM, 0);
        sockets.connect(client, server);
        Accepted accepted = sockets.accept(listener);
        sockets.setsockopt(accepted.fd(), SOL_SOCKET, SO_RCVTIMEO, (int) WAIT_MILLIS);
        exchange(client, accepted.fd(), "before");

        Configuration tcp = configAdmin.getConfiguration("net.tern.tcp", "?");
        tcp.update(properties("somaxconn", 16, "tcpRmemDefault", 65536));
        await("new sockets with the new receive buffer", WAIT, () -> newSocketRcvbuf(sockets) == 65536);

        exchange(client, accepted.fd(), "after");
        assertEquals("TCP's protosw is the same service: TCP was not restarted",
                tcpBefore.getProperty("service.id"), tcpProtoSw().getProperty("service.id"));
        tcp.delete();
        await("the default receive buffer again", WAIT, () -> newSocketRcvbuf(sockets) == 262144);
        sockets.close(client);
        sockets.close(accepted.fd());
        sockets.close(listener);
    }

    private ServiceReference<?> tcpProtoSw() throws Exception {
        ServiceReference<?>[] refs = context.getServiceReferences("net.tern.spi.proto.ProtoSw", "(protocol=6)");
        return refs[0];
    }

    private void exchange(int from, int to, String text) throws Exception {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        sockets.send(from, ByteBuffer.wrap(bytes), 0);
        ByteBuffer in = ByteBuffer.allocate(bytes.length);
        while (in.hasRemaining()) {
            if (sockets.recv(to, in, 0) <= 0) {
                break;
            }
        }
        assertArrayEquals(bytes, in.array());
    }
}
