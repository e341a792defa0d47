package net.tern.tcp.cubic;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import net.tern.tcp.cc.CongestionControl;
import org.junit.jupiter.api.Test;

class CubicComponentTest {
    @Test
    void itIsNamedCubic() {
        assertThat(new Cubic().name()).isEqualTo("cubic").isEqualTo(Cubic.NAME);
    }

    @Test
    void itRegistersTheCongestionControlServiceWithThePropertyNameCubic() throws IOException {
        String descriptor;
        try (InputStream in = Cubic.class.getResourceAsStream("/OSGI-INF/" + Cubic.class.getName() + ".xml")) {
            assertThat(in).as("the DS descriptor bnd generates").isNotNull();
            descriptor = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(descriptor)
                .contains("<provide interface=\"" + CongestionControl.class.getName() + "\"/>")
                .contains("<property name=\"" + CongestionControl.NAME + "\" type=\"String\" value=\"cubic\"/>");
    }

    @Test
    void eachConnectionGetsItsOwnController() {
        Cubic cubic = new Cubic();
        SimulatedConnection a = new SimulatedConnection();
        SimulatedConnection b = new SimulatedConnection();
        assertThat(cubic.create(a)).isInstanceOf(CubicController.class).isNotSameAs(cubic.create(b));
    }

    @Test
    void theDefaultsAreLinuxs() {
        assertThat(new Cubic().options()).isEqualTo(new CubicOptions(true, true, true, 3, 16, 2000, false));
    }

    @Test
    void aConfigurationChangeAppliesToConnectionsCreatedAfterIt() {
        Cubic cubic = new Cubic();
        SimulatedConnection early = new SimulatedConnection();
        CubicController before = (CubicController) cubic.create(early);

        cubic.modified(config(false, false));
        assertThat(cubic.options()).isEqualTo(new CubicOptions(false, true, false, 3, 16, 2000, false));
        SimulatedConnection late = new SimulatedConnection();
        CubicController after = (CubicController) cubic.create(late);

        assertThat(before.options()).isEqualTo(CubicOptions.DEFAULTS);
        assertThat(after.options()).isEqualTo(new CubicOptions(false, true, false, 3, 16, 2000, false));
    }

    private static Cubic.Config config(boolean fastConvergence, boolean hyStart) {
        return new Cubic.Config() {
            @Override
            public boolean fastConvergence() {
                return fastConvergence;
            }

            @Override
            public boolean tcpFriendliness() {
                return true;
            }

            @Override
            public boolean hyStart() {
                return hyStart;
            }

            @Override
            public int hyStartDetect() {
                return 3;
            }

            @Override
            public int hyStartLowWindow() {
                return 16;
            }

            @Override
            public int hyStartAckDeltaUs() {
                return 2000;
            }

            @Override
            public boolean hyStartPlusPlus() {
                return false;
            }

            @Override
            public Class<? extends java.lang.annotation.Annotation> annotationType() {
                return Cubic.Config.class;
            }
        };
    }
}
