package net.tern.nio;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.IllegalSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.UnsupportedAddressTypeException;
import java.nio.channels.spi.SelectorProvider;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import net.tern.api.socket.SocketApi;
import net.tern.core.testing.AllocationMeter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What Tern's provider does beyond the conformance suite: non-blocking calls that cannot
 * proceed allocate nothing; without the AF_INET6 family channels are IPv4's and IPv6 proper is
 * refused, with it channels are AF_INET6 unless opened for INET; a selector does not
 * spin on readiness that meets no interest; a channel of another provider is refused; and
 * channels live through TCP leaving the stack and coming back (hot swap).
 */
@Timeout(value = 120, unit = SECONDS)
class TernChannelsTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private TernLoopback stack;
    private SelectorProvider provider;
    private final List<AutoCloseable> opened = new ArrayList<>();
    private final ExecutorService threads = Executors.newCachedThreadPool();

    @BeforeEach
    void start() throws Exception {
        stack = new TernLoopback();
        provider = stack.provider();
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : opened) {
            try {
                c.close();
            } catch (IOException ignored) {
                // left by a test
            }
        }
        threads.shutdownNow();
        assertThat(threads.awaitTermination(30, SECONDS)).isTrue();
        stack.close();
    }

    private <T extends AutoCloseable> T track(T c) {
        opened.add(c);
        return c;
    }

    private SocketChannel[] pair() throws IOException {
        ServerSocketChannel server = track(provider.openServerSocketChannel());
        server.bind(new InetSocketAddress(LOOPBACK, 0));
        SocketChannel client = track(provider.openSocketChannel());
        client.connect(server.getLocalAddress());
        return new SocketChannel[] {client, track(server.accept()), null};
    }

    // ---- allocation -------------------------------------------------------------------------

    /** At most this many bytes over {@value #CALLS} calls: far below one object per call. */
    private static final long BOUND_BYTES = 512;
    private static final int CALLS = 50_000;

    /** {@code call} answers {@code expected} and allocates at most {@value #BOUND_BYTES} bytes in {@value #CALLS} calls. */
    private static void assertAllocationFree(String what, Object expected, AllocationMeter.Call call) throws Exception {
        assertThat(AllocationMeter.leastAllocated(what, CALLS, expected, call))
                .as(what + ": bytes allocated by %d calls that cannot proceed", CALLS).isLessThanOrEqualTo(BOUND_BYTES);
    }

    @Test
    void nonBlockingCallsThatCannotProceedAllocateNothing() throws Exception {
        SocketChannel[] pair = pair();
        SocketChannel reader = pair[1];
        reader.configureBlocking(false);
        ByteBuffer in = ByteBuffer.allocateDirect(64);
        assertAllocationFree("SocketChannel.read", 0, () -> reader.read(in));

        SocketChannel writer = pair()[0]; // another connection: its peer never reads
        writer.configureBlocking(false);
        writer.setOption(StandardSocketOptions.SO_SNDBUF, 4096);
        ByteBuffer out = ByteBuffer.allocateDirect(64 * 1024);
        // Until the peer's receive buffer and this send buffer are full: no room for half a second.
        long quietSince = System.nanoTime();
        while (System.nanoTime() - quietSince < TimeUnit.MILLISECONDS.toNanos(500)) {
            out.clear();
            if (writer.write(out) > 0) {
                quietSince = System.nanoTime();
            } else {
                Thread.sleep(10);
            }
        }
        out.clear();
        assertAllocationFree("SocketChannel.write", 0, () -> writer.write(out));

        ServerSocketChannel listener = track(provider.openServerSocketChannel());
        listener.bind(new InetSocketAddress(LOOPBACK, 0));
        listener.configureBlocking(false);
        assertAllocationFree("ServerSocketChannel.accept", null, listener::accept);

        SocketChannel pending = StalledConnection.open(provider, opened);
        assertAllocationFree("SocketChannel.finishConnect", false, pending::finishConnect);

        DatagramChannel datagram = track(provider.openDatagramChannel());
        datagram.bind(new InetSocketAddress(LOOPBACK, 0));
        datagram.configureBlocking(false);
        assertAllocationFree("DatagramChannel.receive", null, () -> datagram.receive(in));

        Selector selector = track(provider.openSelector());
        reader.register(selector, SelectionKey.OP_READ);
        listener.register(selector, SelectionKey.OP_ACCEPT);
        datagram.register(selector, SelectionKey.OP_READ);
        assertAllocationFree("Selector.selectNow", 0, selector::selectNow);
    }

    // ---- addresses ----------------------------------------------------------------------------

    /** A stack without IPv6: every channel is AF_INET (INET6 too), IPv6 proper refused, the IPv6 wildcard IPv4's. */
    @Test
    void withoutIpv6ChannelsAreIpv4sAndIpv6ProperIsUnsupported() throws Exception {
        try (TernLoopback ipv4 = TernLoopback.ipv4Only()) {
            SelectorProvider v4 = ipv4.provider();
            InetSocketAddress v6 = new InetSocketAddress(InetAddress.getByName("::1"), 80);
            assertThat(v6.getAddress()).isInstanceOf(Inet6Address.class);
            for (SocketChannel channel : List.of(track(v4.openSocketChannel()),
                    track(v4.openSocketChannel(java.net.StandardProtocolFamily.INET6)))) {
                assertThatThrownBy(() -> channel.connect(v6)).isInstanceOf(UnsupportedAddressTypeException.class);
                assertThatThrownBy(() -> channel.bind(v6)).isInstanceOf(UnsupportedAddressTypeException.class);
            }
            ServerSocketChannel server = track(v4.openServerSocketChannel(java.net.StandardProtocolFamily.INET6));
            server.bind(new InetSocketAddress(InetAddress.getByName("::"), 0));
            InetSocketAddress bound = (InetSocketAddress) server.getLocalAddress();
            assertThat(bound.getAddress()).as("the IPv6 wildcard is IPv4's").isEqualTo(InetAddress.getByName("0.0.0.0"));
            SocketChannel client = track(v4.openSocketChannel());
            assertThat(client.connect(new InetSocketAddress(LOOPBACK, bound.getPort()))).isTrue();
            assertThatThrownBy(() -> v4.openSocketChannel(java.net.StandardProtocolFamily.UNIX))
                    .isInstanceOf(UnsupportedOperationException.class);
            client.close();
            server.close();
        }
    }

    /** With IPv6: INET6's channels are AF_INET6, INET's and the default's AF_INET; IPv6 proper only on the former. */
    @Test
    void channelsAreIpv6WhenOpenedForInet6() throws Exception {
        InetSocketAddress v6 = new InetSocketAddress(InetAddress.getByName("::1"), 0);
        for (SocketChannel inet : List.of(track(provider.openSocketChannel(java.net.StandardProtocolFamily.INET)),
                track(provider.openSocketChannel()))) {
            assertThatThrownBy(() -> inet.bind(v6)).isInstanceOf(UnsupportedAddressTypeException.class);
            assertThat(((TernSelectable) inet).descriptor().inet6).isFalse();
        }
        SocketChannel channel = track(provider.openSocketChannel(java.net.StandardProtocolFamily.INET6));
        channel.bind(v6);
        assertThat(((InetSocketAddress) channel.getLocalAddress()).getAddress()).isEqualTo(v6.getAddress());
        assertThat(((TernSelectable) channel).descriptor().inet6).isTrue();
        assertThatThrownBy(() -> provider.openSocketChannel(java.net.StandardProtocolFamily.UNIX))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    // ---- the selector -------------------------------------------------------------------------

    @Test
    void aChannelOfAnotherProviderIsRefused() throws Exception {
        Selector selector = track(provider.openSelector());
        SocketChannel jdk = track(SelectorProvider.provider().openSocketChannel());
        jdk.configureBlocking(false);
        assertThatThrownBy(() -> jdk.register(selector, SelectionKey.OP_READ)).isInstanceOf(IllegalSelectorException.class);
    }

    @Test
    void readinessThatMeetsNoInterestDoesNotSpin() throws Exception {
        AtomicInteger waits = new AtomicInteger();
        SocketApi counting = (SocketApi) Proxy.newProxyInstance(SocketApi.class.getClassLoader(),
                new Class<?>[] {SocketApi.class}, (proxy, method, args) -> {
                    if (method.getName().equals("sysEpollWait")) {
                        waits.incrementAndGet();
                    }
                    try {
                        return method.invoke(stack.api(), args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        TernSelectorProvider countingProvider = new TernSelectorProvider(counting);
        ServerSocketChannel server = track(countingProvider.openServerSocketChannel());
        server.bind(new InetSocketAddress(LOOPBACK, 0));
        SocketChannel client = track(countingProvider.openSocketChannel());
        client.connect(server.getLocalAddress());
        SocketChannel accepted = track(server.accept());
        client.configureBlocking(false);
        Selector selector = track(countingProvider.openSelector());
        // Connected and writable, but the interest is OP_CONNECT: nothing to report.
        SelectionKey key = client.register(selector, SelectionKey.OP_CONNECT);
        waits.set(0);
        long start = System.nanoTime();
        assertThat(selector.select(300)).isZero();
        assertThat(System.nanoTime() - start).isGreaterThan(TimeUnit.MILLISECONDS.toNanos(250));
        assertThat(waits.get()).as("epoll waits in one select of 300 ms").isLessThanOrEqualTo(3);
        key.interestOps(SelectionKey.OP_READ);
        accepted.write(ByteBuffer.wrap("r".getBytes(StandardCharsets.US_ASCII)));
        assertThat(selector.select(30_000)).isEqualTo(1);
        assertThat(key.readyOps()).isEqualTo(SelectionKey.OP_READ);
    }

    // ---- hot swap -------------------------------------------------------------------------------

    @Test
    void channelsOutliveTcpLeavingAndComingBack() throws Exception {
        SocketChannel[] pair = pair();
        ServerSocketChannel listener = track(provider.openServerSocketChannel());
        listener.bind(new InetSocketAddress(LOOPBACK, 0));
        Future<SocketChannel> blockedAccept = threads.submit(listener::accept);
        Thread.sleep(100); // let the accept block (a lower bound only: it may also start after the abort)

        stack.stopTcp(200);

        // The pair did not close within the drain time: aborted, as every later call says.
        Throwable aborted = catchThrowable(() -> blockedAccept.get(30, SECONDS));
        assertThat(aborted).isNotNull();
        assertThat(aborted.getCause()).isInstanceOf(IOException.class)
                .hasMessage("Software caused connection abort");
        assertThatThrownBy(() -> pair[0].read(ByteBuffer.allocate(1))).isInstanceOf(IOException.class)
                .hasMessage("Software caused connection abort");
        assertThatThrownBy(() -> pair[1].write(ByteBuffer.allocate(1))).isInstanceOf(IOException.class)
                .hasMessage("Software caused connection abort");
        assertThatThrownBy(listener::accept).isInstanceOf(IOException.class)
                .hasMessage("Software caused connection abort");
        assertThatThrownBy(provider::openSocketChannel).isInstanceOf(SocketException.class)
                .hasMessage("Protocol not supported");
        DatagramChannel udp = track(provider.openDatagramChannel());
        udp.bind(new InetSocketAddress(LOOPBACK, 0));
        udp.send(ByteBuffer.wrap("still".getBytes(StandardCharsets.US_ASCII)), udp.getLocalAddress());
        assertThat(udp.receive(ByteBuffer.allocate(8))).as("UDP goes on").isNotNull();
        for (SocketChannel c : List.of(pair[0], pair[1])) {
            c.close();
        }
        listener.close();

        stack.startTcp();
        SocketChannel[] again = pair();
        again[0].write(ByteBuffer.wrap("back".getBytes(StandardCharsets.US_ASCII)));
        ByteBuffer in = ByteBuffer.allocate(8);
        while (in.position() < 4) {
            again[1].read(in);
        }
        assertThat(new String(in.array(), 0, 4, StandardCharsets.US_ASCII)).isEqualTo("back");
    }
}
