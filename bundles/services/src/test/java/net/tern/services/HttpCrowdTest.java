package net.tern.services;

import static net.tern.api.socket.SocketConstants.AF_INET;
import static net.tern.api.socket.SocketConstants.SOCK_NONBLOCK;
import static net.tern.api.socket.SocketConstants.SOCK_STREAM;
import static net.tern.api.socket.SocketConstants.SOL_SOCKET;
import static net.tern.api.socket.SocketConstants.SO_RCVBUF;
import static net.tern.api.socket.SocketConstants.SO_SNDBUF;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.tern.api.socket.Accepted;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.InetSockAddr;
import net.tern.api.socket.SocketApi;
import org.junit.jupiter.api.Test;

/**
 * The HTTP service when the services hold a crowd: the status page shows the first rows of
 * its socket tables and counts the rest, and the responses that wait for their clients are
 * bounded all together ({@link ResponseBudget}); past the budget a request gets a short 503.
 */
class HttpCrowdTest {

    private static ServiceSettings settings(Service... services) {
        return new ServiceSettings(List.of(services), InetSockAddr.INADDR_ANY, 0, ServiceSettings.MAX_CONNECTIONS,
                ServiceSettings.BACKLOG);
    }

    private static String exchange(ServicesTestBed t, int fd, String request) throws Exception {
        t.api().send(fd, ByteBuffer.wrap(request.getBytes(StandardCharsets.US_ASCII)), 0);
        t.pump();
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        t.readAvailable(fd, sink);
        return sink.toString(StandardCharsets.UTF_8);
    }

    private static int count(String text, String part) {
        Matcher m = Pattern.compile(Pattern.quote(part)).matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    @Test
    void theStatusPageShowsTheFirstRowsOfEachSocketTableAndCountsTheRest() throws Exception {
        try (ServicesTestBed t = new ServicesTestBed(settings(Service.HTTP, Service.ECHO), api -> api, true, 3,
                new ResponseBudget(ResponseBudget.DEFAULT_BYTES))) {
            t.connectMany(7, 5);
            int fd = t.connect(80);
            int stackSockets = t.stackSockets();
            int ownSockets = t.loop().size();
            assertThat(stackSockets).isGreaterThan(3);
            assertThat(ownSockets).isGreaterThan(3);

            String json = exchange(t, fd, "GET /status.json HTTP/1.1\r\nHost: tern\r\n\r\n");
            assertThat(json).startsWith("HTTP/1.1 200 OK\r\n")
                    .contains("\"socketsNotShown\":" + (stackSockets - 3) + ",", "\"servicesNotShown\":"
                            + (ownSockets - 3) + ",");
            assertThat(count(json, "{\"protocol\":")).as("socket rows").isEqualTo(3);
            assertThat(count(json, "{\"service\":")).as("service rows").isEqualTo(3);

            String html = exchange(t, fd, "GET / HTTP/1.1\r\nHost: tern\r\n\r\n");
            assertThat(html).startsWith("HTTP/1.1 200 OK\r\n").contains("<p>" + (stackSockets - 3) + " more not shown</p>",
                    "<p>" + (ownSockets - 3) + " more not shown</p>");
        }
    }

    @Test
    void pastTheResponseBudgetARequestGetsA503AndSentResponsesGiveTheirBytesBack() throws Exception {
        ResponseBudget budget = new ResponseBudget(64 * 1024);
        try (ServicesTestBed t = new ServicesTestBed(settings(Service.HTTP), api -> api, true, StatusPage.MAX_ROWS,
                budget)) {
            int fd = t.connect(80);
            // Other clients' responses, not read yet, hold all but 100 bytes of it.
            assertThat(budget.take(64 * 1024 - 100)).isTrue();
            String busy = exchange(t, fd, "GET / HTTP/1.1\r\nHost: tern\r\n\r\n");
            assertThat(busy).startsWith("HTTP/1.1 503 Service Unavailable\r\n")
                    .contains("Retry-After: 1\r\n", "Connection: close\r\n");
            assertThat(t.readToEnd(fd)).as("the rest, up to our FIN").isEmpty();
            t.api().close(fd);
            budget.give(64 * 1024 - 100);
            assertThat(budget.held()).as("the short 503 is not counted").isZero();

            int next = t.connect(80);
            String page = exchange(t, next, "GET / HTTP/1.1\r\nHost: tern\r\n\r\n");
            assertThat(page).startsWith("HTTP/1.1 200 OK\r\n").contains("Connection: keep-alive\r\n");
            assertThat(budget.held()).as("sent and read: nothing held").isZero();
            t.api().close(next);
        }
    }

    @Test
    void aClientThatDoesNotReadHoldsItsResponseInTheBudgetUntilItIsGone() throws Exception {
        ResponseBudget budget = new ResponseBudget(ResponseBudget.DEFAULT_BYTES);
        // The services' accepted sockets get the smallest send buffer and a crowd makes the page
        // long (some 150 KB), so it outgrows what the stack takes of it while the client does not read.
        // An accepted socket comes from accept (an Accepted) or from sysAccept (its descriptor, or
        // a negative errno), whichever the listener calls.
        UnaryOperator<SocketApi> smallSendBuffers = api -> (SocketApi) Proxy.newProxyInstance(
                SocketApi.class.getClassLoader(), new Class<?>[] {SocketApi.class}, (proxy, method, args) -> {
                    try {
                        Object result = method.invoke(api, args);
                        int accepted = result instanceof Accepted a ? a.fd()
                                : method.getName().equals("sysAccept") ? (Integer) result : -1;
                        if (accepted >= 0) {
                            api.setsockopt(accepted, SOL_SOCKET, SO_SNDBUF, 1);
                        }
                        return result;
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        try (ServicesTestBed t = new ServicesTestBed(settings(Service.HTTP, Service.ECHO), smallSendBuffers, true,
                StatusPage.MAX_ROWS, budget)) {
            int[] crowd = t.connectMany(7, 400);
            int fd = t.api().socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
            t.api().setsockopt(fd, SOL_SOCKET, SO_RCVBUF, 1);
            try {
                t.api().connect(fd, new InetSockAddr(ServicesTestBed.LOOPBACK, 80));
            } catch (ErrnoException e) {
                assertThat(e.errno()).isEqualTo(Errno.EINPROGRESS);
            }
            t.pump();
            t.api().send(fd, ByteBuffer.wrap("GET / HTTP/1.1\r\nHost: tern\r\n\r\n".getBytes(StandardCharsets.US_ASCII)),
                    0);
            t.pumpFor(1000);
            long held = budget.held();
            assertThat(held).as("the page's bytes the stack has not taken").isPositive();

            t.api().close(fd); // unread data: RST; the service's connection ends
            t.pumpFor(1000);
            assertThat(t.sockets()).filteredOn(r -> r.service().equals("http")).extracting(SocketRow::state)
                    .containsExactly("LISTEN");
            assertThat(budget.held()).as("given back with the connection").isZero();
            assertThat(crowd).hasSize(400);
        }
    }
}
