package net.tern.tcp.impl;

import static net.tern.api.socket.SocketConstants.AF_INET;
import static net.tern.api.socket.SocketConstants.SOCK_NONBLOCK;
import static net.tern.api.socket.SocketConstants.SOCK_STREAM;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.InetSockAddr;
import net.tern.tcp.testing.FrozenCounters;
import net.tern.tcp.testing.SegmentPeer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * The counters checklist of docs/tcp-defaults.md stays true: it lists every counter the TCP
 * issues require, each is a counter TCP has, and each test it cites observes that counter
 * move: run as it is, the test passes; run again with the counter frozen at 0 for its reads
 * ({@link FrozenCounters}, as if TCP had stopped counting it), the test fails. A test that
 * only names the counter, or reads it without asserting what it became, passes frozen too
 * and is reported.
 */
class CounterChecklistTest {
    private static final Path DOC = Path.of("../../docs/tcp-defaults.md");
    private static final String PACKAGE = "net.tern.tcp.impl.";
    private static final List<String> REQUIRED = List.of("TcpActiveOpens", "TcpPassiveOpens", "TcpAttemptFails",
            "TcpEstabResets", "TcpCurrEstab", "TcpInSegs", "TcpOutSegs", "TcpRetransSegs", "TcpInErrs", "TcpOutRsts",
            "TcpExtListenOverflows", "TcpExtListenDrops", "TcpExtTCPTimeouts", "TcpExtTCPFastRetrans",
            "TcpExtTCPSackRecovery", "TcpExtSyncookiesSent", "TcpExtSyncookiesRecv", "TcpExtTCPChallengeACK");
    /** A checklist row: {@code | `Counter` | scenario | `Test#method`, ... |}. */
    private static final Pattern ROW = Pattern.compile("^\\|\\s*`(Tcp\\w+)`\\s*\\|[^|]*\\|(.*)\\|\\s*$");
    private static final Pattern TEST = Pattern.compile("`(\\w+Test)#(\\w+)`");

    /** Counter name as nstat prints it to the test methods the checklist cites for it. */
    static Map<String, List<String[]>> checklist(List<String> lines) {
        Map<String, List<String[]>> rows = new LinkedHashMap<>();
        boolean inChecklist = false;
        for (String line : lines) {
            if (line.startsWith("## ")) {
                inChecklist = line.equals("## Counters checklist");
                continue;
            }
            Matcher row = ROW.matcher(line);
            if (inChecklist && row.matches()) {
                List<String[]> tests = new ArrayList<>();
                Matcher t = TEST.matcher(row.group(2));
                while (t.find()) {
                    tests.add(new String[] {t.group(1), t.group(2)});
                }
                rows.put(row.group(1), tests);
            }
        }
        return rows;
    }

    /** {@code TcpMib.ActiveOpens} for {@code TcpActiveOpens}, {@code TcpExtMib.TW} for {@code TcpExtTW}; null if none. */
    static Enum<?> counter(String name) {
        try {
            if (name.startsWith("TcpExt")) {
                return TcpExtMib.valueOf(name.substring(6));
            }
            return TcpMib.valueOf(name.substring(3));
        } catch (IllegalArgumentException noSuchCounter) {
            return null;
        }
    }

    /** How a run of one test method went. */
    record Run(long found, long succeeded, long failed) {
        boolean passed() {
            return found > 0 && failed == 0 && succeeded == found;
        }
    }

    private static final Launcher LAUNCHER = LauncherFactory.create();

    /** Runs {@code className#method} with the JUnit Platform launcher, {@code frozen} (if not null) frozen meanwhile. */
    static Run run(String className, String method, Enum<?> frozen) {
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(DiscoverySelectors.selectMethod(className, method)).build();
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        if (frozen != null) {
            FrozenCounters.freeze(frozen);
        }
        try {
            LAUNCHER.execute(request, listener);
        } finally {
            if (frozen != null) {
                FrozenCounters.thaw(frozen);
            }
        }
        TestExecutionSummary summary = listener.getSummary();
        return new Run(summary.getTestsFoundCount(), summary.getTestsSucceededCount(), summary.getTotalFailureCount());
    }

    /** What is wrong with {@code test} as the evidence for {@code counter}, or null. */
    static String verdict(String counterName, Enum<?> counter, String className, String method) {
        String cited = className.substring(className.lastIndexOf('.') + 1).replace('$', '.') + "#" + method;
        Run asItIs = run(className, method, null);
        if (asItIs.found() == 0) {
            return counterName + ": no test " + cited;
        }
        if (!asItIs.passed()) {
            return counterName + ": " + cited + " fails as it is";
        }
        if (run(className, method, counter).passed()) {
            return counterName + ": " + cited + " passes with " + counter.getDeclaringClass().getSimpleName() + "."
                    + counter.name() + " frozen at 0, so it does not observe that counter move";
        }
        return null;
    }

    /**
     * Runs every cited test twice or more (once as it is, once per counter it is cited for),
     * the 200 MB out-of-order flood of TcpMemoryTest ten times among them: minutes on a loaded
     * two-core machine, past the default limit that guards the other tests against hangs.
     */
    @Test
    @Timeout(value = 20, unit = TimeUnit.MINUTES)
    void theChecklistNamesEveryRequiredCounterAndATestThatObservesEachMove() throws IOException {
        Map<String, List<String[]>> rows = checklist(Files.readAllLines(DOC));
        assertThat(rows.keySet()).as("counters in the checklist of %s", DOC).containsAll(REQUIRED);

        Set<String> problems = new LinkedHashSet<>();
        for (Map.Entry<String, List<String[]>> row : rows.entrySet()) {
            Enum<?> counter = counter(row.getKey());
            if (counter == null) {
                problems.add(row.getKey() + ": TCP has no such counter");
                continue;
            }
            if (row.getValue().isEmpty()) {
                problems.add(row.getKey() + ": names no test");
            }
            for (String[] test : row.getValue()) {
                String problem = verdict(row.getKey(), counter, PACKAGE + test[0], test[1]);
                if (problem != null) {
                    problems.add(problem);
                }
            }
        }
        assertThat(problems).as("checklist rows in %s that no test backs", DOC).isEmpty();
    }

    @Test
    void theCheckerTellsAnObservedCounterFromOneOnlyNamed() {
        String fixture = Fixture.class.getName();
        assertThat(verdict("TcpActiveOpens", TcpMib.ActiveOpens, fixture, "assertsTheCount")).isNull();
        assertThat(verdict("TcpActiveOpens", TcpMib.ActiveOpens, fixture, "onlyNamesTheCounter"))
                .isEqualTo("TcpActiveOpens: CounterChecklistTest.Fixture#onlyNamesTheCounter passes with "
                        + "TcpMib.ActiveOpens frozen at 0, so it does not observe that counter move");
        assertThat(verdict("TcpActiveOpens", TcpMib.ActiveOpens, fixture, "missing"))
                .isEqualTo("TcpActiveOpens: no test CounterChecklistTest.Fixture#missing");
        assertThat(counter("TcpActiveOpens")).isEqualTo(TcpMib.ActiveOpens);
        assertThat(counter("TcpExtTCPChallengeACK")).isEqualTo(TcpExtMib.TCPChallengeACK);
        assertThat(counter("TcpExtNoSuchThing")).isNull();
        assertThat(checklist(List.of("## Counters checklist", "| Counter | Scenario | Test |", "|---|---|---|",
                "| `TcpInSegs` | in | `ATest#a`, `BTest#b` |", "## Next", "| `TcpOutSegs` | x | `CTest#c` |")))
                .containsOnlyKeys("TcpInSegs").satisfies(m -> assertThat(m.get("TcpInSegs")).hasSize(2));
    }

    /** Tests for the checker to judge (run only through it: surefire leaves nested classes alone). */
    static class Fixture {
        private static long activeOpensAfterAConnect() throws Exception {
            try (SegmentPeer peer = new SegmentPeer()) {
                int fd = peer.api().socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
                try {
                    peer.api().connect(fd, InetSockAddr.parse("10.0.0.2:80"));
                } catch (ErrnoException inProgress) {
                    // EINPROGRESS: the SYN is out
                }
                return peer.host().counter(TcpMib.ActiveOpens);
            }
        }

        @Test
        void assertsTheCount() throws Exception {
            assertThat(activeOpensAfterAConnect()).isEqualTo(1);
        }

        @Test
        void onlyNamesTheCounter() throws Exception {
            assertThat(activeOpensAfterAConnect()).isNotNegative();
        }
    }
}
