package net.tern.tcp.impl;

import static net.tern.api.socket.SocketConstants.SOL_SOCKET;
import static net.tern.api.socket.SocketConstants.SO_ERROR;
import static net.tern.wire.TcpPacket.ACK;
import static net.tern.wire.TcpPacket.SYN;
import static org.assertj.core.api.Assertions.assertThat;

import net.tern.api.socket.Errno;
import net.tern.inet.sock.SkState;
import net.tern.tcp.testing.Seg;
import net.tern.tcp.testing.SegmentPeer;
import org.junit.jupiter.api.Test;

/**
 * The checks that a number lies in a range of sequence space ({@code between()}): an ICMP
 * error must quote a sequence number from snd_una to snd_nxt (RFC 5927 4.1, tcp_v4_err), and
 * the ACK that ends a SYN-RECEIVED must acknowledge our SYN (RFC 9293 3.10.7.4). A number
 * before the range is outside it, however far before.
 */
class SequenceRangeCheckTest extends ScriptedPeerTestBase {
    private static final int PEER_ISN = 0x5e9_0000;

    SequenceRangeCheckTest() {
        super(PEER_ISN);
    }

    @Test
    void icmpErrorQuotingASequenceNumberBeforeSndUnaIsIgnored() throws Exception {
        int fd = socket();
        Seg syn = connectToPeer(fd);
        peer.injectIcmpError(3, 3, 0, withSeq(syn, syn.seq() - 1000));
        assertThat(api.getsockopt(fd, SOL_SOCKET, SO_ERROR)).isZero();
        assertThat(sock().state()).isEqualTo(SkState.SYN_SENT);

        peer.injectIcmpError(3, 3, 0, syn);
        assertThat(api.getsockopt(fd, SOL_SOCKET, SO_ERROR)).isEqualTo(Errno.ECONNREFUSED.number());
    }

    @Test
    void ackBeforeOurSynDoesNotEndSynReceived() throws Exception {
        int fd = socket();
        Seg syn = connectToPeer(fd);
        // Simultaneous open: the peer's own SYN, which takes the socket to SYN-RECEIVED.
        peer.inject(SegmentPeer.from(80).to(SegmentPeer.LOCAL, syn.sport()).flags(SYN).seq(PEER_ISN).build());
        Seg synAck = peer.emittedOne();
        assertThat(synAck.flagString()).isEqualTo("S.");
        assertThat(sock().state()).isEqualTo(SkState.SYN_RECV);

        peer.inject(SegmentPeer.from(80).to(SegmentPeer.LOCAL, syn.sport()).flags(ACK).seq(PEER_ISN + 1)
                .ack(syn.seq() - 5).build());
        assertThat(peer.emittedOne().flagString()).isEqualTo("R");
        assertThat(sock().state()).isEqualTo(SkState.SYN_RECV);

        peer.inject(SegmentPeer.from(80).to(SegmentPeer.LOCAL, syn.sport()).flags(ACK).seq(PEER_ISN + 1)
                .ack(syn.seq() + 1).build());
        assertThat(sock().state()).isEqualTo(SkState.ESTABLISHED);
    }

    private static Seg withSeq(Seg s, int seq) {
        return new Seg(s.saddr(), s.daddr(), s.sport(), s.dport(), s.flags(), seq, s.ack(), s.window(), s.options(),
                s.payload(), s.atNanos());
    }
}
