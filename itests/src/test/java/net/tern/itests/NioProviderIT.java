package net.tern.itests;

import static net.tern.api.socket.SocketConstants.IPPROTO_TCP;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.SplittableRandom;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.inject.Inject;
import net.tern.api.socket.SocketApi;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerMethod;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * The java.nio provider bundle in the container: its {@code SelectorProvider} service opens
 * channels and selectors over the stack, and a bundle holding channels and a selector sees
 * the TCP bundle leave (new channels refused, open ones drained, then aborted: an
 * IOException) and come back.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerMethod.class)
public class NioProviderIT extends TernTestSupport {
    private static final int TIMEOUT_MILLIS = (int) WAIT_MILLIS;
    /** TCP's drainMillis in the hot-swap test. */
    private static final long DRAIN_MILLIS = 30_000;
    /** ECONNABORTED, as the JDK words it on Linux. */
    private static final String ABORT = "Software caused connection abort";

    @Inject
    private SelectorProvider provider;

    @Inject
    private SocketApi sockets;

    @Inject
    private ConfigurationAdmin configAdmin;

    @Override
    protected Option[] extraOptions() {
        return new Option[] {optionalTernBundle("tern-nio")};
    }

    @Test
    public void theProviderIsAServiceOfTheNioBundle() {
        ServiceReference<SelectorProvider> ref = context.getServiceReference(SelectorProvider.class);
        assertNotNull(ref);
        assertEquals("net.tern.nio", ref.getBundle().getSymbolicName());
        assertEquals("net.tern.nio.TernSelectorProvider", provider.getClass().getName());
    }

    @Test
    public void aSelectorServesAnEchoOverTheStack() throws Exception {
        awaitInetProtocol(sockets, IPPROTO_TCP);
        try (ServerSocketChannel server = provider.openServerSocketChannel();
                Selector selector = provider.openSelector();
                SocketChannel client = provider.openSocketChannel()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            server.configureBlocking(false);
            server.register(selector, SelectionKey.OP_ACCEPT);
            client.connect(server.getLocalAddress());
            assertEquals(1, selector.select(TIMEOUT_MILLIS));
            SocketChannel accepted = server.accept();
            assertNotNull(accepted);
            client.write(ByteBuffer.wrap("ping".getBytes(StandardCharsets.US_ASCII)));
            ByteBuffer in = ByteBuffer.allocate(8);
            assertEquals(4, accepted.read(in));
            in.flip();
            accepted.write(in);
            ByteBuffer back = ByteBuffer.allocate(8);
            assertEquals(4, client.read(back));
            assertEquals("ping", new String(back.array(), 0, 4, StandardCharsets.US_ASCII));
            accepted.close();
        }
    }

    /**
     * What a bundle holding the provider's channels sees when the TCP bundle is stopped and
     * started, as DESIGN.md's hot swap has it: new channels are refused at once ("Protocol not
     * supported"); its open connections keep carrying data through the drain ({@code drainMillis},
     * 5 s by default), and one it ends then closes cleanly; after the drain the rest are aborted,
     * and a blocked read, the selector loop's read and the listener's accept each end with
     * IOException "Software caused connection abort" (ECONNABORTED). Its selector outlives TCP:
     * once TCP is back, the same loop serves a new connection.
     */
    @Test
    public void openChannelsDrainThenAbortWhenTcpStopsAndTheSelectorServesAgainAfterTheRestart() throws Exception {
        awaitInetProtocol(sockets, IPPROTO_TCP);
        // Long enough for the steps during the drain on a busy machine: the stop is still
        // waiting when the test looks.
        configureTcpDrain(configAdmin, sockets, DRAIN_MILLIS);
        Bundle tcp = installedBundle("net.tern.tcp");
        AtomicReference<Throwable> stopFailure = new AtomicReference<>();
        Thread stopper = new Thread(() -> {
            try {
                tcp.stop(); // drains for drainMillis, then aborts what is left
            } catch (Throwable e) {
                stopFailure.set(e);
            }
        }, "stop-tcp");
        try (EchoLoop loop = new EchoLoop(provider.openSelector())) {
            ServerSocketChannel server = loop.listen(provider.openServerSocketChannel());
            SocketChannel staying = provider.openSocketChannel();
            staying.connect(server.getLocalAddress());
            loop.expect("accepted");
            SocketChannel closing = provider.openSocketChannel();
            closing.connect(server.getLocalAddress());
            loop.expect("accepted");
            assertEchoed(staying, 1000);

            stopper.start();
            await("new channels refused", TIMEOUT_MILLIS, this::newChannelRefused);
            for (Callable<?> open : List.<Callable<?>>of(provider::openSocketChannel, provider::openServerSocketChannel)) {
                try {
                    ((java.nio.channels.Channel) open.call()).close();
                    fail("a TCP channel opened while TCP stops");
                } catch (SocketException e) {
                    assertEquals("Protocol not supported", e.getMessage());
                }
            }

            // The drain: the open connections still work; one the application ends closes cleanly.
            assertEchoed(staying, 64 * 1024);
            closing.shutdownOutput();
            loop.expect("eof");
            assertEquals("the loop's close, read as the end", -1, closing.read(ByteBuffer.allocate(16)));
            closing.close();
            assertTrue("the stop waits for the drain", stopper.isAlive());

            // The abort, at both ends (both are this stack's: the RST of the first one aborted
            // may reach the other before its own abort) and at the listener.
            try {
                staying.read(ByteBuffer.allocate(16)); // blocked from the drain to the abort
                fail("a read on a connection aborted by the stop");
            } catch (IOException e) {
                assertEquals("the client's blocked read", ABORT, e.getMessage());
            }
            loop.expect("read: " + ABORT);
            loop.expect("accept: " + ABORT);
            stopper.join(TIMEOUT_MILLIS);
            assertFalse("the stop ends after the drain", stopper.isAlive());
            assertNull("stopping TCP", stopFailure.get());
            // Withdrawn from the socket layer: every later call on the channel is the abort.
            for (int i = 0; i < 2; i++) {
                try {
                    staying.write(ByteBuffer.wrap(new byte[16]));
                    fail("a write on an aborted connection");
                } catch (IOException e) {
                    assertEquals(ABORT, e.getMessage());
                }
            }
            staying.close();
            assertTrue("still refused with TCP stopped", newChannelRefused());

            tcp.start();
            awaitInetProtocol(sockets, IPPROTO_TCP);
            ServerSocketChannel again = loop.listen(provider.openServerSocketChannel());
            try (SocketChannel client = provider.openSocketChannel()) {
                assertTrue(client.connect(again.getLocalAddress()));
                loop.expect("accepted");
                assertEchoed(client, 64 * 1024);
            }
        } finally {
            stopper.join(TIMEOUT_MILLIS);
        }
    }

    private boolean newChannelRefused() {
        try {
            provider.openSocketChannel().close();
            return false;
        } catch (IOException e) {
            return "Protocol not supported".equals(e.getMessage());
        }
    }

    /** Sends {@code size} random bytes on a blocking channel and reads the same back. */
    private static void assertEchoed(SocketChannel channel, int size) throws IOException {
        byte[] out = new byte[size];
        new SplittableRandom(size).nextBytes(out);
        channel.write(ByteBuffer.wrap(out));
        ByteBuffer in = ByteBuffer.allocate(size);
        while (in.hasRemaining()) {
            if (channel.read(in) < 0) {
                fail("the end after " + in.position() + " of " + size + " echoed bytes");
            }
        }
        assertArrayEquals("echoed", out, in.array());
    }

    /**
     * An application's event loop, as a server framework runs one: a selector on a thread of
     * its own, accepting and echoing without blocking, reporting what it sees ("accepted",
     * "eof", "read: " or "accept: " and an exception's message).
     */
    private static final class EchoLoop implements AutoCloseable {
        private final Selector selector;
        private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
        private final BlockingQueue<String> events = new LinkedBlockingQueue<>();
        private final List<String> seen = new ArrayList<>();
        private final List<String> unclaimed = new ArrayList<>();
        private final Thread thread;
        private volatile boolean running = true;

        EchoLoop(Selector selector) {
            this.selector = selector;
            this.thread = new Thread(this::loop, "echo-loop");
            thread.start();
        }

        /** Binds {@code server} to an ephemeral loopback port and has the loop accept on it. */
        ServerSocketChannel listen(ServerSocketChannel server) throws Exception {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            server.configureBlocking(false);
            CompletableFuture<Void> registered = new CompletableFuture<>();
            tasks.add(() -> {
                try {
                    server.register(selector, SelectionKey.OP_ACCEPT);
                    registered.complete(null);
                } catch (IOException e) {
                    registered.completeExceptionally(e);
                }
            });
            selector.wakeup();
            registered.get(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
            return server;
        }

        /**
         * Waits (bounded) for the loop to report {@code event}, or takes it from those it
         * reported before in another order (an abort reaches the listener and the connection
         * in either order).
         */
        void expect(String event) throws InterruptedException {
            if (unclaimed.remove(event)) {
                return;
            }
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MILLIS);
            while (true) {
                long left = deadline - System.nanoTime();
                String e = left > 0 ? events.poll(left, TimeUnit.NANOSECONDS) : null;
                if (e == null) {
                    throw new AssertionError("the loop did not report '" + event + "' within " + TIMEOUT_MILLIS
                            + " ms; it reported " + seen);
                }
                seen.add(e);
                if (e.equals(event)) {
                    return;
                }
                unclaimed.add(e);
            }
        }

        private void loop() {
            ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
            try {
                while (running) {
                    for (Runnable task = tasks.poll(); task != null; task = tasks.poll()) {
                        task.run();
                    }
                    selector.select(1000);
                    for (var it = selector.selectedKeys().iterator(); it.hasNext(); ) {
                        SelectionKey key = it.next();
                        it.remove();
                        if (key.isValid() && key.isAcceptable()) {
                            accept(key);
                        } else if (key.isValid() && key.isReadable()) {
                            echo(key, buffer);
                        }
                    }
                }
            } catch (IOException | RuntimeException e) {
                events.add("loop failed: " + e);
            }
        }

        private void accept(SelectionKey key) throws IOException {
            try {
                SocketChannel c = ((ServerSocketChannel) key.channel()).accept();
                if (c != null) {
                    c.configureBlocking(false);
                    c.register(selector, SelectionKey.OP_READ);
                    events.add("accepted");
                }
            } catch (IOException e) {
                events.add("accept: " + e.getMessage());
                key.channel().close();
            }
        }

        private void echo(SelectionKey key, ByteBuffer buffer) throws IOException {
            SocketChannel c = (SocketChannel) key.channel();
            try {
                buffer.clear();
                if (c.read(buffer) < 0) {
                    events.add("eof");
                    c.close();
                    return;
                }
                buffer.flip();
                while (buffer.hasRemaining()) {
                    c.write(buffer); // the client reads as it writes: the window opens again
                }
            } catch (IOException e) {
                events.add("read: " + e.getMessage());
                c.close();
            }
        }

        @Override
        public void close() throws Exception {
            running = false;
            selector.wakeup();
            thread.join(TIMEOUT_MILLIS);
            for (SelectionKey key : selector.keys()) {
                key.channel().close();
            }
            selector.close();
        }
    }
}
