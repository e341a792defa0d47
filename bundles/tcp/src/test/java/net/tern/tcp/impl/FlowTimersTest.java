package net.tern.tcp.impl;

import static net.tern.api.socket.SocketConstants.AF_INET;
import static net.tern.api.socket.SocketConstants.SOCK_NONBLOCK;
import static net.tern.api.socket.SocketConstants.SOCK_STREAM;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.InetSockAddr;
import net.tern.api.socket.SocketApi;
import net.tern.core.packet.PooledPacketAllocator;
import net.tern.core.testing.VirtualTime;
import net.tern.spi.net.FlowHash;
import net.tern.spi.net.Timeout;
import net.tern.spi.net.TimerService;
import net.tern.tcp.testing.Host;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A connection's timers run on its flow's network thread ({@link TimerService#forFlow} with
 * the 4-tuple's {@link FlowHash}, the thread receive-side scaling gives its segments), from
 * the moment it has its 4-tuple: the connecting side's, the accepted side's, its requests' and
 * its TIME-WAIT entry's.
 */
class FlowTimersTest {
    /** TCP's timers: virtual time, recording which flow each timer was scheduled for (-1: none). */
    private static final class FlowRecordingTimers implements TimerService {
        final VirtualTime time;
        final List<Integer> flows = Collections.synchronizedList(new ArrayList<>());

        FlowRecordingTimers(VirtualTime time) {
            this.time = time;
        }

        @Override
        public Timeout schedule(long delay, TimeUnit unit, Runnable task) {
            flows.add(-1);
            return time.schedule(delay, unit, task);
        }

        @Override
        public TimerService forFlow(int flowHash) {
            return (delay, unit, task) -> {
                flows.add(flowHash);
                return time.schedule(delay, unit, task);
            };
        }
    }

    private final VirtualTime time = new VirtualTime();
    private final FlowRecordingTimers timers = new FlowRecordingTimers(time);
    private final Host host = new Host(time, timers, new PooledPacketAllocator(), TcpSettings.defaults(), 5);

    @AfterEach
    void close() {
        host.close();
    }

    @Test
    void everyTimerOfAConnectionRunsOnItsFlowsThread() throws Exception {
        host.loopback();
        time.runPending();
        SocketApi api = host.api();
        int listener = api.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        api.bind(listener, new InetSockAddr(InetSockAddr.INADDR_LOOPBACK, 8080));
        api.listen(listener, 8);
        int client = api.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        connect(api, client);
        time.advance(0, TimeUnit.NANOSECONDS);
        int server = api.accept(listener).fd();
        int clientPort = ((InetSockAddr) api.getsockname(client)).port();

        api.send(client, ByteBuffer.wrap(new byte[3000]), 0); // retransmission timer, delayed ACK
        api.send(server, ByteBuffer.wrap(new byte[10]), 0);
        time.advance(50, TimeUnit.MILLISECONDS);
        assertThat(api.recv(server, ByteBuffer.allocate(4000), 0)).isEqualTo(3000);
        assertThat(api.recv(client, ByteBuffer.allocate(100), 0)).isEqualTo(10);
        api.close(client); // the client ends in TIME-WAIT
        time.advance(10, TimeUnit.MILLISECONDS);
        api.close(server);
        time.advance(10, TimeUnit.MILLISECONDS);

        int flow = FlowHash.of(InetSockAddr.INADDR_LOOPBACK, clientPort, InetSockAddr.INADDR_LOOPBACK, 8080);
        assertThat(timers.flows).as("TCP scheduled timers").isNotEmpty();
        assertThat(timers.flows).as("each on the connection's flow (the two ends hash alike)").containsOnly(flow);
        assertThat(host.tcp().tables().establishedEntries()).anySatisfy(e -> assertThat(e).isInstanceOf(TimeWaitSock.class));
    }

    private static void connect(SocketApi api, int fd) {
        try {
            api.connect(fd, new InetSockAddr(InetSockAddr.INADDR_LOOPBACK, 8080));
        } catch (ErrnoException inProgress) {
            // EINPROGRESS: the handshake completes as the stack runs.
        }
    }
}
