package net.tern.netty;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import java.util.concurrent.TimeUnit;
import net.tern.nio.TernLoopback;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The Netty conformance suite over Tern's transport, on a Tern stack with its own loopback, in real time. */
class TernNettyConformanceTest extends NettyTransportConformance {
    private static TernLoopback stack;
    private static EventLoopGroup group;

    @BeforeAll
    static void startStack() throws Exception {
        stack = new TernLoopback();
        group = new TernEventLoopGroup(2, stack.api());
    }

    @AfterAll
    static void stopStack() {
        group.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
        stack.close();
    }

    @Override
    EventLoopGroup group() {
        return group;
    }

    @Override
    Class<? extends SocketChannel> socketChannel() {
        return TernSocketChannel.class;
    }

    @Override
    Class<? extends ServerSocketChannel> serverChannel() {
        return TernServerSocketChannel.class;
    }

    @Override
    Class<? extends DatagramChannel> datagramChannel() {
        return TernDatagramChannel.class;
    }

    @Override
    StackOptions stackOptions() {
        return new StackOptions(TernChannelOption.TCP_QUICKACK, TernChannelOption.TCP_KEEPIDLE,
                TernChannelOption.TCP_KEEPINTVL, TernChannelOption.TCP_KEEPCNT, TernChannelOption.SO_REUSEPORT);
    }
}
