package net.tern.tcp.impl;

import static net.tern.api.socket.SocketConstants.AF_INET;
import static net.tern.api.socket.SocketConstants.SOCK_NONBLOCK;
import static net.tern.api.socket.SocketConstants.SOCK_STREAM;
import static net.tern.api.socket.SocketConstants.SOL_TCP;
import static net.tern.api.socket.SocketConstants.TCP_NODELAY;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import net.tern.api.socket.Accepted;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.InetSockAddr;
import net.tern.api.socket.SocketApi;
import net.tern.core.packet.PooledPacketAllocator;
import net.tern.core.testing.PacketLeakCheck;
import net.tern.core.testing.VirtualTime;
import net.tern.link.loopback.LoopbackDevice;
import net.tern.tcp.testing.Host;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * DESIGN.md: "a link driver leaves: its device and routes go; TCP keeps retransmitting, so a
 * connection survives a driver update that completes within its retransmission limits". An
 * 8 MiB transfer over {@code lo}, in virtual time, while the loopback device is unregistered
 * and a new one registered (what a driver bundle update does): every byte arrives, and the
 * transfer resumes within the backed-off RTO of the device's return, because no segment is
 * sent on a route through the old, downed device ({@code __sk_dst_check}).
 */
@ExtendWith(PacketLeakCheck.class)
class DeviceSwapTest {
    private static final long LEAVES_AT_MILLIS = 20;

    @ParameterizedTest(name = "lo gone for {0} ms")
    @ValueSource(longs = {0, 1, 20, 100, 3000})
    void transferOverLoSurvivesTheDeviceLeavingAndComingBack(long gapMillis) throws Exception {
        VirtualTime time = new VirtualTime();
        Host host = new Host(time, new PooledPacketAllocator(), TcpSettings.defaults(), 3);
        LoopbackDevice lo = new LoopbackDevice();
        host.register(lo);
        time.runPending();
        SocketApi api = host.api();
        int listener = api.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        api.bind(listener, new InetSockAddr(InetSockAddr.INADDR_LOOPBACK, 5001));
        api.listen(listener, 4);
        int client = api.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        // The send buffer is not a whole number of lo's 64 KiB segments: with Nagle, a window's
        // last, partial segment would wait for the ACK the receiver delays 40 ms for the first
        // alone, and the pace would be Nagle's with delayed ACKs rather than the recovery's.
        api.setsockopt(client, SOL_TCP, TCP_NODELAY, 1);
        try {
            api.connect(client, new InetSockAddr(InetSockAddr.INADDR_LOOPBACK, 5001));
        } catch (ErrnoException e) {
            assertThat(e.errno()).isEqualTo(Errno.EINPROGRESS);
        }
        time.advance(1, TimeUnit.MILLISECONDS);
        Accepted server = api.accept(listener, SOCK_NONBLOCK);
        byte[] data = new byte[8 << 20];
        new SplittableRandom(9).nextBytes(data);
        ByteBuffer out = ByteBuffer.wrap(data);
        MessageDigest got = MessageDigest.getInstance("SHA-256");
        long received = 0;
        ByteBuffer in = ByteBuffer.allocate(1 << 16);
        long ms = 0;
        long goneAt = -1;
        // Two minimum RTOs cover the loss at the swap; a long absence doubles the RTO at most once past it.
        long bound = LEAVES_AT_MILLIS + gapMillis + Math.max(500, gapMillis);
        while (received < data.length) {
            assertThat(ms).as("virtual ms, %d of %d received", received, data.length).isLessThanOrEqualTo(bound);
            if (ms == LEAVES_AT_MILLIS) {
                host.unregister(lo);
                goneAt = ms;
            }
            if (goneAt >= 0 && ms == goneAt + gapMillis) {
                lo = new LoopbackDevice();
                host.register(lo);
                goneAt = -2;
            }
            if (out.hasRemaining()) {
                try {
                    api.send(client, out, 0);
                } catch (ErrnoException e) {
                    assertThat(e.errno()).isEqualTo(Errno.EAGAIN);
                }
            }
            while (true) {
                in.clear();
                int n;
                try {
                    n = api.recv(server.fd(), in, 0);
                } catch (ErrnoException e) {
                    assertThat(e.errno()).isEqualTo(Errno.EAGAIN);
                    break;
                }
                got.update(in.array(), 0, n);
                received += n;
            }
            time.advance(1, TimeUnit.MILLISECONDS);
            ms++;
        }
        assertThat(got.digest()).isEqualTo(MessageDigest.getInstance("SHA-256").digest(data));
        api.close(client);
        api.close(server.fd());
        api.close(listener);
        host.close();
        time.advance(1, TimeUnit.SECONDS);
    }
}
