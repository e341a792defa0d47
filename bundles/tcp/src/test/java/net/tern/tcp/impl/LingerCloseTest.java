package net.tern.tcp.impl;

import static net.tern.api.socket.SocketConstants.SOL_SOCKET;
import static net.tern.api.socket.SocketConstants.SO_LINGER;
import static net.tern.wire.TcpPacket.ACK;
import static net.tern.wire.TcpPacket.FIN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import net.tern.inet.sock.SkState;
import net.tern.tcp.testing.Seg;
import org.junit.jupiter.api.Test;

/**
 * SO_LINGER with a positive time ({@code sk_stream_wait_close}): a blocking close waits until
 * the FIN and the data before it are acknowledged, or the linger time passes; the connection
 * then goes on orphaned. A non-blocking close returns at once.
 */
class LingerCloseTest extends ScriptedPeerTestBase {
    private static final int PEER_ISN = 110_000;

    LingerCloseTest() {
        super(PEER_ISN);
    }

    /** An established connection with {@code SO_LINGER} = {@code seconds}, blocking unless {@code nonBlocking}. */
    private Conn open(int seconds, boolean nonBlocking) throws Exception {
        int fd = socket();
        Seg syn = connectToPeer(fd);
        peer.inject(synAckTo(syn).mss(1000).window(65535).build());
        peer.emitted();
        api.setsockopt(fd, SOL_SOCKET, SO_LINGER, seconds);
        api.setNonBlocking(fd, nonBlocking);
        return established(fd, syn);
    }

    /** Calls close on another thread and returns once that call has returned or is parked in its linger wait. */
    private CompletableFuture<Void> closeInBackground(int fd) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread closer = new Thread(() -> {
            try {
                api.close(fd);
                done.complete(null);
            } catch (Throwable t) {
                done.completeExceptionally(t);
            }
        }, "closer");
        closer.setDaemon(true);
        closer.start();
        settle(done);
        return done;
    }

    /**
     * Waits (bounded) until the closing call has returned or sleeps in the socket layer with no
     * wake-up sent to it: then it returns only on a later event, so "not done" means blocked.
     */
    private void settle(CompletableFuture<Void> closing) {
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(1))
                .until(() -> closing.isDone() || peer.host().socketLayer().parkedCallers() == 1);
    }

    private Seg ackOf(Conn c, int acked) {
        return fromPeer(c).flags(ACK).seq(PEER_ISN + 1).ack(c.nxt(acked)).window(65535).build();
    }

    @Test
    void aBlockingCloseWaitsUntilTheFinIsAcknowledged() throws Exception {
        Conn c = open(10, false);
        api.send(c.fd(), ByteBuffer.wrap(new byte[500]), 0);
        peer.emitted();
        CompletableFuture<Void> closing = closeInBackground(c.fd());
        List<Seg> fin = peer.emitted();
        assertThat(fin).extracting(Seg::flagString).containsExactly("F.");
        assertThat(closing).as("close waits while data and FIN are unacknowledged").isNotDone();
        peer.inject(ackOf(c, 500)); // the data, not the FIN
        settle(closing);
        assertThat(closing).as("close waits while the FIN is unacknowledged").isNotDone();
        peer.inject(ackOf(c, 501)); // the FIN
        closing.get(10, TimeUnit.SECONDS);
        assertThat(sock().state()).isEqualTo(SkState.FIN_WAIT2);
    }

    @Test
    void aBlockingCloseReturnsWhenTheLingerTimePassesAndTheConnectionGoesOn() throws Exception {
        Conn c = open(2, false);
        api.send(c.fd(), ByteBuffer.wrap(new byte[500]), 0);
        peer.emitted();
        CompletableFuture<Void> closing = closeInBackground(c.fd());
        assertThat(peer.emitted()).extracting(Seg::flagString).containsExactly("F.");
        peer.advance(1999, TimeUnit.MILLISECONDS);
        settle(closing);
        assertThat(closing).as("close still waits at 1999 ms").isNotDone();
        peer.advance(1, TimeUnit.MILLISECONDS);
        closing.get(10, TimeUnit.SECONDS);
        // Orphaned, the connection still retransmits and ends normally once acknowledged.
        TcpSock sk = sock();
        assertThat(sk.state()).isEqualTo(SkState.FIN_WAIT1);
        assertThat(peer.emitted()).isNotEmpty();
        peer.inject(ackOf(c, 501));
        assertThat(sk.state()).isEqualTo(SkState.FIN_WAIT2);
    }

    @Test
    void aNonBlockingCloseReturnsAtOnceWithTheFinSent() throws Exception {
        Conn c = open(10, true);
        api.close(c.fd());
        Seg fin = peer.emittedOne();
        assertThat(fin.has(FIN)).isTrue();
        assertThat(sock().state()).isEqualTo(SkState.FIN_WAIT1);
    }
}
