package net.tern.tcp.impl;

import static net.tern.api.socket.SocketConstants.AF_INET;
import static net.tern.api.socket.SocketConstants.SOCK_NONBLOCK;
import static net.tern.api.socket.SocketConstants.SOCK_STREAM;
import static net.tern.wire.TcpPacket.ACK;
import static net.tern.wire.TcpPacket.SYN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.TimeUnit;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.InetSockAddr;
import net.tern.api.socket.SocketApi;
import net.tern.core.testing.PacketLeakCheck;
import net.tern.inet.sock.SkState;
import net.tern.tcp.testing.Seg;
import net.tern.tcp.testing.SegmentPeer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Segment-level tests against the scripted peer at 10.0.0.2:80: a fresh {@link SegmentPeer}
 * per test and the steps of an active open to it. Each subclass finishes the handshake its
 * own way (SYN-ACK options, timing, what it checks of the final ACK), so only the common
 * steps live here; the peer's ISN is per class so that sequence numbers in one class's
 * failures are not mistaken for another's.
 */
@ExtendWith(PacketLeakCheck.class)
abstract class ScriptedPeerTestBase {
    protected SegmentPeer peer;
    protected SocketApi api;

    private final int peerIsn;

    protected ScriptedPeerTestBase(int peerIsn) {
        this.peerIsn = peerIsn;
    }

    /** An established connection to the scripted peer at 10.0.0.2:80. */
    protected record Conn(int fd, int port, int iss) {
        /** The local sequence number after {@code sent} bytes of data. */
        int nxt(int sent) {
            return iss + 1 + sent;
        }
    }

    /** The stack's settings for these tests: Linux's defaults unless a test class says otherwise. */
    protected TcpSettings settings() {
        return TcpSettings.defaults();
    }

    @BeforeEach
    void setUp() throws ErrnoException {
        peer = new SegmentPeer(settings(), 1500);
        api = peer.api();
    }

    @AfterEach
    void tearDown() {
        peer.close();
    }

    /** A new non-blocking TCP socket. */
    protected int socket() throws ErrnoException {
        return api.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    }

    /** Starts connecting {@code fd} to the peer, which must report EINPROGRESS, and returns the SYN sent. */
    protected Seg connectToPeer(int fd) {
        assertThatThrownBy(() -> api.connect(fd, InetSockAddr.parse("10.0.0.2:80")))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EINPROGRESS));
        return peer.emittedOne();
    }

    /** The peer's SYN-ACK to {@code syn}, with the class's peer ISN; options and window are left to the caller. */
    protected Seg.Builder synAckTo(Seg syn) {
        return SegmentPeer.from(80).to(SegmentPeer.LOCAL, syn.sport()).flags(SYN | ACK).seq(peerIsn)
                .ack(syn.seq() + 1);
    }

    /**
     * A connection made with a {@code rttMillis} handshake (so an RTO of 200 ms more) to a
     * peer offering MSS 1460 and {@code window}; what it sent is taken off.
     */
    protected Conn openWithRtt(long rttMillis, int window) throws ErrnoException {
        int fd = socket();
        Seg syn = connectToPeer(fd);
        peer.advance(rttMillis, TimeUnit.MILLISECONDS);
        peer.inject(synAckTo(syn).mss(1460).window(window).build());
        peer.emitted();
        return established(fd, syn);
    }

    /** The connection {@code fd} opened with {@code syn}. */
    protected static Conn established(int fd, Seg syn) {
        return new Conn(fd, syn.sport(), syn.seq());
    }

    /** The host's connection socket (the first TCP socket that is not a listener). */
    protected TcpSock sock() {
        return peer.host().tcp().sockets().stream().filter(s -> s.state() != SkState.LISTEN).findFirst().orElseThrow();
    }

    /** A segment from the peer on {@code c}, to be completed by the caller. */
    protected Seg.Builder fromPeer(Conn c) {
        return SegmentPeer.from(80).to(SegmentPeer.LOCAL, c.port());
    }
}
