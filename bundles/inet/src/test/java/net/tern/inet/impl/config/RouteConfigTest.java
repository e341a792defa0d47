package net.tern.inet.impl.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import net.tern.core.testing.PacketLeakCheck;
import net.tern.inet.route.Route;
import net.tern.inet.testing.ComponentConfig;
import net.tern.inet.testing.InetTestBed;
import net.tern.spi.net.IfAddress;
import net.tern.spi.net.Link;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The {@code net.tern.route} factory configuration: a route kept in the main table. */
@ExtendWith(PacketLeakCheck.class)
class RouteConfigTest {
    private final InetTestBed bed = new InetTestBed();
    private RouteConfig component;

    @BeforeEach
    void setUp() throws Exception {
        bed.loopback();
    }

    @AfterEach
    void close() {
        bed.close();
    }

    private RouteConfig start(Map<String, ?> values) {
        component = new RouteConfig(bed.inet().fib(), bed.stack().networkThread(),
                ComponentConfig.of(RouteConfig.Config.class, values));
        bed.stack().addLinkListener(component);
        bed.runUntilIdle();
        return component;
    }

    private List<String> mainRoutes() {
        return bed.inet().fib().routes(Route.Table.MAIN).stream().map(Route::toString).toList();
    }

    @Test
    void addsTheRouteWhenItCanAndAgainAfterItsLinkComesBack() throws Exception {
        start(Map.of("destination", "0.0.0.0/0", "gateway", "10.1.0.1", "device", "tun0", "metric", 5));
        assertThat(mainRoutes()).noneMatch(r -> r.startsWith("default"));

        bed.fake("tun0", 1500, "10.1.0.2/24");
        bed.runUntilIdle();
        assertThat(mainRoutes()).contains("default via 10.1.0.1 dev tun0 proto static metric 5");

        Link tun0 = bed.link("tun0");
        tun0.setUp(false);
        bed.runUntilIdle();
        assertThat(mainRoutes()).noneMatch(r -> r.startsWith("default"));
        tun0.setUp(true);
        bed.runUntilIdle();
        assertThat(mainRoutes()).contains("default via 10.1.0.1 dev tun0 proto static metric 5");
    }

    @Test
    void waitsForTheGatewaysNetworkToBeConnected() throws Exception {
        bed.fake("tun0", 1500);
        start(Map.of("destination", "10.9.0.0/16", "gateway", "10.1.0.1"));
        assertThat(mainRoutes()).noneMatch(r -> r.startsWith("10.9.0.0/16"));

        bed.link("tun0").addAddress(IfAddress.parse("10.1.0.2/24"));
        bed.runUntilIdle();
        assertThat(mainRoutes()).contains("10.9.0.0/16 via 10.1.0.1 dev tun0 proto static");
    }

    @Test
    void anUpdateReplacesTheRouteAndDeletingTheConfigurationDeletesIt() throws Exception {
        bed.fake("tun0", 1500, "10.1.0.2/24");
        start(Map.of("destination", "default", "gateway", "10.1.0.1"));
        assertThat(mainRoutes()).contains("default via 10.1.0.1 dev tun0 proto static");

        component.modified(ComponentConfig.of(RouteConfig.Config.class,
                Map.of("destination", "default", "gateway", "10.1.0.254", "metric", 7)));
        assertThat(mainRoutes()).contains("default via 10.1.0.254 dev tun0 proto static metric 7")
                .noneMatch(r -> r.contains("via 10.1.0.1 "));

        component.deactivate();
        assertThat(mainRoutes()).noneMatch(r -> r.startsWith("default"));
    }

    @Test
    void neverDeletesARouteItDidNotAdd() throws Exception {
        bed.fake("tun0", 1500, "10.1.0.2/24");
        start(Map.of("destination", "10.1.0.0/24", "device", "tun0"));
        // The connected route was there first: the add met EEXIST.
        component.deactivate();
        assertThat(mainRoutes()).anyMatch(r -> r.startsWith("10.1.0.0/24 dev tun0"));
    }

    @Test
    void aConfigurationThatDoesNotParseAddsNothing() throws Exception {
        bed.fake("tun0", 1500, "10.1.0.2/24");
        List<String> before = mainRoutes();
        start(Map.of("destination", "10.1.0.0/33", "gateway", "10.1.0.1"));
        assertThat(component.request()).isNull();
        start(Map.of("destination", "10.5.0.0/16"));
        assertThat(component.request()).isNull();
        assertThat(mainRoutes()).isEqualTo(before);
    }
}
