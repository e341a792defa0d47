package net.tern.services;

/**
 * A bound on the response bytes the HTTP connections hold at once, all together: bytes of
 * a response that the stack has not taken yet (the client reads slowly or not at all, so
 * its window and our socket's send buffer are full). Each connection's part is bounded by
 * one response, but connections are many; without this, N clients that ask for the status
 * page and never read could hold N pages here. A response that would go past the budget is
 * not sent: the connection gets a short 503 instead ({@link HttpStream}).
 *
 * <p>Used from the loop's thread only.
 */
final class ResponseBudget {
    /** The default: 16 MiB, some fifty status pages of the largest kind ({@link StatusPage#MAX_ROWS} rows). */
    static final long DEFAULT_BYTES = 16L << 20;

    private final long limit;
    private long held;

    ResponseBudget(long limit) {
        this.limit = limit;
    }

    /** Counts {@code bytes} against the budget if they fit; false (and nothing counted) if not. */
    boolean take(long bytes) {
        if (held + bytes > limit) {
            return false;
        }
        held += bytes;
        return true;
    }

    /** Gives back {@code bytes} taken before (sent, or dropped with their connection). */
    void give(long bytes) {
        held -= bytes;
    }

    /** Response bytes held now. */
    long held() {
        return held;
    }
}
