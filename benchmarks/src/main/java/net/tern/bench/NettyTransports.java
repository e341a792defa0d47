package net.tern.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.ReferenceCountUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import net.tern.netty.TernEventLoopGroup;
import net.tern.netty.TernServerSocketChannel;
import net.tern.netty.TernSocketChannel;
import net.tern.nio.TernSelectorProvider;

/**
 * Netty over three transports in one JVM, one event loop each side of a connection:
 * <ul>
 * <li>{@code tern-netty}: Tern's Netty transport (bundles/netty) on a Tern stack;</li>
 * <li>{@code nio-on-tern}: Netty's NIO transport over Tern's {@code SelectorProvider}
 * (bundles/nio) on the same stack, what an application gets under {@code bin/tern --app};</li>
 * <li>{@code nio-on-kernel}: Netty's NIO transport on the kernel's loopback.</li>
 * </ul>
 * Workloads: {@code rr}, one connection passing 1 byte back and forth (TCP_NODELAY), round
 * trips per second; {@code bulk}, one connection writing 64 KiB buffers as fast as its
 * writability allows to a peer that discards, MB/s at the peer. Rounds alternate between the
 * transports (warm-up rounds first); each figure is the median with its spread.
 *
 * <p>{@code java -cp 'benchmarks/target/classes:benchmarks/target/lib/*' net.tern.bench.NettyTransports [--quick]}
 */
public final class NettyTransports {
    private static final InetSocketAddress LOOPBACK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    private record Transport(String name, EventLoopGroup group, ChannelFactory<SocketChannel> socket,
            ChannelFactory<ServerSocketChannel> server) {
    }

    private NettyTransports() {
    }

    public static void main(String[] args) throws Exception {
        List<String> options = List.of(args);
        boolean quick = options.contains("--quick");
        // For a profile of one case: --only TRANSPORT and/or --workload rr|bulk.
        String only = valueAfter(options, "--only");
        String workload = valueAfter(options, "--workload");
        long roundMillis = quick ? 1_000 : 3_000;
        int warmups = quick ? 1 : 2;
        int rounds = quick ? 3 : 5;
        try (TernStack stack = new TernStack(1 << 16)) {
            TernSelectorProvider provider = new TernSelectorProvider(stack.api());
            List<Transport> all = List.of(
                    new Transport("tern-netty", new TernEventLoopGroup(2, stack.api()),
                            TernSocketChannel::new, TernServerSocketChannel::new),
                    new Transport("nio-on-tern", new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory(provider)),
                            () -> new NioSocketChannel(provider), () -> new NioServerSocketChannel(provider)),
                    new Transport("nio-on-kernel", new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory()),
                            NioSocketChannel::new, NioServerSocketChannel::new));
            List<Transport> transports = all.stream().filter(t -> only == null || t.name().equals(only)).toList();
            if (transports.isEmpty()) {
                throw new IllegalArgumentException("--only " + only + ": no such transport");
            }
            try {
                System.out.printf(Locale.ROOT, "netty transports: %d ms rounds, %d warm-up, %d measured%n",
                        roundMillis, warmups, rounds);
                if (workload == null || workload.equals("rr")) {
                    compare("rr (round trips/s)", transports, warmups, rounds, t -> rr(t, roundMillis));
                }
                if (workload == null || workload.equals("bulk")) {
                    compare("bulk (MB/s)", transports, warmups, rounds, t -> bulk(t, roundMillis));
                }
                System.out.printf(Locale.ROOT, "tern stack: segments in %d, out %d, delayed ACKs %d%n",
                        stack.tcpCounter("InSegs"), stack.tcpCounter("OutSegs"), stack.counter("TcpExt", "DelayedACKs"));
            } finally {
                for (Transport t : all) {
                    t.group().shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
                }
            }
        }
    }

    private static String valueAfter(List<String> options, String name) {
        int i = options.indexOf(name);
        return i >= 0 && i + 1 < options.size() ? options.get(i + 1) : null;
    }

    private interface Round {
        double run(Transport transport) throws Exception;
    }

    private static void compare(String label, List<Transport> transports, int warmups, int rounds, Round round)
            throws Exception {
        for (int i = 0; i < warmups; i++) {
            for (Transport t : transports) {
                round.run(t);
            }
        }
        double[][] values = new double[transports.size()][rounds];
        for (int r = 0; r < rounds; r++) {
            for (int k = 0; k < transports.size(); k++) {
                int i = (k + r) % transports.size(); // each goes first in turn
                values[i][r] = round.run(transports.get(i));
            }
        }
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-20s", label));
        for (int i = 0; i < transports.size(); i++) {
            double[] v = values[i].clone();
            Arrays.sort(v);
            line.append(String.format(Locale.ROOT, "  %s %.0f [%.0f..%.0f]", transports.get(i).name(),
                    Comparison.median(values[i]), v[0], v[v.length - 1]));
        }
        System.out.println(line);
    }

    /** One connection, 1 byte back and forth for {@code millis}: round trips per second. */
    private static double rr(Transport t, long millis) throws Exception {
        Channel server = new ServerBootstrap().group(t.group()).channelFactory(t.server())
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        ctx.writeAndFlush(msg);
                    }
                }).bind(LOOPBACK).sync().channel();
        AtomicLong trips = new AtomicLong();
        CompletableFuture<Void> done = new CompletableFuture<>();
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        Channel client = new Bootstrap().group(t.group()).channelFactory(t.socket()).option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelActive(ChannelHandlerContext ctx) {
                        ctx.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {1}));
                    }

                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        trips.incrementAndGet();
                        if (System.nanoTime() - end < 0) {
                            ctx.writeAndFlush(msg);
                        } else {
                            ReferenceCountUtil.release(msg);
                            done.complete(null);
                        }
                    }
                }).connect(server.localAddress()).sync().channel();
        long start = System.nanoTime();
        done.get(millis + 30_000, TimeUnit.MILLISECONDS);
        double seconds = (System.nanoTime() - start) / 1e9;
        client.close().sync();
        server.close().sync();
        return trips.get() / seconds;
    }

    /** One connection, 64 KiB writes while writable for {@code millis}, a discarding peer: MB/s received. */
    private static double bulk(Transport t, long millis) throws Exception {
        AtomicLong received = new AtomicLong();
        Channel server = new ServerBootstrap().group(t.group()).channelFactory(t.server())
                .childHandler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        received.addAndGet(((ByteBuf) msg).readableBytes());
                        ReferenceCountUtil.release(msg);
                    }
                }).bind(LOOPBACK).sync().channel();
        ByteBuf direct = Unpooled.directBuffer(65_536).writeZero(65_536);
        ByteBuf chunk = Unpooled.unreleasableBuffer(direct);
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        CompletableFuture<Void> done = new CompletableFuture<>();
        Channel client = new Bootstrap().group(t.group()).channelFactory(t.socket())
                .handler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelActive(ChannelHandlerContext ctx) {
                        produce(ctx.channel());
                    }

                    @Override
                    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
                        produce(ctx.channel());
                    }

                    private void produce(Channel ch) {
                        if (System.nanoTime() - end >= 0) {
                            done.complete(null);
                            return;
                        }
                        while (ch.isWritable()) {
                            ch.write(chunk.duplicate());
                        }
                        ch.flush();
                    }
                }).connect(server.localAddress()).sync().channel();
        long start = System.nanoTime();
        long before = received.get();
        done.get(millis + 30_000, TimeUnit.MILLISECONDS);
        double seconds = (System.nanoTime() - start) / 1e9;
        long bytes = received.get() - before;
        client.close().sync();
        server.close().sync();
        direct.release();
        return bytes / seconds / 1e6;
    }
}
