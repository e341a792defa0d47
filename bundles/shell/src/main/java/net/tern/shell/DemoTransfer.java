package net.tern.shell;

import static net.tern.api.socket.SocketConstants.AF_INET;
import static net.tern.api.socket.SocketConstants.CLOCK_MONOTONIC;
import static net.tern.api.socket.SocketConstants.SOCK_STREAM;
import static net.tern.api.socket.SocketConstants.SOL_SOCKET;
import static net.tern.api.socket.SocketConstants.SOL_TCP;
import static net.tern.api.socket.SocketConstants.SO_RCVTIMEO;
import static net.tern.api.socket.SocketConstants.SO_SNDTIMEO;
import static net.tern.api.socket.SocketConstants.TCP_MAXSEG;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.InetSockAddr;
import net.tern.api.socket.SocketApi;
import net.tern.netlink.NetemOptions;
import net.tern.netlink.QdiscMessage;
import net.tern.spi.trace.TraceBuffer;
import net.tern.spi.trace.TraceEvent;
import net.tern.spi.trace.TraceProbe;
import net.tern.spi.trace.Tracepoints;

/**
 * {@code net:demo slowstart} and {@code net:demo loss}: one bulk transfer over the running
 * stack's {@code lo} with netem on it (a 10 ms delay each way; and 2% loss, seeded, for
 * {@code loss}), Ethernet-sized segments ({@code TCP_MAXSEG} 1448: {@code lo}'s MTU would make
 * them 64 KiB), recorded in the stack's trace buffer ({@link TraceBuffer}) so that the status
 * page's live view ({@code /conn.html}) shows the connection afterwards: its segments, and its
 * congestion window growing in slow start, falling at each loss and recovering. The report
 * says what the tracepoints saw. {@code lo}'s impairment is taken off at the end; a demo
 * refuses to run when {@code lo} is impaired already.
 */
final class DemoTransfer {
    /** A transfer to watch: its name, netem's words for {@code lo}, its size. */
    record Scenario(String name, String netem, int bytes) {
    }

    static final Scenario SLOWSTART = new Scenario("slowstart", "delay 10ms", 256 * 1024);
    static final Scenario LOSS = new Scenario("loss", "loss 2% delay 10ms seed 7", 1024 * 1024);
    /** Ethernet's MSS with timestamps' room, as most paths have. */
    static final int MSS = 1448;
    private static final int CALL_TIMEOUT_MILLIS = 10_000;

    private final SocketApi api;

    DemoTransfer(SocketApi api) {
        this.api = api;
    }

    String run(Scenario scenario) throws Exception {
        int lo;
        try (Rtnl rtnl = Rtnl.open(api)) {
            lo = rtnl.index("lo");
            QdiscMessage root = ImpairCommand.roots(rtnl).get(lo);
            if (root != null && root.isNetem()) {
                throw new CommandFailedException("demo: lo is impaired already (" + root.netem()
                        + "); net:impair lo off first");
            }
            QdiscMessage.replaceRootNetem(rtnl.nl, lo, NetemOptions.parse(List.of(scenario.netem().split(" "))));
        }
        List<TraceEvent> events = new ArrayList<>();
        int listener = -1;
        int client = -1;
        long start = api.clockGettime(CLOCK_MONOTONIC);
        long end;
        InetSockAddr server;
        InetSockAddr clientEnd;
        try (AutoCloseable recording = TraceBuffer.record(); AutoCloseable mine = Tracepoints.add(e -> {
            if (e.function().startsWith("tcp_")) {
                synchronized (events) {
                    events.add(e);
                }
            }
        })) {
            listener = socket();
            api.setsockopt(listener, SOL_TCP, TCP_MAXSEG, MSS);
            api.bind(listener, new InetSockAddr(InetSockAddr.INADDR_LOOPBACK, 0));
            api.listen(listener, 1);
            server = (InetSockAddr) api.getsockname(listener);
            client = socket();
            api.setsockopt(client, SOL_TCP, TCP_MAXSEG, MSS);
            api.connect(client, server);
            clientEnd = (InetSockAddr) api.getsockname(client);
            int accepted = api.accept(listener).fd();
            AtomicLong received = new AtomicLong();
            AtomicReference<Exception> failed = new AtomicReference<>();
            Thread reader = new Thread(() -> {
                ByteBuffer in = ByteBuffer.allocate(64 * 1024);
                try {
                    api.setsockopt(accepted, SOL_SOCKET, SO_RCVTIMEO, CALL_TIMEOUT_MILLIS);
                    int n;
                    while ((n = api.recv(accepted, in.clear(), 0)) > 0) {
                        received.addAndGet(n);
                    }
                } catch (ErrnoException e) {
                    failed.set(e);
                } finally {
                    closeQuietly(accepted);
                }
            }, "demo-" + scenario.name() + "-reader");
            reader.setDaemon(true);
            reader.start();
            ByteBuffer data = ByteBuffer.allocate(scenario.bytes());
            while (data.hasRemaining()) {
                api.send(client, data, 0);
            }
            api.close(client);
            client = -1;
            reader.join(60_000);
            end = api.clockGettime(CLOCK_MONOTONIC);
            if (reader.isAlive() || failed.get() != null || received.get() != scenario.bytes()) {
                throw new CommandFailedException("demo: the server read " + received.get() + " of " + scenario.bytes()
                        + " bytes" + (failed.get() != null ? ": " + failed.get().getMessage() : ""));
            }
        } finally {
            closeQuietly(client);
            closeQuietly(listener);
            try (Rtnl rtnl = Rtnl.open(api)) {
                QdiscMessage.deleteRoot(rtnl.nl, lo);
            }
        }
        return report(scenario, events, clientEnd, server, end - start);
    }

    /** What the tracepoints saw of the transfer from {@code client} to {@code server}. */
    static String report(Scenario scenario, List<TraceEvent> all, InetSockAddr client, InetSockAddr server,
            long nanos) {
        long sentByClient = 0;
        long dataSegments = 0;
        long sentByServer = 0;
        long retransmissions = 0;
        long recoveries = 0;
        long timeouts = 0;
        int cwndMax = 0;
        TraceProbe last = null;
        synchronized (all) {
            for (TraceEvent e : all) {
                boolean fromClient = client.equals(e.local()) && server.equals(e.peer());
                boolean fromServer = server.equals(e.local()) && client.equals(e.peer());
                if (!fromClient && !fromServer) {
                    continue;
                }
                switch (e.function()) {
                    case "tcp_transmit_skb", "tcp_v4_send_synack" -> {
                        if (fromClient) {
                            sentByClient++;
                            dataSegments += e.segment().length() > 0 ? 1 : 0;
                        } else {
                            sentByServer++;
                        }
                    }
                    case "tcp_retransmit_skb" -> retransmissions += fromClient ? 1 : 0;
                    case "tcp_enter_recovery" -> recoveries += fromClient ? 1 : 0;
                    case "tcp_enter_loss" -> timeouts += fromClient ? 1 : 0;
                    default -> {
                    }
                }
                if (fromClient && e.probe() != null) {
                    cwndMax = Math.max(cwndMax, e.probe().cwnd());
                    last = e.probe();
                }
            }
        }
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "TCP over lo with netem '%s': %s -> %s, %d bytes in %.3f s%n",
                scenario.netem(), client, server, scenario.bytes(), nanos / 1e9));
        sb.append(String.format(Locale.ROOT, "client sent %d segments (%d with data, %d sent again), server %d%n",
                sentByClient, dataSegments, retransmissions, sentByServer));
        sb.append(String.format(Locale.ROOT, "client's cwnd: 10 segments at first, %d at most; %d fast recoveries, "
                + "%d retransmission timeouts", cwndMax, recoveries, timeouts));
        if (last != null) {
            sb.append(String.format(Locale.ROOT, "; at the end cwnd %d, ssthresh %s, srtt %.1f ms", last.cwnd(),
                    last.ssthresh() == Integer.MAX_VALUE ? "-" : Integer.toString(last.ssthresh()),
                    last.srttUs() / 1000.0));
        }
        sb.append(String.format(Locale.ROOT, "%nwatch it on the status page: /conn.html?a=%s&b=%s", client, server));
        return sb.toString();
    }

    private int socket() throws ErrnoException {
        int fd = api.socket(AF_INET, SOCK_STREAM, 0);
        api.setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, CALL_TIMEOUT_MILLIS);
        api.setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, CALL_TIMEOUT_MILLIS);
        return fd;
    }

    private void closeQuietly(int fd) {
        if (fd >= 0) {
            try {
                api.close(fd);
            } catch (ErrnoException alreadyClosed) {
                // ending either way
            }
        }
    }
}
