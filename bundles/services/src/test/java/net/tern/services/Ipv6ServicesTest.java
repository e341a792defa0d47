package net.tern.services;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import net.tern.api.socket.Inet6SockAddr;
import net.tern.api.socket.RecvResult;
import net.tern.api.socket.SocketConstants;
import org.junit.jupiter.api.Test;

/**
 * The services over IPv6: beside each IPv4 socket an {@code IPV6_V6ONLY} socket on {@code ::}
 * while the stack has IPv6, which come and go with it; without IPv6 the services run over IPv4
 * alone.
 */
class Ipv6ServicesTest {
    private static final Inet6SockAddr ECHO6 = new Inet6SockAddr(0, 1, 7);

    /** The services with IPv6 running: their IPv6 sockets are tried on every wait, so they open at once. */
    private static ServicesTestBed withIpv6(Service... services) throws Exception {
        ServicesTestBed t = new ServicesTestBed(services);
        t.services().familyCheckInterval(0);
        t.startIpv6();
        t.pump();
        return t;
    }

    @Test
    void echoAndChargenAnswerOverIpv6BesideIpv4() throws Exception {
        try (ServicesTestBed t = withIpv6(Service.ECHO, Service.CHARGEN)) {
            assertThat(t.services().running()).containsExactly(Service.ECHO, Service.CHARGEN);
            assertThat(t.services().ipv6Open()).containsExactly(Service.ECHO, Service.CHARGEN);

            int fd = t.connect6(7);
            ByteArrayOutputStream back = new ByteArrayOutputStream();
            t.sendAll(fd, "hello over IPv6\r\n".getBytes(StandardCharsets.US_ASCII), back);
            t.api().shutdown(fd, SocketConstants.SHUT_WR);
            t.pump();
            back.write(t.readToEnd(fd));
            assertThat(back.toString(StandardCharsets.US_ASCII)).isEqualTo("hello over IPv6\r\n");
            t.api().close(fd);

            int chargen = t.connect6(19);
            byte[] lines = t.readAtLeast(chargen, 74 * 3);
            assertThat(new String(lines, 0, 74, StandardCharsets.US_ASCII)).isEqualTo(ChargenPattern.line(0) + "\r\n");
            t.api().close(chargen);

            // IPv4 unchanged beside it.
            int v4 = t.connect(7);
            t.sendAll(v4, "v4".getBytes(StandardCharsets.US_ASCII), null);
            assertThat(new String(t.readAtLeast(v4, 2), StandardCharsets.US_ASCII)).isEqualTo("v4");
            t.api().close(v4);
            t.pump();
        }
    }

    @Test
    void udpEchoAnswersIpv6DatagramsFromTheIpv6Socket() throws Exception {
        try (ServicesTestBed t = withIpv6(Service.ECHO)) {
            int fd = t.api().socket(SocketConstants.AF_INET6, SocketConstants.SOCK_DGRAM, 0);
            t.api().sendto(fd, ByteBuffer.wrap("datagram6".getBytes(StandardCharsets.US_ASCII)), 0, ECHO6);
            t.pump();
            ByteBuffer buf = ByteBuffer.allocate(100);
            RecvResult r = t.api().recvfrom(fd, buf, SocketConstants.MSG_DONTWAIT);
            assertThat(r.from()).isEqualTo(ECHO6);
            assertThat(new String(buf.array(), 0, r.bytes(), StandardCharsets.US_ASCII)).isEqualTo("datagram6");
            t.api().close(fd);
        }
    }

    @Test
    void withoutIpv6TheServicesRunOverIpv4AndTheirIpv6SocketsOpenWhenItComesAndGoWithIt() throws Exception {
        try (ServicesTestBed t = new ServicesTestBed(Service.ECHO)) {
            assertThat(t.services().running()).containsExactly(Service.ECHO);
            assertThat(t.services().ipv6Open()).isEmpty();
            assertThat(t.services().waiting()).isEmpty();
            assertThat(t.services().waitingForIpv6()).isTrue();

            t.services().familyCheckInterval(0);
            t.startIpv6();
            t.pump();
            assertThat(t.services().ipv6Open()).containsExactly(Service.ECHO);
            assertThat(t.services().waitingForIpv6()).isFalse();
            int fd = t.connect6(7);
            t.sendAll(fd, "up".getBytes(StandardCharsets.US_ASCII), null);
            assertThat(new String(t.readAtLeast(fd, 2), StandardCharsets.US_ASCII)).isEqualTo("up");
            t.api().close(fd);

            t.stopIpv6();
            t.pump();
            assertThat(t.services().ipv6Open()).isEmpty();
            assertThat(t.services().running()).containsExactly(Service.ECHO);
            assertThat(t.services().waitingForIpv6()).isTrue();
            int v4 = t.connect(7);
            t.sendAll(v4, "still".getBytes(StandardCharsets.US_ASCII), null);
            assertThat(new String(t.readAtLeast(v4, 5), StandardCharsets.US_ASCII)).isEqualTo("still");
            t.api().close(v4);

            t.startIpv6();
            t.pump();
            assertThat(t.services().ipv6Open()).containsExactly(Service.ECHO);
        }
    }

    @Test
    void theStatusPageIsServedOverIpv6AndListsIpv6Addresses() throws Exception {
        try (ServicesTestBed t = withIpv6(Service.HTTP)) {
            int fd = t.connect6(80);
            t.sendAll(fd, "GET /status.json HTTP/1.1\r\nHost: tern\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII), null);
            String response = new String(t.readToEnd(fd), StandardCharsets.UTF_8);
            assertThat(response).startsWith("HTTP/1.1 200").contains("\"::1/128\"").contains("\"127.0.0.1/8\"");
            t.api().close(fd);
        }
    }
}
