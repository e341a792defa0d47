package net.tern.tcp.impl;

import static net.tern.api.socket.SocketConstants.AF_INET;
import static net.tern.api.socket.SocketConstants.SOCK_NONBLOCK;
import static net.tern.api.socket.SocketConstants.SOCK_STREAM;
import static net.tern.wire.TcpPacket.ACK;
import static net.tern.wire.TcpPacket.FIN;
import static net.tern.wire.TcpPacket.PSH;
import static net.tern.wire.TcpPacket.RST;
import static net.tern.wire.TcpPacket.SYN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.InetSockAddr;
import net.tern.api.socket.SocketApi;
import net.tern.core.packet.PooledPacketAllocator;
import net.tern.core.testing.PacketLeakCheck;
import net.tern.inet.impl.Inet;
import net.tern.inet.testing.RecordingBundleContext;
import net.tern.spi.proto.NetProtocol;
import net.tern.spi.proto.ProtoSw;
import net.tern.tcp.testing.Seg;
import net.tern.tcp.testing.SegmentPeer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The TCP bundle stopping (hot swap, DESIGN.md) while it holds what is not a socket: requests
 * in a listener's SYN queue (SYN-RECEIVED) and TIME-WAIT entries, beside a child waiting in
 * the accept queue, an orphan finishing its close and an active open. {@code TcpInit} runs as
 * the framework would run it, its services fed to the host's IPv4 as inet's whiteboards feed
 * them. The stop drops the requests and TIME-WAIT entries without a word to the peer, resets
 * the synchronized connections, leaves no timer behind and nothing that sends later; the
 * packets it made are all released ({@link PacketLeakCheck}). A TCP started again knows
 * nothing of them: the peer's next segment on each of those 4-tuples gets a RST, as any
 * segment for no socket does.
 */
@ExtendWith(PacketLeakCheck.class)
class TcpStopTest {
    private static final int PORT = 8080;
    private static final int PEER_ISN = 5_000_000;
    private static final int REQUEST_PORT = 45_001;
    private static final int QUEUED_CHILD_PORT = 45_002;
    private static final int TIME_WAIT_PORT = 45_003;
    private static final int ORPHAN_PORT = 45_004;

    private SegmentPeer peer;
    private SocketApi api;
    private Inet inet;
    private TcpInit init;

    /** TcpInit's registrations into the host's IPv4, and out again, as inet's whiteboards do in the framework. */
    private final class InetWhiteboard extends RecordingBundleContext {
        @Override
        protected void registering(Registration r) {
            if (r.service() instanceof NetProtocol handler) {
                inet.protocols().add(handler, (Integer) r.properties().get(NetProtocol.PROTOCOL), 0, r.serviceId());
            } else if (r.service() instanceof ProtoSw sw) {
                inet.family().addProtoSw(sw, 0, r.serviceId());
            }
        }

        @Override
        protected void unregistered(Registration r) {
            if (r.service() instanceof NetProtocol handler) {
                inet.protocols().remove(handler, r.serviceId());
            } else if (r.service() instanceof ProtoSw sw) {
                inet.family().removeProtoSw(sw, r.serviceId());
            }
        }
    }

    @BeforeEach
    void setUp() throws ErrnoException {
        peer = new SegmentPeer();
        api = peer.api();
        inet = peer.host().inet();
        // The host's own TCP leaves before anything uses it; the test's TcpInit takes its place.
        Tcp builtIn = peer.host().tcp();
        inet.family().removeProtoSw(builtIn.protoSw(), 1);
        inet.protocols().remove(builtIn);
        builtIn.close();
    }

    @AfterEach
    void tearDown() {
        if (init != null) {
            init.deactivate();
        }
        peer.close();
    }

    /** Starts TCP as the framework activates its component; the stop waits for nothing ({@code drainMillis} 0). */
    private TcpInit start() {
        init = new TcpInit(new InetWhiteboard().context(), peer.time(), peer.time(), peer.time(),
                new PooledPacketAllocator(), inet.output(), inet.fib(), inet.snmp(), inet.localPorts(),
                TcpReconfigureTest.config(Map.of("drainMillis", 0L)));
        return init;
    }

    private void stop() {
        TcpInit stopping = init;
        init = null;
        stopping.deactivate();
        peer.time().runPending();
    }

    private static Seg.Builder from(int port) {
        return SegmentPeer.from(port).to(SegmentPeer.LOCAL, PORT);
    }

    /** The peer's SYN from {@code port}; returns the SYN-ACK. */
    private Seg syn(int port) {
        peer.inject(from(port).flags(SYN).seq(PEER_ISN).window(65535).mss(1460).sackOk().timestamp(100, 0).wscale(7)
                .build());
        Seg synAck = peer.emittedOne();
        assertThat(synAck.flagString()).isEqualTo("S.");
        return synAck;
    }

    /** A segment from the peer on the connection from {@code port} whose SYN-ACK was {@code synAck}. */
    private static Seg.Builder on(int port, Seg synAck, int flags, int seqOffset, int ackOffset) {
        return from(port).flags(flags).seq(PEER_ISN + 1 + seqOffset).ack(synAck.seq() + 1 + ackOffset).window(514)
                .timestamp(200, synAck.options().tsVal);
    }

    @Test
    void aStopDropsRequestsAndTimeWaitEntriesLeavingNoTimerAndARestartedTcpResetsTheirPeers() throws Exception {
        int timersBefore = peer.time().pendingTimers();
        Tcp tcp = start().tcp();
        int listener = api.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        api.bind(listener, new InetSockAddr(0, PORT));
        api.listen(listener, 16);

        // A request: SYN answered, the handshake's ACK not come yet (SYN-RECEIVED, SYN-ACK timer running).
        Seg requestSynAck = syn(REQUEST_PORT);
        // A TIME-WAIT entry: accepted, closed here first, the peer's FIN received.
        Seg timeWaitSynAck = syn(TIME_WAIT_PORT);
        peer.inject(on(TIME_WAIT_PORT, timeWaitSynAck, ACK, 0, 0).build());
        // An orphan in FIN-WAIT-1 retransmitting its data and FIN.
        Seg orphanSynAck = syn(ORPHAN_PORT);
        peer.inject(on(ORPHAN_PORT, orphanSynAck, ACK, 0, 0).build());
        int timeWaitFd = api.accept(listener, SOCK_NONBLOCK).fd();
        int orphanFd = api.accept(listener, SOCK_NONBLOCK).fd();
        // A child complete but not accepted.
        Seg queuedSynAck = syn(QUEUED_CHILD_PORT);
        peer.inject(on(QUEUED_CHILD_PORT, queuedSynAck, ACK, 0, 0).build());
        assertThat(peer.emitted()).isEmpty();
        api.close(timeWaitFd);
        assertThat(peer.emittedOne().flagString()).isEqualTo("F.");
        peer.inject(on(TIME_WAIT_PORT, timeWaitSynAck, FIN | ACK, 0, 1).build());
        assertThat(peer.emittedOne().flagString()).isEqualTo(".");
        api.send(orphanFd, ByteBuffer.wrap(new byte[100]), 0);
        api.close(orphanFd);
        assertThat(peer.emitted()).extracting(Seg::flagString).containsExactly("P.", "F.");
        // An active open in SYN-SENT.
        int connecting = api.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        assertThatThrownBy(() -> api.connect(connecting, InetSockAddr.parse("10.0.0.2:80")))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EINPROGRESS));
        assertThat(peer.emittedOne().flagString()).isEqualTo("S");

        List<Class<?>> entries = tcp.tables().establishedEntries().stream().<Class<?>>map(Object::getClass).toList();
        assertThat(entries).containsOnlyOnce(RequestSock.class, TimeWaitSock.class);
        assertThat(peer.time().pendingTimers()).isGreaterThan(timersBefore);

        stop();

        // The synchronized connections are reset; the request and the TIME-WAIT entry go silently.
        Map<Integer, String> sent = peer.emitted().stream()
                .collect(Collectors.toMap(Seg::dport, Seg::flagString, (a, b) -> a + " " + b));
        assertThat(sent).isEqualTo(Map.of(QUEUED_CHILD_PORT, "R.", ORPHAN_PORT, "R."));
        assertThat(tcp.tables().establishedEntries()).isEmpty();
        assertThat(tcp.sockets()).isEmpty();
        assertThat(peer.time().pendingTimers()).as("timers left by the stopped TCP").isEqualTo(timersBefore);
        for (int fd : new int[] {listener, connecting}) {
            assertThatThrownBy(() -> api.recv(fd, ByteBuffer.allocate(10), 0))
                    .isInstanceOfSatisfying(ErrnoException.class,
                            e -> assertThat(e.errno()).isEqualTo(Errno.ECONNABORTED));
        }
        // Nothing the stopped TCP held sends later: no SYN-ACK, FIN or SYN again.
        peer.advance(10, TimeUnit.MINUTES);
        assertThat(peer.emitted()).isEmpty();

        // TCP again: the peer's segments on the old 4-tuples find no socket, and get a RST.
        start();
        peer.inject(on(REQUEST_PORT, requestSynAck, ACK, 0, 0).build());
        peer.inject(on(TIME_WAIT_PORT, timeWaitSynAck, FIN | ACK, 0, 1).build());
        peer.inject(on(QUEUED_CHILD_PORT, queuedSynAck, PSH | ACK, 0, 0).payload(new byte[10]).build());
        List<Seg> resets = peer.emitted();
        assertThat(resets).extracting(Seg::dport).containsExactly(REQUEST_PORT, TIME_WAIT_PORT, QUEUED_CHILD_PORT);
        assertThat(resets).allSatisfy(rst -> assertThat(rst.has(RST)).isTrue());
        assertThat(resets.get(0).seq()).as("the RST answers the request's ACK at its ACK number")
                .isEqualTo(requestSynAck.seq() + 1);
        assertThat(resets.get(1).seq()).isEqualTo(timeWaitSynAck.seq() + 2);
    }
}
