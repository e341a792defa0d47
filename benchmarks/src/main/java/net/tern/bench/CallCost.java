package net.tern.bench;

import static net.tern.api.socket.SocketConstants.AF_INET;
import static net.tern.api.socket.SocketConstants.EPOLLIN;
import static net.tern.api.socket.SocketConstants.EPOLL_CTL_ADD;
import static net.tern.api.socket.SocketConstants.SOCK_NONBLOCK;
import static net.tern.api.socket.SocketConstants.SOCK_STREAM;
import static net.tern.api.socket.SocketConstants.SOL_SOCKET;
import static net.tern.api.socket.SocketConstants.SO_SNDBUF;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.InetSockAddr;
import net.tern.api.socket.SocketApi;
import net.tern.nio.TernSelectorProvider;

/**
 * What one socket call costs on a Tern loopback stack, through java.nio channels of Tern's
 * provider and through the {@code SocketApi}, millions of times each. First the non-blocking
 * calls that cannot proceed: a read with no data, a write into a full send buffer, an accept
 * with an empty queue, a connect still in progress, and a poll of a readiness set where
 * nothing is ready (java.nio, then the SocketApi's value calls, {@code sys*}, the error as a
 * negative errno). Then a 1-byte read that finds data waiting, in blocking and non-blocking
 * mode: the java.nio adapter's own cost per call, without the stack's work around it.
 *
 * <p>Prints, per call, the calling thread's CPU time and the bytes it allocated (its
 * {@code ThreadMXBean} counters over the measured pass, after a warm-up pass of a tenth), so
 * the figures hold on a busy machine. Run under JFR to see what allocates, should anything:
 * {@code java -XX:StartFlightRecording=filename=calls.jfr,settings=profile -cp ...
 * net.tern.bench.CallCost 5000000}, then {@code jfr print --stack-depth 64 --events
 * jdk.ObjectAllocationSample calls.jfr}. Each path is its own loop method ({@code nioRead},
 * {@code sysRecv}, ...; the reads that find data {@code dataNioRead}, ...) so a stack trace names it.
 */
public final class CallCost {
    private static final int EAGAIN = Errno.EAGAIN.negative();
    private static final int EALREADY = Errno.EALREADY.negative();
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /** The reads that find data: 1 byte each from a receive queue filled before the pass. */
    private static final int READS_PER_FILL = 100_000;
    /** Warm-up passes of the reads that find data, each a fill and its reads. */
    private static final int READ_WARMUPS = 5;

    private CallCost() {
    }

    /** One path's measured pass. */
    private record Pass(String name, long calls, long nanos, long bytes) {
        String line() {
            return String.format(Locale.ROOT, "%-40s %,12d calls  %8.1f ns CPU/call  %,12d bytes allocated  %.4f bytes/call",
                    name, calls, (double) nanos / calls, bytes, (double) bytes / calls);
        }
    }

    /** A path's loop: {@code calls} calls, each checked to have would-blocked. */
    private interface Loop {
        void run(long calls) throws IOException;
    }

    public static void main(String[] args) throws Exception {
        long calls = args.length > 0 ? Long.parseLong(args[0]) : 5_000_000;
        List<AutoCloseable> opened = new ArrayList<>();
        List<Pass> passes = new ArrayList<>();
        try (TernStack stack = new TernStack(4096)) {
            SocketApi api = stack.api();
            SelectorProvider provider = new TernSelectorProvider(api);

            // java.nio channels of Tern's provider.
            SocketChannel[] idle = channelPair(provider, opened);
            SocketChannel reader = idle[1];
            reader.configureBlocking(false);
            ByteBuffer in = ByteBuffer.allocateDirect(64);
            SocketChannel writer = fullWriter(provider, opened);
            ByteBuffer out = ByteBuffer.allocateDirect(64 * 1024);
            ServerSocketChannel listener = provider.openServerSocketChannel();
            opened.add(listener);
            listener.bind(new InetSocketAddress(ChannelNet.LOOPBACK, 0));
            listener.configureBlocking(false);
            SocketChannel pending = stalledChannel(provider, opened);
            Selector selector = provider.openSelector();
            opened.add(selector);
            reader.register(selector, SelectionKey.OP_READ);
            listener.register(selector, SelectionKey.OP_ACCEPT);

            passes.add(measure("SocketChannel.read", calls, n -> nioRead(reader, in, n)));
            passes.add(measure("SocketChannel.write", calls, n -> nioWrite(writer, out, n)));
            passes.add(measure("ServerSocketChannel.accept", calls, n -> nioAccept(listener, n)));
            passes.add(measure("SocketChannel.finishConnect", calls, n -> nioFinishConnect(pending, n)));
            passes.add(measure("Selector.selectNow", calls, n -> nioSelectNow(selector, n)));

            // The SocketApi's value calls on non-blocking descriptors.
            int[] pair = socketPair(api);
            int recvFd = pair[1];
            api.setNonBlocking(recvFd, true);
            int sendFd = fullSender(api);
            int listenFd = api.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
            api.bind(listenFd, new InetSockAddr(InetSockAddr.INADDR_LOOPBACK, 0));
            api.listen(listenFd, 16);
            InetSockAddr[] target = new InetSockAddr[1];
            int connectFd = stalledSocket(api, target);
            int epfd = api.epollCreate();
            api.epollCtl(epfd, EPOLL_CTL_ADD, recvFd, EPOLLIN, 1);
            api.epollCtl(epfd, EPOLL_CTL_ADD, listenFd, EPOLLIN, 2);
            int[] events = new int[64];
            long[] data = new long[64];

            passes.add(measure("SocketApi.sysRecv", calls, n -> sysRecv(api, recvFd, in, n)));
            passes.add(measure("SocketApi.sysRecvBuffers", calls, n -> sysRecvBuffers(api, recvFd, n)));
            passes.add(measure("SocketApi.sysSend", calls, n -> sysSend(api, sendFd, out, n)));
            passes.add(measure("SocketApi.sysAccept", calls, n -> sysAccept(api, listenFd, n)));
            passes.add(measure("SocketApi.sysConnect (in progress)", calls,
                    n -> sysConnect(api, connectFd, target[0], n)));
            passes.add(measure("SocketApi.sysEpollWait (0 ms)", calls, n -> sysEpollWait(api, epfd, events, data, n)));

            System.out.println("would-block calls on tern, " + calls + " each after a warm-up of " + calls / 10
                    + " (the calling thread's CPU time and allocation counter over the measured pass):");
            for (Pass pass : passes) {
                System.out.println("  " + pass.line());
            }

            // A 1-byte read that finds data: the receive queue is filled before each pass.
            SocketChannel[] dataChannels = channelPair(provider, opened);
            SocketChannel source = dataChannels[0];
            SocketChannel sink = dataChannels[1];
            int[] dataFds = socketPair(api);
            int sinkFd = dataFds[1];
            ByteBuffer one = ByteBuffer.allocateDirect(1);
            Fill channelFill = bytes -> {
                while (bytes.hasRemaining()) {
                    source.write(bytes);
                }
            };
            Fill socketFill = bytes -> {
                while (bytes.hasRemaining()) {
                    api.send(dataFds[0], bytes, 0);
                }
            };
            List<Pass> reads = new ArrayList<>();
            reads.add(measureReads("SocketChannel.read (blocking)", channelFill, n -> dataNioRead(sink, one, n)));
            sink.configureBlocking(false);
            reads.add(measureReads("SocketChannel.read (non-blocking)", channelFill, n -> dataNioRead(sink, one, n)));
            reads.add(measureReads("SocketApi.recv (blocking)", socketFill, n -> dataRecv(api, sinkFd, one, n)));
            reads.add(measureReads("SocketApi.sysRecv (blocking)", socketFill, n -> dataSysRecv(api, sinkFd, one, n)));
            System.out.println("1-byte reads that find data waiting, " + READS_PER_FILL + " after " + READ_WARMUPS
                    + " warm-up passes of as many:");
            for (Pass pass : reads) {
                System.out.println("  " + pass.line());
            }
            for (AutoCloseable c : opened) {
                try {
                    c.close();
                } catch (IOException ignored) {
                    // closing a stalled connection's channel may report its failure
                }
            }
        }
        System.exit(0);
    }

    private static Pass measure(String name, long calls, Loop loop) throws IOException {
        loop.run(calls / 10);
        long thread = Thread.currentThread().getId();
        long bytesBefore = THREADS.getThreadAllocatedBytes(thread);
        long cpuBefore = THREADS.getCurrentThreadCpuTime();
        loop.run(calls);
        long nanos = THREADS.getCurrentThreadCpuTime() - cpuBefore;
        long bytes = THREADS.getThreadAllocatedBytes(thread) - bytesBefore;
        return new Pass(name, calls, nanos, bytes);
    }

    /**
     * Reads of 1 byte each that find data: {@code source} sends {@link #READS_PER_FILL} bytes,
     * which arrive before the pass starts; {@link #READ_WARMUPS} warm-up passes, then the measured one.
     */
    private static Pass measureReads(String name, Fill fill, Loop loop) throws IOException, InterruptedException {
        for (int i = 0; i < READ_WARMUPS; i++) {
            fill(fill);
            loop.run(READS_PER_FILL);
        }
        fill(fill);
        long thread = Thread.currentThread().getId();
        long bytesBefore = THREADS.getThreadAllocatedBytes(thread);
        long cpuBefore = THREADS.getCurrentThreadCpuTime();
        loop.run(READS_PER_FILL);
        long nanos = THREADS.getCurrentThreadCpuTime() - cpuBefore;
        long bytes = THREADS.getThreadAllocatedBytes(thread) - bytesBefore;
        return new Pass(name, READS_PER_FILL, nanos, bytes);
    }

    /** Sends all of {@code bytes} to the reading end. */
    private interface Fill {
        void send(ByteBuffer bytes) throws IOException;
    }

    /** {@link #READS_PER_FILL} bytes sent, and time for the network thread to queue them at the peer. */
    private static void fill(Fill fill) throws IOException, InterruptedException {
        fill.send(ByteBuffer.allocateDirect(READS_PER_FILL));
        Thread.sleep(300);
    }

    private static IllegalStateException proceeded(String call, Object result) {
        return new IllegalStateException(call + " did not would-block: " + result);
    }

    // ---- the loops: java.nio --------------------------------------------------------------------

    private static void nioRead(SocketChannel channel, ByteBuffer dst, long calls) throws IOException {
        for (long i = 0; i < calls; i++) {
            int n = channel.read(dst);
            if (n != 0) {
                throw proceeded("read", n);
            }
        }
    }

    private static void nioWrite(SocketChannel channel, ByteBuffer src, long calls) throws IOException {
        src.clear();
        for (long i = 0; i < calls; i++) {
            int n = channel.write(src);
            if (n != 0) {
                throw proceeded("write", n);
            }
        }
    }

    private static void nioAccept(ServerSocketChannel channel, long calls) throws IOException {
        for (long i = 0; i < calls; i++) {
            SocketChannel accepted = channel.accept();
            if (accepted != null) {
                throw proceeded("accept", accepted);
            }
        }
    }

    private static void nioFinishConnect(SocketChannel channel, long calls) throws IOException {
        for (long i = 0; i < calls; i++) {
            if (channel.finishConnect()) {
                throw proceeded("finishConnect", true);
            }
        }
    }

    private static void nioSelectNow(Selector selector, long calls) throws IOException {
        for (long i = 0; i < calls; i++) {
            int n = selector.selectNow();
            if (n != 0) {
                throw proceeded("selectNow", n);
            }
        }
    }

    private static void dataNioRead(SocketChannel channel, ByteBuffer dst, long calls) throws IOException {
        for (long i = 0; i < calls; i++) {
            int n = channel.read(dst.clear());
            if (n != 1) {
                throw new IllegalStateException("read found no data: " + n);
            }
        }
    }

    // ---- the loops: SocketApi ------------------------------------------------------------------

    private static void dataRecv(SocketApi api, int fd, ByteBuffer dst, long calls) throws ErrnoException {
        for (long i = 0; i < calls; i++) {
            int n = api.recv(fd, dst.clear(), 0);
            if (n != 1) {
                throw new IllegalStateException("recv found no data: " + n);
            }
        }
    }

    private static void dataSysRecv(SocketApi api, int fd, ByteBuffer dst, long calls) {
        for (long i = 0; i < calls; i++) {
            long n = api.sysRecv(fd, dst.clear(), 0, null);
            if (n != 1) {
                throw new IllegalStateException("sysRecv found no data: " + n);
            }
        }
    }


    private static void sysRecv(SocketApi api, int fd, ByteBuffer dst, long calls) {
        for (long i = 0; i < calls; i++) {
            long n = api.sysRecv(fd, dst, 0, null);
            if (n != EAGAIN) {
                throw proceeded("sysRecv", n);
            }
        }
    }

    private static void sysRecvBuffers(SocketApi api, int fd, long calls) {
        ByteBufAllocator alloc = UnpooledByteBufAllocator.DEFAULT;
        Consumer<ByteBuf> sink = buf -> {
            throw proceeded("sysRecvBuffers", buf);
        };
        for (long i = 0; i < calls; i++) {
            long n = api.sysRecvBuffers(fd, alloc, 65_536, 0, sink);
            if (n != EAGAIN) {
                throw proceeded("sysRecvBuffers", n);
            }
        }
    }

    private static void sysSend(SocketApi api, int fd, ByteBuffer src, long calls) {
        src.clear();
        for (long i = 0; i < calls; i++) {
            long n = api.sysSend(fd, src, 0, null);
            if (n != EAGAIN) {
                throw proceeded("sysSend", n);
            }
        }
    }

    private static void sysAccept(SocketApi api, int fd, long calls) {
        for (long i = 0; i < calls; i++) {
            int n = api.sysAccept(fd, 0);
            if (n != EAGAIN) {
                throw proceeded("sysAccept", n);
            }
        }
    }

    private static void sysConnect(SocketApi api, int fd, InetSockAddr to, long calls) {
        for (long i = 0; i < calls; i++) {
            int n = api.sysConnect(fd, to);
            if (n != EALREADY) {
                throw proceeded("sysConnect", n);
            }
        }
    }

    private static void sysEpollWait(SocketApi api, int epfd, int[] events, long[] data, long calls) {
        for (long i = 0; i < calls; i++) {
            int n = api.sysEpollWait(epfd, events, data, 0);
            if (n != 0) {
                throw proceeded("sysEpollWait", n);
            }
        }
    }

    // ---- the situations --------------------------------------------------------------------------

    /** A connected pair of blocking channels {client, accepted}; nothing sent. */
    private static SocketChannel[] channelPair(SelectorProvider provider, List<AutoCloseable> opened)
            throws IOException {
        try (ServerSocketChannel server = provider.openServerSocketChannel()) {
            server.bind(new InetSocketAddress(ChannelNet.LOOPBACK, 0));
            SocketChannel client = provider.openSocketChannel();
            opened.add(client);
            client.connect(server.getLocalAddress());
            SocketChannel accepted = server.accept();
            opened.add(accepted);
            return new SocketChannel[] {client, accepted};
        }
    }

    /** A non-blocking channel whose send buffer and peer's receive buffer are full: no room for half a second. */
    private static SocketChannel fullWriter(SelectorProvider provider, List<AutoCloseable> opened)
            throws IOException, InterruptedException {
        SocketChannel writer = channelPair(provider, opened)[0];
        writer.configureBlocking(false);
        writer.setOption(StandardSocketOptions.SO_SNDBUF, 4096);
        ByteBuffer out = ByteBuffer.allocateDirect(64 * 1024);
        long quietSince = System.nanoTime();
        while (System.nanoTime() - quietSince < TimeUnit.MILLISECONDS.toNanos(500)) {
            if (writer.write(out.clear()) > 0) {
                quietSince = System.nanoTime();
            } else {
                Thread.sleep(10);
            }
        }
        return writer;
    }

    /**
     * A non-blocking channel in SYN-SENT: connections to a listener of backlog 1 until one does
     * not complete within 300 ms (its full accept queue drops the SYN; nothing leaves the machine).
     */
    private static SocketChannel stalledChannel(SelectorProvider provider, List<AutoCloseable> opened)
            throws IOException, InterruptedException {
        ServerSocketChannel server = provider.openServerSocketChannel();
        opened.add(server);
        server.bind(new InetSocketAddress(ChannelNet.LOOPBACK, 0), 1);
        for (int i = 0; i < 64; i++) {
            SocketChannel c = provider.openSocketChannel();
            opened.add(c);
            c.configureBlocking(false);
            if (c.connect(server.getLocalAddress())) {
                continue;
            }
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
            boolean connected = false;
            while (!connected && System.nanoTime() < deadline) {
                connected = c.finishConnect();
                Thread.sleep(5);
            }
            if (!connected) {
                return c;
            }
        }
        throw new IllegalStateException("64 connections completed to a listener of backlog 1");
    }

    /** A connected pair of blocking descriptors {client, accepted}; nothing sent. */
    private static int[] socketPair(SocketApi api) throws ErrnoException {
        int listenFd = api.socket(AF_INET, SOCK_STREAM, 0);
        try {
            api.bind(listenFd, new InetSockAddr(InetSockAddr.INADDR_LOOPBACK, 0));
            api.listen(listenFd, 1);
            int client = api.socket(AF_INET, SOCK_STREAM, 0);
            api.connect(client, api.getsockname(listenFd));
            return new int[] {client, api.accept(listenFd).fd()};
        } finally {
            api.close(listenFd);
        }
    }

    /** A non-blocking descriptor whose send buffer and peer's receive buffer are full, as {@link #fullWriter}. */
    private static int fullSender(SocketApi api) throws ErrnoException, InterruptedException {
        int fd = socketPair(api)[0];
        api.setNonBlocking(fd, true);
        api.setsockopt(fd, SOL_SOCKET, SO_SNDBUF, 4096);
        ByteBuffer out = ByteBuffer.allocateDirect(64 * 1024);
        long quietSince = System.nanoTime();
        while (System.nanoTime() - quietSince < TimeUnit.MILLISECONDS.toNanos(500)) {
            if (api.sysSend(fd, out.clear(), 0, null) > 0) {
                quietSince = System.nanoTime();
            } else {
                Thread.sleep(10);
            }
        }
        return fd;
    }

    /** A non-blocking descriptor in SYN-SENT, as {@link #stalledChannel}; its destination into {@code target[0]}. */
    private static int stalledSocket(SocketApi api, InetSockAddr[] target) throws ErrnoException, InterruptedException {
        int listenFd = api.socket(AF_INET, SOCK_STREAM, 0);
        api.bind(listenFd, new InetSockAddr(InetSockAddr.INADDR_LOOPBACK, 0));
        api.listen(listenFd, 1);
        InetSockAddr to = (InetSockAddr) api.getsockname(listenFd);
        target[0] = to;
        for (int i = 0; i < 64; i++) {
            int fd = api.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
            int result = api.sysConnect(fd, to);
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
            while (result != 0 && System.nanoTime() < deadline) {
                Thread.sleep(5);
                result = api.sysConnect(fd, to);
                if (result == Errno.EISCONN.negative()) {
                    result = 0;
                }
            }
            if (result != 0) {
                return fd;
            }
        }
        throw new IllegalStateException("64 connections completed to a listener of backlog 1");
    }
}
