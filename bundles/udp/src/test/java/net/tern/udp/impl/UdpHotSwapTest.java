package net.tern.udp.impl;

import static net.tern.api.socket.SocketConstants.AF_INET;
import static net.tern.api.socket.SocketConstants.EPOLLERR;
import static net.tern.api.socket.SocketConstants.EPOLLHUP;
import static net.tern.api.socket.SocketConstants.EPOLLIN;
import static net.tern.api.socket.SocketConstants.SOCK_DGRAM;
import static net.tern.udp.testing.UdpWire.addr;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.InetSockAddr;
import net.tern.api.socket.RecvResult;
import net.tern.core.testing.FakeDevice;
import net.tern.inet.testing.RecordingBundleContext.Registration;
import net.tern.spi.diag.InetDiagHandler;
import net.tern.spi.proto.NetProtocol;
import net.tern.spi.proto.ProtoSw;
import net.tern.udp.testing.UdpTestBed;
import net.tern.udp.testing.UdpWire;
import org.junit.jupiter.api.Test;

/** The bundle's component starting and stopping: services, withdrawal of open sockets, ports. */
class UdpHotSwapTest extends UdpTestBase {

    @Test
    void startingRegistersTheProtoswProtocol17AndTheDiagHandlerEachWithItsOwnProperties() {
        List<Registration> live = bed.wiring().live();

        assertThat(live).extracting(Registration::type).containsExactly(ProtoSw.class, NetProtocol.class,
                InetDiagHandler.class);
        assertThat(live.get(0).properties()).containsExactlyInAnyOrderEntriesOf(
                Map.of("family", 2, "type", 2, "protocol", 17));
        assertThat(live.get(1).properties()).containsExactlyInAnyOrderEntriesOf(Map.of("protocol", 17));
        assertThat(live.get(0).service()).isSameAs(bed.udp().protoSw());
        assertThat(live.get(1).service()).isSameAs(bed.udp().input());
        assertThat(live.get(2).properties()).containsExactlyInAnyOrderEntriesOf(Map.of("protocol", 17));
        assertThat(live.get(2).service()).isSameAs(bed.udp().diag());
        assertThat(bed.inet().family().protocols()).anySatisfy(p -> assertThat(p.name()).isEqualTo("UDP"));
    }

    @Test
    void stoppingWithdrawsOpenSocketsAndReleasesTheirPortsAndQueues() throws Exception {
        int server = bound(lo(7000));
        int connected = bed.udpSocket();
        api.connect(connected, lo(7000));
        send(connected, new byte[] {1, 2, 3}); // stays queued on the server
        bed.runUntilIdle();
        Udp old = bed.udp();

        bed.stopUdp();

        ErrnoException e = failure(() -> recv(server, 10));
        assertThat(e.errno()).isEqualTo(Errno.ECONNABORTED);
        assertThat(e.getMessage()).contains("UDP left the stack");
        assertThat(errnoOf(() -> send(connected, new byte[] {4}))).isEqualTo(Errno.ECONNABORTED);
        assertThat(api.poll(server, EPOLLIN, 0)).isEqualTo(EPOLLERR | EPOLLHUP);
        assertThat(old.table().boundPorts()).isZero();
        assertThat(old.prot().socketsInUse()).isZero();
        assertThat(bed.wiring().live()).isEmpty();
        assertThat(bed.inet().snmp().group("Udp")).as("the counters left too").isEmpty();
        api.close(server);
        api.close(connected);
    }

    @Test
    void whileStoppedInetRefusesDatagramSocketsAndAnswersProtocolUnreachable() throws Exception {
        FakeDevice eth = bed.fake("eth0", 1500, "10.0.0.2/24");
        bed.stopUdp();

        // inet_create with no SOCK_DGRAM entry left answers as Linux does for a protocol whose
        // module is not loaded.
        assertThat(errnoOf(() -> api.socket(AF_INET, SOCK_DGRAM, 0))).isEqualTo(Errno.EPROTONOSUPPORT);
        assertThat(errnoOf(() -> api.socket(AF_INET, SOCK_DGRAM, 17))).isEqualTo(Errno.EPROTONOSUPPORT);

        byte[] datagram = UdpWire.datagram("10.0.0.1", 4000, "10.0.0.2", 5000, new byte[] {1});
        bed.inject(eth, datagram);

        assertThat(bed.ip("InUnknownProtos")).isEqualTo(1);
        List<byte[]> sent = UdpTestBed.drain(eth);
        assertThat(sent).hasSize(1);
        byte[] icmp = UdpWire.transport(sent.get(0));
        assertThat(icmp[0]).isEqualTo((byte) 3);
        assertThat(icmp[1]).as("protocol unreachable").isEqualTo((byte) 2);
        assertThat(UdpWire.destination(sent.get(0))).isEqualTo(addr("10.0.0.1"));
    }

    @Test
    void startingAgainRestoresUdpWithThePortsBindableAgain() throws Exception {
        int old = bound(lo(7000));
        bed.stopUdp();
        api.close(old);

        bed.startUdp();

        int server = bound(lo(7000));
        int client = bed.udpSocket();
        sendTo(client, new byte[] {5}, lo(7000));
        bed.runUntilIdle();
        assertThat(recv(server, 10).data()).containsExactly(5);
        assertThat(bed.udp("InDatagrams")).as("a fresh counter group").isEqualTo(1);
    }

    @Test
    void aReceiverBlockedWhenUdpStopsWakesWithEconnaborted() throws Exception {
        int server = api.socket(AF_INET, SOCK_DGRAM, 0); // blocking
        api.bind(server, new InetSockAddr(0, 7000));
        ExecutorService thread = Executors.newSingleThreadExecutor();
        try {
            Future<RecvResult> receive = thread.submit(() -> api.recvfrom(server, ByteBuffer.allocate(10), 0));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (bed.socketLayer().blockedCallers(server) == 0) {
                assertThat(System.nanoTime()).as("the receiver blocks within 60 s").isLessThan(deadline);
                Thread.onSpinWait();
            }

            bed.stopUdp();

            Throwable failure = catchThrowable(() -> receive.get(60, TimeUnit.SECONDS));
            assertThat(failure).hasCauseInstanceOf(ErrnoException.class);
            assertThat(((ErrnoException) failure.getCause()).errno()).isEqualTo(Errno.ECONNABORTED);
        } finally {
            thread.shutdownNow();
            assertThat(thread.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void aSocketCreatedAfterWithdrawalBeganIsRefused() throws Exception {
        UdpProt prot = bed.udp().prot();
        bed.stopUdp();
        assertThat(errnoOf(prot::create)).isEqualTo(Errno.EPROTONOSUPPORT);
    }
}
