package net.tern.inet.impl;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.ProtocolInfo;
import net.tern.api.socket.SocketConstants;
import net.tern.core.testing.TestStack;
import net.tern.inet.ip.IcmpSender;
import net.tern.inet.ip.IpOutput;
import net.tern.inet.route.RouteTable;
import net.tern.inet.snmp.SnmpCounters;
import net.tern.inet.sock.InetDgramOps;
import net.tern.inet.sock.InetProtoSw;
import net.tern.inet.sock.LocalPortRange;
import net.tern.inet.testing.ComponentConfig;
import net.tern.inet.testing.RecordingBundleContext;
import net.tern.inet.testing.RecordingBundleContext.Registration;
import net.tern.inet.testing.RecordingOwner;
import net.tern.inet.testing.RecordingProtocol;
import net.tern.inet.testing.ToyProto;
import net.tern.spi.net.LinkListener;
import net.tern.spi.net.PacketHandler;
import net.tern.spi.proc.ProcFile;
import net.tern.spi.proto.NetProtocol;
import net.tern.spi.proto.ProtoSocket;
import net.tern.spi.proto.ProtocolFamily;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Constants;

/** {@code inet_init} as the component does it, against a {@link RecordingBundleContext} (no framework). */
class InetInitTest {
    private final RecordingBundleContext recorder = new RecordingBundleContext();
    private final TestStack stack = new TestStack();

    /** The configuration with every attribute at its default. */
    private static InetInit.Config defaults() {
        return ComponentConfig.of(InetInit.Config.class, Map.of());
    }

    private InetInit start() {
        return new InetInit(recorder.context(), stack.clock(), stack.timers(), stack.networkThread(), stack.allocator(),
                defaults());
    }

    private Registration only(Class<?> type) {
        return recorder.history().stream().filter(r -> r.type() == type).findFirst().orElseThrow();
    }

    @Test
    void registersEachPartWithItsOwnIdentifyingProperty() {
        InetInit init = start();

        assertThat(recorder.history()).extracting(Registration::type).containsExactly(SnmpCounters.class, ProcFile.class,
                ProcFile.class, RouteTable.class, LocalPortRange.class, LinkListener.class, IpOutput.class, IcmpSender.class, NetProtocol.class,
                PacketHandler.class, ProtocolFamily.class);
        assertThat(only(ProtocolFamily.class).properties()).containsExactly(Map.entry("family", 2));
        assertThat(recorder.history().stream().filter(r -> r.type() == ProcFile.class).map(r -> r.properties().get("path")))
                .containsExactly("net/snmp", "net/netstat");
        assertThat(only(PacketHandler.class).properties()).containsExactly(Map.entry("ethertype", 0x0800));
        assertThat(only(NetProtocol.class).properties()).containsExactly(Map.entry("protocol", 1));
        assertThat(only(SnmpCounters.class).properties()).isEmpty();
        assertThat(only(PacketHandler.class).service()).isSameAs(init.inet().input());
        assertThat(init.inet().settings()).isEqualTo(InetSettings.defaults());
        assertThat(only(LocalPortRange.class).service()).isSameAs(init.inet().localPorts());
        assertThat(init.inet().localPorts().get()).isEqualTo(new LocalPortRange.Range(32768, 60999));
    }

    @Test
    void aConfigurationUpdateAppliesWithoutWithdrawingIpv4() {
        InetInit init = start();
        Inet running = init.inet();

        LocalPortRange ports = init.inet().localPorts();
        init.modified(ComponentConfig.of(InetInit.Config.class, Map.of("ipForward", true, "ipDefaultTtl", 32,
                "icmpEchoIgnoreAll", true, "ipfragTime", 5, "ipLocalPortRange", "1024\t2047")));

        assertThat(init.inet()).isSameAs(running);
        assertThat(recorder.unregisterCalls()).isEmpty();
        assertThat(running.settings().forwarding()).isTrue();
        assertThat(running.input().forwarding()).isTrue();
        assertThat(running.settings().defaultTtl()).isEqualTo(32);
        assertThat(running.settings().icmp().echoIgnoreAll()).isTrue();
        assertThat(running.settings().reassembly().timeoutNanos()).isEqualTo(5_000_000_000L);
        assertThat(running.localPorts()).isSameAs(ports);
        assertThat(ports.get()).isEqualTo(new LocalPortRange.Range(1024, 2047));

        // A TTL out of range, or a port range upside down or of one number, is refused; the settings before stay.
        init.modified(ComponentConfig.of(InetInit.Config.class, Map.of("ipDefaultTtl", 0)));
        assertThat(running.settings().defaultTtl()).isEqualTo(32);
        for (String bad : new String[] {"2000 1000", "0 100", "1000 65536", "1000", "a b"}) {
            init.modified(ComponentConfig.of(InetInit.Config.class, Map.of("ipLocalPortRange", bad)));
            assertThat(ports.get()).as(bad).isEqualTo(new LocalPortRange.Range(1024, 2047));
        }
    }

    @Test
    void protoSwAndNetProtocolWhiteboardsFeedTheFamilyAndTheProtocolTable() throws ErrnoException {
        InetInit init = start();
        ToyProto udp = new ToyProto("UDP", 17, false);
        InetProtoSw<?> sw = new InetProtoSw<>(SocketConstants.SOCK_DGRAM, 17, udp,
                new InetDgramOps(init.inet().fib()));
        RecordingProtocol handler = new RecordingProtocol();
        Map<String, Object> swProps = Map.of("family", 2, "type", 2, "protocol", 17, Constants.SERVICE_ID, 41L);
        Map<String, Object> protoProps = Map.of("protocol", "17", Constants.SERVICE_ID, 42L);

        init.bindProtoSw(sw, swProps);
        init.bindNetProtocol(handler, protoProps);

        ProtoSocket sock = new ProtoSocket(SocketConstants.AF_INET, SocketConstants.SOCK_DGRAM, new RecordingOwner());
        init.inet().family().create(sock, 0);
        assertThat(sock.protocol()).isEqualTo(17);
        assertThat(init.inet().protocols().get(17)).isSameAs(handler);

        init.unbindProtoSw(sw, swProps);
        init.unbindNetProtocol(handler, protoProps);

        assertThat(init.inet().family().protocols()).as("only IPv4's own ping sockets are left")
                .containsExactly(new ProtocolInfo(SocketConstants.SOCK_DGRAM, SocketConstants.IPPROTO_ICMP, "PING", false));
        assertThat(init.inet().protocols().get(17)).isNull();
    }

    @Test
    void icmpComingBackThroughTheWhiteboardStaysRegisteredOnce() {
        InetInit init = start();
        Registration icmp = only(NetProtocol.class);
        Map<String, Object> props = Map.of("protocol", 1, Constants.SERVICE_ID, 7L);

        init.bindNetProtocol((NetProtocol) icmp.service(), props);
        init.unbindNetProtocol((NetProtocol) icmp.service(), props);

        assertThat(init.inet().protocols().get(1)).isSameAs(icmp.service());
    }

    @Test
    void aNetProtocolNumberMayBeGivenInHexadecimal() {
        InetInit init = start();
        RecordingProtocol handler = new RecordingProtocol();
        Map<String, Object> props = Map.of("protocol", "0x11", Constants.SERVICE_ID, 8L);

        init.bindNetProtocol(handler, props);
        assertThat(init.inet().protocols().get(17)).isSameAs(handler);
        init.unbindNetProtocol(handler, props);
        assertThat(init.inet().protocols().get(17)).isNull();
    }

    @Test
    void aNetProtocolWithoutAUsableNumberIsIgnored() {
        InetInit init = start();
        RecordingProtocol handler = new RecordingProtocol();
        init.bindNetProtocol(handler, Map.of("protocol", 300, Constants.SERVICE_ID, 8L));
        init.bindNetProtocol(handler, Map.of(Constants.SERVICE_ID, 9L));
        for (int p = 0; p < 256; p++) {
            assertThat(init.inet().protocols().get(p)).isNotSameAs(handler);
        }
    }

    @Test
    void deactivationWithdrawsEveryServiceNewestFirst() {
        InetInit init = start();
        init.deactivate();
        stack.runUntilIdle();
        List<Class<?>> expected = new ArrayList<>(recorder.history().stream().<Class<?>>map(Registration::type).toList());
        Collections.reverse(expected);
        assertThat(recorder.unregisterCalls()).extracting(Registration::type).containsExactlyElementsOf(expected);
    }
}
