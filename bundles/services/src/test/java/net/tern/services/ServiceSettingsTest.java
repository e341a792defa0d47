package net.tern.services;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Proxy;
import java.util.Map;
import net.tern.api.socket.InetSockAddr;
import org.junit.jupiter.api.Test;

/** The services' configuration (PID {@code net.tern.services}) as Config Admin hands it over, checked. */
class ServiceSettingsTest {

    /** A configuration as DS makes it from Config Admin's properties: the given ones, else the defaults. */
    private static ServicesConfig config(Map<String, Object> properties) {
        return (ServicesConfig) Proxy.newProxyInstance(ServicesConfig.class.getClassLoader(),
                new Class<?>[] {ServicesConfig.class}, (proxy, method, args) -> {
                    Object value = properties.get(method.getName());
                    return value != null ? value : method.getDefaultValue();
                });
    }

    @Test
    void theDefaultsServeACrowdWithLinuxLikeBacklogs() {
        ServiceSettings s = ServiceSettings.of(config(Map.of("services", new String[] {"echo, chargen"})));
        assertThat(s.services()).containsExactly(Service.ECHO, Service.CHARGEN);
        assertThat(s.maxConnections()).isEqualTo(65_536);
        assertThat(s.backlog()).isEqualTo(511);
        assertThat(s.address()).isEqualTo(InetSockAddr.INADDR_ANY);
        assertThat(s.portOffset()).isZero();
    }

    @Test
    void configuredValuesAreTaken() {
        ServiceSettings s = ServiceSettings.of(config(Map.of("services", new String[] {"http"}, "maxConnections", 100_000,
                "backlog", 4096, "address", "127.0.0.1", "portOffset", 8000)));
        assertThat(s.maxConnections()).isEqualTo(100_000);
        assertThat(s.backlog()).isEqualTo(4096);
        assertThat(s.address()).isEqualTo(InetSockAddr.INADDR_LOOPBACK);
        assertThat(s.portOffset()).isEqualTo(8000);
    }

    @Test
    void valuesOutOfRangeAreRefusedNamingTheProperty() {
        assertThatThrownBy(() -> ServiceSettings.of(config(Map.of("maxConnections", 0))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxConnections");
        assertThatThrownBy(() -> ServiceSettings.of(config(Map.of("backlog", -1))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("backlog");
        assertThatThrownBy(() -> ServiceSettings.of(config(Map.of("portOffset", 70_000))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("portOffset");
        assertThatThrownBy(() -> ServiceSettings.of(config(Map.of("services", new String[] {"finger"}))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown service 'finger'");
    }
}
