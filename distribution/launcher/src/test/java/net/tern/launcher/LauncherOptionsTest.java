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
}
