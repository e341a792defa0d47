package net.tern.itests;

import static net.tern.api.socket.SocketConstants.SOCK_DGRAM;
import static net.tern.api.socket.SocketConstants.SOCK_STREAM;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import javax.inject.Inject;
import net.tern.api.socket.Accepted;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.FamilyInfo;
import net.tern.api.socket.SocketApi;
import net.tern.testfamily.LocalSockAddr;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerMethod;
import org.osgi.framework.Bundle;

/**
 * Hot swap of a protocol family, as DESIGN.md asks: the socket layer sees families appear and
 * disappear with their bundles; while one is gone {@code socket()} fails with EAFNOSUPPORT
 * and its open sockets fail with ECONNABORTED; starting it again restores service. No error
 * reaches the framework log meanwhile (checked by {@link TernTestSupport}).
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerMethod.class)
public class FamilyHotSwapIT extends TernTestSupport {
    /** The test family's number (AF_TESTLOCAL). */
    private static final int AF_TESTLOCAL = 250;
    private static final String FAMILY_BUNDLE = "net.tern.test-family";

    @Inject
    private SocketApi sockets;

    @Test
    public void socketLayerSeesTheFamilyComeAndGo() throws Exception {
        await("family 250 to register", 10_000, () -> hasFamily(AF_TESTLOCAL));
        Bundle family = installedBundle(FAMILY_BUNDLE);

        family.stop();
        assertFalse("family 250 still listed after its bundle stopped", hasFamily(AF_TESTLOCAL));

        family.start();
        await("family 250 to come back", 10_000, () -> hasFamily(AF_TESTLOCAL));
    }

    @Test
    public void socketCallsFailWithEafnosupportWhileTheFamilyIsGone() throws Exception {
        await("family 250 to register", 10_000, () -> hasFamily(AF_TESTLOCAL));
        int before = sockets.socket(AF_TESTLOCAL, SOCK_STREAM, 0);
        sockets.close(before);

        Bundle family = installedBundle(FAMILY_BUNDLE);
        family.stop();
        try {
            expectErrno(Errno.EAFNOSUPPORT, () -> sockets.socket(AF_TESTLOCAL, SOCK_STREAM, 0));
            expectErrno(Errno.EAFNOSUPPORT, () -> sockets.socket(AF_TESTLOCAL, SOCK_DGRAM, 0));
        } finally {
            family.start();
        }
        await("family 250 to come back", 10_000, () -> hasFamily(AF_TESTLOCAL));
        int after = sockets.socket(AF_TESTLOCAL, SOCK_STREAM, 0);
        assertTrue("a new descriptor after the family returned", after >= 0);
        sockets.close(after);
    }

    @Test
    public void openSocketsAreWithdrawnWithEconnabortedAndTheirPortsFreed() throws Exception {
        await("family 250 to register", 10_000, () -> hasFamily(AF_TESTLOCAL));
        int listener = sockets.socket(AF_TESTLOCAL, SOCK_STREAM, 0);
        sockets.bind(listener, new LocalSockAddr(7000));
        sockets.listen(listener, 8);

        Bundle family = installedBundle(FAMILY_BUNDLE);
        family.stop();
        try {
            expectErrno(Errno.ECONNABORTED, () -> sockets.accept(listener, 0));
            expectErrno(Errno.ECONNABORTED, () -> sockets.getsockname(listener));
            sockets.close(listener);
            expectErrno(Errno.EBADF, () -> sockets.close(listener));
        } finally {
            family.start();
        }
        await("family 250 to come back", 10_000, () -> hasFamily(AF_TESTLOCAL));

        // The restored family serves a whole exchange on the same port.
        int server = sockets.socket(AF_TESTLOCAL, SOCK_STREAM, 0);
        sockets.bind(server, new LocalSockAddr(7000));
        sockets.listen(server, 8);
        int client = sockets.socket(AF_TESTLOCAL, SOCK_STREAM, 0);
        sockets.setsockopt(client, net.tern.api.socket.SocketConstants.SOL_SOCKET,
                net.tern.api.socket.SocketConstants.SO_SNDTIMEO, 5000);
        sockets.connect(client, new LocalSockAddr(7000));
        sockets.setsockopt(server, net.tern.api.socket.SocketConstants.SOL_SOCKET,
                net.tern.api.socket.SocketConstants.SO_RCVTIMEO, 5000);
        Accepted accepted = sockets.accept(server);
        sockets.send(client, ByteBuffer.wrap("hello".getBytes(StandardCharsets.US_ASCII)), 0);
        ByteBuffer in = ByteBuffer.allocate(16);
        sockets.setsockopt(accepted.fd(), net.tern.api.socket.SocketConstants.SOL_SOCKET,
                net.tern.api.socket.SocketConstants.SO_RCVTIMEO, 5000);
        int n = sockets.recv(accepted.fd(), in, 0);
        assertEquals("hello", new String(in.array(), 0, n, StandardCharsets.US_ASCII));
        for (int fd : new int[] {client, accepted.fd(), server}) {
            sockets.close(fd);
        }
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

    private static void expectErrno(Errno expected, Call call) throws Exception {
        try {
            call.run();
            fail("expected " + expected + ", the call succeeded");
        } catch (ErrnoException e) {
            assertEquals(e.getMessage(), expected, e.errno());
        }
    }
}
