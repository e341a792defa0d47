package net.tern.shell;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import net.tern.core.testing.PacketLeakCheck;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stack's {@code /proc/net/snmp} and {@code /proc/net/netstat} as Linux's own {@code nstat}
 * (iproute2) reads them: it is pointed at the files' text ({@code PROC_NET_SNMP},
 * {@code PROC_NET_NETSTAT}; no IPv6 or SCTP file, a history of its own) and must print the same
 * counters, in the same order, with the same values as {@code net:nstat -az}. nstat is required:
 * the test fails when it is not installed.
 */
@ExtendWith(PacketLeakCheck.class)
class NstatLinuxTest {
    private static final long NSTAT_TIMEOUT_SECONDS = 60;
    /**
     * What nstat leaves out as no counter ({@code useless_numbers[]} in iproute2's nstat.c): of
     * these the stack has only {@code TcpCurrEstab}, a gauge, which {@code net:nstat} shows.
     */
    private static final List<String> NOT_COUNTERS = List.of("IpForwarding", "IpDefaultTTL", "TcpRtoAlgorithm",
            "TcpRtoMin", "TcpRtoMax", "TcpMaxConn", "TcpCurrEstab");

    private final TcpUdpBed stack;

    @TempDir
    Path dir;

    NstatLinuxTest() throws Exception {
        stack = new TcpUdpBed();
    }

    @AfterEach
    void close() {
        stack.close();
    }

    @Test
    void linuxsNstatReadsTheStacksProcFilesAsNetNstatPrintsThem() throws Exception {
        assertThat(EchoPeer.pingThroughLo(stack.bed, "-c", "2", "127.0.0.1").received()).isEqualTo(2);
        Path snmp = Files.writeString(dir.resolve("snmp"), stack.api().procRead("net/snmp"));
        Path netstat = Files.writeString(dir.resolve("netstat"), stack.api().procRead("net/netstat"));
        Path none = Files.writeString(dir.resolve("none"), "");

        List<String> linux = counters(nstat(Map.of("PROC_NET_SNMP", snmp.toString(), "PROC_NET_NETSTAT",
                netstat.toString(), "PROC_NET_SNMP6", none.toString(), "PROC_NET_SCTP_SNMP", none.toString(),
                "NSTAT_HISTORY", dir.resolve("history").toString())));
        List<String> tern = counters(new NstatCommand(stack.api()).nstat("-az").lines().toList());

        assertThat(tern).as("net:nstat -az").contains("IcmpOutEchos 2", "IcmpInEchoReps 2", "TcpActiveOpens 0",
                "IpExtInNoRoutes 0");
        assertThat(tern).as("the gauge net:nstat shows and nstat leaves out").contains("TcpCurrEstab 0");
        List<String> ternCounters = tern.stream().filter(pair -> !NOT_COUNTERS.contains(pair.split(" ")[0])).toList();
        assertThat(linux).as("nstat -asz over the stack's proc files").containsExactlyElementsOf(ternCounters);
    }

    /** The {@code name value} pairs of nstat's lines, without the header and the rate column. */
    private static List<String> counters(List<String> lines) {
        List<String> pairs = new ArrayList<>();
        for (String line : lines) {
            if (line.startsWith("#")) {
                continue;
            }
            String[] fields = line.trim().split("\\s+");
            pairs.add(fields[0] + " " + fields[1]);
        }
        return pairs;
    }

    private List<String> nstat(Map<String, String> environment) throws Exception {
        String nstat = nstatPath();
        ProcessBuilder builder = new ProcessBuilder(nstat, "-asz");
        builder.environment().putAll(environment);
        Path out = dir.resolve("nstat.out");
        Path err = dir.resolve("nstat.err");
        Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!process.waitFor(NSTAT_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail("nstat did not finish within " + NSTAT_TIMEOUT_SECONDS + " s");
        }
        assertThat(process.exitValue()).as("nstat exit status; stderr: %s", Files.readString(err)).isZero();
        return Files.readAllLines(out);
    }

    private static String nstatPath() {
        for (String entry : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            Path candidate = Path.of(entry, "nstat");
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        for (String sbin : List.of("/usr/sbin/nstat", "/sbin/nstat", "/usr/bin/nstat")) {
            if (Files.isExecutable(Path.of(sbin))) {
                return sbin;
            }
        }
        return fail("nstat (iproute2) is not installed, and this test needs it to check the proc files: install it "
                + "(Debian/Ubuntu: apt-get install iproute2)");
    }
}
