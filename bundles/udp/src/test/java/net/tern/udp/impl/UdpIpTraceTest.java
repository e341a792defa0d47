package net.tern.udp.impl;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;
import net.tern.core.testing.FakeDevice;
import net.tern.spi.net.EtherType;
import net.tern.spi.net.Packet;
import net.tern.spi.trace.TraceEvent;
import net.tern.spi.trace.Tracepoints;
import net.tern.udp.testing.UdpWire;
import net.tern.wire.Ipv4Packet;
import org.junit.jupiter.api.Test;

/**
 * The tracepoints of UDP, IPv4 and the device: a datagram sent that IP fragments
 * ({@code udp_sendmsg}, {@code ip_output}, {@code ip_fragment}, {@code net_dev_xmit}) and one
 * received in two fragments ({@code netif_receive_skb}, {@code ip_rcv}, {@code ip_defrag},
 * {@code udp_rcv}), each with its addresses, ports, device, length and protocol.
 */
class UdpIpTraceTest extends UdpTestBase {
    private static final int PAYLOAD = 3000;

    @Test
    void aFragmentedDatagramEachWayFiresEveryLayersTracepointWithItsFields() throws Exception {
        FakeDevice eth = bed.fake("eth0", 1500, "10.0.0.2/24");
        int server = bound(at("10.0.0.2", 7000));
        int client = bound(at("10.0.0.2", 7001));
        List<TraceEvent> events = new ArrayList<>();
        try (AutoCloseable on = Tracepoints.add(e -> {
            synchronized (events) {
                events.add(e);
            }
        })) {
            sendTo(client, UdpWire.bytes(PAYLOAD, 3), at("10.0.0.1", 9));
            bed.runUntilIdle();
            byte[] whole = UdpWire.datagram("10.0.0.1", 5000, "10.0.0.2", 7000, UdpWire.bytes(PAYLOAD, 4));
            eth.inject(fragment(whole, 0, 1480, true));
            eth.inject(fragment(whole, 1480, whole.length - 20 - 1480, false));
            bed.runUntilIdle();
            assertThat(recv(server, 4000).returned()).isEqualTo(PAYLOAD);
        } finally {
            eth.releaseTransmitted();
        }
        assertThat(one(events, "udp_sendmsg")).satisfies(e -> {
            assertThat(e.local()).isEqualTo(at("10.0.0.2", 7001));
            assertThat(e.peer()).isEqualTo(at("10.0.0.1", 9));
            assertThat(e.detail()).isEqualTo("dev eth0 len 3008 proto 17");
        });
        assertThat(one(events, "ip_output")).satisfies(e -> {
            assertThat(e.local()).isEqualTo(at("10.0.0.2", 0));
            assertThat(e.peer()).isEqualTo(at("10.0.0.1", 0));
            assertThat(e.detail()).isEqualTo("dev eth0 len 3028 proto 17");
        });
        assertThat(one(events, "ip_fragment").detail()).isEqualTo("dev eth0 len 3028 proto 17");
        assertThat(all(events, "net_dev_xmit")).extracting(TraceEvent::detail)
                .containsExactly("dev eth0 len 1500", "dev eth0 len 1500", "dev eth0 len 68");
        assertThat(all(events, "netif_receive_skb")).extracting(TraceEvent::detail)
                .containsExactly("dev eth0 len 1500", "dev eth0 len 1548");
        assertThat(all(events, "ip_rcv")).hasSize(2).allSatisfy(e -> {
            assertThat(e.local()).isEqualTo(at("10.0.0.2", 0));
            assertThat(e.peer()).isEqualTo(at("10.0.0.1", 0));
        });
        assertThat(all(events, "ip_defrag")).extracting(TraceEvent::detail)
                .containsExactly("dev eth0 len 1500 proto 17", "dev eth0 len 1548 proto 17");
        assertThat(one(events, "udp_rcv")).satisfies(e -> {
            assertThat(e.local()).isEqualTo(at("10.0.0.2", 7000));
            assertThat(e.peer()).isEqualTo(at("10.0.0.1", 5000));
            assertThat(e.detail()).isEqualTo("dev eth0 len 3008 proto 17");
            assertThat(e.system()).isEqualTo("udp");
        });
        assertThat(one(events, "ip_fragment").system()).isEqualTo("ip");
        assertThat(one(events, "udp_sendmsg").timeNanos()).isLessThanOrEqualTo(one(events, "udp_rcv").timeNanos());
    }

    /** The IP fragment of {@code datagram} (a whole IPv4 datagram, 20-byte header) with {@code length} payload bytes from {@code offset}. */
    private static Packet fragment(byte[] datagram, int offset, int length, boolean more) {
        Packet p = new net.tern.core.packet.PooledPacketAllocator().allocate(128, 20 + length);
        ByteBuf buf = p.buf();
        int at = buf.writerIndex();
        buf.writeBytes(datagram, 0, 20);
        buf.writeBytes(datagram, 20 + offset, length);
        Ipv4Packet.at(buf, at).setTotalLength(20 + length).setFragment(false, more, offset).fillChecksum();
        return p.protocol(EtherType.IPV4);
    }

    private static List<TraceEvent> all(List<TraceEvent> events, String function) {
        synchronized (events) {
            return events.stream().filter(e -> e.function().equals(function)).toList();
        }
    }

    private static TraceEvent one(List<TraceEvent> events, String function) {
        List<TraceEvent> found = all(events, function);
        assertThat(found).as(function).hasSize(1);
        return found.get(0);
    }
}
