package net.tern.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * The kernel's receiving end of the TUN and veth throughput tests, run inside the test's
 * network namespace ({@code ip netns exec NS java ... TcpSink PORT}): each connection is read
 * to its end, then the sink answers with the byte count (8 bytes) and closes.
 */
public final class TcpSink {
    private TcpSink() {
    }

    public static void main(String[] args) throws IOException {
        int port = Integer.parseInt(args[0]);
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress(port), 16);
            System.out.println("sink listening on " + port);
            System.out.flush();
            while (true) {
                SocketChannel conn = server.accept();
                Thread reader = new Thread(() -> drain(conn), "sink");
                reader.setDaemon(true);
                reader.start();
            }
        }
    }

    private static void drain(SocketChannel conn) {
        try (conn) {
            ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 16);
            long total = 0;
            int n;
            while ((n = conn.read(buffer.clear())) >= 0) {
                total += n;
            }
            ByteBuffer count = ByteBuffer.allocate(8).putLong(total).flip();
            while (count.hasRemaining()) {
                conn.write(count);
            }
        } catch (IOException e) {
            System.err.println("sink: " + e);
        }
    }

    /**
     * The sending side: writes 64 KiB blocks on {@code conn} for {@code millis}, half-closes,
     * and waits for the sink's count. Returns Gbit/s of bytes the sink confirmed over the
     * time from the first write to its answer.
     */
    static double sendTo(Net.Conn conn, long millis) throws IOException {
        ByteBuffer chunk = ByteBuffer.allocateDirect(TcpWorkloads.WRITE_SIZE);
        long start = System.nanoTime();
        long deadline = start + millis * 1_000_000;
        while (System.nanoTime() < deadline) {
            conn.writeFully(chunk.clear());
        }
        conn.shutdownOutput();
        ByteBuffer count = ByteBuffer.allocate(8);
        if (!conn.readFully(count)) {
            throw new IOException("the sink closed without its count");
        }
        long elapsed = System.nanoTime() - start;
        return count.flip().getLong() * 8.0 / elapsed;
    }
}
