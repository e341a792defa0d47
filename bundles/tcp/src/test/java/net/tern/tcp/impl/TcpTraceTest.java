package net.tern.tcp.impl;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.tern.api.socket.InetSockAddr;
import net.tern.api.socket.SocketApi;
import net.tern.core.testing.PacketLeakCheck;
import net.tern.spi.trace.TraceEvent;
import net.tern.spi.trace.Tracepoints;
import net.tern.tcp.testing.LoopbackHost;
import net.tern.wire.TcpPacket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** TCP's and the socket layer's tracepoints over a connection to self: what fires, and nothing when no one listens. */
@ExtendWith(PacketLeakCheck.class)
class TcpTraceTest {

    /** Connects, sends, closes from the client, then lets TIME-WAIT run out; returns the client's port. */
    private static int lifeOfAConnection(LoopbackHost host) throws Exception {
        SocketApi api = host.api();
        int listener = host.listen(7, 16);
        int[] pair = host.connectPair(listener, 7);
        int clientPort = ((InetSockAddr) api.getsockname(pair[0])).port();
        api.send(pair[0], ByteBuffer.wrap(new byte[] {1, 2, 3}), 0);
        host.runUntilIdle();
        assertThat(host.readAvailable(pair[1])).hasSize(3);
        api.close(pair[0]);
        host.runUntilIdle();
        api.close(pair[1]);
        host.runUntilIdle();
        host.advance(61, TimeUnit.SECONDS);
        api.close(listener);
        return clientPort;
    }

    @Test
    void withNoListenerNoEventIsEverBuilt() throws Exception {
        try (LoopbackHost host = new LoopbackHost()) {
            long before = TraceEvent.created();
            lifeOfAConnection(host);
            assertThat(Tracepoints.enabled()).isFalse();
            assertThat(TraceEvent.created()).isEqualTo(before);
        }
    }

    @Test
    void theLifeOfAConnectionFiresLinuxsFunctionsInOrderWithStatesAndSegments() throws Exception {
        List<TraceEvent> events = new ArrayList<>();
        int clientPort;
        try (LoopbackHost host = new LoopbackHost(); AutoCloseable on = Tracepoints.add(events::add)) {
            clientPort = lifeOfAConnection(host);
        }
        List<String> client = new ArrayList<>();
        List<String> server = new ArrayList<>();
        for (TraceEvent e : events) {
            String line = e.function() + (e.newState() != null ? " " + e.oldState() + "->" + e.newState() : "")
                    + (e.segment() != null ? " [" + TcpPacket.flagsToString(e.segment().flags()) + "]" : "");
            if (e.local() != null && e.local().port() == clientPort) {
                client.add(line);
            } else if (e.local() != null && e.local().port() == 7 && e.peer() != null) {
                server.add(line);
            }
        }
        assertThat(client).containsSubsequence(
                "tcp_v4_connect",
                "tcp_set_state CLOSE->SYN_SENT",
                "tcp_rcv_state_process [S.]",
                "tcp_set_state SYN_SENT->ESTABLISHED [S.]",
                "tcp_close",
                "tcp_set_state ESTABLISHED->FIN_WAIT1",
                "tcp_send_fin",
                // The server owes its ACK of our FIN (tcp_fin's delayed ACK) when its own
                // close sends its FIN, which carries the ACK: one segment acknowledges and ends.
                "tcp_rcv_state_process [F.]",
                "tcp_set_state FIN_WAIT1->FIN_WAIT2 [F.]",
                "tcp_fin [F.]",
                "tcp_time_wait FIN_WAIT2->TIME_WAIT [F.]",
                "tcp_set_state FIN_WAIT2->CLOSE [F.]",
                "inet_twsk_kill TIME_WAIT->CLOSE");
        assertThat(server).containsSubsequence(
                "tcp_check_req [.]",
                "tcp_set_state CLOSE->SYN_RECV [.]",
                "tcp_set_state SYN_RECV->ESTABLISHED [.]",
                "inet_csk_accept",
                "tcp_fin [F.]",
                "tcp_set_state ESTABLISHED->CLOSE_WAIT [F.]",
                "tcp_close",
                "tcp_set_state CLOSE_WAIT->LAST_ACK",
                "tcp_send_fin",
                "tcp_rcv_state_process [.]",
                "tcp_set_state LAST_ACK->CLOSE [.]");
        assertThat(events).extracting(TraceEvent::function).containsSubsequence("__sys_socket", "__sys_bind",
                "__sys_listen", "tcp_set_state", "__sys_socket", "__sys_connect", "inet_stream_connect", "tcp_v4_connect",
                "tcp_conn_request", "__sys_accept4", "inet_csk_accept", "__sys_close", "tcp_close");
        assertThat(events).filteredOn(e -> e.function().equals("tcp_conn_request"))
                .singleElement().satisfies(e -> assertThat(e.segment().flags()).isEqualTo(TcpPacket.SYN));
        assertThat(events).extracting(TraceEvent::timeNanos).isSorted();
    }

    @Test
    void aSegmentToNoSocketFiresTheResetTracepoint() throws Exception {
        List<TraceEvent> events = new ArrayList<>();
        try (LoopbackHost host = new LoopbackHost(); AutoCloseable on = Tracepoints.add(events::add)) {
            host.startConnect(9);
            host.runUntilIdle();
        }
        assertThat(events).filteredOn(e -> e.function().equals("tcp_send_reset")).singleElement()
                .satisfies(e -> {
                    assertThat(e.local().port()).isEqualTo(9);
                    assertThat(e.peer().port()).isNotZero();
                    assertThat(e.fd()).isEqualTo(-1);
                    assertThat(e.segment().flags()).isEqualTo(TcpPacket.SYN);
                    assertThat(e.detail()).isNull();
                });
    }

    /** A server closes with data unread: it resets (tcp_send_active_reset), and the client takes the RST. */
    private static int[] closeWithUnreadData(LoopbackHost host) throws Exception {
        SocketApi api = host.api();
        int listener = host.listen(7, 16);
        int[] pair = host.connectPair(listener, 7);
        api.send(pair[0], ByteBuffer.wrap(new byte[] {1, 2, 3}), 0);
        host.runUntilIdle();
        api.close(pair[1]);
        host.runUntilIdle();
        api.close(pair[0]);
        api.close(listener);
        return pair;
    }

    @Test
    void anActiveResetAndTheResetItsPeerTakesFireSendAndReceiveReset() throws Exception {
        List<TraceEvent> events = new ArrayList<>();
        int[] pair;
        try (LoopbackHost host = new LoopbackHost(); AutoCloseable on = Tracepoints.add(events::add)) {
            pair = closeWithUnreadData(host);
        }
        assertThat(events).filteredOn(e -> e.function().equals("tcp_send_reset")).singleElement().satisfies(e -> {
            assertThat(e.local().port()).isEqualTo(7);
            assertThat(e.peer().port()).isNotZero();
            assertThat(e.detail()).isEqualTo("state ESTABLISHED");
            assertThat(e.segment()).isNull(); // from close(), no segment being handled
        });
        assertThat(events).filteredOn(e -> e.function().equals("tcp_receive_reset")).singleElement().satisfies(e -> {
            assertThat(e.fd()).isEqualTo(pair[0]);
            assertThat(e.peer().port()).isEqualTo(7);
            assertThat(e.segment().flags()).isEqualTo(TcpPacket.RST | TcpPacket.ACK);
        });
    }

    @Test
    void sendmsgAndRecvmsgFireOncePerCallWithTheSizeAskedAndWhatWasCopied() throws Exception {
        List<TraceEvent> events = new ArrayList<>();
        int[] pair;
        try (LoopbackHost host = new LoopbackHost(); AutoCloseable on = Tracepoints.add(events::add)) {
            SocketApi api = host.api();
            int listener = host.listen(7, 16);
            pair = host.connectPair(listener, 7);
            api.send(pair[0], ByteBuffer.wrap(new byte[] {1, 2, 3}), 0);
            host.runUntilIdle();
            assertThat(api.recv(pair[1], ByteBuffer.allocate(10), 0)).isEqualTo(3);
            assertThat(api.sysRecv(pair[1], ByteBuffer.allocate(10), 0, null)).isEqualTo(-11); // EAGAIN
            api.close(pair[0]);
            api.close(pair[1]);
            api.close(listener);
        }
        assertThat(events).filteredOn(e -> e.function().equals("tcp_sendmsg")).singleElement().satisfies(e -> {
            assertThat(e.fd()).isEqualTo(pair[0]);
            assertThat(e.peer().port()).isEqualTo(7);
            assertThat(e.detail()).isEqualTo("size 3 copied 3");
            assertThat(e.perPacket()).isTrue();
        });
        assertThat(events).filteredOn(e -> e.function().equals("tcp_recvmsg")).extracting(e -> e.fd() + " " + e.detail())
                .containsExactly(pair[1] + " size 10 copied 3", pair[1] + " size 10 ret -EAGAIN");
    }

    @Test
    void withNoListenerResetsAndCallsBuildNoEvent() throws Exception {
        try (LoopbackHost host = new LoopbackHost()) {
            long before = TraceEvent.created();
            closeWithUnreadData(host);
            host.startConnect(9);
            host.runUntilIdle();
            assertThat(TraceEvent.created()).isEqualTo(before);
        }
    }
}
