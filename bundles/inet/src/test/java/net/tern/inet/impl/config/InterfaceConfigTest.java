package net.tern.inet.impl.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import net.tern.core.testing.FakeDevice;
import net.tern.core.testing.PacketLeakCheck;
import net.tern.inet.route.Route;
import net.tern.inet.testing.ComponentConfig;
import net.tern.inet.testing.InetTestBed;
import net.tern.spi.net.IfAddress;
import net.tern.spi.net.Impairment;
import net.tern.spi.net.Link;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The {@code net.tern.interface} factory configuration applied to a device, as DS drives the component. */
@ExtendWith(PacketLeakCheck.class)
class InterfaceConfigTest {
    private final InetTestBed bed = new InetTestBed();
    private InterfaceConfig component;

    @BeforeEach
    void setUp() throws Exception {
        bed.loopback();
    }

    @AfterEach
    void close() {
        bed.close();
    }

    static InterfaceConfig.Config config(Map<String, ?> values) {
        return ComponentConfig.of(InterfaceConfig.Config.class, values);
    }

    /** As DS starts it: constructed, then registered as a LinkListener (which replays REGISTER). */
    private InterfaceConfig start(Map<String, ?> values) {
        component = new InterfaceConfig(bed.stack().links(), bed.stack().networkThread(), config(values));
        bed.stack().addLinkListener(component);
        bed.runUntilIdle();
        return component;
    }

    private static IfAddress a(String text) {
        return IfAddress.parse(text);
    }

    private boolean hasRoute(String prefix, String device) {
        return bed.inet().fib().routes(Route.Table.MAIN).stream()
                .anyMatch(r -> r.prefix().equals(prefix) && r.toString().contains("dev " + device));
    }

    @Test
    void appliesAddressesMtuAndImpairmentToAPresentDevice() throws Exception {
        bed.fake("tun0", 1500);
        start(Map.of("device", "tun0", "addresses", new String[] {"10.1.0.2/24, 10.1.1.2/24"}, "mtu", 1400,
                "impair", "loss 2% reorder 5% seed 1"));

        Link tun0 = bed.link("tun0");
        assertThat(tun0.addresses()).containsExactly(a("10.1.0.2/24"), a("10.1.1.2/24"));
        assertThat(tun0.mtu()).isEqualTo(1400);
        assertThat(tun0.impairment()).isEqualTo(Impairment.parse("loss 2% reorder 5% seed 1"));
        assertThat(hasRoute("10.1.0.0/24", "tun0")).isTrue();
    }

    @Test
    void appliesItWhenTheDeviceRegistersAndAgainWhenItComesBack() throws Exception {
        start(Map.of("device", "tun0", "addresses", new String[] {"10.1.0.2/24"}, "impair", "delay 5ms seed 3"));
        FakeDevice device = bed.fake("tun0", 1500);
        bed.runUntilIdle();
        assertThat(bed.link("tun0").addresses()).containsExactly(a("10.1.0.2/24"));

        bed.stack().unregister(device);
        FakeDevice again = new FakeDevice("tun0");
        bed.stack().register(again);
        bed.runUntilIdle();

        assertThat(bed.link("tun0").addresses()).containsExactly(a("10.1.0.2/24"));
        assertThat(bed.link("tun0").impairment()).hasToString("delay 5ms seed 3");
        bed.stack().unregister(again);
        bed.advance(10, TimeUnit.MILLISECONDS);
    }

    @Test
    void anUpdateReplacesWhatItAddedAndLeavesOtherAddressesAlone() throws Exception {
        bed.fake("tun0", 1500, "192.168.9.1/24");
        start(Map.of("device", "tun0", "addresses", new String[] {"10.1.0.2/24"}, "impair", "loss 1% seed 1"));

        component.modified(config(Map.of("device", "tun0", "addresses", new String[] {"10.2.0.2/16"})));

        assertThat(bed.link("tun0").addresses()).containsExactly(a("192.168.9.1/24"), a("10.2.0.2/16"));
        assertThat(bed.link("tun0").impairment()).isEqualTo(Impairment.NONE);
    }

    @Test
    void deletingTheConfigurationRemovesWhatItAdded() throws Exception {
        bed.fake("tun0", 1500, "192.168.9.1/24");
        start(Map.of("device", "tun0", "addresses", new String[] {"10.1.0.2/24"}, "mtu", 1400,
                "impair", "duplicate 1%"));

        component.deactivate();

        Link tun0 = bed.link("tun0");
        assertThat(tun0.addresses()).containsExactly(a("192.168.9.1/24"));
        assertThat(tun0.impairment()).isEqualTo(Impairment.NONE);
        assertThat(tun0.mtu()).isEqualTo(1400);
    }

    @Test
    void aConfigurationThatDoesNotParseIsNotAppliedAndABadUpdateKeepsTheOneBefore() throws Exception {
        bed.fake("tun0", 1500);
        start(Map.of("device", "tun0", "addresses", new String[] {"10.1.0.300/24"}));
        assertThat(component.spec()).isNull();
        assertThat(bed.link("tun0").addresses()).isEmpty();

        component.modified(config(Map.of("device", "tun0", "addresses", new String[] {"10.1.0.2/24"})));
        component.modified(config(Map.of("device", "tun0", "impair", "loss 200%")));

        assertThat(bed.link("tun0").addresses()).containsExactly(a("10.1.0.2/24"));
        assertThat(component.spec().impairment()).isEqualTo(Impairment.NONE);
    }

    @Test
    void anMtuTheDeviceRefusesIsLoggedAndTheRestApplies() throws Exception {
        bed.fake("tun0", 1500);
        start(Map.of("device", "tun0", "mtu", 70000, "addresses", new String[] {"10.1.0.2/24"}));
        assertThat(bed.link("tun0").mtu()).isEqualTo(1500);
        assertThat(bed.link("tun0").addresses()).containsExactly(a("10.1.0.2/24"));
    }
}
