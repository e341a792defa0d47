package net.tern.services;

import static net.tern.api.socket.SocketConstants.EPOLLERR;
import static net.tern.api.socket.SocketConstants.EPOLLHUP;
import static net.tern.api.socket.SocketConstants.EPOLLIN;
import static net.tern.api.socket.SocketConstants.EPOLLOUT;
import static net.tern.api.socket.SocketConstants.SHUT_WR;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.InetSockAddr;
import net.tern.api.socket.SockAddr;

/**
 * One HTTP/1.1 connection of the status page. Requests are read into a bounded buffer and
 * answered one at a time, in order (a pipelined request waits until the previous response
 * has been sent). {@code GET} and {@code HEAD} of {@code /} give the HTML page, of
 * {@code /status.json} the JSON; anything else is 404, other methods 405. A request body
 * announced by {@code Content-Length} is read and dropped; chunked bodies are not
 * supported (501). Bad requests get 400 (or 431, 505) and the connection closes after the
 * response (a lingering close); otherwise it stays open as the request's version and
 * {@code Connection} ask.
 *
 * <p>An idle connection (between requests, or before the first) holds no buffer: the
 * request buffer comes from the loop's pool when bytes arrive and goes back once every
 * request in it is answered; a response is dropped once sent; a lingering close drops what
 * it reads into the loop's scratch buffer.
 */
final class HttpStream extends StreamConnection {
    /** Bodies longer than this are refused (413) rather than read. */
    static final long MAX_BODY = 1 << 20;
    /** No response in progress. */
    private static final ByteBuffer NOTHING = ByteBuffer.allocate(0).asReadOnlyBuffer();
    private final StatusPage page;
    private final BufferPool pool;
    private final ResponseBudget budget;
    /** Bytes of {@code out} counted against the budget. */
    private int budgeted;
    /** Request bytes received and not yet answered, in write mode; null while there are none. */
    private ByteBuffer in;
    private ByteBuffer out = NOTHING;
    /** Body bytes of the current request still to drop. */
    private long bodyLeft;
    /** After the response being sent, close the connection. */
    private boolean closeAfterResponse;
    private long requests;
    private long busy;
    /** Our FIN is sent; reading only to drop what still comes. */
    private boolean lingering;
    private long drained;
    /** The live view's event stream this connection sends, once asked for; null before. */
    private TraceFeed feed;
    /** A look for new events is scheduled after the loop's next wait. */
    private boolean feedScheduled;
    /** Dropped while lingering at most; a client sending more is reset. */
    static final long MAX_LINGER_BYTES = 1 << 20;

    HttpStream(ServiceLoop loop, TcpListener listener, int fd, SockAddr peer, StatusPage page, ResponseBudget budget) {
        super(loop, listener, fd, peer);
        this.page = page;
        this.budget = budget;
        this.pool = loop.buffers(HttpRequest.MAX_HEAD);
    }

    /** Whether there is room for more request bytes (a full buffer without a complete head is answered 431). */
    private boolean hasRoom() {
        return in == null || in.hasRemaining();
    }

    @Override
    int wanted() {
        if (feed != null) {
            // Input is only watched for the end; new events are looked for after each wait.
            return (peerClosed ? 0 : EPOLLIN) | (out.hasRemaining() ? EPOLLOUT : 0);
        }
        boolean reading = !peerClosed && (lingering || (!closeAfterResponse && hasRoom()));
        return (reading ? EPOLLIN : 0) | (out.hasRemaining() ? EPOLLOUT : 0);
    }

    @Override
    public void ready(int events) throws ErrnoException {
        if (feed != null) {
            stream(events);
            return;
        }
        if (lingering) {
            linger();
            return;
        }
        if (!peerClosed && !closeAfterResponse && hasRoom() && (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) != 0) {
            if (in == null) {
                in = pool.take();
            }
            read(in);
        }
        while (true) {
            int sent = write(out);
            int back = Math.min(sent, budgeted);
            budgeted -= back;
            budget.give(back);
            if (out.hasRemaining()) {
                break;
            }
            out = NOTHING; // sent: the response's bytes go
            if (closeAfterResponse) {
                startLingering();
                return;
            }
            if (feed != null || !serveNext()) {
                break;
            }
        }
        if (feed != null) {
            stream(0); // the request opened the live view's stream: from now on, events
            return;
        }
        if (in != null && in.position() == 0) {
            dropInput();
        }
        if (peerClosed && !out.hasRemaining()) {
            finish(); // the peer is done and so are we; a partial request is dropped
            return;
        }
        updateInterest();
    }

    /**
     * The response is out and the connection ends: send our FIN, then read and drop what
     * the client still sends until its FIN, so that closing does not reset the connection
     * (closing a socket with unread data sends RST, which may destroy the response before
     * the client has read it: RFC 9112 section 9.6's "lingering close").
     */
    private void startLingering() throws ErrnoException {
        lingering = true;
        dropInput(); // what is left of the input is dropped unread
        try {
            api.shutdown(fd, SHUT_WR);
        } catch (ErrnoException e) {
            close();
            return;
        }
        linger();
    }

    private void linger() throws ErrnoException {
        while (!peerClosed && drained < MAX_LINGER_BYTES) {
            int n = read(loop.scratch());
            if (n == 0) {
                updateInterest();
                return;
            }
            drained += Math.max(n, 0);
        }
        close();
    }

    /** Drops body bytes, then answers the next complete request in {@code in}; false if there is none yet. */
    private boolean serveNext() {
        if (in == null) {
            return false;
        }
        if (bodyLeft > 0) {
            int drop = (int) Math.min(bodyLeft, in.position());
            in.flip().position(drop);
            in.compact();
            bodyLeft -= drop;
            if (bodyLeft > 0) {
                return false;
            }
        }
        int end = headEnd();
        if (end < 0) {
            if (!in.hasRemaining()) {
                respond(431, "Request Header Fields Too Large", "text/plain", "request head too large\n", false, true);
                return true;
            }
            return false;
        }
        byte[] head = new byte[end];
        in.flip();
        in.get(head);
        in.compact();
        requests++;
        try {
            HttpRequest request = HttpRequest.parse(head, end);
            if (request.header("transfer-encoding") != null) {
                respond(501, "Not Implemented", "text/plain", "chunked request bodies are not supported\n", false, true);
                return true;
            }
            long length = request.contentLength();
            if (length > MAX_BODY) {
                respond(413, "Content Too Large", "text/plain", "request body too large\n", false, true);
                return true;
            }
            bodyLeft = length;
            boolean close = !request.keepAlive();
            boolean headOnly = request.method().equals("HEAD");
            if (!headOnly && !request.method().equals("GET")) {
                respond(405, "Method Not Allowed", "text/plain", "only GET and HEAD\n", false, close);
            } else if (request.path().equals("/")) {
                respond(200, "OK", "text/html; charset=utf-8", page.html(), headOnly, close);
            } else if (request.path().equals("/status.json")) {
                respond(200, "OK", "application/json", page.json(), headOnly, close);
            } else if (request.path().equals("/trace/events") && !headOnly) {
                TraceFeed opened = TraceFeed.open(request, peer() instanceof InetSockAddr self ? self : null);
                if (opened == null) {
                    respond(503, "Service Unavailable", "text/plain", "too many live views open\n", false, true);
                    return true;
                }
                feed = opened;
                out = TraceFeed.head();
            } else if (WebView.file(request.path()) != null) {
                respond(200, "OK", WebView.type(request.path()), WebView.file(request.path()), headOnly, close);
            } else {
                respond(404, "Not Found", "text/plain", "not found\n", headOnly, close);
            }
            return true;
        } catch (IllegalArgumentException e) {
            respond(400, "Bad Request", "text/plain", e.getMessage() + "\n", false, true);
            return true;
        } catch (HttpRequest.HttpError e) {
            String reason = switch (e.status) {
                case 505 -> "HTTP Version Not Supported";
                default -> "Bad Request";
            };
            respond(e.status, reason, "text/plain", e.getMessage() + "\n", false, true);
            return true;
        }
    }

    /** Where the head in {@code in} ends (just past CR LF CR LF), or -1. */
    private int headEnd() {
        byte[] a = in.array();
        for (int i = 3; i < in.position(); i++) {
            if (a[i - 3] == '\r' && a[i - 2] == '\n' && a[i - 1] == '\r' && a[i] == '\n') {
                return i + 1;
            }
        }
        return -1;
    }

    private void respond(int status, String reason, String type, String body, boolean headOnly, boolean close) {
        ByteBuffer response = response(status, reason, type, body, headOnly, close);
        if (!budget.take(response.remaining())) {
            // Too many responses wait for their clients already: say so briefly, and close.
            busy++;
            response = response(503, "Service Unavailable", "text/plain",
                    "busy: too many responses wait for their clients; try again\n", false, true);
            close = true;
        } else {
            budgeted = response.remaining();
        }
        closeAfterResponse = close;
        out = response;
    }

    private static ByteBuffer response(int status, String reason, String type, String body, boolean headOnly,
            boolean close) {
        byte[] content = body.getBytes(StandardCharsets.UTF_8);
        String head = "HTTP/1.1 " + status + " " + reason + "\r\n"
                + "Server: tern\r\n"
                + "Content-Type: " + type + "\r\n"
                + "Content-Length: " + content.length + "\r\n"
                + "Cache-Control: no-store\r\n"
                + (status == 405 ? "Allow: GET, HEAD\r\n" : "")
                + (status == 503 ? "Retry-After: 1\r\n" : "")
                + "Connection: " + (close ? "close" : "keep-alive") + "\r\n\r\n";
        byte[] headBytes = head.getBytes(StandardCharsets.US_ASCII);
        ByteBuffer response = ByteBuffer.allocate(headBytes.length + (headOnly ? 0 : content.length));
        response.put(headBytes);
        if (!headOnly) {
            response.put(content);
        }
        return response.flip();
    }

    long requests() {
        return requests;
    }

    /** Requests answered 503 because the response budget was spent. */
    long busy() {
        return busy;
    }

    /** Whether this connection holds a request buffer now (bytes of a request not yet answered). */
    boolean holdsBuffer() {
        return in != null;
    }

    /** Gives the request buffer back to the pool. */
    private void dropInput() {
        if (in != null) {
            pool.give(in);
            in = null;
        }
    }

    /**
     * The live view's stream: what the client sends is dropped; each chunk of new events is
     * written as the socket takes it; then the next look is scheduled for after the loop's
     * next wait (at most {@link ServiceLoop#WAIT_MILLIS} later).
     */
    private void stream(int events) throws ErrnoException {
        dropInput();
        while (!peerClosed && (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) != 0 && read(loop.scratch()) > 0) {
            events = 0; // read until nothing is left; the bytes mean nothing
        }
        if (peerClosed) {
            finish();
            return;
        }
        while (true) {
            write(out);
            if (out.hasRemaining()) {
                break;
            }
            ByteBuffer chunk = feed.next();
            if (chunk == null) {
                out = NOTHING;
                break;
            }
            out = chunk;
        }
        if (!feedScheduled) {
            feedScheduled = true;
            loop.afterNextWait(() -> {
                feedScheduled = false;
                if (!isClosed()) {
                    try {
                        stream(0);
                    } catch (ErrnoException | RuntimeException e) {
                        close();
                    }
                }
            });
        }
        if (!isClosed()) {
            updateInterest();
        }
    }

    @Override
    void releaseBuffers() {
        if (feed != null) {
            feed.close();
        }
        dropInput();
        budget.give(budgeted); // at close: what the client never took
        budgeted = 0;
    }
}
