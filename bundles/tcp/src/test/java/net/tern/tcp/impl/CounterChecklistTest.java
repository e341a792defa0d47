package net.tern.tcp.impl;

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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The counters checklist of docs/tcp-defaults.md stays true: it lists every counter the TCP
 * issues require, each is a counter TCP has, and each test it names exists in this package
 * and asserts that counter in the named method (the tests themselves run with the suite,
 * so the scenario does move it).
 */
class CounterChecklistTest {
    private static final Path DOC = Path.of("../../docs/tcp-defaults.md");
    private static final Path TESTS = Path.of("src/test/java/net/tern/tcp/impl");
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
    static String enumReference(String counter) {
        try {
            if (counter.startsWith("TcpExt")) {
                return "TcpExtMib." + TcpExtMib.valueOf(counter.substring(6)).name();
            }
            return "TcpMib." + TcpMib.valueOf(counter.substring(3)).name();
        } catch (IllegalArgumentException noSuchCounter) {
            return null;
        }
    }

    /** The text of {@code method} in a test source: from its declaration to the next test's annotation. */
    static String methodBody(String source, String method) {
        Matcher declaration = Pattern.compile("\\bvoid " + method + "\\(").matcher(source);
        if (!declaration.find()) {
            return null;
        }
        int end = source.indexOf("\n    @", declaration.end());
        return source.substring(declaration.start(), end < 0 ? source.length() : end);
    }

    @Test
    void theChecklistNamesEveryRequiredCounterAndATestThatAssertsEach() throws IOException {
        Map<String, List<String[]>> rows = checklist(Files.readAllLines(DOC));
        assertThat(rows.keySet()).as("counters in the checklist of %s", DOC).containsAll(REQUIRED);

        Set<String> problems = new LinkedHashSet<>();
        for (Map.Entry<String, List<String[]>> row : rows.entrySet()) {
            String reference = enumReference(row.getKey());
            if (reference == null) {
                problems.add(row.getKey() + ": TCP has no such counter");
                continue;
            }
            if (row.getValue().isEmpty()) {
                problems.add(row.getKey() + ": names no test");
            }
            for (String[] test : row.getValue()) {
                Path file = TESTS.resolve(test[0] + ".java");
                if (!Files.exists(file)) {
                    problems.add(row.getKey() + ": no test class " + test[0]);
                    continue;
                }
                String body = methodBody(Files.readString(file), test[1]);
                if (body == null) {
                    problems.add(row.getKey() + ": no method " + test[0] + "#" + test[1]);
                } else if (!body.contains(reference)) {
                    problems.add(row.getKey() + ": " + test[0] + "#" + test[1] + " does not assert " + reference);
                }
            }
        }
        assertThat(problems).as("checklist rows in %s that no test backs", DOC).isEmpty();
    }

    @Test
    void theCheckerTellsACitedAssertionFromAMissingOne() {
        String source = """
                class T {
                    @Test
                    void opens() {
                        assertThat(counter(TcpMib.ActiveOpens)).isEqualTo(1);
                    }

                    @Test
                    void other() {
                        assertThat(counter(TcpMib.OutRsts)).isZero();
                    }
                }
                """;
        assertThat(methodBody(source, "opens")).contains("TcpMib.ActiveOpens").doesNotContain("OutRsts");
        assertThat(methodBody(source, "missing")).isNull();
        assertThat(enumReference("TcpActiveOpens")).isEqualTo("TcpMib.ActiveOpens");
        assertThat(enumReference("TcpExtTCPChallengeACK")).isEqualTo("TcpExtMib.TCPChallengeACK");
        assertThat(enumReference("TcpExtNoSuchThing")).isNull();
        assertThat(checklist(List.of("## Counters checklist", "| Counter | Scenario | Test |", "|---|---|---|",
                "| `TcpInSegs` | in | `ATest#a`, `BTest#b` |", "## Next", "| `TcpOutSegs` | x | `CTest#c` |")))
                .containsOnlyKeys("TcpInSegs").satisfies(m -> assertThat(m.get("TcpInSegs")).hasSize(2));
    }
}
