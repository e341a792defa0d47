package net.tern.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class LauncherOptionsTest {
    private static final Path HOME = Path.of("/opt/tern");

    @Test
    void noOptionsMeansAnInteractiveShellLoggingAtInfo() {
        LauncherOptions o = LauncherOptions.parse(new String[0], HOME);
        assertThat(o.interactive()).isTrue();
        assertThat(o.logLevel).isEqualTo("info");
        assertThat(o.home).isEqualTo(HOME);
    }

    @Test
    void commandsAreKeptInOrderAndQuietTheLog() {
        LauncherOptions o = LauncherOptions.parse(new String[] {"-c", "net:links", "--command", "net:families"}, HOME);
        assertThat(o.commands).containsExactly("net:links", "net:families");
        assertThat(o.interactive()).isFalse();
        assertThat(o.logLevel).isEqualTo("warn");
    }

    @Test
    void headlessIsNotInteractive() {
        LauncherOptions o = LauncherOptions.parse(new String[] {"--headless", "--log", "debug"}, HOME);
        assertThat(o.interactive()).isFalse();
        assertThat(o.logLevel).isEqualTo("debug");
    }

    @Test
    void homeAndWaitAreParsed() {
        LauncherOptions o = LauncherOptions.parse(new String[] {"--home", "/tmp/x", "--wait", "5"}, null);
        assertThat(o.home).isEqualTo(Path.of("/tmp/x"));
        assertThat(o.waitSeconds).isEqualTo(5);
    }

    @Test
    void maxConnectionsGoesIntoTheServicesConfiguration() {
        LauncherOptions o = LauncherOptions.parse(new String[] {"--services", "echo", "--max-connections", "100000"}, HOME);
        assertThat(o.maxConnections).isEqualTo(100_000);
        assertThat(StackSetup.servicesProperties(o).get("maxConnections")).isEqualTo(100_000);
        assertThatThrownBy(() -> LauncherOptions.parse(new String[] {"--max-connections", "10"}, HOME))
                .hasMessageContaining("--max-connections needs --services");
        assertThatThrownBy(() -> LauncherOptions.parse(new String[] {"--services", "echo", "--max-connections", "0"},
                HOME)).hasMessageContaining("--max-connections must be at least 1");
        assertThatThrownBy(() -> LauncherOptions.parse(new String[] {"--services", "echo", "--max-connections", "many"},
                HOME)).hasMessageContaining("--max-connections takes a number");
        assertThat(LauncherOptions.USAGE).contains("--max-connections N");
    }

    @Test
    void badInputIsRefusedWithAReason() {
        assertThatThrownBy(() -> LauncherOptions.parse(new String[] {"--bogus"}, HOME))
                .hasMessageContaining("unknown option '--bogus'");
        assertThatThrownBy(() -> LauncherOptions.parse(new String[] {"-c"}, HOME))
                .hasMessageContaining("-c needs a value");
        assertThatThrownBy(() -> LauncherOptions.parse(new String[] {"--wait", "soon"}, HOME))
                .hasMessageContaining("--wait takes a number");
        assertThatThrownBy(() -> LauncherOptions.parse(new String[] {"--log", "loud"}, HOME))
                .hasMessageContaining("unknown log level 'loud'");
        assertThatThrownBy(() -> LauncherOptions.parse(new String[] {"--headless", "-c", "lb"}, HOME))
                .hasMessageContaining("exclude each other");
        assertThatThrownBy(() -> LauncherOptions.parse(new String[0], null))
                .hasMessageContaining("no installation directory");
    }

    @Test
    void tunOptionsAreParsedAndTurnedIntoConfigurationAndCommands() {
        LauncherOptions o = LauncherOptions.parse(new String[] {"--tun", "tern0", "--address", "10.99.0.2/24",
            "--gateway", "10.99.0.1", "--mtu", "1400", "--impair", "loss 2 duplicate 1 reorder 5 seed 7",
            "--services", "echo, discard,chargen,echo", "--headless", "--tun-device", "/dev/net/tun2",
            "--tun-offload", "off", "--tun-queues", "4"}, HOME);
        assertThat(o.tun).isEqualTo("tern0");
        assertThat(o.address).isEqualTo("10.99.0.2/24");
        assertThat(o.gateway).isEqualTo("10.99.0.1");
        assertThat(o.mtu).isEqualTo(1400);
        assertThat(o.services).containsExactly("echo", "discard", "chargen");
        assertThat(o.headless).isTrue();

        java.util.Dictionary<String, Object> tun = StackSetup.tunProperties(o);
        assertThat(tun.get("name")).isEqualTo("tern0");
        assertThat((String[]) tun.get("addresses")).containsExactly("10.99.0.2/24");
        assertThat(tun.get("mtu")).isEqualTo(1400);
        assertThat(tun.get("devicePath")).isEqualTo("/dev/net/tun2");
        assertThat(tun.get("offload")).isEqualTo(false);
        assertThat(tun.get("queues")).isEqualTo(4);
        assertThat(StackSetup.tunProperties(LauncherOptions.parse(new String[] {"--tun", "t", "--address",
            "10.0.0.1/8"}, HOME)).get("queues")).as("the device's own default: one per network thread").isNull();
        assertThat(StackSetup.tunProperties(LauncherOptions.parse(new String[] {"--tun", "t", "--address",
            "10.0.0.1/8"}, HOME)).get("offload")).as("the device's own default").isNull();
        assertThat((String[]) StackSetup.servicesProperties(o).get("services")).containsExactly("echo", "discard", "chargen");
        assertThat(StackSetup.servicesProperties(o).get("maxConnections")).as("the services' own default").isNull();
        assertThat(StackSetup.commands(o)).containsExactly("net:ip route add default via 10.99.0.1 dev tern0",
                "net:impair tern0 loss 2 duplicate 1 reorder 5 seed 7");
    }

    @Test
    void severalAddressesOfBothFamiliesGoToTheTunAndToIpv6() {
        LauncherOptions o = LauncherOptions.parse(new String[] {"--tun", "tern0", "--address", "10.99.0.2/24",
            "--address", "fd00:99::2/64", "--address", "10.98.0.2/24", "--address", "2001:DB8::2/128"}, HOME);
        assertThat((String[]) StackSetup.tunProperties(o).get("addresses")).containsExactly("10.99.0.2/24", "10.98.0.2/24");
        assertThat((String[]) StackSetup.inet6Properties(o).get("addresses"))
                .containsExactly("tern0 fd00:99::2/64", "tern0 2001:DB8::2/128");
        LauncherOptions only6 = LauncherOptions.parse(new String[] {"--tun", "t", "--address", "fd00::2/64"}, HOME);
        assertThat((String[]) StackSetup.tunProperties(only6).get("addresses")).isEmpty();
        assertThatThrownBy(() -> LauncherOptions.parse(new String[] {"--tun", "t", "--address", "fd00::2/129"}, HOME))
                .hasMessageContaining("bad prefix length");
        assertThatThrownBy(() -> LauncherOptions.parse(new String[] {"--tun", "t", "--address", "fd00::g/64"}, HOME))
                .hasMessageContaining("is not an IPv6 address");
        assertThatThrownBy(() -> LauncherOptions.parse(new String[] {"--tun", "t", "--address", "fd00::2/64",
            "--gateway", "10.0.0.1"}, HOME)).hasMessageContaining("needs an IPv4 --address");
    }

    @Test
    void withoutMtuTheDriversDefaultStandsAndWithoutGatewayThereIsNoCommand() {
        LauncherOptions o = LauncherOptions.parse(new String[] {"--tun", "t", "--address", "192.168.7.1/30"}, HOME);
        assertThat(StackSetup.tunProperties(o).get("mtu")).isNull();
        assertThat(StackSetup.tunProperties(o).get("devicePath")).isNull();
        assertThat(StackSetup.commands(o)).isEmpty();
        assertThat(o.services).isEmpty();
    }

    @Test
    void badTunOptionsAreRefusedWithAReason() {
        assertThatThrownBy(() -> LauncherOptions.parse(new String[] {"--tun", "t"}, HOME))
                .hasMessageContaining("--tun needs --address");
        assertThatThrownBy(() -> LauncherOptions.parse(new String[] {"--address", "10.0.0.1/8"}, HOME))
                .hasMessageContaining("need --tun");
        assertThatThrownBy(() -> LauncherOptions.parse(new String[] {"--impair", "loss 1"}, HOME))
                .hasMessageContaining("need --tun");
        assertThatThrownBy(() -> LauncherOptions.parse(new String[] {"--tun-device", "/dev/x"}, HOME))
                .hasMessageContaining("need --tun");
        assertThatThrownBy(() -> LauncherOptions.parse(new String[] {"--tun-offload", "on"}, HOME))
                .hasMessageContaining("need --tun");
        assertThatThrownBy(() -> LauncherOptions.parse(new String[] {"--tun-queues", "2"}, HOME))
                .hasMessageContaining("need --tun");
        assertThatThrownBy(() -> LauncherOptions.parse(new String[] {"--tun", "t", "--address", "10.0.0.1/8",
            "--tun-queues", "0"}, HOME)).hasMessageContaining("--tun-queues must be between 1 and 256");
        assertThatThrownBy(() -> LauncherOptions.parse(new String[] {"--tun", "t", "--address", "10.0.0.1/8",
            "--tun-offload", "yes"}, HOME)).hasMessageContaining("--tun-offload takes on or off");
        assertThatThrownBy(() -> LauncherOptions.parse(new String[] {"--tun", "a-name-far-too-long", "--address",
            "10.0.0.1/8"}, HOME)).hasMessageContaining("1 to 15 characters");
        assertThatThrownBy(() -> LauncherOptions.parse(new String[] {"--tun", "t", "--address", "10.0.0.1"}, HOME))
                .hasMessageContaining("A.B.C.D/N");
        assertThatThrownBy(() -> LauncherOptions.parse(new String[] {"--tun", "t", "--address", "10.0.0.256/8"}, HOME))
                .hasMessageContaining("not an IPv4 address");
        assertThatThrownBy(() -> LauncherOptions.parse(new String[] {"--tun", "t", "--address", "10.0.0.1/33"}, HOME))
                .hasMessageContaining("bad prefix length");
        assertThatThrownBy(() -> LauncherOptions.parse(new String[] {"--tun", "t", "--address", "10.0.0.1/24",
            "--gateway", "10.0.1.1"}, HOME)).hasMessageContaining("is not inside 10.0.0.1/24");
        assertThatThrownBy(() -> LauncherOptions.parse(new String[] {"--tun", "t", "--address", "10.0.0.1/24",
            "--mtu", "40"}, HOME)).hasMessageContaining("between 68 and 65535");
        assertThatThrownBy(() -> LauncherOptions.parse(new String[] {"--services", "echo,gopher"}, HOME))
                .hasMessageContaining("unknown service 'gopher'");
        assertThatThrownBy(() -> LauncherOptions.parse(new String[] {"--tun", "t", "--address", "10.0.0.1/24",
            "--impair", " "}, HOME)).hasMessageContaining("--impair needs a specification");
    }

    @Test
    void appTakesEveryArgumentAfterItsJarAsTheApplicationsOwn() {
        LauncherOptions o = LauncherOptions.parse(new String[] {"-c", "net:ss -tan", "--app", "/tmp/app.jar", "--tun",
            "-c", "x"}, HOME);
        assertThat(o.app).isEqualTo(Path.of("/tmp/app.jar"));
        assertThat(o.appArgs).containsExactly("--tun", "-c", "x");
        assertThat(o.commands).containsExactly("net:ss -tan");
        assertThat(o.tun).isNull();
        assertThat(o.interactive()).isFalse();
        assertThat(o.logLevel).isEqualTo("warn");
    }

    @Test
    void appNeedsAJarAndExcludesHeadless() {
        assertThatThrownBy(() -> LauncherOptions.parse(new String[] {"--app"}, HOME))
                .hasMessage("--app needs a value");
        assertThatThrownBy(() -> LauncherOptions.parse(new String[] {"--headless", "--app", "a.jar"}, HOME))
                .hasMessageContaining("--headless and --app exclude each other");
    }
}
