package net.tern.tcp.impl;

import static net.tern.wire.TcpPacket.ACK;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.List;
import net.tern.tcp.testing.Seg;
import org.junit.jupiter.api.Test;

/**
 * The counters of the checklist in docs/tcp-defaults.md that no protocol test asserts on
 * the way: each is moved by the scenario its test names, and by nothing else in it.
 */
class TcpCountersTest extends ScriptedPeerTestBase {
    private static final int PEER_ISN = 90_000;

    TcpCountersTest() {
        super(PEER_ISN);
    }

    private Conn open(boolean sackOk) throws Exception {
        int fd = socket();
        Seg syn = connectToPeer(fd);
        Seg.Builder synAck = synAckTo(syn).mss(1000).window(65535);
        peer.inject((sackOk ? synAck.sackOk() : synAck).build());
        peer.emitted();
        return established(fd, syn);
    }

    private Seg ack(Conn c, int acked) {
        return fromPeer(c).flags(ACK).seq(PEER_ISN + 1).ack(c.nxt(acked)).window(65535).build();
    }

    @Test
    void connectCountsOneActiveOpenAndNoPassiveOne() throws Exception {
        int fd = socket();
        assertThat(peer.host().counter(TcpMib.ActiveOpens)).isZero();
        connectToPeer(fd);
        assertThat(peer.host().counter(TcpMib.ActiveOpens)).isEqualTo(1);
        assertThat(peer.host().counter(TcpMib.PassiveOpens)).isZero();
    }

    @Test
    void everySegmentReceivedCountsInSegsAndEverySegmentSentCountsOutSegs() throws Exception {
        Conn c = open(false);
        long inBefore = peer.host().counter(TcpMib.InSegs);
        long outBefore = peer.host().counter(TcpMib.OutSegs);
        // Three full segments out: MSS 1000, and no timestamps were agreed.
        api.send(c.fd(), ByteBuffer.wrap(new byte[3000]), 0);
        List<Seg> sent = peer.emitted();
        assertThat(sent).hasSize(3);
        assertThat(peer.host().counter(TcpMib.OutSegs) - outBefore).isEqualTo(3);
        // Two ACKs in: both counted, whether they move snd_una or not.
        peer.inject(ack(c, 3000));
        peer.inject(ack(c, 3000));
        assertThat(peer.host().counter(TcpMib.InSegs) - inBefore).isEqualTo(2);
        assertThat(peer.host().counter(TcpMib.InErrs)).isZero();
    }

    @Test
    void fastRetransmitOnASackConnectionCountsTcpSackRecovery() throws Exception {
        Conn c = open(true);
        enterRecoveryByThreeDuplicateAcks(c, true);
        assertThat(peer.host().counter(TcpExtMib.TCPSackRecovery)).isEqualTo(1);
        assertThat(peer.host().counter(TcpExtMib.TCPRenoRecovery)).isZero();
    }

    @Test
    void fastRetransmitWithoutSackCountsTcpRenoRecovery() throws Exception {
        Conn c = open(false);
        enterRecoveryByThreeDuplicateAcks(c, false);
        assertThat(peer.host().counter(TcpExtMib.TCPRenoRecovery)).isEqualTo(1);
        assertThat(peer.host().counter(TcpExtMib.TCPSackRecovery)).isZero();
    }

    /** Three duplicate ACKs for the first of ten segments; with SACK they SACK the second to the fourth, as a receiver does. */
    private void enterRecoveryByThreeDuplicateAcks(Conn c, boolean sack) throws Exception {
        api.send(c.fd(), ByteBuffer.wrap(new byte[10_000]), 0);
        assertThat(peer.emitted()).hasSize(10);
        for (int i = 0; i < 3; i++) {
            peer.advance(100, java.util.concurrent.TimeUnit.MICROSECONDS); // a retransmission is newer than what the next SACK reports
            peer.inject(sack ? fromPeer(c).flags(ACK).seq(PEER_ISN + 1).ack(c.nxt(0)).window(65535)
                    .sack(c.nxt(1000), c.nxt(1000 * (i + 2))).build() : ack(c, 0));
        }
        Seg retransmitted = peer.emittedOne();
        assertThat(retransmitted.seq()).isEqualTo(c.nxt(0));
        assertThat(peer.host().counter(TcpExtMib.TCPFastRetrans)).isEqualTo(1);
    }
}
