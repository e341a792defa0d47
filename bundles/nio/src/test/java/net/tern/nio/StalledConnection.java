package net.tern.nio;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A connection that stays in SYN-SENT without a packet leaving the machine: a loopback
 * listener of backlog 1 is filled until its accept queue is full, and then drops new SYNs
 * (Linux's {@code tcp_conn_request} counts a ListenOverflow and drops; Tern does the same).
 */
final class StalledConnection {
    private StalledConnection() {
    }

    /**
     * Connects to a new listener of {@code provider} until a connection does not complete
     * within 3 s, and returns that one (non-blocking, pending). A connection that completes
     * does so within milliseconds on an idle machine; the bound is for a busy one. A dropped
     * SYN is sent again after 1 s and is dropped again while the queue stays full, so a longer
     * look does not complete a stalled connection. Everything opened joins
     * {@code opened}, for the caller to close.
     */
    static SocketChannel open(SelectorProvider provider, List<AutoCloseable> opened) throws IOException, InterruptedException {
        ServerSocketChannel server = provider.openServerSocketChannel();
        opened.add(server);
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1);
        for (int i = 0; i < 64; i++) {
            SocketChannel c = provider.openSocketChannel();
            opened.add(c);
            c.configureBlocking(false);
            if (c.connect(server.getLocalAddress())) {
                continue;
            }
            boolean connected = false;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
            while (!connected && System.nanoTime() < deadline) {
                connected = c.finishConnect();
                Thread.sleep(5);
            }
            if (!connected) {
                return c;
            }
        }
        throw new AssertionError("64 connections completed to a listener of backlog 1");
    }
}
