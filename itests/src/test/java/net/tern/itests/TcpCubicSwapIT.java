package net.tern.itests;

import static net.tern.api.socket.SocketConstants.AF_INET;
import static net.tern.api.socket.SocketConstants.IPPROTO_TCP;
import static net.tern.api.socket.SocketConstants.SOCK_STREAM;
import static net.tern.api.socket.SocketConstants.SOL_TCP;
import static net.tern.api.socket.SocketConstants.TCP_CONGESTION;
import static net.tern.itests.FamilyHotSwapIT.expectErrno;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import javax.inject.Inject;
import net.tern.api.socket.Accepted;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.InetSockAddr;
import net.tern.api.socket.SocketApi;
import net.tern.api.socket.SocketConstants;
import net.tern.tcp.cc.CongestionControl;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;

/**
 * CUBIC is TCP's default while tcp-cubic runs, as on Linux. DESIGN.md: "a congestion-control bundle leaves: its connections fall back to Reno and
 * continue". A 32 MiB transfer over loopback runs with CUBIC on the sender while the
 * tcp-cubic bundle is stopped and started several times; every byte arrives (SHA-256
 * compared), the sender reads {@code reno} once CUBIC is gone, and a new socket can pick
 * {@code cubic} again once it is back.
 *
 * <p>The reader is let through one share of the data at a time, so each swap finds the
 * transfer under way (the rest waiting in the buffers and the writer) and another share
 * crosses after it, however fast or slow the machine is.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class TcpCubicSwapIT extends TernTestSupport {
    private static final String CUBIC_BUNDLE = "net.tern.tcp-cubic";
    private static final InetSockAddr SERVER = new InetSockAddr(InetSockAddr.INADDR_LOOPBACK, 7300);
    private static final int SIZE = 32 << 20;
    private static final int SWAPS = 4;
    /** One share before the first swap, one after each, and what is left after the last. */
    private static final int SHARE = SIZE / (SWAPS + 2);
    /** Bound on each blocking call and each wait: generous, for a busy machine. */
    private static final int TIMEOUT_MILLIS = 60_000;

    @Inject
    private SocketApi sockets;

    @Override
    protected Option[] extraOptions() {
        return new Option[] {optionalTernBundle("tern-tcp-cubic")};
    }

    @Test
    public void transferSurvivesCubicLeavingAndComingBackAndFallsBackToReno() throws Exception {
        awaitInetProtocol(sockets, IPPROTO_TCP);
        awaitCubic();
        int listener = sockets.socket(AF_INET, SOCK_STREAM, 0);
        sockets.bind(listener, SERVER);
        sockets.listen(listener, 1);
        int sender = sockets.socket(AF_INET, SOCK_STREAM, 0);
        sockets.setsockopt(sender, SOL_TCP, TCP_CONGESTION, "cubic");
        sockets.setsockopt(sender, SocketConstants.SOL_SOCKET, SocketConstants.SO_SNDTIMEO, TIMEOUT_MILLIS);
        sockets.connect(sender, SERVER);
        Accepted accepted = sockets.accept(listener);
        int receiver = accepted.fd();
        sockets.setsockopt(receiver, SocketConstants.SOL_SOCKET, SocketConstants.SO_RCVTIMEO, TIMEOUT_MILLIS);
        assertEquals("cubic", sockets.getsockoptString(sender, SOL_TCP, TCP_CONGESTION));

        // Small writes, so the sender keeps coming back while the algorithm changes under it.
        StreamTransfer transfer = new StreamTransfer(sockets, sender, receiver, SIZE, 32, 16 * 1024, "cubic-swap")
                .readUpTo(SHARE).start();
        awaitReceived(transfer, SHARE, "the first share, on cubic");

        Bundle cubic = installedBundle(CUBIC_BUNDLE);
        for (int i = 0; i < SWAPS; i++) {
            long next = (long) SHARE * (i + 2);
            transfer.readUpTo(next);
            assertTrue("the transfer is under way at swap " + i + " (" + transfer.received() + " of " + SIZE + " bytes)",
                    transfer.received() < SIZE && !transfer.failed());
            cubic.stop();
            assertEquals("the sender falls back to reno when cubic leaves", "reno",
                    sockets.getsockoptString(sender, SOL_TCP, TCP_CONGESTION));
            probeSocketCannotPickCubic();
            cubic.start();
            awaitCubic();
            probeSocketPicksCubic();
            awaitReceived(transfer, next, "share " + (i + 2) + " of " + (SWAPS + 2) + ", after swap " + i);
        }
        transfer.readUpTo(Long.MAX_VALUE);
        transfer.assertDeliveredIntact(2L * TIMEOUT_MILLIS);
        assertEquals("a connection that fell back stays on reno", "reno",
                sockets.getsockoptString(sender, SOL_TCP, TCP_CONGESTION));
        for (int fd : new int[] {sender, receiver, listener}) {
            sockets.close(fd);
        }
    }

    /**
     * Linux's default: a socket that asks for nothing is on cubic while tcp-cubic runs. When it
     * stops, the connection carries on with reno (Linux would not let the module go while a
     * connection used it; a user expects the transfer to go on either way), new sockets default
     * to reno, and once cubic is back new sockets are on it again.
     */
    @Test
    public void cubicIsTheDefaultAndRenoTakesOverWhileItIsStopped() throws Exception {
        awaitInetProtocol(sockets, IPPROTO_TCP);
        awaitCubic();
        InetSockAddr address = new InetSockAddr(InetSockAddr.INADDR_LOOPBACK, 7301);
        int listener = sockets.socket(AF_INET, SOCK_STREAM, 0);
        sockets.bind(listener, address);
        sockets.listen(listener, 1);
        int sender = sockets.socket(AF_INET, SOCK_STREAM, 0);
        assertEquals("a new socket's default", "cubic", sockets.getsockoptString(sender, SOL_TCP, TCP_CONGESTION));
        sockets.setsockopt(sender, SocketConstants.SOL_SOCKET, SocketConstants.SO_SNDTIMEO, TIMEOUT_MILLIS);
        sockets.connect(sender, address);
        int receiver = sockets.accept(listener).fd();
        sockets.setsockopt(receiver, SocketConstants.SOL_SOCKET, SocketConstants.SO_RCVTIMEO, TIMEOUT_MILLIS);
        assertEquals("cubic", sockets.getsockoptString(sender, SOL_TCP, TCP_CONGESTION));
        assertEquals("the accepted end too", "cubic", sockets.getsockoptString(receiver, SOL_TCP, TCP_CONGESTION));

        int size = 8 << 20;
        StreamTransfer transfer = new StreamTransfer(sockets, sender, receiver, size, 33, 16 * 1024, "cubic-default")
                .readUpTo(size / 2).start();
        awaitReceived(transfer, size / 2, "the first half, on cubic");

        Bundle cubic = installedBundle(CUBIC_BUNDLE);
        cubic.stop();
        try {
            assertEquals("the sender falls back to reno", "reno", sockets.getsockoptString(sender, SOL_TCP, TCP_CONGESTION));
            assertEquals("the receiver too", "reno", sockets.getsockoptString(receiver, SOL_TCP, TCP_CONGESTION));
            int probe = sockets.socket(AF_INET, SOCK_STREAM, 0);
            assertEquals("without cubic a new socket defaults to reno", "reno",
                    sockets.getsockoptString(probe, SOL_TCP, TCP_CONGESTION));
            sockets.close(probe);
            transfer.readUpTo(Long.MAX_VALUE);
            transfer.assertDeliveredIntact(2L * TIMEOUT_MILLIS);
        } finally {
            cubic.start();
        }
        awaitCubic();
        int probe = sockets.socket(AF_INET, SOCK_STREAM, 0);
        await("new sockets to default to cubic again", TIMEOUT_MILLIS, () -> {
            try {
                return "cubic".equals(sockets.getsockoptString(probe, SOL_TCP, TCP_CONGESTION));
            } catch (ErrnoException e) {
                return false;
            }
        });
        sockets.close(probe);
        assertEquals("a connection that fell back stays on reno", "reno",
                sockets.getsockoptString(sender, SOL_TCP, TCP_CONGESTION));
        for (int fd : new int[] {sender, receiver, listener}) {
            sockets.close(fd);
        }
    }

    /** Waits until the reader has {@code bytes} (all it may take so far); fails at once if the transfer failed. */
    private static void awaitReceived(StreamTransfer transfer, long bytes, String what) throws InterruptedException {
        await(what + " to cross", TIMEOUT_MILLIS, () -> transfer.received() >= bytes || transfer.failed());
        assertFalse(what + ": the transfer's calls failed", transfer.failed());
    }

    private void awaitCubic() throws Exception {
        awaitService(CongestionControl.class, "(" + CongestionControl.NAME + "=cubic)", TIMEOUT_MILLIS);
        // The tcp component binds the service dynamically; wait until a socket can select it.
        await("TCP to offer cubic", TIMEOUT_MILLIS, () -> {
            try {
                probeSocketPicksCubic();
                return true;
            } catch (Exception | AssertionError e) {
                return false;
            }
        });
    }

    private void probeSocketPicksCubic() throws ErrnoException {
        int probe = sockets.socket(AF_INET, SOCK_STREAM, 0);
        try {
            sockets.setsockopt(probe, SOL_TCP, TCP_CONGESTION, "cubic");
            assertEquals("cubic", sockets.getsockoptString(probe, SOL_TCP, TCP_CONGESTION));
        } finally {
            sockets.close(probe);
        }
    }

    private void probeSocketCannotPickCubic() throws Exception {
        int probe = sockets.socket(AF_INET, SOCK_STREAM, 0);
        try {
            expectErrno(Errno.ENOENT, () -> sockets.setsockopt(probe, SOL_TCP, TCP_CONGESTION, "cubic"));
        } finally {
            sockets.close(probe);
        }
    }
}
