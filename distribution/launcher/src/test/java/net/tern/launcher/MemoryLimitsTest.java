package net.tern.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class MemoryLimitsTest {
    @Test
    void sizesPrintInWholeUnitsAndHugeOnesAsUnlimited() {
        assertThat(MemoryLimits.size(256L << 20)).isEqualTo("256 MiB");
        assertThat(MemoryLimits.size(2L << 30)).isEqualTo("2 GiB");
        assertThat(MemoryLimits.size(1536L << 20)).isEqualTo("1536 MiB");
        assertThat(MemoryLimits.size(1000)).isEqualTo("1000 bytes");
        assertThat(MemoryLimits.size(MemoryLimits.UNLIMITED)).isEqualTo("unlimited");
        assertThat(MemoryLimits.size(-1)).isEqualTo("unknown");
    }

    /** The limits printed are the JVM's own: a JVM started with these flags reports them in --help. */
    @Test
    void helpReportsTheLimitsTheJvmWasStartedWith() throws Exception {
        String out = help("-Xmx48m", "-XX:MaxDirectMemorySize=40m", "-XX:MaxMetaspaceSize=72m",
                "-XX:ReservedCodeCacheSize=32m", "-XX:+UseSerialGC");
        assertThat(out).contains("This JVM: heap 48 MiB, direct memory 40 MiB, metaspace 72 MiB, code cache 32 MiB,"
                + " collector Serial.");
    }

    /** Without MaxDirectMemorySize the JDK lets direct memory grow as large as the heap's maximum. */
    @Test
    void directMemoryDefaultsToTheHeapMaximum() throws Exception {
        String out = help("-Xmx64m", "-XX:+UseG1GC");
        assertThat(out).contains("This JVM: heap 64 MiB, direct memory 64 MiB, metaspace unlimited,");
        assertThat(out).contains("collector G1.");
    }

    private static String help(String... jvmOptions) throws Exception {
        List<String> command = new java.util.ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of(jvmOptions));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), "-Dtern.home=/nonexistent",
                Main.class.getName(), "--help"));
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("java ... --help did not exit within 60 s");
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }
}
