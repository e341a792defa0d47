package net.tern.nio;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.AlreadyBoundException;
import java.nio.channels.AlreadyConnectedException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.ConnectionPendingException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.IllegalBlockingModeException;
import java.nio.channels.NoConnectionPendingException;
import java.nio.channels.NotYetBoundException;
import java.nio.channels.NotYetConnectedException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.UnresolvedAddressException;
import java.nio.channels.spi.SelectorProvider;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What a transport must do for applications written against {@code java.nio.channels},
 * written once and run over each {@link SelectorProvider}: the JDK's own (the kernel's
 * loopback) and Tern's (Tern's own loopback). Both must pass. The cases follow the kinds of
 * Netty's transport testsuite (echo, half-close, reset, spin, connect failure, datagram, close
 * and interrupt of blocked calls) without its code: echo from 0 B to 16 MiB, half-close both
 * ways, an abortive close seen as "Connection reset", write back-pressure, a thousand
 * connections on one selector, connect refused and timed out, UDP send/receive/connect with
 * port unreachable, interrupt and asynchronous close of every kind of blocked call, and the
 * selector's wake-up, interrupt, close and level-triggered readiness.
 *
 * <p>All traffic is on 127.0.0.1 with ports the stack picks. Every wait is bounded: a blocked
 * call runs on a pool thread and is awaited with a timeout, and each test has one.
 */
@Timeout(value = 120, unit = SECONDS)
abstract class TransportConformance {
    /** How long a test waits for something that should happen at once. */
    static final long BOUND_SECONDS = 30;
    static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private ExecutorService threads;
    private final List<AutoCloseable> opened = new ArrayList<>();

    /** The provider under test. */
    abstract SelectorProvider provider();

    @BeforeEach
    void startThreads() {
        threads = Executors.newCachedThreadPool();
    }

    @AfterEach
    void closeEverything() throws Exception {
        for (AutoCloseable c : opened) {
            try {
                c.close();
            } catch (IOException ignored) {
                // closing what a test left
            }
        }
        threads.shutdownNow();
        assertThat(threads.awaitTermination(BOUND_SECONDS, SECONDS)).as("background calls ended").isTrue();
    }

    // ---- helpers --------------------------------------------------------------------------------

    <T extends AutoCloseable> T track(T closeable) {
        opened.add(closeable);
        return closeable;
    }

    ServerSocketChannel listen(int backlog) throws IOException {
        ServerSocketChannel server = track(provider().openServerSocketChannel());
        server.bind(new InetSocketAddress(LOOPBACK, 0), backlog);
        return server;
    }

    static InetSocketAddress address(ServerSocketChannel server) throws IOException {
        return (InetSocketAddress) server.getLocalAddress();
    }

    SocketChannel connect(SocketAddress address) throws IOException {
        SocketChannel client = track(provider().openSocketChannel());
        assertThat(client.connect(address)).isTrue();
        return client;
    }

    /** {client, accepted}: a connected pair, both blocking. */
    SocketChannel[] pair() throws IOException {
        ServerSocketChannel server = listen(8);
        SocketChannel client = connect(address(server));
        SocketChannel accepted = track(server.accept());
        return new SocketChannel[] {client, accepted};
    }

    <T> Future<T> inBackground(Callable<T> call) {
        return threads.submit(call);
    }

    static <T> T result(Future<T> future) throws Exception {
        return future.get(BOUND_SECONDS, SECONDS);
    }

    /** What the background call threw. */
    static Throwable failure(Future<?> future) {
        Throwable thrown = catchThrowable(() -> future.get(BOUND_SECONDS, SECONDS));
        assertThat(thrown).as("the call failed").isInstanceOf(ExecutionException.class);
        return thrown.getCause();
    }

    /** Waits, bounded, until {@code thread} is parked or waiting (blocked in the call under test). */
    static void awaitBlocked(AtomicReference<Thread> thread) throws InterruptedException {
        long deadline = System.nanoTime() + SECONDS.toNanos(BOUND_SECONDS);
        while (System.nanoTime() < deadline) {
            Thread t = thread.get();
            if (t != null && (t.getState() == Thread.State.WAITING || t.getState() == Thread.State.TIMED_WAITING
                    || t.getState() == Thread.State.RUNNABLE && isInNativeIo(t))) {
                // Let the call reach its wait before we act (a lower bound, never a result).
                Thread.sleep(50);
                return;
            }
            Thread.sleep(5);
        }
        throw new AssertionError("the call did not block");
    }

    /** The JDK's channels block in native poll, where a thread shows as RUNNABLE. */
    private static boolean isInNativeIo(Thread t) {
        for (StackTraceElement e : t.getStackTrace()) {
            if (e.isNativeMethod() && e.getClassName().startsWith("sun.nio.ch.")) {
                return true;
            }
        }
        return false;
    }

    static byte[] random(int size, long seed) {
        byte[] data = new byte[size];
        new SplittableRandom(seed).nextBytes(data);
        return data;
    }

    static byte[] readToEnd(SocketChannel channel, int expectedAtMost) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(Math.max(expectedAtMost, 1) + 1);
        ByteBuffer chunk = ByteBuffer.allocate(64 * 1024);
        while (true) {
            chunk.clear();
            int n = channel.read(chunk);
            if (n < 0) {
                break;
            }
            chunk.flip();
            if (chunk.remaining() > buffer.remaining()) {
                throw new AssertionError("more than the " + expectedAtMost + " bytes expected");
            }
            buffer.put(chunk);
        }
        return Arrays.copyOf(buffer.array(), buffer.position());
    }

    static void writeAll(SocketChannel channel, byte[] data) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(data);
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    // ---- echo ------------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {0, 1, 1024, 64 * 1024, 1 << 20, 16 << 20})
    void echoesEveryByteBackAtEverySize(int size) throws Exception {
        ServerSocketChannel server = listen(8);
        Future<Long> echo = inBackground(() -> {
            try (SocketChannel s = server.accept()) {
                ByteBuffer buffer = ByteBuffer.allocateDirect(32 * 1024);
                long total = 0;
                while (s.read(buffer) >= 0) {
                    buffer.flip();
                    total += buffer.remaining();
                    while (buffer.hasRemaining()) {
                        s.write(buffer);
                    }
                    buffer.clear();
                }
                s.shutdownOutput();
                return total;
            }
        });
        SocketChannel client = connect(address(server));
        byte[] data = random(size, size);
        Future<Void> writer = inBackground(() -> {
            writeAll(client, data);
            client.shutdownOutput();
            return null;
        });
        byte[] back = readToEnd(client, size);
        result(writer);
        assertThat(result(echo)).isEqualTo(size);
        assertThat(back.length).isEqualTo(size);
        assertThat(MessageDigest.getInstance("SHA-256").digest(back))
                .isEqualTo(MessageDigest.getInstance("SHA-256").digest(data));
    }

    @Test
    void scatteringReadsAndGatheringWritesKeepTheOrder() throws Exception {
        SocketChannel[] pair = pair();
        ByteBuffer[] out = {ByteBuffer.wrap("ab".getBytes(StandardCharsets.US_ASCII)), ByteBuffer.allocate(0),
            ByteBuffer.wrap("cdefg".getBytes(StandardCharsets.US_ASCII))};
        assertThat(pair[0].write(out)).isEqualTo(7);
        pair[0].shutdownOutput();
        ByteBuffer[] in = {ByteBuffer.allocate(3), ByteBuffer.allocate(10)};
        long total = 0;
        while (total < 7) {
            long n = pair[1].read(in);
            assertThat(n).isPositive();
            total += n;
        }
        assertThat(new String(in[0].array(), 0, 3, StandardCharsets.US_ASCII)).isEqualTo("abc");
        assertThat(new String(in[1].array(), 0, 4, StandardCharsets.US_ASCII)).isEqualTo("defg");
        assertThat(pair[1].read(in)).as("then the end").isEqualTo(-1);
    }

    // ---- half-close -----------------------------------------------------------------------------

    @Test
    void theClientClosesItsSideAndTheServerStillAnswers() throws Exception {
        SocketChannel[] pair = pair();
        writeAll(pair[0], "question".getBytes(StandardCharsets.US_ASCII));
        pair[0].shutdownOutput();
        assertThat(new String(readToEnd(pair[1], 64), StandardCharsets.US_ASCII)).isEqualTo("question");
        assertThat(pair[1].socket().isInputShutdown()).isFalse();
        writeAll(pair[1], "answer".getBytes(StandardCharsets.US_ASCII));
        pair[1].close();
        assertThat(new String(readToEnd(pair[0], 64), StandardCharsets.US_ASCII)).isEqualTo("answer");
    }

    @Test
    void theServerClosesItsSideAndTheClientStillSends() throws Exception {
        SocketChannel[] pair = pair();
        pair[1].shutdownOutput();
        assertThat(pair[0].read(ByteBuffer.allocate(8))).as("the client reads the end").isEqualTo(-1);
        writeAll(pair[0], "late".getBytes(StandardCharsets.US_ASCII));
        pair[0].shutdownOutput();
        assertThat(new String(readToEnd(pair[1], 64), StandardCharsets.US_ASCII)).isEqualTo("late");
        assertThatThrownBy(() -> pair[1].write(ByteBuffer.allocate(1))).as("its own side is shut")
                .isInstanceOf(ClosedChannelException.class);
    }

    @Test
    void shutdownInputMakesReadsSeeTheEnd() throws Exception {
        SocketChannel[] pair = pair();
        pair[0].shutdownInput();
        assertThat(pair[0].read(ByteBuffer.allocate(8))).isEqualTo(-1);
        assertThat(pair[0].socket().isInputShutdown()).isTrue();
        writeAll(pair[0], "still".getBytes(StandardCharsets.US_ASCII));
        ByteBuffer in = ByteBuffer.allocate(8);
        while (in.position() < 5) {
            pair[1].read(in);
        }
        assertThat(new String(in.array(), 0, 5, StandardCharsets.US_ASCII)).isEqualTo("still");
    }

    // ---- abortive close -----------------------------------------------------------------------

    @Test
    void aCloseWithLingerZeroResetsThePeer() throws Exception {
        SocketChannel[] pair = pair();
        pair[1].setOption(StandardSocketOptions.SO_LINGER, 0);
        pair[1].close();
        Throwable reset = catchThrowable(() -> pair[0].read(ByteBuffer.allocate(8)));
        assertThat(reset).isInstanceOf(IOException.class).hasMessage("Connection reset");
        assertThat(catchThrowable(() -> pair[0].read(ByteBuffer.allocate(8)))).as("and so it stays")
                .isInstanceOf(IOException.class).hasMessage("Connection reset");
    }

    // ---- back-pressure ------------------------------------------------------------------------

    @Test
    void writesStopWhenThePeerStopsReadingAndResumeWhenItReads() throws Exception {
        SocketChannel[] pair = pair();
        SocketChannel client = pair[0];
        client.configureBlocking(false);
        ByteBuffer chunk = ByteBuffer.allocateDirect(64 * 1024);
        long total = 0;
        int zeroWrites = 0;
        while (zeroWrites < 3) {
            chunk.clear();
            int n = client.write(chunk);
            total += n;
            if (n == 0) {
                zeroWrites++;
                Thread.sleep(20); // let what is in flight land in the peer's buffer
            } else {
                zeroWrites = 0;
            }
            assertThat(total).as("the peer's buffers are finite").isLessThan(256L << 20);
        }
        assertThat(total).isPositive();
        long written = total;
        Future<Long> drained = inBackground(() -> {
            ByteBuffer in = ByteBuffer.allocateDirect(64 * 1024);
            long read = 0;
            while (read < written + 1) {
                in.clear();
                int n = pair[1].read(in);
                if (n < 0) {
                    break;
                }
                read += n;
            }
            return read;
        });
        try (Selector selector = provider().openSelector()) {
            client.register(selector, SelectionKey.OP_WRITE);
            assertThat(selector.select(SECONDS.toMillis(BOUND_SECONDS))).as("writable again").isEqualTo(1);
        }
        chunk.clear().limit(1);
        while (client.write(chunk) == 0) {
            Thread.sleep(1);
        }
        client.close();
        assertThat(result(drained)).isEqualTo(written + 1);
    }

    // ---- many connections on one selector -----------------------------------------------------

    @Test
    void aThousandConnectionsOnOneSelector() throws Exception {
        int connections = 1000;
        ServerSocketChannel server = listen(1024);
        server.configureBlocking(false);
        AtomicInteger served = new AtomicInteger();
        Selector serverSelector = track(provider().openSelector());
        server.register(serverSelector, SelectionKey.OP_ACCEPT);
        Future<Void> echo = inBackground(() -> {
            ByteBuffer buffer = ByteBuffer.allocate(64);
            while (served.get() < connections && !Thread.currentThread().isInterrupted()) {
                serverSelector.select(1000);
                Iterator<SelectionKey> keys = serverSelector.selectedKeys().iterator();
                while (keys.hasNext()) {
                    SelectionKey key = keys.next();
                    keys.remove();
                    if (key.isAcceptable()) {
                        SocketChannel s;
                        while ((s = server.accept()) != null) {
                            s.configureBlocking(false);
                            s.register(serverSelector, SelectionKey.OP_READ);
                        }
                    } else if (key.isReadable()) {
                        SocketChannel s = (SocketChannel) key.channel();
                        buffer.clear();
                        int n = s.read(buffer);
                        if (n < 0) {
                            key.cancel();
                            s.close();
                            served.incrementAndGet();
                        } else if (n > 0) {
                            buffer.flip();
                            s.write(buffer); // 8 bytes always fit
                        }
                    }
                }
            }
            return null;
        });
        Selector clients = track(provider().openSelector());
        InetSocketAddress address = address(server);
        for (int i = 0; i < connections; i++) {
            SocketChannel c = track(provider().openSocketChannel());
            c.configureBlocking(false);
            if (c.connect(address)) {
                c.register(clients, SelectionKey.OP_WRITE, i);
            } else {
                c.register(clients, SelectionKey.OP_CONNECT, i);
            }
        }
        int done = 0;
        long deadline = System.nanoTime() + SECONDS.toNanos(90);
        ByteBuffer in = ByteBuffer.allocate(64);
        while (done < connections) {
            assertThat(System.nanoTime()).as("%d of %d connections echoed so far", done, connections).isLessThan(deadline);
            clients.select(1000);
            Iterator<SelectionKey> keys = clients.selectedKeys().iterator();
            while (keys.hasNext()) {
                SelectionKey key = keys.next();
                keys.remove();
                SocketChannel c = (SocketChannel) key.channel();
                int id = (Integer) key.attachment();
                if (key.isConnectable()) {
                    assertThat(c.finishConnect()).isTrue();
                    key.interestOps(SelectionKey.OP_WRITE);
                } else if (key.isWritable()) {
                    ByteBuffer message = ByteBuffer.allocate(8).putInt(id).putInt(~id).flip();
                    assertThat(c.write(message)).isEqualTo(8);
                    key.interestOps(SelectionKey.OP_READ);
                } else if (key.isReadable()) {
                    in.clear();
                    int n = c.read(in);
                    assertThat(n).as("connection %d", id).isEqualTo(8);
                    in.flip();
                    assertThat(in.getInt()).isEqualTo(id);
                    assertThat(in.getInt()).isEqualTo(~id);
                    key.cancel();
                    c.close();
                    done++;
                }
            }
        }
        result(echo);
        assertThat(served.get()).isEqualTo(connections);
    }

    // ---- connect failures ---------------------------------------------------------------------

    /** A loopback port where nothing listens: a listener's, closed. */
    InetSocketAddress closedPort() throws IOException {
        InetSocketAddress address;
        try (ServerSocketChannel server = provider().openServerSocketChannel()) {
            server.bind(new InetSocketAddress(LOOPBACK, 0));
            address = address(server);
        }
        return address;
    }

    @Test
    void connectToAClosedPortIsRefused() throws Exception {
        InetSocketAddress address = closedPort();
        SocketChannel blocking = track(provider().openSocketChannel());
        assertThatThrownBy(() -> blocking.connect(address)).isInstanceOf(ConnectException.class)
                .hasMessage("Connection refused");
        assertThat(blocking.isOpen()).as("a failed connect closes the channel").isFalse();

        SocketChannel nonBlocking = track(provider().openSocketChannel());
        nonBlocking.configureBlocking(false);
        Throwable refused = null;
        if (!nonBlocking.connect(address)) {
            try (Selector selector = provider().openSelector()) {
                nonBlocking.register(selector, SelectionKey.OP_CONNECT);
                assertThat(selector.select(SECONDS.toMillis(BOUND_SECONDS))).isEqualTo(1);
            }
            refused = catchThrowable(nonBlocking::finishConnect);
        }
        assertThat(refused).isInstanceOf(ConnectException.class).hasMessage("Connection refused");
        assertThat(nonBlocking.isOpen()).isFalse();
    }

    /** The address of a listener that drops new SYNs, its accept queue full ({@link StalledConnection}). */
    InetSocketAddress fullListener() throws Exception {
        return (InetSocketAddress) StalledConnection.open(provider(), opened).getRemoteAddress();
    }

    @Test
    void connectToAListenerThatDropsTheSynTimesOut() throws Exception {
        InetSocketAddress address = fullListener();
        SocketChannel channel = track(provider().openSocketChannel());
        Socket socket = channel.socket();
        long start = System.nanoTime();
        assertThatThrownBy(() -> socket.connect(address, 500)).isInstanceOf(SocketTimeoutException.class)
                .hasMessage("Connect timed out");
        assertThat(System.nanoTime() - start).as("it waited for the timeout").isGreaterThan(TimeUnit.MILLISECONDS.toNanos(400));
        assertThat(channel.isOpen()).isFalse();

        SocketChannel nonBlocking = track(provider().openSocketChannel());
        nonBlocking.configureBlocking(false);
        assertThat(nonBlocking.connect(address)).isFalse();
        assertThat(nonBlocking.finishConnect()).isFalse();
        assertThat(nonBlocking.isConnectionPending()).isTrue();
    }

    // ---- UDP ---------------------------------------------------------------------------------

    DatagramChannel datagram() throws IOException {
        DatagramChannel channel = track(provider().openDatagramChannel());
        channel.bind(new InetSocketAddress(LOOPBACK, 0));
        return channel;
    }

    @Test
    void datagramsGoBothWaysWithTheirSender() throws Exception {
        DatagramChannel a = datagram();
        DatagramChannel b = datagram();
        assertThat(a.send(ByteBuffer.wrap("ping".getBytes(StandardCharsets.US_ASCII)), b.getLocalAddress())).isEqualTo(4);
        ByteBuffer in = ByteBuffer.allocate(16);
        assertThat(b.receive(in)).isEqualTo(a.getLocalAddress());
        assertThat(new String(in.array(), 0, in.position(), StandardCharsets.US_ASCII)).isEqualTo("ping");

        b.configureBlocking(false);
        in.clear();
        assertThat(b.receive(in)).as("nothing more").isNull();

        a.connect(b.getLocalAddress());
        b.connect(a.getLocalAddress());
        assertThat(a.write(ByteBuffer.wrap("pong".getBytes(StandardCharsets.US_ASCII)))).isEqualTo(4);
        b.configureBlocking(true);
        in.clear();
        assertThat(b.read(in)).isEqualTo(4);
        ByteBuffer small = ByteBuffer.allocate(2);
        a.write(ByteBuffer.wrap("long!".getBytes(StandardCharsets.US_ASCII)));
        assertThat(b.read(small)).as("a datagram is cut to the buffer").isEqualTo(2);
        b.configureBlocking(false);
        assertThat(b.read(ByteBuffer.allocate(8))).as("and its tail is gone").isZero();
        a.disconnect();
        assertThat(a.isConnected()).isFalse();
    }

    @Test
    void aConnectedDatagramChannelLearnsThePortIsUnreachable() throws Exception {
        DatagramChannel channel = datagram();
        InetSocketAddress nobody;
        try (DatagramChannel gone = provider().openDatagramChannel()) {
            gone.bind(new InetSocketAddress(LOOPBACK, 0));
            nobody = (InetSocketAddress) gone.getLocalAddress();
        }
        channel.connect(nobody);
        channel.write(ByteBuffer.wrap("anyone?".getBytes(StandardCharsets.US_ASCII)));
        Future<Integer> read = inBackground(() -> channel.read(ByteBuffer.allocate(16)));
        assertThat(failure(read)).isInstanceOf(PortUnreachableException.class);
    }

    // ---- interrupt and asynchronous close of blocked calls -----------------------------------

    /** Runs {@code call} on a pool thread and returns it once the call is blocked. */
    <T> Future<T> blocked(Callable<T> call) throws InterruptedException {
        AtomicReference<Thread> thread = new AtomicReference<>();
        Future<T> future = inBackground(() -> {
            thread.set(Thread.currentThread());
            return call.call();
        });
        awaitBlocked(thread);
        return future;
    }

    @Test
    void interruptingABlockedReadClosesTheChannel() throws Exception {
        SocketChannel[] pair = pair();
        AtomicReference<Thread> thread = new AtomicReference<>();
        Future<Integer> read = inBackground(() -> {
            thread.set(Thread.currentThread());
            return pair[0].read(ByteBuffer.allocate(8));
        });
        awaitBlocked(thread);
        thread.get().interrupt();
        assertThat(failure(read)).isInstanceOf(ClosedByInterruptException.class);
        assertThat(pair[0].isOpen()).isFalse();
        assertThat(pair[1].read(ByteBuffer.allocate(8))).as("the peer sees the close").isEqualTo(-1);
    }

    @Test
    void closingWakesABlockedRead() throws Exception {
        SocketChannel[] pair = pair();
        Future<Integer> read = blocked(() -> pair[0].read(ByteBuffer.allocate(8)));
        pair[0].close();
        assertThat(failure(read)).isInstanceOf(AsynchronousCloseException.class);
    }

    @Test
    void closingWakesABlockedWrite() throws Exception {
        SocketChannel[] pair = pair();
        Future<Integer> write = blocked(() -> {
            // The peer never reads: some write blocks (the JDK's returns after a partial one).
            ByteBuffer big = ByteBuffer.allocateDirect(8 << 20);
            while (true) {
                big.clear();
                pair[0].write(big);
            }
        });
        pair[0].close();
        // The blocked write returns the bytes it had taken, if any (both providers do), and
        // the loop's next write fails; or it fails itself with AsynchronousCloseException.
        assertThat(failure(write)).isInstanceOf(ClosedChannelException.class);
    }

    @Test
    void closingWakesABlockedAccept() throws Exception {
        ServerSocketChannel server = listen(8);
        Future<SocketChannel> accept = blocked(server::accept);
        server.close();
        assertThat(failure(accept)).isInstanceOf(AsynchronousCloseException.class);
    }

    @Test
    void interruptingABlockedAcceptClosesTheChannel() throws Exception {
        ServerSocketChannel server = listen(8);
        AtomicReference<Thread> thread = new AtomicReference<>();
        Future<SocketChannel> accept = inBackground(() -> {
            thread.set(Thread.currentThread());
            return server.accept();
        });
        awaitBlocked(thread);
        thread.get().interrupt();
        assertThat(failure(accept)).isInstanceOf(ClosedByInterruptException.class);
        assertThat(server.isOpen()).isFalse();
    }

    @Test
    void closingWakesABlockedReceive() throws Exception {
        DatagramChannel channel = datagram();
        Future<SocketAddress> receive = blocked(() -> channel.receive(ByteBuffer.allocate(8)));
        channel.close();
        assertThat(failure(receive)).isInstanceOf(AsynchronousCloseException.class);
    }

    @Test
    void closingWakesABlockedConnect() throws Exception {
        InetSocketAddress address = fullListener();
        SocketChannel channel = track(provider().openSocketChannel());
        Future<Boolean> connect = blocked(() -> channel.connect(address));
        channel.close();
        assertThat(failure(connect)).isInstanceOf(AsynchronousCloseException.class);
    }

    @Test
    void anAdaptorReadTimesOutAndTheSocketStaysUsable() throws Exception {
        SocketChannel[] pair = pair();
        Socket socket = pair[0].socket();
        socket.setSoTimeout(200);
        assertThatThrownBy(() -> socket.getInputStream().read()).isInstanceOf(SocketTimeoutException.class)
                .hasMessage("Read timed out");
        writeAll(pair[1], new byte[] {42});
        assertThat(socket.getInputStream().read()).isEqualTo(42);
        socket.close();
        assertThat(pair[0].isOpen()).isFalse();
        assertThatThrownBy(() -> socket.getInputStream()).isInstanceOf(SocketException.class)
                .hasMessage("Socket is closed");
    }

    @Test
    void adaptorAcceptAndReceiveTimeOut() throws Exception {
        ServerSocketChannel server = listen(8);
        server.socket().setSoTimeout(200);
        assertThatThrownBy(() -> server.socket().accept()).isInstanceOf(SocketTimeoutException.class)
                .hasMessage("Accept timed out");
        assertThat(server.isOpen()).isTrue();
        Socket client = connect(address(server)).socket();
        Socket accepted = server.socket().accept();
        track(accepted);
        assertThat(accepted.getRemoteSocketAddress()).isEqualTo(client.getLocalSocketAddress());
        assertThat(accepted.getInetAddress()).isEqualTo(LOOPBACK);
        client.getOutputStream().write("hi".getBytes(StandardCharsets.US_ASCII));
        byte[] two = accepted.getInputStream().readNBytes(2);
        assertThat(new String(two, StandardCharsets.US_ASCII)).isEqualTo("hi");

        DatagramChannel channel = datagram();
        java.net.DatagramSocket socket = channel.socket();
        socket.setSoTimeout(200);
        java.net.DatagramPacket packet = new java.net.DatagramPacket(new byte[16], 16);
        assertThatThrownBy(() -> socket.receive(packet)).isInstanceOf(SocketTimeoutException.class)
                .hasMessage("Receive timed out");
        DatagramChannel other = datagram();
        other.send(ByteBuffer.wrap("dg".getBytes(StandardCharsets.US_ASCII)), channel.getLocalAddress());
        socket.receive(packet);
        assertThat(packet.getLength()).isEqualTo(2);
        assertThat(packet.getSocketAddress()).isEqualTo(other.getLocalAddress());
    }

    // ---- the JDK's exceptions and defaults ----------------------------------------------------

    @Test
    void theJdksExceptionsForCallsInTheWrongState() throws Exception {
        SocketChannel unconnected = track(provider().openSocketChannel());
        assertThatThrownBy(() -> unconnected.read(ByteBuffer.allocate(1))).isInstanceOf(NotYetConnectedException.class);
        assertThatThrownBy(() -> unconnected.write(ByteBuffer.allocate(1))).isInstanceOf(NotYetConnectedException.class);
        assertThatThrownBy(unconnected::shutdownInput).isInstanceOf(NotYetConnectedException.class);
        assertThatThrownBy(unconnected::finishConnect).isInstanceOf(NoConnectionPendingException.class);
        assertThatThrownBy(() -> unconnected.read(ByteBuffer.allocate(1).asReadOnlyBuffer()))
                .as("the state is checked before the buffer").isInstanceOf(NotYetConnectedException.class);
        unconnected.bind(new InetSocketAddress(LOOPBACK, 0));
        assertThatThrownBy(() -> unconnected.bind(new InetSocketAddress(LOOPBACK, 0))).isInstanceOf(AlreadyBoundException.class);

        ServerSocketChannel server = listen(8);
        assertThatThrownBy(() -> server.bind(new InetSocketAddress(LOOPBACK, 0))).isInstanceOf(AlreadyBoundException.class);
        ServerSocketChannel clash = track(provider().openServerSocketChannel());
        assertThatThrownBy(() -> clash.bind(address(server))).isInstanceOf(java.net.BindException.class)
                .hasMessage("Address already in use");
        ServerSocketChannel unbound = track(provider().openServerSocketChannel());
        assertThatThrownBy(unbound::accept).isInstanceOf(NotYetBoundException.class);

        SocketChannel connected = connect(address(server));
        assertThatThrownBy(() -> connected.connect(address(server))).isInstanceOf(AlreadyConnectedException.class);
        assertThatThrownBy(() -> connected.read(ByteBuffer.allocate(1).asReadOnlyBuffer()))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("Read-only buffer");
        SocketChannel pending = track(provider().openSocketChannel());
        pending.configureBlocking(false);
        if (!pending.connect(fullListener())) {
            assertThatThrownBy(() -> pending.connect(address(server))).isInstanceOf(ConnectionPendingException.class);
        }
        Selector selector = track(provider().openSelector());
        assertThatThrownBy(() -> connected.register(selector, SelectionKey.OP_READ))
                .isInstanceOf(IllegalBlockingModeException.class);
        assertThatThrownBy(() -> pending.register(selector, SelectionKey.OP_ACCEPT)).isInstanceOf(IllegalArgumentException.class);

        connected.close();
        assertThatThrownBy(() -> connected.read(ByteBuffer.allocate(1))).isInstanceOf(ClosedChannelException.class);
        assertThatThrownBy(connected::getLocalAddress).isInstanceOf(ClosedChannelException.class);
        assertThatThrownBy(() -> connected.setOption(StandardSocketOptions.TCP_NODELAY, true))
                .isInstanceOf(ClosedChannelException.class);
        assertThatThrownBy(() -> connected.configureBlocking(false)).isInstanceOf(ClosedChannelException.class);

        DatagramChannel datagram = datagram();
        assertThatThrownBy(() -> datagram.read(ByteBuffer.allocate(1))).isInstanceOf(NotYetConnectedException.class);
        assertThatThrownBy(() -> datagram.send(ByteBuffer.allocate(1), new InetSocketAddress(LOOPBACK, 0)))
                .isInstanceOf(SocketException.class).hasMessage("Can't send to port 0");
        datagram.connect(datagram.getLocalAddress());
        assertThatThrownBy(() -> datagram.connect(datagram.getLocalAddress())).isInstanceOf(AlreadyConnectedException.class);
        assertThatThrownBy(() -> datagram.send(ByteBuffer.allocate(1), address(server)))
                .isInstanceOf(AlreadyConnectedException.class);
        assertThatThrownBy(() -> provider().openSocketChannel().connect(InetSocketAddress.createUnresolved("tern.invalid", 1)))
                .isInstanceOf(UnresolvedAddressException.class);
    }

    @Test
    void optionsHaveTheJdksDefaultsAndChecks() throws Exception {
        SocketChannel[] pair = pair();
        SocketChannel c = pair[0];
        assertThat(c.supportedOptions()).contains(StandardSocketOptions.SO_SNDBUF, StandardSocketOptions.SO_RCVBUF,
                StandardSocketOptions.SO_KEEPALIVE, StandardSocketOptions.SO_REUSEADDR, StandardSocketOptions.SO_LINGER,
                StandardSocketOptions.TCP_NODELAY, StandardSocketOptions.IP_TOS);
        assertThat(c.getOption(StandardSocketOptions.TCP_NODELAY)).isFalse();
        assertThat(c.getOption(StandardSocketOptions.SO_KEEPALIVE)).isFalse();
        assertThat(c.getOption(StandardSocketOptions.SO_LINGER)).isEqualTo(-1);
        c.setOption(StandardSocketOptions.TCP_NODELAY, true);
        assertThat(c.getOption(StandardSocketOptions.TCP_NODELAY)).isTrue();
        c.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
        assertThat(c.socket().getKeepAlive()).isTrue();
        c.setOption(StandardSocketOptions.SO_LINGER, 5);
        assertThat(c.socket().getSoLinger()).isEqualTo(5);
        c.socket().setSoLinger(false, 0);
        assertThat(c.getOption(StandardSocketOptions.SO_LINGER)).isEqualTo(-1);
        c.setOption(StandardSocketOptions.IP_TOS, 0x10);
        assertThat(c.getOption(StandardSocketOptions.IP_TOS)).isEqualTo(0x10);
        c.setOption(StandardSocketOptions.SO_RCVBUF, 64 * 1024);
        assertThat(c.getOption(StandardSocketOptions.SO_RCVBUF)).as("Linux doubles it, the JDK halves that")
                .isEqualTo(64 * 1024);
        assertThatThrownBy(() -> c.setOption(StandardSocketOptions.SO_RCVBUF, -1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> c.setOption(StandardSocketOptions.IP_TOS, 256)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> c.setOption(StandardSocketOptions.SO_BROADCAST, true))
                .isInstanceOf(UnsupportedOperationException.class).hasMessage("'SO_BROADCAST' not supported");
        assertThatThrownBy(() -> c.setOption(StandardSocketOptions.TCP_NODELAY, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("Invalid value 'null'");

        ServerSocketChannel server = listen(8);
        assertThat(server.getOption(StandardSocketOptions.SO_REUSEADDR)).as("on for listeners, as on Linux").isTrue();
        assertThat(server.supportedOptions()).contains(StandardSocketOptions.SO_RCVBUF, StandardSocketOptions.SO_REUSEADDR);
        DatagramChannel datagram = datagram();
        assertThat(datagram.getOption(StandardSocketOptions.SO_BROADCAST)).isFalse();
        datagram.setOption(StandardSocketOptions.SO_BROADCAST, true);
        assertThat(datagram.socket().getBroadcast()).isTrue();
    }

    @Test
    void keepaliveTimesAreExtendedOptions() throws Exception {
        SocketChannel[] pair = pair();
        SocketChannel c = pair[0];
        assertThat(c.supportedOptions()).contains(jdk.net.ExtendedSocketOptions.TCP_KEEPIDLE,
                jdk.net.ExtendedSocketOptions.TCP_KEEPINTERVAL, jdk.net.ExtendedSocketOptions.TCP_KEEPCOUNT);
        c.setOption(jdk.net.ExtendedSocketOptions.TCP_KEEPIDLE, 30);
        c.setOption(jdk.net.ExtendedSocketOptions.TCP_KEEPINTERVAL, 5);
        c.setOption(jdk.net.ExtendedSocketOptions.TCP_KEEPCOUNT, 4);
        assertThat(c.getOption(jdk.net.ExtendedSocketOptions.TCP_KEEPIDLE)).isEqualTo(30);
        assertThat(c.getOption(jdk.net.ExtendedSocketOptions.TCP_KEEPINTERVAL)).isEqualTo(5);
        assertThat(c.getOption(jdk.net.ExtendedSocketOptions.TCP_KEEPCOUNT)).isEqualTo(4);
    }

    @Test
    void quickAckReadsBackAsSetAndIsOfferedToListenersToo() throws Exception {
        SocketChannel[] pair = pair();
        SocketChannel c = pair[0];
        assertThat(c.supportedOptions()).contains(jdk.net.ExtendedSocketOptions.TCP_QUICKACK);
        assertThat(listen(8).supportedOptions()).contains(jdk.net.ExtendedSocketOptions.TCP_QUICKACK);
        assertThat(c.getOption(jdk.net.ExtendedSocketOptions.TCP_QUICKACK)).as("a new connection is not interactive")
                .isTrue();
        c.setOption(jdk.net.ExtendedSocketOptions.TCP_QUICKACK, false);
        assertThat(c.getOption(jdk.net.ExtendedSocketOptions.TCP_QUICKACK)).isFalse();
        c.setOption(jdk.net.ExtendedSocketOptions.TCP_QUICKACK, true);
        assertThat(c.getOption(jdk.net.ExtendedSocketOptions.TCP_QUICKACK)).isTrue();
        assertThatThrownBy(() -> c.setOption(jdk.net.ExtendedSocketOptions.TCP_QUICKACK, null))
                .isInstanceOf(IllegalArgumentException.class);
    }

    // ---- the addresses applications pass --------------------------------------------------------

    @Test
    void theWildcardOfNewInetSocketAddressAcceptsLoopbackConnections() throws Exception {
        ServerSocketChannel server = track(provider().openServerSocketChannel());
        server.bind(new InetSocketAddress(0));
        int port = address(server).getPort();
        assertThat(address(server).getAddress().isAnyLocalAddress()).isTrue();
        SocketChannel client = connect(new InetSocketAddress(LOOPBACK, port));
        SocketChannel accepted = track(server.accept());
        assertThat(accepted.getRemoteAddress()).isEqualTo(client.getLocalAddress());
        assertThat(((InetSocketAddress) client.getRemoteAddress()).getAddress()).isEqualTo(LOOPBACK);
        SocketChannel toWildcard = connect(new InetSocketAddress(port));
        track(server.accept());
        assertThat(toWildcard.isConnected()).as("connecting to the wildcard reaches this host").isTrue();
    }

    @Test
    void anIpv4MappedAddressReachesTheIpv4Address() throws Exception {
        ServerSocketChannel server = listen(8);
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xff;
        mapped[11] = (byte) 0xff;
        System.arraycopy(LOOPBACK.getAddress(), 0, mapped, 12, 4);
        InetAddress v4mapped = java.net.Inet6Address.getByAddress(null, mapped, null);
        SocketChannel client = connect(new InetSocketAddress(v4mapped, address(server).getPort()));
        track(server.accept());
        assertThat(client.isConnected()).isTrue();
    }

    // ---- IPv6: ::1, dual-stack wildcards, IPv4-mapped peers ---------------------------------------

    static final InetAddress IPV6_LOOPBACK = address("::1");
    static final InetAddress IPV6_WILDCARD = address("::");

    static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }

    /** A connected channel opened for INET6. */
    SocketChannel connect6(SocketAddress address) throws IOException {
        SocketChannel client = track(provider().openSocketChannel(java.net.StandardProtocolFamily.INET6));
        assertThat(client.connect(address)).isTrue();
        return client;
    }

    /** Over ::1 both ends are named by IPv6 addresses, and bytes go both ways. */
    @Test
    void aConnectionOverIpv6LoopbackHasIpv6Names() throws Exception {
        ServerSocketChannel server = track(provider().openServerSocketChannel(java.net.StandardProtocolFamily.INET6));
        server.bind(new InetSocketAddress(IPV6_LOOPBACK, 0));
        assertThat(address(server).getAddress()).isEqualTo(IPV6_LOOPBACK);
        SocketChannel client = connect6(address(server));
        SocketChannel accepted = track(server.accept());
        assertThat(((InetSocketAddress) client.getLocalAddress()).getAddress()).isEqualTo(IPV6_LOOPBACK);
        assertThat(client.getRemoteAddress()).isEqualTo(address(server));
        assertThat(accepted.getRemoteAddress()).isEqualTo(client.getLocalAddress());
        assertThat(accepted.getLocalAddress()).isEqualTo(address(server));
        byte[] data = random(100_000, 6);
        Future<Void> writer = inBackground(() -> {
            writeAll(client, data);
            client.shutdownOutput();
            return null;
        });
        assertThat(readToEnd(accepted, data.length)).isEqualTo(data);
        result(writer);
    }

    /**
     * A channel bound to :: is dual-stack: it accepts a connection from an IPv4-only channel
     * to 127.0.0.1, naming that peer by its IPv4 address, and one over ::1 by its IPv6 one.
     */
    @Test
    void theIpv6WildcardAcceptsIpv4PeersByTheirIpv4Addresses() throws Exception {
        ServerSocketChannel server = track(provider().openServerSocketChannel(java.net.StandardProtocolFamily.INET6));
        server.bind(new InetSocketAddress(IPV6_WILDCARD, 0));
        int port = address(server).getPort();
        assertThat(address(server).getAddress()).isEqualTo(IPV6_WILDCARD);
        SocketChannel v4 = track(provider().openSocketChannel(java.net.StandardProtocolFamily.INET));
        assertThat(v4.connect(new InetSocketAddress(LOOPBACK, port))).isTrue();
        SocketChannel fromV4 = track(server.accept());
        assertThat(fromV4.getRemoteAddress()).isEqualTo(v4.getLocalAddress());
        assertThat(((InetSocketAddress) fromV4.getRemoteAddress()).getAddress()).isInstanceOf(java.net.Inet4Address.class);
        assertThat(((InetSocketAddress) fromV4.getLocalAddress()).getAddress()).isEqualTo(LOOPBACK);
        SocketChannel v6 = connect6(new InetSocketAddress(IPV6_LOOPBACK, port));
        SocketChannel fromV6 = track(server.accept());
        assertThat(fromV6.getRemoteAddress()).isEqualTo(v6.getLocalAddress());
        assertThat(((InetSocketAddress) fromV6.getRemoteAddress()).getAddress()).isEqualTo(IPV6_LOOPBACK);
        SocketChannel toWildcard = connect6(new InetSocketAddress(IPV6_WILDCARD, port));
        track(server.accept());
        assertThat(((InetSocketAddress) toWildcard.getRemoteAddress()).getAddress()).as(":: means this host")
                .isEqualTo(IPV6_LOOPBACK);
    }

    /** A channel opened for INET refuses IPv6 addresses; one for INET6 takes IPv4 ones (IPv4-mapped). */
    @Test
    void familiesOfChannelsTakeTheirAddresses() throws Exception {
        SocketChannel inet = track(provider().openSocketChannel(java.net.StandardProtocolFamily.INET));
        assertThatThrownBy(() -> inet.bind(new InetSocketAddress(IPV6_LOOPBACK, 0)))
                .isInstanceOf(java.nio.channels.UnsupportedAddressTypeException.class);
        assertThatThrownBy(() -> inet.connect(new InetSocketAddress(IPV6_LOOPBACK, 9)))
                .isInstanceOf(java.nio.channels.UnsupportedAddressTypeException.class);
        SocketChannel inet6 = track(provider().openSocketChannel(java.net.StandardProtocolFamily.INET6));
        inet6.bind(new InetSocketAddress(LOOPBACK, 0));
        assertThat(((InetSocketAddress) inet6.getLocalAddress()).getAddress()).isEqualTo(LOOPBACK);
        ServerSocketChannel server = listen(4);
        assertThat(inet6.connect(address(server))).isTrue();
        assertThat(inet6.getRemoteAddress()).isEqualTo(address(server));
        track(server.accept());
        SocketChannel unbound = track(provider().openSocketChannel(java.net.StandardProtocolFamily.INET6));
        unbound.bind(null);
        assertThat(((InetSocketAddress) unbound.getLocalAddress()).getAddress()).isEqualTo(IPV6_WILDCARD);
    }

    /** Datagrams over ::1 carry IPv6 senders; a dual-stack channel hears an IPv4 one as its IPv4 address. */
    @Test
    void datagramsOverIpv6AndFromIpv4ToADualStackChannel() throws Exception {
        DatagramChannel a = track(provider().openDatagramChannel(java.net.StandardProtocolFamily.INET6));
        a.bind(new InetSocketAddress(IPV6_LOOPBACK, 0));
        DatagramChannel b = track(provider().openDatagramChannel(java.net.StandardProtocolFamily.INET6));
        b.bind(new InetSocketAddress(IPV6_WILDCARD, 0));
        int portB = ((InetSocketAddress) b.getLocalAddress()).getPort();
        a.send(ByteBuffer.wrap("six".getBytes(StandardCharsets.US_ASCII)), new InetSocketAddress(IPV6_LOOPBACK, portB));
        ByteBuffer in = ByteBuffer.allocate(16);
        assertThat(b.receive(in)).isEqualTo(a.getLocalAddress());
        DatagramChannel v4 = track(provider().openDatagramChannel(java.net.StandardProtocolFamily.INET));
        v4.bind(new InetSocketAddress(LOOPBACK, 0));
        v4.send(ByteBuffer.wrap("four".getBytes(StandardCharsets.US_ASCII)), new InetSocketAddress(LOOPBACK, portB));
        in.clear();
        InetSocketAddress sender = (InetSocketAddress) b.receive(in);
        assertThat(sender).isEqualTo(v4.getLocalAddress());
        assertThat(sender.getAddress()).isInstanceOf(java.net.Inet4Address.class);
        b.send(ByteBuffer.wrap("back".getBytes(StandardCharsets.US_ASCII)), sender);
        in.clear();
        assertThat(v4.receive(in)).as("an IPv4 peer answered over IPv4")
                .isEqualTo(new InetSocketAddress(LOOPBACK, portB));
        b.connect(v4.getLocalAddress());
        assertThat(b.getRemoteAddress()).isEqualTo(v4.getLocalAddress());
        assertThat(b.write(ByteBuffer.wrap("conn".getBytes(StandardCharsets.US_ASCII)))).isEqualTo(4);
        in.clear();
        assertThat(v4.receive(in)).isEqualTo(new InetSocketAddress(LOOPBACK, portB));
    }

    /** IP_TOS on an IPv6 channel is its traffic class, read back as set. */
    @Test
    void ipTosOfAnIpv6ChannelReadsBackAsSet() throws Exception {
        SocketChannel channel = track(provider().openSocketChannel(java.net.StandardProtocolFamily.INET6));
        channel.setOption(StandardSocketOptions.IP_TOS, 0x28);
        assertThat(channel.getOption(StandardSocketOptions.IP_TOS)).isEqualTo(0x28);
        DatagramChannel datagram = track(provider().openDatagramChannel(java.net.StandardProtocolFamily.INET6));
        datagram.setOption(StandardSocketOptions.IP_TOS, 0x10);
        assertThat(datagram.getOption(StandardSocketOptions.IP_TOS)).isEqualTo(0x10);
    }

    // ---- the selector ----------------------------------------------------------------------------

    @Test
    void aWakeupBeforeTheSelectIsKept() throws Exception {
        Selector selector = track(provider().openSelector());
        selector.wakeup();
        Future<Integer> selected = inBackground(() -> selector.select());
        assertThat(result(selected).intValue()).as("returns at once").isZero();
        selector.wakeup();
        assertThat(selector.selectNow()).isZero();
        long start = System.nanoTime();
        assertThat(selector.select(300)).as("selectNow cleared the wake-up").isZero();
        assertThat(System.nanoTime() - start).isGreaterThan(TimeUnit.MILLISECONDS.toNanos(250));
    }

    @Test
    void everyWakeupEndsASelectWhileThemRace() throws Exception {
        Selector selector = track(provider().openSelector());
        int rounds = 1000;
        AtomicInteger selects = new AtomicInteger();
        Future<Void> selecting = inBackground(() -> {
            for (int i = 0; i < rounds; i++) {
                selector.select();
                selects.incrementAndGet();
            }
            return null;
        });
        for (int i = 0; i < rounds; i++) {
            long deadline = System.nanoTime() + SECONDS.toNanos(BOUND_SECONDS);
            while (selects.get() < i) {
                assertThat(System.nanoTime()).as("select %d returned", i).isLessThan(deadline);
                Thread.onSpinWait();
            }
            selector.wakeup();
        }
        result(selecting);
        assertThat(selects.get()).isEqualTo(rounds);
    }

    @Test
    void interruptingASelectEndsItAndKeepsTheInterrupt() throws Exception {
        Selector selector = track(provider().openSelector());
        AtomicReference<Thread> thread = new AtomicReference<>();
        Future<Boolean> selected = inBackground(() -> {
            thread.set(Thread.currentThread());
            selector.select();
            return Thread.currentThread().isInterrupted();
        });
        awaitBlocked(thread);
        thread.get().interrupt();
        assertThat(result(selected)).as("the interrupt status is set").isTrue();
        assertThat(selector.isOpen()).isTrue();
    }

    @Test
    void closingASelectorEndsASelect() throws Exception {
        Selector selector = track(provider().openSelector());
        AtomicReference<Thread> thread = new AtomicReference<>();
        Future<Integer> selected = inBackground(() -> {
            thread.set(Thread.currentThread());
            return selector.select();
        });
        awaitBlocked(thread);
        selector.close();
        assertThat(result(selected)).isZero();
        assertThatThrownBy(selector::selectNow).isInstanceOf(ClosedSelectorException.class);
    }

    @Test
    void anIdleSelectReturnsZeroOnlyAfterItsTimeout() throws Exception {
        SocketChannel[] pair = pair();
        pair[0].configureBlocking(false);
        Selector selector = track(provider().openSelector());
        pair[0].register(selector, SelectionKey.OP_READ);
        for (int i = 0; i < 3; i++) {
            long start = System.nanoTime();
            assertThat(selector.select(200)).isZero();
            assertThat(System.nanoTime() - start).as("no early zero").isGreaterThan(TimeUnit.MILLISECONDS.toNanos(150));
        }
    }

    @Test
    void readinessIsReportedAgainUntilItIsConsumed() throws Exception {
        SocketChannel[] pair = pair();
        pair[0].configureBlocking(false);
        Selector selector = track(provider().openSelector());
        SelectionKey key = pair[0].register(selector, SelectionKey.OP_READ);
        writeAll(pair[1], "x".getBytes(StandardCharsets.US_ASCII));
        assertThat(selector.select(SECONDS.toMillis(BOUND_SECONDS))).isEqualTo(1);
        assertThat(selector.selectedKeys()).containsExactly(key);
        assertThat(key.readyOps()).isEqualTo(SelectionKey.OP_READ);
        assertThat(selector.selectNow()).as("already selected: not updated").isZero();
        selector.selectedKeys().clear();
        assertThat(selector.selectNow()).as("level-triggered: still readable").isEqualTo(1);
        selector.selectedKeys().clear();
        pair[0].read(ByteBuffer.allocate(8));
        assertThat(selector.selectNow()).as("consumed").isZero();
        key.interestOps(0);
        writeAll(pair[1], "y".getBytes(StandardCharsets.US_ASCII));
        assertThat(selector.select(200)).as("no interest, no report").isZero();
        key.interestOps(SelectionKey.OP_READ);
        assertThat(selector.selectNow()).isEqualTo(1);
    }

    @Test
    void aCancelledKeyIsGoneAfterTheNextSelection() throws Exception {
        SocketChannel[] pair = pair();
        pair[0].configureBlocking(false);
        Selector selector = track(provider().openSelector());
        SelectionKey key = pair[0].register(selector, SelectionKey.OP_READ);
        key.cancel();
        assertThat(key.isValid()).isFalse();
        assertThat(pair[0].isRegistered()).as("until the selector deregisters it").isTrue();
        selector.selectNow();
        assertThat(pair[0].isRegistered()).isFalse();
        assertThat(selector.keys()).isEmpty();
        SelectionKey again = pair[0].register(selector, SelectionKey.OP_READ);
        writeAll(pair[1], "z".getBytes(StandardCharsets.US_ASCII));
        assertThat(selector.select(SECONDS.toMillis(BOUND_SECONDS))).isEqualTo(1);
        assertThat(selector.selectedKeys()).containsExactly(again);
    }

    @Test
    void closingARegisteredChannelLetsThePeerSeeTheEndAtOnce() throws Exception {
        SocketChannel[] pair = pair();
        pair[0].configureBlocking(false);
        Selector selector = track(provider().openSelector());
        pair[0].register(selector, SelectionKey.OP_READ);
        pair[0].close();
        assertThat(result(inBackground(() -> pair[1].read(ByteBuffer.allocate(8))))).isEqualTo(-1);
        selector.selectNow();
        assertThat(selector.keys()).isEmpty();
    }
}
