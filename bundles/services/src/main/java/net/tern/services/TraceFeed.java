package net.tern.services;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import net.tern.api.socket.InetSockAddr;
import net.tern.spi.trace.TraceBuffer;
import net.tern.spi.trace.TraceEvent;
import net.tern.spi.trace.TraceJson;

/**
 * One live view's stream of trace events ({@code GET /trace/events}), as Server-Sent Events
 * (the WHATWG HTML standard's {@code text/event-stream}): each event of the stack's
 * {@link TraceBuffer} is a message whose {@code id} is its number in the buffer and whose
 * {@code data} is its JSON ({@link TraceJson}). It starts with the oldest event kept (or the
 * one after {@code Last-Event-ID} when the browser reconnects), so a connection traced before
 * the page opened ({@code net:demo loss}) is shown whole, then follows new events as they
 * come. While a feed is open the buffer records.
 *
 * <p>Selection: the events of one connection (its two ends, {@code a} and {@code b}), or of a
 * port, or all, but never those of the connection the feed is written to: each chunk sent
 * would fire tracepoints that make the next chunk, for ever. Read on the loop's thread, a
 * bounded chunk at a time.
 */
final class TraceFeed implements AutoCloseable {
    /** Open feeds at most: each records and holds a chunk while its client reads it. */
    static final int MAX_FEEDS = 16;
    /** Events read from the buffer per chunk at most. */
    private static final int CHUNK_EVENTS = 2048;
    private static int open;
    private final AutoCloseable recording;
    private final TraceEvent[] batch = new TraceEvent[CHUNK_EVENTS];
    private final InetSockAddr a;
    private final InetSockAddr b;
    private final int port;
    /** The feed's own connection's peer (the browser's end), whose events are never sent; null when not known. */
    private final InetSockAddr self;
    private long position;
    private boolean closed;

    private TraceFeed(long from, InetSockAddr a, InetSockAddr b, int port, InetSockAddr self) {
        this.recording = TraceBuffer.record();
        this.position = from;
        this.a = a;
        this.b = b;
        this.port = port;
        this.self = self;
        open++;
    }

    /**
     * A feed for {@code request}'s parameters ({@code a}, {@code b}: a connection's ends as
     * {@code 10.0.0.2:80}; {@code port}), from the event after {@code lastEventId} (or the
     * oldest kept), written to the connection from {@code self}; null when {@link #MAX_FEEDS}
     * are open. Loop thread only.
     */
    static TraceFeed open(HttpRequest request, InetSockAddr self) throws IllegalArgumentException {
        if (open >= MAX_FEEDS) {
            return null;
        }
        InetSockAddr a = endpoint(request.param("a"));
        InetSockAddr b = endpoint(request.param("b"));
        String port = request.param("port");
        String last = request.header("last-event-id");
        long from = 0;
        if (last != null && last.matches("\\d{1,18}")) {
            from = Long.parseLong(last) + 1;
        }
        return new TraceFeed(from, a, b, port != null && port.matches("\\d{1,5}") ? Integer.parseInt(port) : -1, self);
    }

    private static InetSockAddr endpoint(String text) {
        if (text == null || text.isEmpty()) {
            return null;
        }
        try {
            return InetSockAddr.parse(text);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not an address and port: " + text);
        }
    }

    /** The response head that opens the stream; the stream ends when either side closes. */
    static ByteBuffer head() {
        return ByteBuffer.wrap(("HTTP/1.1 200 OK\r\nServer: tern\r\nContent-Type: text/event-stream\r\n"
                + "Cache-Control: no-store\r\nConnection: close\r\n\r\nretry: 1000\n\n")
                .getBytes(StandardCharsets.US_ASCII));
    }

    /** The next chunk of the stream, or null when no new event is selected. */
    ByteBuffer next() {
        StringBuilder sb = new StringBuilder();
        for (int round = 0; round < 4; round++) {
            TraceBuffer.Batch read = TraceBuffer.read(position, batch);
            if (read.first() > position && position > 0) {
                sb.append(": ").append(read.first() - position).append(" events overwritten before they were sent\n\n");
            }
            for (int i = 0; i < read.count(); i++) {
                TraceEvent e = batch[i];
                batch[i] = null;
                if (selects(e)) {
                    sb.append("id: ").append(read.first() + i).append("\ndata: ");
                    TraceJson.append(sb, e);
                    sb.append("\n\n");
                }
            }
            position = read.next();
            if (read.count() < batch.length) {
                break;
            }
        }
        return sb.length() == 0 ? null : ByteBuffer.wrap(sb.toString().getBytes(StandardCharsets.UTF_8));
    }

    boolean selects(TraceEvent e) {
        if (self != null && (self.equals(e.peer()) || self.equals(e.local()))) {
            return false;
        }
        if (a != null && b != null) {
            return (a.equals(e.local()) && b.equals(e.peer())) || (b.equals(e.local()) && a.equals(e.peer()));
        }
        if (a != null) {
            return a.equals(e.local()) || a.equals(e.peer());
        }
        return port < 0 || e.hasPort(port);
    }

    /** Stops recording for this feed (once). Loop thread only. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        open--;
        try {
            recording.close();
        } catch (Exception e) {
            // the buffer's handle throws nothing
        }
    }
}
