package net.tern.itests;

import static net.tern.api.socket.SocketConstants.AF_INET;
import static net.tern.api.socket.SocketConstants.SOCK_DGRAM;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.inject.Inject;
import net.tern.api.socket.InetSockAddr;
import net.tern.api.socket.MsgHeader;
import net.tern.api.socket.SocketApi;
import net.tern.api.socket.SocketConstants;
import net.tern.packet.IfPacket;
import net.tern.packet.SockAddrLl;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerMethod;

/**
 * The packet bundle as the built bundles boot it: the socket layer finds AF_PACKET like any
 * family, a packet socket bound to {@code lo} sees a UDP datagram sent there with its
 * {@code sockaddr_ll} and time, and {@code net:capture} captures through it.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerMethod.class)
public class PacketIT extends TernTestSupport {
    @Inject
    private SocketApi sockets;

    private void awaitPacketAndUdp() throws InterruptedException {
        await("AF_PACKET registered", WAIT_MILLIS,
                () -> sockets.families().stream().anyMatch(f -> f.family() == IfPacket.AF_PACKET));
        awaitInetProtocol(sockets, SocketConstants.IPPROTO_UDP);
    }

    private void sendDatagram(String text) throws Exception {
        int udp = sockets.socket(AF_INET, SOCK_DGRAM, 0);
        try {
            sockets.sendto(udp, ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII)), 0,
                    new InetSockAddr(InetSockAddr.INADDR_LOOPBACK, 9));
        } finally {
            sockets.close(udp);
        }
    }

    @Test
    public void aPacketSocketOnLoSeesADatagramWithItsAddressAndTime() throws Exception {
        awaitPacketAndUdp();
        int lo = sockets.socket(IfPacket.AF_PACKET, SocketConstants.SOCK_RAW, IfPacket.htons(IfPacket.ETH_P_IP));
        try {
            sockets.bind(lo, SockAddrLl.of(IfPacket.ETH_P_IP, 1));
            sockets.setsockopt(lo, SocketConstants.SOL_SOCKET, SocketConstants.SO_TIMESTAMPNS, 1);
            sockets.setsockopt(lo, SocketConstants.SOL_SOCKET, SocketConstants.SO_RCVTIMEO, 10_000);
            sendDatagram("hello");

            ByteBuffer packet = ByteBuffer.allocate(2048);
            MsgHeader msg = new MsgHeader();
            long n = sockets.sysRecv(lo, packet, 0, msg);
            assertEquals(20 + 8 + 5, n);
            SockAddrLl from = (SockAddrLl) msg.from;
            assertEquals(1, from.ifindex());
            assertEquals(IfPacket.ETH_P_IP, from.protocol());
            // An ETH_P_IP socket sees what comes in only (outgoing packets reach ETH_P_ALL sockets).
            assertEquals(IfPacket.PACKET_HOST, from.pkttype());
            assertEquals(SocketConstants.IPPROTO_UDP, packet.get(9));
            long ageMillis = System.currentTimeMillis() - msg.timestampNanos / 1_000_000;
            assertTrue("timestamp " + msg.timestampNanos, ageMillis >= -1000 && ageMillis < 60_000);
        } finally {
            sockets.close(lo);
        }
    }

    @Test
    public void netCaptureCapturesThroughAPacketSocket() throws Exception {
        awaitPacketAndUdp();
        CompletableFuture<String> report = CompletableFuture.supplyAsync(() -> runCommand("net:capture -i lo -c 2 -G 30 udp"));
        await("the capture's socket open", WAIT_MILLIS, () -> {
            try {
                sendDatagram("x");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return report.isDone();
        });
        String out = report.get(10, TimeUnit.SECONDS);
        assertTrue(out, out.contains("listening on lo, link-type RAW (Raw IP)"));
        assertTrue(out, out.contains("IP 127.0.0.1."));
        assertTrue(out, out.contains("2 packets captured"));
    }
}
