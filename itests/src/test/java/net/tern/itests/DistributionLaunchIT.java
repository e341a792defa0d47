package net.tern.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.Test;

/**
 * The distribution as a user runs it: {@code bin/tern -c ...} starts the stack, runs the
 * commands and exits with their status. Each run is bounded; a run past its bound is killed
 * (it is a process this test started) and fails the test.
 */
public class DistributionLaunchIT {
    private static final Path HOME = Path.of(System.getProperty("tern.distribution", "../distribution/target/tern"));

    @Test
    public void netLinksAndNetFamiliesAnswerAndExitZero() throws Exception {
        Result r = tern("-c", "net:links", "-c", "net:families");
        assertEquals(r.toString(), 0, r.status);
        assertTrue(r.toString(), r.out.contains("1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 state UP"));
        assertTrue(r.toString(), r.out.contains("inet 127.0.0.1/8"));
        assertTrue(r.toString(), r.out.contains("FAMILY  NAME"));
        assertTrue(r.toString(), r.out.lines().anyMatch(line -> line.matches("2\\s+inet\\s+0\\s+SOCK_DGRAM\\s+17\\s+UDP\\*")));
    }

    @Test
    public void anUnknownCommandExitsOneAndSaysWhy() throws Exception {
        Result r = tern("-c", "net:nosuchcommand", "--wait", "2");
        assertEquals(r.toString(), 1, r.status);
        assertTrue(r.toString(), r.err.contains("net:nosuchcommand"));
    }

    @Test
    public void aBadOptionExitsTwoWithUsage() throws Exception {
        Result r = tern("--bogus");
        assertEquals(r.toString(), 2, r.status);
        assertTrue(r.toString(), r.err.contains("usage: tern"));
    }

    private record Result(int status, String out, String err) {
        @Override
        public String toString() {
            return "exit " + status + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    private static Result tern(String... args) throws IOException, InterruptedException {
        File launcher = HOME.resolve("bin/tern").toFile();
        assertTrue("the distribution is built at " + HOME, launcher.canExecute());
        List<String> command = new ArrayList<>();
        command.add(launcher.getPath());
        command.addAll(List.of(args));
        Path out = Files.createTempFile("tern-out", ".txt");
        Path err = Files.createTempFile("tern-err", ".txt");
        try {
            Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                throw new AssertionError("bin/tern " + String.join(" ", args) + " did not exit within 60 s");
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
