package net.tern.itests;

import static net.tern.api.socket.SocketConstants.AF_INET;
import static net.tern.api.socket.SocketConstants.SOCK_DGRAM;
import static net.tern.api.socket.SocketConstants.SOCK_STREAM;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.fail;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import javax.inject.Inject;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.FamilyInfo;
import net.tern.api.socket.InetSockAddr;
import net.tern.api.socket.RecvResult;
import net.tern.api.socket.SocketApi;
import net.tern.api.socket.SocketConstants;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerMethod;
import org.osgi.framework.Bundle;

/**
 * Hot swap of the AF_INET family, as DESIGN.md asks: the socket layer sees the family appear
 * and disappear with the inet bundle; while it is gone {@code socket()} fails with
 * EAFNOSUPPORT and its open sockets fail with ECONNABORTED; starting it again restores
 * service, ports included. No error reaches the framework log meanwhile (checked by
 * {@link TernTestSupport}).
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerMethod.class)
public class FamilyHotSwapIT extends TernTestSupport {
    private static final String INET_BUNDLE = "net.tern.inet";
    private static final InetSockAddr SERVER = new InetSockAddr(InetSockAddr.INADDR_LOOPBACK, 7007);

    @Inject
    private SocketApi sockets;

    @Test
    public void socketLayerSeesTheFamilyComeAndGo() throws Exception {
        await("AF_INET to register", WAIT_MILLIS, () -> hasFamily(AF_INET));
        Bundle inet = installedBundle(INET_BUNDLE);

        inet.stop();
        assertFalse("AF_INET still listed after its bundle stopped", hasFamily(AF_INET));

        inet.start();
        await("AF_INET to come back", WAIT_MILLIS, () -> hasFamily(AF_INET));
    }

    @Test
    public void socketCallsFailWithEafnosupportWhileTheFamilyIsGone() throws Exception {
        awaitUdp();
        int before = sockets.socket(AF_INET, SOCK_DGRAM, 0);
        sockets.close(before);

        Bundle inet = installedBundle(INET_BUNDLE);
        inet.stop();
        try {
            expectErrno(Errno.EAFNOSUPPORT, () -> sockets.socket(AF_INET, SOCK_DGRAM, 0));
            expectErrno(Errno.EAFNOSUPPORT, () -> sockets.socket(AF_INET, SOCK_STREAM, 0));
        } finally {
            inet.start();
        }
        awaitUdp();
        int after = sockets.socket(AF_INET, SOCK_DGRAM, 0);
        sockets.close(after);
    }

    @Test
    public void openSocketsAreWithdrawnWithEconnabortedAndTheirPortsFreed() throws Exception {
        awaitUdp();
        int bound = sockets.socket(AF_INET, SOCK_DGRAM, 0);
        sockets.bind(bound, SERVER);

        Bundle inet = installedBundle(INET_BUNDLE);
        inet.stop();
        try {
            expectErrno(Errno.ECONNABORTED, () -> sockets.recvfrom(bound, ByteBuffer.allocate(8), SocketConstants.MSG_DONTWAIT));
            expectErrno(Errno.ECONNABORTED, () -> sockets.getsockname(bound));
            sockets.close(bound);
            expectErrno(Errno.EBADF, () -> sockets.close(bound));
        } finally {
            inet.start();
        }
        awaitUdp();

        // The restored family serves a whole exchange on the same port.
        int server = sockets.socket(AF_INET, SOCK_DGRAM, 0);
        sockets.bind(server, SERVER);
        sockets.setsockopt(server, SocketConstants.SOL_SOCKET, SocketConstants.SO_RCVTIMEO, 5000);
        int client = sockets.socket(AF_INET, SOCK_DGRAM, 0);
        sockets.sendto(client, ByteBuffer.wrap("hello".getBytes(StandardCharsets.US_ASCII)), 0, SERVER);
        ByteBuffer in = ByteBuffer.allocate(16);
        RecvResult got = sockets.recvfrom(server, in, 0);
        assertEquals("hello", new String(in.array(), 0, got.bytes(), StandardCharsets.US_ASCII));
        // The client autobound to INADDR_ANY (getsockname says 0.0.0.0:port, as on Linux); its
        // datagram left from the route's source address on that port.
        InetSockAddr local = (InetSockAddr) sockets.getsockname(client);
        assertEquals(new InetSockAddr(InetSockAddr.INADDR_LOOPBACK, local.port()), got.from());
        sockets.close(client);
        sockets.close(server);
    }

    /** Waits until AF_INET offers UDP (the family and its protosw are both back). */
    private void awaitUdp() throws InterruptedException {
        await("AF_INET with UDP", WAIT_MILLIS, () -> sockets.families().stream()
                .anyMatch(f -> f.family() == AF_INET && f.protocols().stream().anyMatch(p -> p.protocol() == 17)));
    }

    private boolean hasFamily(int number) {
        for (FamilyInfo f : sockets.families()) {
            if (f.family() == number) {
                return true;
            }
        }
        return false;
    }

    interface Call {
        void run() throws Exception;
    }

    static void expectErrno(Errno expected, Call call) throws Exception {
        try {
            call.run();
            fail("expected " + expected + ", the call succeeded");
        } catch (ErrnoException e) {
            assertEquals(e.getMessage(), expected, e.errno());
        }
    }
}
