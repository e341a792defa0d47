package net.tern.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.fail;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.inject.Inject;
import net.tern.api.socket.InetSockAddr;
import net.tern.inet.ip.EchoSocket;
import net.tern.inet.ip.IcmpEcho;
import net.tern.inet.snmp.SnmpCounters;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerMethod;

/** IPv4 as the built bundles boot it: ICMP echo over loopback, counted. (The family's hot swap: {@link FamilyHotSwapIT}.) */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerMethod.class)
public class InetIT extends TernTestSupport {
    @Test
    public void pingOverLoopbackIsAnsweredAndCounted() throws Exception {
        IcmpEcho echo = awaitService(IcmpEcho.class, null, WAIT_MILLIS);
        SnmpCounters counters = awaitService(SnmpCounters.class, null, WAIT_MILLIS);
        long echosBefore = counters.snapshot().get("Icmp").get("InEchos");
        BlockingQueue<IcmpEcho.EchoReply> replies = new LinkedBlockingQueue<>();
        byte[] data = "tern".getBytes(StandardCharsets.US_ASCII);
        try (EchoSocket endpoint = echo.open(replies::add)) {
            for (int seq = 1; seq <= 3; seq++) {
                endpoint.send(InetSockAddr.INADDR_LOOPBACK, seq, data, -1);
                IcmpEcho.EchoReply reply = replies.poll(5, TimeUnit.SECONDS);
                if (reply == null) {
                    fail("no echo reply for icmp_seq=" + seq + " within 5 s");
                }
                assertEquals(InetSockAddr.INADDR_LOOPBACK, reply.from());
                assertEquals(seq, reply.sequence());
                assertEquals("tern", new String(reply.data(), StandardCharsets.US_ASCII));
            }
        }
        assertEquals(echosBefore + 3, (long) counters.snapshot().get("Icmp").get("InEchos"));
    }

}
