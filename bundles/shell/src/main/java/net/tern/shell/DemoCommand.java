package net.tern.shell;

import static net.tern.api.socket.SocketConstants.AF_INET;
import static net.tern.api.socket.SocketConstants.CLOCK_MONOTONIC;
import static net.tern.api.socket.SocketConstants.SOCK_STREAM;
import static net.tern.api.socket.SocketConstants.SOL_SOCKET;
import static net.tern.api.socket.SocketConstants.SOL_TCP;
import static net.tern.api.socket.SocketConstants.SO_RCVTIMEO;
import static net.tern.api.socket.SocketConstants.SO_SNDTIMEO;
import static net.tern.api.socket.SocketConstants.TCP_TERN_TIMEWAIT_MSECS;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.InetSockAddr;
import net.tern.api.socket.SocketApi;
import net.tern.spi.trace.TraceBuffer;
import net.tern.spi.trace.TraceEvent;
import net.tern.spi.trace.Tracepoints;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code net:demo handshake}: one TCP connection's whole life over the running stack's
 * loopback, watched through the tracepoints. A listener on 127.0.0.1 (an ephemeral port), a
 * client connecting to it, a few bytes each way, the client closing first, the server closing
 * after it read the end of the stream, and the client's TIME-WAIT running out: both sides'
 * events in time order, each marked {@code client} or {@code server}: the three-way handshake
 * (SYN_SENT, SYN_RECV, ESTABLISHED), the four-way close (FIN_WAIT1, FIN_WAIT2, CLOSE_WAIT,
 * LAST_ACK, TIME_WAIT, CLOSE) and {@code inet_twsk_kill}.
 *
 * <p>The stack's trace ring records while it runs, so the status page's live view
 * ({@code /conn.html}, the address the report ends with) draws the connection afterwards.
 * {@code net:demo slowstart} and {@code net:demo loss} run a bulk transfer to watch there
 * instead ({@link DemoTransfer}).
 *
 * <p>TIME-WAIT would last 60 s; the client sets Tern's own {@code TCP_TERN_TIMEWAIT_MSECS} to
 * {@value #TIME_WAIT_MILLIS} ms, for its socket only (Linux has no per-socket MSL; the stack's
 * setting stays as it is). Every blocking call is bounded by SO_RCVTIMEO / SO_SNDTIMEO.
 */
@Component(service = DemoCommand.class, property = {
        "osgi.command.scope=net",
        "osgi.command.function=demo"})
public final class DemoCommand {
    static final String USAGE = "Usage: net:demo handshake | slowstart | loss";
    static final int TIME_WAIT_MILLIS = 500;
    /** Bound on each blocking call, and on waiting for TIME-WAIT's end beyond its length. */
    private static final int CALL_TIMEOUT_MILLIS = 5_000;

    private final SocketApi api;

    @Activate
    public DemoCommand(@Reference(name = "sockets") SocketApi api) {
        this.api = api;
    }

    public String demo(String... args) throws Exception {
        if (args == null || args.length != 1) {
            throw new IllegalArgumentException(USAGE);
        }
        return switch (args[0]) {
            case "handshake" -> handshake();
            case "slowstart" -> new DemoTransfer(api).run(DemoTransfer.SLOWSTART);
            case "loss" -> new DemoTransfer(api).run(DemoTransfer.LOSS);
            default -> throw new IllegalArgumentException(USAGE);
        };
    }

    /** The demonstration; its report is the heading, the interleaved trace and a summary. */
    String handshake() throws Exception {
        List<TraceEvent> events = new ArrayList<>();
        CountDownLatch expired = new CountDownLatch(1);
        int[] clientPort = {-1};
        /** The descriptors, for the system calls' events, which carry no address: listener, client, server. */
        int[] fds = {-1, -1, -1};
        long start = api.clockGettime(CLOCK_MONOTONIC);
        int listener = -1;
        int client = -1;
        int server = -1;
        InetSockAddr serverAddress;
        try (AutoCloseable recording = TraceBuffer.record(); AutoCloseable tracing = Tracepoints.add(event -> {
            synchronized (events) {
                events.add(event);
            }
            if (event.function().equals("inet_twsk_kill") && event.local() != null
                    && event.local().port() == clientPort[0]) {
                expired.countDown();
            }
        })) {
            try {
                listener = socket();
                fds[0] = listener;
                api.bind(listener, new InetSockAddr(InetSockAddr.INADDR_LOOPBACK, 0));
                api.listen(listener, 1);
                serverAddress = (InetSockAddr) api.getsockname(listener);
                client = socket();
                fds[1] = client;
                api.setsockopt(client, SOL_TCP, TCP_TERN_TIMEWAIT_MSECS, TIME_WAIT_MILLIS);
                api.connect(client, serverAddress);
                clientPort[0] = ((InetSockAddr) api.getsockname(client)).port();
                server = api.accept(listener).fd();
                fds[2] = server;
                timeouts(server);
                exchange(client, server, "hello");
                exchange(server, client, "world");
                api.close(client);
                client = -1;
                if (api.recv(server, ByteBuffer.allocate(16), 0) != 0) {
                    throw new CommandFailedException("demo: the server read data where the end of the stream was due");
                }
                api.close(server);
                server = -1;
            } finally {
                closeQuietly(client);
                closeQuietly(server);
            }
            boolean ended = awaitOnStackClock(expired, TIME_WAIT_MILLIS + CALL_TIMEOUT_MILLIS);
            closeQuietly(listener);
            if (!ended) {
                throw new CommandFailedException("demo: the client's TIME-WAIT did not end within "
                        + (TIME_WAIT_MILLIS + CALL_TIMEOUT_MILLIS) + " ms\n" + report(events, start, serverAddress.port(),
                        clientPort[0], fds));
            }
        }
        return report(events, start, serverAddress.port(), clientPort[0], fds)
                + String.format(Locale.ROOT, "%nwatch it on the status page: /conn.html?a=127.0.0.1:%d&b=%s", clientPort[0],
                        serverAddress);
    }

    /**
     * Waits for {@code latch} at most {@code millis} of the stack's clock (as SO_RCVTIMEO
     * bounds the calls), so the bound means the same wherever the stack's time comes from.
     */
    private boolean awaitOnStackClock(CountDownLatch latch, long millis) throws InterruptedException, ErrnoException {
        long deadline = api.clockGettime(CLOCK_MONOTONIC) + TimeUnit.MILLISECONDS.toNanos(millis);
        while (!latch.await(1, TimeUnit.MILLISECONDS)) {
            if (api.clockGettime(CLOCK_MONOTONIC) - deadline >= 0) {
                return latch.getCount() == 0;
            }
        }
        return true;
    }

    private int socket() throws ErrnoException {
        int fd = api.socket(AF_INET, SOCK_STREAM, 0);
        timeouts(fd);
        return fd;
    }

    private void timeouts(int fd) throws ErrnoException {
        api.setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, CALL_TIMEOUT_MILLIS);
        api.setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, CALL_TIMEOUT_MILLIS);
    }

    /** {@code from} sends {@code text}; {@code to} reads all of it. */
    private void exchange(int from, int to, String text) throws ErrnoException {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        api.send(from, ByteBuffer.wrap(bytes), 0);
        ByteBuffer in = ByteBuffer.allocate(bytes.length);
        while (in.hasRemaining()) {
            if (api.recv(to, in, 0) == 0) {
                throw new CommandFailedException("demo: the connection ended before \"" + text + "\" arrived");
            }
        }
    }

    private void closeQuietly(int fd) {
        if (fd >= 0) {
            try {
                api.close(fd);
            } catch (ErrnoException alreadyClosed) {
                // The demo is ending either way.
            }
        }
    }

    /** The demo's events (those of its two ports), in time order, each marked with its side. */
    private static String report(List<TraceEvent> recorded, long start, int serverPort, int clientPort, int[] fds) {
        List<TraceEvent> mine;
        synchronized (recorded) {
            mine = new ArrayList<>(recorded);
        }
        mine.sort(Comparator.comparingLong(TraceEvent::timeNanos)); // stable: equal times keep firing order
        StringBuilder out = new StringBuilder();
        out.append("TCP over lo: server 127.0.0.1:").append(serverPort).append(", client 127.0.0.1:")
                .append(clientPort).append(" (TIME-WAIT ").append(TIME_WAIT_MILLIS)
                .append(" ms by TCP_TERN_TIMEWAIT_MSECS)\n");
        int shown = 0;
        for (TraceEvent e : mine) {
            String side = side(e, serverPort, clientPort, fds);
            if (side != null) {
                out.append(String.format("%-6s ", side)).append(TraceCommand.line(e, start)).append('\n');
                shown++;
            }
        }
        return out.append(shown).append(" events").toString();
    }

    /**
     * Which side an event belongs to, by its local port (or, for a system call, its
     * descriptor), or null when it is not the demo's.
     */
    private static String side(TraceEvent e, int serverPort, int clientPort, int[] fds) {
        if (e.perPacket()) {
            return null; // the segments' own events are net:trace's (func tcp_transmit_skb, ...)
        }
        if (e.function().startsWith("__sys_") && e.fd() >= 0) {
            // a system call on one of the demo's descriptors (bind names port 0, the port is not chosen yet)
            return e.fd() == fds[1] ? "client" : e.fd() == fds[0] || e.fd() == fds[2] ? "server" : null;
        }
        if (e.local() != null && e.local().port() == clientPort) {
            return "client";
        }
        if (e.local() != null && e.local().port() == serverPort) {
            return "server";
        }
        if (e.local() == null && e.peer() != null && e.peer().port() == serverPort) {
            return "client"; // inet_stream_connect names only the address asked for
        }
        return null;
    }
}
