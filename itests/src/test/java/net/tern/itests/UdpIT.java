package net.tern.itests;

import static net.tern.api.socket.SocketConstants.AF_INET;
import static net.tern.api.socket.SocketConstants.SOCK_DGRAM;
import static net.tern.itests.FamilyHotSwapIT.expectErrno;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import javax.inject.Inject;
import net.tern.api.socket.Errno;
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
 * UDP as the built bundles boot it: an echo between two sockets over loopback, and the hot
 * swap DESIGN.md asks for — open sockets withdrawn with their ports freed, new datagram
 * sockets refused with EPROTONOSUPPORT, ping still answered, UDP restored on restart.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerMethod.class)
public class UdpIT extends TernTestSupport {
    private static final String UDP_BUNDLE = "net.tern.udp";
    private static final InetSockAddr ECHO = new InetSockAddr(InetSockAddr.INADDR_LOOPBACK, 7);

    @Inject
    private SocketApi sockets;

    @Test
    public void echoBetweenTwoSocketsOverLoopback() throws Exception {
        awaitUdp();
        int server = datagramSocket();
        sockets.bind(server, ECHO);
        int client = datagramSocket();
        sockets.connect(client, ECHO);

        for (String message : new String[] {"one", "two, a little longer", ""}) {
            sockets.send(client, ascii(message), 0);
            ByteBuffer in = ByteBuffer.allocate(64);
            RecvResult request = sockets.recvfrom(server, in, 0);
            assertEquals(message, text(in, request.bytes()));
            in.flip();
            sockets.sendto(server, in, 0, request.from());
            ByteBuffer back = ByteBuffer.allocate(64);
            int n = sockets.recv(client, back, 0);
            assertEquals("datagram boundaries kept", message, text(back, n));
        }
        sockets.close(client);
        sockets.close(server);
    }

    @Test
    public void stoppingUdpWithdrawsItsSocketsAndStartingItRestoresThePorts() throws Exception {
        awaitUdp();
        int bound = datagramSocket();
        sockets.bind(bound, ECHO);
        Bundle udp = installedBundle(UDP_BUNDLE);

        udp.stop();
        try {
            expectErrno(Errno.ECONNABORTED, () -> sockets.recv(bound, ByteBuffer.allocate(8), SocketConstants.MSG_DONTWAIT));
            expectErrno(Errno.EPROTONOSUPPORT, () -> sockets.socket(AF_INET, SOCK_DGRAM, 0));
            expectErrno(Errno.EPROTONOSUPPORT, () -> sockets.socket(AF_INET, SOCK_DGRAM, SocketConstants.IPPROTO_UDP));
            awaitService(Object.class, "(osgi.command.function=ping)", WAIT_MILLIS);
            String ping = runCommand("net:ping -c 2 -i 0.1 -W 5 127.0.0.1");
            assertTrue(ping, ping.contains("2 packets transmitted, 2 received, 0% packet loss"));
            sockets.close(bound);
        } finally {
            udp.start();
        }

        awaitUdp();
        int again = datagramSocket();
        sockets.bind(again, ECHO); // the port the withdrawn socket held is free again
        int client = datagramSocket();
        sockets.sendto(client, ascii("back"), 0, ECHO);
        ByteBuffer in = ByteBuffer.allocate(16);
        assertEquals("back", text(in, sockets.recv(again, in, 0)));
        sockets.close(client);
        sockets.close(again);
    }

    @Test
    public void netPingAnswersInTheContainer() throws Exception {
        awaitService(Object.class, "(osgi.command.function=ping)", WAIT_MILLIS);
        String out = runCommand("net:ping -c 3 -i 0.1 127.0.0.1");
        assertTrue(out, out.contains("PING 127.0.0.1 (127.0.0.1) 56(84) bytes of data."));
        assertTrue(out, out.contains("64 bytes from 127.0.0.1: icmp_seq=3 ttl=64"));
        assertTrue(out, out.contains("3 packets transmitted, 3 received, 0% packet loss"));
        assertTrue(out, out.contains("rtt min/avg/max/mdev = "));
    }

    private int datagramSocket() throws Exception {
        int fd = sockets.socket(AF_INET, SOCK_DGRAM, 0);
        sockets.setsockopt(fd, SocketConstants.SOL_SOCKET, SocketConstants.SO_RCVTIMEO, 5000);
        return fd;
    }

    private void awaitUdp() throws InterruptedException {
        await("AF_INET with UDP", WAIT_MILLIS, () -> sockets.families().stream()
                .anyMatch(f -> f.family() == AF_INET && f.protocols().stream().anyMatch(p -> p.protocol() == 17)));
    }

    private static ByteBuffer ascii(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
    }

    private static String text(ByteBuffer buffer, int length) {
        return new String(buffer.array(), 0, length, StandardCharsets.US_ASCII);
    }
}
