package net.tern.tcp.impl;

import static net.tern.api.socket.SocketConstants.AF_INET;
import static net.tern.api.socket.SocketConstants.SOCK_NONBLOCK;
import static net.tern.api.socket.SocketConstants.SOCK_STREAM;
import static net.tern.api.socket.SocketConstants.SOL_TCP;
import static net.tern.api.socket.SocketConstants.TCP_MAXSEG;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import net.tern.api.socket.InetSockAddr;
import net.tern.core.testing.PacketLeakCheck;
import net.tern.spi.net.Impairment;
import net.tern.spi.net.Link;
import net.tern.spi.trace.TraceEvent;
import net.tern.spi.trace.TraceProbe;
import net.tern.spi.trace.Tracepoints;
import net.tern.tcp.testing.LoopbackHost;
import net.tern.wire.TcpPacket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The data path's tracepoints over a connection to self on {@code lo} with netem: each event's
 * fields against what the transfer did (segments sent and received, ACKs, {@code tcp_probe}'s
 * sending state, retransmissions, congestion-state changes, the IP and device events), and
 * nothing built while no one listens.
 */
@ExtendWith(PacketLeakCheck.class)
class TcpDataPathTraceTest {
    private static final int BYTES = 200_000;

    private record Run(List<TraceEvent> events, int clientPort, int serverPort) {
        List<TraceEvent> of(String function, int localPort) {
            return events.stream().filter(e -> e.function().equals(function) && e.local() != null
                    && e.local().port() == localPort).toList();
        }
    }

    /** Sends {@link #BYTES} client to server over {@code lo} impaired by {@code netem}, tracing when {@code trace}. */
    private static Run transfer(String netem, boolean trace, Predicate<LoopbackHost> midway) throws Exception {
        List<TraceEvent> events = new ArrayList<>();
        try (LoopbackHost host = new LoopbackHost();
                AutoCloseable on = trace ? Tracepoints.add(e -> {
                    synchronized (events) {
                        events.add(e);
                    }
                }) : () -> { }) {
            Link lo = host.host().link("lo");
            int listener = host.listen(5001, 4);
            // Ethernet-sized segments, as on most paths (lo's MTU would make them 64 KiB).
            host.api().setsockopt(listener, SOL_TCP, TCP_MAXSEG, 1448);
            int client = host.api().socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
            host.api().setsockopt(client, SOL_TCP, TCP_MAXSEG, 1448);
            try {
                host.api().connect(client, new InetSockAddr(InetSockAddr.INADDR_LOOPBACK, 5001));
            } catch (net.tern.api.socket.ErrnoException inProgress) {
                // EINPROGRESS: the handshake runs next
            }
            host.runUntilIdle();
            int[] pair = {client, host.api().accept(listener, SOCK_NONBLOCK).fd()};
            lo.setImpairment(Impairment.parse(netem)); // on the data: the handshake went clean
            int clientPort = ((InetSockAddr) host.api().getsockname(pair[0])).port();
            byte[] data = new byte[BYTES];
            long received = 0;
            java.nio.ByteBuffer chunk = java.nio.ByteBuffer.wrap(data);
            boolean tested = false;
            long deadline = host.time().nanoTime() + TimeUnit.SECONDS.toNanos(600);
            while (received < BYTES) {
                assertThat(host.time().nanoTime()).as("the transfer ends in time").isLessThan(deadline);
                if (chunk.hasRemaining()) {
                    try {
                        host.api().send(pair[0], chunk, 0);
                    } catch (net.tern.api.socket.ErrnoException e) {
                        // EAGAIN: the send buffer is full
                    }
                }
                if (!tested && received > BYTES / 4) {
                    tested = midway.test(host);
                }
                byte[] got = host.readAvailable(pair[1]);
                received += got == null ? 0 : got.length;
                host.advance(1, TimeUnit.MILLISECONDS);
            }
            lo.setImpairment(Impairment.NONE);
            host.api().close(pair[0]);
            host.api().close(pair[1]);
            host.api().close(listener);
            host.advance(61, TimeUnit.SECONDS);
            return new Run(List.copyOf(events), clientPort, 5001);
        }
    }

    @Test
    void segmentsAcksAndProbesOfACleanTransferCarryTheirFields() throws Exception {
        Run run = transfer("delay 10ms seed 1", true, h -> true);
        List<TraceEvent> sent = run.of("tcp_transmit_skb", run.clientPort());
        assertThat(sent.get(0).segment().flags()).isEqualTo(TcpPacket.SYN);
        assertThat(sent.get(0).segment().length()).isZero();
        assertThat(sent.get(0).peer().port()).isEqualTo(5001);
        assertThat(sent.get(0).segment().window()).isEqualTo(65535);
        List<TraceEvent> data = sent.stream().filter(e -> e.segment().length() > 0).toList();
        // Every byte once, and again for each retransmission (a tail loss probe may resend one).
        List<TraceEvent> again = run.of("tcp_retransmit_skb", run.clientPort());
        assertThat(data.stream().mapToLong(e -> e.segment().length()).sum()
                - again.stream().mapToLong(e -> e.segment().length()).sum()).isEqualTo(BYTES);
        int iss = sent.get(0).segment().seq();
        assertThat(data.get(0).segment().seq()).isEqualTo(iss + 1);
        assertThat(data).allSatisfy(e -> {
            assertThat(e.segment().flags() & TcpPacket.ACK).isNotZero();
            assertThat(e.segment().window()).isPositive();
            assertThat(e.fd()).isNotNegative();
        });

        // The server receives every data segment in ESTABLISHED, with its fields.
        List<TraceEvent> arrived = run.of("tcp_rcv_established", 5001).stream()
                .filter(e -> e.segment().length() > 0).toList();
        assertThat(arrived.stream().mapToLong(e -> e.segment().length()).sum()).isEqualTo(BYTES);
        assertThat(arrived.get(0).segment().seq()).isEqualTo(iss + 1);
        assertThat(arrived.get(0).peer().port()).isEqualTo(run.clientPort());

        // The client's ACKs: what each acknowledged adds up to the data and the FIN.
        List<TraceEvent> acks = run.of("tcp_ack", run.clientPort());
        long acked = acks.stream().mapToLong(e -> Long.parseLong(e.detail().split(" ")[1])).sum();
        assertThat(acked).isEqualTo(BYTES + 1); // the SYN's ACK comes before ESTABLISHED: data and the FIN
        assertThat(acks).allSatisfy(e -> assertThat(e.detail()).matches("acked \\d+ sacked_out 0 lost_out 0"));

        // tcp_probe after each ACK: slow start from 10 segments, 20 ms round trips, the data counted.
        List<TraceProbe> probes = run.of("tcp_probe", run.clientPort()).stream().map(TraceEvent::probe).toList();
        assertThat(probes).hasSize(acks.size());
        assertThat(probes.get(0).cwnd()).isGreaterThanOrEqualTo(10);
        assertThat(probes.stream().mapToInt(TraceProbe::cwnd).max().getAsInt()).isGreaterThan(20);
        assertThat(probes).allSatisfy(p -> {
            assertThat(p.caState()).isEqualTo("TCP_CA_Open");
            assertThat(p.ssthresh()).isEqualTo(Integer.MAX_VALUE);
            assertThat(p.mss()).isPositive();
            assertThat(p.sndWnd()).isPositive();
            assertThat(p.rcvWnd()).isPositive();
            assertThat(p.packetsInFlight()).isLessThanOrEqualTo(p.cwnd());
            assertThat(p.sndNxt() - p.sndUna()).isNotNegative();
        });
        // srtt rises from the clean handshake's sample toward the 20 ms round trip (10 ms each way).
        assertThat(probes.stream().mapToLong(TraceProbe::srttUs).max().getAsLong()).isBetween(12_000L, 30_000L);
        assertThat(probes.get(0).srttUs()).isLessThan(probes.get(probes.size() / 2).srttUs());
        assertThat(probes.get(probes.size() - 1).bytesAcked()).isEqualTo(BYTES + 2); // SYN, data, FIN, as Linux counts
        assertThat(probes).extracting(TraceProbe::bytesAcked).isSorted();

        // Below TCP: each segment through IP and the device, with addresses, lengths and protocol.
        assertThat(run.events()).filteredOn(e -> e.function().equals("ip_output") && e.local().port() == 0)
                .hasSizeGreaterThanOrEqualTo(sent.size())
                .allSatisfy(e -> assertThat(e.detail()).matches("dev lo len \\d+ proto 6"));
        assertThat(run.events()).filteredOn(e -> e.function().equals("ip_rcv"))
                .allSatisfy(e -> assertThat(e.local().address()).isEqualTo(InetSockAddr.INADDR_LOOPBACK));
        assertThat(run.events()).filteredOn(e -> e.function().equals("net_dev_xmit"))
                .isNotEmpty().allSatisfy(e -> assertThat(e.detail()).matches("dev lo len \\d+"));
        assertThat(run.events()).filteredOn(e -> e.function().equals("netif_receive_skb")).isNotEmpty();
        assertThat(run.events()).extracting(TraceEvent::system).contains("tcp", "ip", "net", "syscalls");
    }

    @Test
    void lossShowsRetransmissionsRecoveryAndATimeoutsLossState() throws Exception {
        // 3% loss for fast recovery, then a blackout of a second for a retransmission timeout.
        Run run = transfer("loss 3% delay 10ms seed 7", true, host -> {
            try {
                Link lo = host.host().link("lo");
                lo.setImpairment(Impairment.parse("loss 100% delay 10ms seed 7"));
                host.advance(1500, TimeUnit.MILLISECONDS);
                lo.setImpairment(Impairment.parse("loss 3% delay 10ms seed 8"));
                return true;
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        List<TraceEvent> retransmitted = run.of("tcp_retransmit_skb", run.clientPort());
        assertThat(retransmitted).isNotEmpty().allSatisfy(e -> {
            assertThat(e.segment().length()).isPositive();
            assertThat(e.probe()).isNotNull();
        });
        // Each retransmission is a segment sent again: tcp_transmit_skb went just before, with it.
        List<TraceEvent> client = run.events().stream().filter(e -> e.local() != null
                && e.local().port() == run.clientPort() && e.segment() != null).toList();
        for (TraceEvent r : retransmitted) {
            TraceEvent before = client.get(client.indexOf(r) - 1);
            assertThat(before.function()).isEqualTo("tcp_transmit_skb");
            assertThat(before.segment().seq()).isEqualTo(r.segment().seq());
            assertThat(before.segment().length()).isEqualTo(r.segment().length());
        }
        List<TraceEvent> states = run.of("tcp_cong_state_set", run.clientPort());
        assertThat(states).extracting(TraceEvent::newState).contains("TCP_CA_Recovery", "TCP_CA_Loss", "TCP_CA_Open");
        assertThat(states).allSatisfy(e -> assertThat(e.oldState()).isNotEqualTo(e.newState()));
        assertThat(run.of("tcp_enter_recovery", run.clientPort())).isNotEmpty().allSatisfy(e -> {
            assertThat(e.probe().caState()).isEqualTo("TCP_CA_Recovery");
            assertThat(e.probe().ssthresh()).isLessThan(Integer.MAX_VALUE);
        });
        assertThat(run.of("tcp_enter_loss", run.clientPort())).isNotEmpty().allSatisfy(e -> {
            assertThat(e.probe().caState()).isEqualTo("TCP_CA_Loss");
            assertThat(e.probe().cwnd()).isEqualTo(1);
        });
        assertThat(run.of("tcp_ack", run.clientPort())).extracting(TraceEvent::detail)
                .anyMatch(d -> !d.endsWith("sacked_out 0 lost_out 0"));
    }

    @Test
    void withNoListenerALossyTransferBuildsNoEvent() throws Exception {
        long before = TraceEvent.created();
        transfer("loss 3% delay 10ms seed 7", false, h -> true);
        assertThat(Tracepoints.enabled()).isFalse();
        assertThat(TraceEvent.created()).isEqualTo(before);
    }
}
