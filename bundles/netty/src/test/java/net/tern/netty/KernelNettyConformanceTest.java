package net.tern.netty;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioChannelOption;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.StandardSocketOptions;
import java.util.concurrent.TimeUnit;
import jdk.net.ExtendedSocketOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The Netty conformance suite over Netty's NIO transport on the kernel's loopback: the reference. */
class KernelNettyConformanceTest extends NettyTransportConformance {
    private static EventLoopGroup group;

    @BeforeAll
    static void startLoops() {
        group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    }

    @AfterAll
    static void stopLoops() {
        group.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Override
    EventLoopGroup group() {
        return group;
    }

    @Override
    Class<? extends SocketChannel> socketChannel() {
        return NioSocketChannel.class;
    }

    @Override
    Class<? extends ServerSocketChannel> serverChannel() {
        return NioServerSocketChannel.class;
    }

    @Override
    Class<? extends DatagramChannel> datagramChannel() {
        return NioDatagramChannel.class;
    }

    /** The JDK's options for the same socket options of the kernel, through Netty's {@link NioChannelOption}. */
    @Override
    StackOptions stackOptions() {
        return new StackOptions(NioChannelOption.of(ExtendedSocketOptions.TCP_QUICKACK),
                NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPIDLE),
                NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPINTERVAL),
                NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPCOUNT),
                NioChannelOption.of(StandardSocketOptions.SO_REUSEPORT));
    }
}
