package net.tern.services;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class HttpServiceTest {

    private static String exchange(ServicesTestBed t, int fd, String request) throws Exception {
        t.api().send(fd, ByteBuffer.wrap(request.getBytes(StandardCharsets.ISO_8859_1)), 0);
        t.pump();
        java.io.ByteArrayOutputStream sink = new java.io.ByteArrayOutputStream();
        t.readAvailable(fd, sink);
        return sink.toString(StandardCharsets.UTF_8);
    }

    private static int contentLength(String response) {
        for (String line : response.substring(0, response.indexOf("\r\n\r\n")).split("\r\n")) {
            if (line.startsWith("Content-Length: ")) {
                return Integer.parseInt(line.substring(16));
            }
        }
        throw new AssertionError("no Content-Length in " + response);
    }

    private static String body(String response) {
        return response.substring(response.indexOf("\r\n\r\n") + 4);
    }

    @Test
    void statusPageListsLinksSocketsAndCountersAndKeepsTheConnection() throws Exception {
        try (ServicesTestBed t = new ServicesTestBed(Service.HTTP, Service.ECHO)) {
            int fd = t.connect(80);
            String page = exchange(t, fd, "GET / HTTP/1.1\r\nHost: tern\r\n\r\n");
            assertThat(page).startsWith("HTTP/1.1 200 OK\r\n").contains("Content-Type: text/html; charset=utf-8\r\n",
                    "Connection: keep-alive\r\n");
            assertThat(body(page).getBytes(StandardCharsets.UTF_8)).hasSize(contentLength(page));
            assertThat(body(page)).contains("<td>lo</td>", "<td>UP</td>", "<td>65536</td>", "127.0.0.1/8",
                    // every socket of the stack, from inet_diag: both ends of this connection too
                    "<td>tcp</td><td>LISTEN</td><td>0</td><td>511</td><td>0.0.0.0:7</td><td>0.0.0.0:0</td>", // Send-Q: the backlog
                    "<td>tcp</td><td>ESTAB</td><td>0</td><td>0</td><td>127.0.0.1:80</td><td>127.0.0.1:",
                    "<td>udp</td><td>UNCONN</td><td>0</td><td>0</td><td>0.0.0.0:7</td>",
                    // the services' own, with their byte counts
                    "<td>echo</td><td>tcp</td><td>LISTEN</td><td>0.0.0.0:7</td>",
                    "<td>http</td><td>tcp</td><td>ESTAB</td><td>127.0.0.1:80</td>",
                    "<td>IpInReceives</td>", "<td>TcpPassiveOpens</td>");
            assertThat(body(page)).containsPattern("<td>tcp</td><td>ESTAB</td><td>0</td><td>0</td><td>127\\.0\\.0\\.1:\\d+"
                    + "</td><td>127\\.0\\.0\\.1:80</td>");

            // The same connection serves the next request: the JSON form.
            String json = exchange(t, fd, "GET /status.json HTTP/1.1\r\nHost: tern\r\n\r\n");
            assertThat(json).startsWith("HTTP/1.1 200 OK\r\n").contains("Content-Type: application/json\r\n");
            assertThat(body(json).getBytes(StandardCharsets.UTF_8)).hasSize(contentLength(json));
            assertThat(body(json)).startsWith("{\"links\":[{\"index\":1,\"name\":\"lo\"")
                    .contains("\"state\":\"UP\"", "\"mtu\":65536", "\"addresses\":[\"127.0.0.1/8\"]",
                            "{\"service\":\"echo\",\"protocol\":\"udp\",\"state\":\"UNCONN\",\"local\":\"0.0.0.0:7\"",
                            "{\"protocol\":\"tcp\",\"state\":\"LISTEN\",\"recvQ\":0,\"sendQ\":511,"
                                    + "\"local\":\"0.0.0.0:80\",\"peer\":\"0.0.0.0:0\"}",
                            "\"Tcp\":{", "\"PassiveOpens\":1");
            t.api().close(fd);
        }
    }

    @Test
    void unknownPathIs404AndConnectionCloseEndsTheConnection() throws Exception {
        try (ServicesTestBed t = new ServicesTestBed(Service.HTTP)) {
            int fd = t.connect(80);
            String response = exchange(t, fd, "GET /nothing?x=1 HTTP/1.1\r\nHost: tern\r\nConnection: close\r\n\r\n");
            assertThat(response).startsWith("HTTP/1.1 404 Not Found\r\n").contains("Connection: close\r\n")
                    .endsWith("\r\n\r\nnot found\n");
            assertThat(t.readToEnd(fd)).isEmpty(); // FIN after the response
            t.api().close(fd);
        }
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrderAndHeadHasNoBody() throws Exception {
        try (ServicesTestBed t = new ServicesTestBed(Service.HTTP)) {
            int fd = t.connect(80);
            String responses = exchange(t, fd, "HEAD /status.json HTTP/1.1\r\nHost: a\r\n\r\n"
                    + "GET /missing HTTP/1.1\r\nHost: a\r\n\r\n"
                    + "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello"
                    + "GET /x HTTP/1.0\r\n\r\n");
            String[] starts = responses.split("(?=HTTP/1\\.1 )");
            assertThat(starts).hasSize(4);
            assertThat(starts[0]).startsWith("HTTP/1.1 200 OK").endsWith("\r\n\r\n");
            assertThat(contentLength(starts[0])).isPositive();
            assertThat(starts[1]).startsWith("HTTP/1.1 404 ");
            assertThat(starts[2]).startsWith("HTTP/1.1 405 ").contains("Allow: GET, HEAD\r\n");
            assertThat(starts[3]).startsWith("HTTP/1.1 404 ").contains("Connection: close\r\n"); // HTTP/1.0
            assertThat(t.readToEnd(fd)).isEmpty();
            t.api().close(fd);
        }
    }

    @Test
    void badRequestsGet400AndTheConnectionCloses() throws Exception {
        String[] bad = {
            "GARBAGE\r\n\r\n",
            "GET / HTTP/1.1\r\n\r\n", // no Host
            "GET / HTTP/1.1\r\nHost: a\r\nBad Header\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n",
            "GET http://a/ HTTP/1.1\r\nHost: a\r\n\r\n",
            "G(T / HTTP/1.1\r\nHost: a\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
        };
        try (ServicesTestBed t = new ServicesTestBed(Service.HTTP)) {
            for (String request : bad) {
                int fd = t.connect(80);
                String response = exchange(t, fd, request);
                assertThat(response).as(request).startsWith("HTTP/1.1 400 Bad Request\r\n").contains("Connection: close");
                assertThat(t.readToEnd(fd)).isEmpty();
                t.api().close(fd);
            }
            int fd = t.connect(80);
            assertThat(exchange(t, fd, "GET / HTTP/2.0\r\n\r\n")).startsWith("HTTP/1.1 505 ");
            t.api().close(fd);
            fd = t.connect(80);
            assertThat(exchange(t, fd, "GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"))
                    .startsWith("HTTP/1.1 501 ");
            t.api().close(fd);
            fd = t.connect(80);
            assertThat(exchange(t, fd, "GET /" + "a".repeat(HttpRequest.MAX_HEAD) + " HTTP/1.1\r\n"))
                    .startsWith("HTTP/1.1 431 ");
            t.api().close(fd);
            t.pump();
            assertThat(t.sockets()).extracting(SocketRow::state).containsExactly("LISTEN");
        }
    }

    @Test
    void randomBytesNeverBreakTheServer() throws Exception {
        java.util.SplittableRandom random = new java.util.SplittableRandom(9110);
        try (ServicesTestBed t = new ServicesTestBed(Service.HTTP)) {
            for (int i = 0; i < 40; i++) {
                int fd = t.connect(80);
                byte[] junk = new byte[random.nextInt(1, 3000)];
                random.nextBytes(junk);
                if (random.nextBoolean()) {
                    System.arraycopy("GET / HTTP/1.1\r\n".getBytes(), 0, junk, 0, Math.min(16, junk.length));
                }
                t.sendAll(fd, junk, null);
                t.api().shutdown(fd, net.tern.api.socket.SocketConstants.SHUT_WR);
                t.pump();
                t.readToEnd(fd); // whatever the answer, the server ends the connection
                t.api().close(fd);
            }
            t.pump();
            int fd = t.connect(80);
            assertThat(exchange(t, fd, "GET / HTTP/1.1\r\nHost: a\r\n\r\n")).startsWith("HTTP/1.1 200 OK");
            t.api().close(fd);
        }
    }
}
