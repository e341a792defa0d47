package net.tern.services;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.tern.api.socket.InetSockAddr;
import net.tern.spi.trace.TraceBuffer;
import net.tern.spi.trace.Tracepoints;
import org.junit.jupiter.api.Test;

/**
 * The status page's live view over the services' own HTTP: its files (the page, its script,
 * uPlot and uPlot's licence, all served from the bundle), and {@code /trace/events}, which
 * streams a connection's trace events as Server-Sent Events while it runs, and records only
 * while a stream is open.
 */
class LiveViewTest {
    private static String get(ServicesTestBed t, String path) throws Exception {
        int fd = t.connect(80);
        t.api().send(fd, ByteBuffer.wrap(("GET " + path + " HTTP/1.1\r\nHost: tern\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1)), 0);
        t.pump();
        String response = new String(t.readToEnd(fd), StandardCharsets.UTF_8);
        t.api().close(fd);
        return response;
    }

    @Test
    void thePageItsScriptAndUplotWithItsLicenceAreServedFromTheBundle() throws Exception {
        try (ServicesTestBed t = new ServicesTestBed(Service.HTTP)) {
            assertThat(get(t, "/conn.html")).startsWith("HTTP/1.1 200 OK\r\n")
                    .contains("Content-Type: text/html; charset=utf-8", "<script src=\"/web/uPlot.iife.min.js\">",
                            "<svg id=\"timeline\"");
            assertThat(get(t, "/web/conn.js")).contains("Content-Type: text/javascript", "new EventSource(");
            assertThat(get(t, "/web/uPlot.iife.min.js")).contains("Content-Type: text/javascript", "uPlot");
            assertThat(get(t, "/web/uPlot.min.css")).contains("Content-Type: text/css", ".uplot");
            assertThat(get(t, "/web/uPlot.LICENSE")).contains("The MIT License", "Leon Sorokin");
            assertThat(get(t, "/web/../pom.xml")).startsWith("HTTP/1.1 404");
            assertThat(get(t, "/")).contains("<a href=\"/conn.html\">live trace", "<a href=\"/conn.html?a=127.0.0.1:80&amp;b=127.0.0.1:");
        }
    }

    @Test
    void aStreamSendsAConnectionsSegmentsLiveAndRecordsOnlyWhileOpen() throws Exception {
        try (ServicesTestBed t = new ServicesTestBed(Service.HTTP, Service.ECHO)) {
            assertThat(Tracepoints.enabled()).isFalse();
            int viewer = t.connect(80);
            t.api().send(viewer, ByteBuffer.wrap("GET /trace/events?port=7 HTTP/1.1\r\nHost: tern\r\n\r\n"
                    .getBytes(StandardCharsets.ISO_8859_1)), 0);
            t.pump();
            assertThat(TraceBuffer.recording()).as("an open stream records").isTrue();
            long before = TraceBuffer.next();

            int client = t.connect(7);
            String clientEnd = "127.0.0.1:" + ((InetSockAddr) t.api().getsockname(client)).port();
            byte[] data = new byte[3000];
            ByteArrayOutputStream echoed = new ByteArrayOutputStream();
            t.sendAll(client, data, echoed);
            t.pump();
            ByteArrayOutputStream streamed = new ByteArrayOutputStream();
            t.readAvailable(viewer, streamed);
            String sse = streamed.toString(StandardCharsets.UTF_8);

            assertThat(sse).startsWith("HTTP/1.1 200 OK\r\n").contains("Content-Type: text/event-stream\r\n");
            List<String> data7 = sse.lines().filter(l -> l.startsWith("data: ")).toList();
            assertThat(data7).isNotEmpty().allSatisfy(l -> assertThat(l).contains(":7\""));
            // The echo connection's segments both ways, each an event with its number as the id.
            Matcher sent = Pattern.compile("\"function\":\"tcp_transmit_skb\",\"system\":\"tcp\",\"fd\":\\d+,\"local\":\""
                    + Pattern.quote(clientEnd) + "\",\"peer\":\"127.0.0.1:7\".*?\"len\":(\\d+)").matcher(sse);
            long bytes = 0;
            while (sent.find()) {
                bytes += Long.parseLong(sent.group(1));
            }
            assertThat(bytes).as("the client's data, in its tcp_transmit_skb events").isEqualTo(data.length);
            assertThat(sse).contains("\"function\":\"tcp_probe\"", "\"snd_cwnd\":10", "\"new_state\":\"ESTABLISHED\"");
            Matcher ids = Pattern.compile("(?m)^id: (\\d+)$").matcher(sse);
            long last = -1;
            while (ids.find()) {
                long id = Long.parseLong(ids.group(1));
                assertThat(id).isGreaterThan(last);
                last = id;
            }
            assertThat(last).isGreaterThanOrEqualTo(before);

            t.api().close(viewer);
            t.api().close(client);
            t.pump();
            assertThat(TraceBuffer.recording()).as("the closed stream stopped recording").isFalse();
            assertThat(Tracepoints.enabled()).isFalse();
        }
    }

    @Test
    void aStreamOfEveryConnectionLeavesOutItsOwnSoItsChunksDoNotFeedEachOther() throws Exception {
        try (ServicesTestBed t = new ServicesTestBed(Service.HTTP, Service.ECHO)) {
            int viewer = t.connect(80);
            String viewerEnd = "127.0.0.1:" + ((InetSockAddr) t.api().getsockname(viewer)).port();
            t.api().send(viewer, ByteBuffer.wrap("GET /trace/events HTTP/1.1\r\nHost: tern\r\n\r\n"
                    .getBytes(StandardCharsets.ISO_8859_1)), 0);
            t.pump();
            int client = t.connect(7);
            t.sendAll(client, new byte[1000], new ByteArrayOutputStream());
            t.pump();
            ByteArrayOutputStream streamed = new ByteArrayOutputStream();
            t.readAvailable(viewer, streamed);
            String sse = streamed.toString(StandardCharsets.UTF_8);
            assertThat(sse).contains(":7\"");
            assertThat(sse.lines().filter(l -> l.startsWith("data: ")))
                    .noneMatch(l -> l.contains("\"" + viewerEnd + "\""));

            // Once read, the stream has nothing more to say: its own sending made no events for it.
            t.pump();
            ByteArrayOutputStream more = new ByteArrayOutputStream();
            t.readAvailable(viewer, more);
            assertThat(more.toString(StandardCharsets.UTF_8)).doesNotContain("data: ");
            t.api().close(viewer);
            t.api().close(client);
            t.pump();
        }
    }
}
