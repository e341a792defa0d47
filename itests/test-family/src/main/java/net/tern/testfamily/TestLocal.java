package net.tern.testfamily;

/** The numbers of the {@code testlocal} family: its family number, protocols and reserved ports. */
public final class TestLocal {
    private TestLocal() {
    }

    /** The family number; 250 is far above Linux's AF_MAX, so it never collides with a real family. */
    public static final int AF_TESTLOCAL = 250;

    /** The family's name, as {@code families()} lists it. */
    public static final String NAME = "testlocal";

    /** The stream protocol (SOCK_STREAM's default). */
    public static final int PROTO_STREAM = 1;
    public static final String PROTO_STREAM_NAME = "local-stream";

    /** The datagram protocol (SOCK_DGRAM's default). */
    public static final int PROTO_DGRAM = 2;
    public static final String PROTO_DGRAM_NAME = "local-dgram";

    /**
     * A port that never answers (the discard port): a stream connect to it stays in progress
     * until the black-hole timer sets {@code ETIMEDOUT}; datagrams sent to it vanish. No
     * socket can bind it.
     */
    public static final int BLACKHOLE_PORT = 9;

    /** How long a connect to {@link #BLACKHOLE_PORT} waits before failing with ETIMEDOUT, by default. */
    public static final long DEFAULT_BLACKHOLE_TIMEOUT_MS = 3000;

    /** Default SO_RCVBUF and SO_SNDBUF in bytes: a stream direction holds at most the reader's SO_RCVBUF. */
    public static final int DEFAULT_BUFFER = 64 * 1024;

    /** Smallest and largest buffer size SO_RCVBUF/SO_SNDBUF accept; values outside are clamped, as Linux clamps. */
    public static final int MIN_BUFFER = 256;
    public static final int MAX_BUFFER = 16 * 1024 * 1024;

    /** The most a listen backlog can be ({@code net.core.somaxconn}). */
    public static final int SOMAXCONN = 4096;

    /** The largest datagram, in bytes. */
    public static final int MAX_DATAGRAM = 65507;

    /** Ports handed out to sockets that connect or send without binding ({@code ip_local_port_range}). */
    public static final int EPHEMERAL_LOW = 32768;
    public static final int EPHEMERAL_HIGH = 60999;
}
