package net.tern.shell;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code docs/linux-map.md} stays true: every {@code Class} and {@code Class#method} its
 * tables name in the Tern column exists on the test class path (the bundles the map covers
 * are test dependencies of this module), and in the TCP table every Linux function a row
 * names is carried, by name, by a method the row names.
 */
class LinuxMapTest {
    private static final Path MAP = Path.of("../../docs/linux-map.md");
    /** The table whose methods carry the names of the Linux functions they map. */
    private static final String TCP_SECTION = "## TCP (bundles/tcp)";
    /** A Linux function in the Linux column: {@code `name()`}. */
    private static final Pattern FUNCTION = Pattern.compile("`(\\w+)\\(\\)`");
    /** The namespace prefixes a method may leave out of the Linux name it carries ({@code tcp_v4_rcv}: {@code v4Rcv} or {@code rcv}). */
    private static final Set<String> PREFIXES = Set.of("tcp", "v4", "inet", "csk", "sk");
    /** {@code `net.tern.pkg.Class`} or {@code `net.tern.pkg.Class#method`}. */
    private static final Pattern REFERENCE = Pattern.compile("`(net\\.tern\\.[\\w.]+?\\.[A-Z]\\w*)(?:#(\\w+))?`");

    /** The Tern column (the second cell) of every table row, with its line number. */
    static List<String[]> ternCells(List<String> lines) {
        List<String[]> cells = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).trim();
            if (!line.startsWith("|") || line.startsWith("|---")) {
                continue;
            }
            String[] parts = line.split("\\|");
            if (parts.length < 3 || parts[1].trim().equals("Linux")) {
                continue;
            }
            cells.add(new String[] {String.valueOf(i + 1), parts[2]});
        }
        return cells;
    }

    @Test
    void everyClassAndMethodTheMapNamesExists() throws IOException {
        List<String> lines = Files.readAllLines(MAP);
        List<String[]> cells = ternCells(lines);
        assertThat(cells).as("table rows in %s", MAP).hasSizeGreaterThan(100);

        Set<String> missing = new LinkedHashSet<>();
        int references = 0;
        for (String[] cell : cells) {
            Matcher m = REFERENCE.matcher(cell[1]);
            int inCell = 0;
            while (m.find()) {
                inCell++;
                references++;
                String problem = check(m.group(1), m.group(2));
                if (problem != null) {
                    missing.add("line " + cell[0] + ": " + problem);
                }
            }
            if (inCell == 0) {
                missing.add("line " + cell[0] + ": names no Tern class: " + cell[1].trim());
            }
        }
        assertThat(missing).as("names in %s that do not exist", MAP).isEmpty();
        assertThat(references).isGreaterThan(150);
    }

    @Test
    void theCheckerTellsAMissingClassOrMethodFromAPresentOne() {
        assertThat(check("net.tern.shell.NstatCommand", "nstat")).isNull();
        assertThat(check("net.tern.spi.net.Link", "transmit")).isNull();
        assertThat(check("net.tern.shell.NstatCommand", "tcp_v4_rcv")).isEqualTo("no method tcp_v4_rcv in net.tern.shell.NstatCommand");
        assertThat(check("net.tern.shell.NoSuchThing", null)).isEqualTo("no class net.tern.shell.NoSuchThing");
    }

    @Test
    void theTcpSectionNamesEveryFunctionOfTheHandshakeAndTheClose() throws IOException {
        // The call paths the lesson's readers trace by hand: each must have its row.
        assertThat(Files.readString(MAP)).contains("## TCP (bundles/tcp)",
                "`tcp_v4_rcv()`", "`tcp_v4_do_rcv()", "`tcp_rcv_state_process()`", "`tcp_conn_request()`",
                "`tcp_check_req()`", "`inet_csk_accept()`", "`tcp_v4_connect()`", "`tcp_set_state()`",
                "`tcp_fin()`", "`tcp_close()`", "`tcp_send_fin()`", "`tcp_time_wait()`", "`inet_twsk_kill()`");
    }

    @Test
    void everyTcpFunctionIsCarriedByAMethodOfItsRow() throws IOException {
        List<String> lines = Files.readAllLines(MAP);
        int start = lines.indexOf(TCP_SECTION);
        assertThat(start).as("%s in %s", TCP_SECTION, MAP).isNotNegative();
        Set<String> uncarried = new LinkedHashSet<>();
        int functions = 0;
        for (int i = start + 1; i < lines.size() && !lines.get(i).startsWith("## "); i++) {
            String line = lines.get(i).trim();
            String[] parts = line.split("\\|");
            if (!line.startsWith("|") || line.startsWith("|---") || parts.length < 3 || parts[1].trim().equals("Linux")) {
                continue;
            }
            List<String> methods = new ArrayList<>();
            Matcher m = REFERENCE.matcher(parts[2]);
            while (m.find()) {
                if (m.group(2) != null) {
                    methods.add(m.group(2));
                }
            }
            Matcher f = FUNCTION.matcher(parts[1]);
            while (f.find()) {
                functions++;
                String function = f.group(1);
                if (methods.stream().noneMatch(method -> carries(method, function))) {
                    uncarried.add("line " + (i + 1) + ": " + function + " is carried by none of " + methods);
                }
            }
        }
        assertThat(uncarried).as("Linux functions in %s's TCP table no method of their row is named after", MAP)
                .isEmpty();
        assertThat(functions).isGreaterThan(100);
    }

    @Test
    void aMethodCarriesALinuxNameInCamelCaseWithoutItsPrefix() {
        assertThat(carries("rcvEstablished", "tcp_rcv_established")).isTrue();
        assertThat(carries("v4Rcv", "tcp_v4_rcv")).isTrue();
        assertThat(carries("rcv", "tcp_v4_rcv")).isTrue();
        assertThat(carries("oowRateLimited", "__tcp_oow_rate_limited")).isTrue();
        assertThat(carries("listenStop", "inet_csk_listen_stop")).isTrue();
        assertThat(carries("newlyAcked", "tcp_ack")).isFalse();
        assertThat(carries("ackUpdateWindow", "tcp_ack")).isFalse();
        assertThat(carries("established", "tcp_rcv_established")).isFalse();
    }

    /**
     * Whether {@code method} is the Linux {@code function}'s name in camel case, less leading
     * underscores and any leading namespace words ({@link #PREFIXES}).
     */
    static boolean carries(String method, String function) {
        List<String> words = new ArrayList<>();
        for (String w : function.split("_")) {
            if (!w.isEmpty()) {
                words.add(w.toLowerCase(java.util.Locale.ROOT));
            }
        }
        String name = method.toLowerCase(java.util.Locale.ROOT);
        for (int k = 0; k < words.size(); k++) {
            if (String.join("", words.subList(k, words.size())).equals(name)) {
                return true;
            }
            if (!PREFIXES.contains(words.get(k))) {
                return false;
            }
        }
        return false;
    }

    /** Null when the class (and method, if named) exists; else what is missing. */
    static String check(String className, String method) {
        Class<?> type = classNamed(className);
        if (type == null) {
            return "no class " + className;
        }
        if (method == null || hasMethod(type, method)) {
            return null;
        }
        return "no method " + method + " in " + className;
    }

    /** The class, or the nested class when the last dot separates it from its outer one (as written in Java); null if neither. */
    private static Class<?> classNamed(String className) {
        int lastDot = className.lastIndexOf('.');
        for (String binary : new String[] {className,
                className.substring(0, lastDot) + '$' + className.substring(lastDot + 1)}) {
            try {
                return Class.forName(binary, false, LinuxMapTest.class.getClassLoader());
            } catch (ClassNotFoundException | LinkageError e) {
                // try the nested reading next
            }
        }
        return null;
    }

    private static boolean hasMethod(Class<?> type, String name) {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            for (Method m : c.getDeclaredMethods()) {
                if (m.getName().equals(name)) {
                    return true;
                }
            }
            for (Class<?> i : c.getInterfaces()) {
                if (hasMethod(i, name)) {
                    return true;
                }
            }
        }
        return false;
    }
}
