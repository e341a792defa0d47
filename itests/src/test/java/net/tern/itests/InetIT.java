package net.tern.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.fail;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import javax.inject.Inject;
import net.tern.api.socket.InetSockAddr;
import net.tern.api.socket.MsgHeader;
import net.tern.api.socket.SocketApi;
import net.tern.api.socket.SocketConstants;
import net.tern.inet.snmp.SnmpCounters;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerMethod;

/** IPv4 as the built bundles boot it: ICMP echo over loopback through a ping socket, counted. (The family's hot swap: {@link FamilyHotSwapIT}.) */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerMethod.class)
public class InetIT extends TernTestSupport {
    @Inject
    private SocketApi sockets;

    /** As an unprivileged ping does: an ICMP ping socket, three requests, their replies. */
    @Test
    public void pingOverLoopbackIsAnsweredAndCounted() throws Exception {
        SnmpCounters counters = awaitService(SnmpCounters.class, null, WAIT_MILLIS);
        long deadline = System.currentTimeMillis() + WAIT_MILLIS;
        while (sockets.families().stream().noneMatch(f -> f.family() == SocketConstants.AF_INET)) {
            if (System.currentTimeMillis() > deadline) {
                fail("AF_INET did not register with the socket layer within " + WAIT_MILLIS + " ms");
            }
            Thread.sleep(10);
        }
        long echosBefore = counters.snapshot().get("Icmp").get("InEchos");
        byte[] data = "tern".getBytes(StandardCharsets.US_ASCII);
        int fd = sockets.socket(SocketConstants.AF_INET, SocketConstants.SOCK_DGRAM, SocketConstants.IPPROTO_ICMP);
        try {
            sockets.setsockopt(fd, SocketConstants.SOL_SOCKET, SocketConstants.SO_RCVTIMEO, 5000);
            InetSockAddr loopback = new InetSockAddr(InetSockAddr.INADDR_LOOPBACK, 0);
            for (int seq = 1; seq <= 3; seq++) {
                ByteBuffer request = ByteBuffer.allocate(8 + data.length);
                request.put((byte) 8).put((byte) 0).putShort((short) 0).putShort((short) 0).putShort((short) seq)
                        .put(data).flip();
                sockets.sendto(fd, request, 0, loopback);
                ByteBuffer reply = ByteBuffer.allocate(64);
                MsgHeader msg = new MsgHeader();
                long n = sockets.sysRecv(fd, reply, 0, msg);
                if (n < 0) {
                    fail("no echo reply for icmp_seq=" + seq + " within 5 s: " + n);
                }
                assertEquals(loopback, msg.from);
                assertEquals(0, reply.get(0)); // an echo reply
                assertEquals(seq, reply.getShort(6));
                assertEquals("tern", new String(reply.array(), 8, (int) n - 8, StandardCharsets.US_ASCII));
            }
        } finally {
            sockets.close(fd);
        }
        assertEquals(echosBefore + 3, (long) counters.snapshot().get("Icmp").get("InEchos"));
    }

}
