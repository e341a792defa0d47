package net.tern.itests;

import static net.tern.itests.DevTools.number;
import static net.tern.itests.HostCommands.count;
import static net.tern.itests.HostCommands.requireRoot;
import static net.tern.itests.HostCommands.run;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * The README's learner path, as a learner takes it: {@code bin/tern --tun ... --services http}
 * with its Gogo shell reading what is typed (this test writes to its input), {@code net:demo
 * handshake} and {@code net:demo loss} typed there, and the page each names
 * ({@code /conn.html?a=...&b=...}) opened afterwards in headless Chromium ({@link DevTools}) in
 * the network namespace this test creates, as a browser on the host would open it through the
 * TUN. The handshake's page must draw the three segments of the handshake first, in order; the
 * transfer's must mark its retransmissions in red and plot a congestion window that fell and
 * grew again. Each page's screenshot goes to {@code target/browser/} ({@code demo-handshake.png},
 * {@code demo-loss-cwnd.png}); {@code scripts/screenshots.sh} runs this test and copies them to
 * {@code docs/}.
 */
public class DemoScreenshotsIT {
    private static final Path HOME = Path.of(System.getProperty("tern.distribution", "../distribution/target/tern"));
    private static final Path SHOTS = Path.of(System.getProperty("basedir", "."), "target/browser");
    private static final String TUN = "terndemo0";
    private static final String KERNEL = "10.93.0.1";
    private static final String TERN = "10.93.0.2";
    private static final long WAIT_SECONDS = 180;
    private static final Pattern WATCH = Pattern.compile("watch it on the status page: (/conn\\.html\\?a=\\S+&b=\\S+)");

    private String ns;
    private Path dir;
    private Process tern;
    private OutputStream shell;

    @Before
    public void namespaceWithATun() throws Exception {
        requireRoot("ip", "curl", "chromium");
        assertTrue("the distribution is built at " + HOME, HOME.resolve("bin/tern").toFile().canExecute());
        dir = Files.createTempDirectory("tern-demo-shots");
        ns = "terndemo" + ProcessHandle.current().pid();
        run(10, "ip", "netns", "add", ns);
        HostCommands.addTun(ns, TUN, KERNEL + "/24");
    }

    @After
    public void cleanUp() throws Exception {
        try {
            if (shell != null) {
                shell.close(); // the end of its input stops the shell, and the stack
            }
        } finally {
            HostCommands.stopAndRemove(tern, ns, dir);
        }
    }

    @Test
    public void theDemosDrawTheirHandshakeAndACongestionWindowThatFallsAndRecovers() throws Exception {
        tern = new ProcessBuilder("ip", "netns", "exec", ns, HOME.resolve("bin/tern").toString(), "--tun", TUN,
                "--address", TERN + "/24", "--services", "http").redirectErrorStream(true)
                .redirectOutput(dir.resolve("tern.log").toFile()).start();
        shell = tern.getOutputStream();
        HostCommands.awaitStatusPage(ns, TERN, tern, dir.resolve("tern.log"), WAIT_SECONDS);

        try (DevTools browser = DevTools.start(ns, dir, 1400, 900)) {
            show(browser, typeAndAwaitPage("net:demo handshake"), "the handshake demo's connection");
            String labels = browser.evaluate("JSON.stringify([...document.querySelectorAll('#timeline g.seg text')]"
                    + ".slice(0, 3).map(t => t.textContent))");
            assertTrue("SYN, SYN-ACK, ACK drawn first: " + labels, labels.matches(
                    "\\[\"\\[S\\] seq 0 [^\"]*\",\"\\[S\\.\\] seq 0 ack 1[^\"]*\",\"\\[\\.\\] seq 1 ack 1[^\"]*\"\\]"));
            assertEquals("nothing sent again on a clean lo", "0", browser.evaluate("document.body.dataset.retrans"));
            browser.evaluate("String(window.scrollTo(0, 0))");
            browser.screenshot(SHOTS.resolve("demo-handshake.png"), false);

            // The README's way: the page with no connection named shows the newest, the demo's.
            Matcher named = Pattern.compile("\\?a=([^&]+)&b=(.+)").matcher(typeAndAwaitPage("net:demo loss"));
            assertTrue(named.find());
            show(browser, "/conn.html", "the newest connection");
            String conn = browser.evaluate("document.body.dataset.conn");
            assertTrue("the loss demo's connection is shown: " + conn + " for " + named.group(),
                    conn.contains(named.group(1)) && conn.contains(named.group(2)));
            String figures = browser.evaluate("JSON.stringify({"
                    + "retrans: Number(document.body.dataset.retrans),"
                    + "redArrows: document.querySelectorAll('#timeline g.seg.retrans').length,"
                    + "cwndMin: Number(document.body.dataset.cwndMin),"
                    + "cwndMax: Number(document.body.dataset.cwndMax),"
                    // The largest rise of the window after it first fell: from the lowest point so far to a later one.
                    + "regrowth: (() => { const c = ternView.plots['plot-cwnd'].data[1];"
                    + " let fall = 1; while (fall < c.length && !(c[fall] < c[fall - 1])) fall++;"
                    + " let low = Infinity, rise = fall < c.length ? 0 : -1;"
                    + " for (let i = fall; i < c.length; i++) { low = Math.min(low, c[i]); rise = Math.max(rise, c[i] - low); }"
                    + " return rise; })()})");
            assertTrue("retransmissions are marked: " + figures, number(figures, "retrans") > 0);
            assertEquals(figures, number(figures, "retrans"), number(figures, "redArrows"));
            assertTrue("the congestion window fell: " + figures, number(figures, "cwndMin") < number(figures, "cwndMax"));
            assertTrue("and grew again after its first fall: " + figures, number(figures, "regrowth") > 0);
            browser.evaluate("String(document.getElementById('plots-pane').scrollIntoView())");
            browser.screenshot(SHOTS.resolve("demo-loss-cwnd.png"), false);
            assertTrue(Files.size(SHOTS.resolve("demo-loss-cwnd.png")) > 10_000);
        }
    }

    /** Opens the page at {@code path} and waits until it has drawn {@code what} to its end. */
    private static void show(DevTools browser, String path, String what) throws Exception {
        browser.open("http://" + TERN + path);
        browser.await("typeof window.ternView === 'object' && document.body.dataset.closed === 'true'",
                what + " drawn to its end", WAIT_SECONDS);
        Thread.sleep(500); // one more render after the close
    }

    /** Types {@code command} into Tern's shell and waits for the page its report names. */
    private String typeAndAwaitPage(String command) throws Exception {
        long seen = count(Files.readString(dir.resolve("tern.log"), StandardCharsets.UTF_8), WATCH.pattern());
        shell.write((command + "\n").getBytes(StandardCharsets.UTF_8));
        shell.flush();
        long deadline = System.nanoTime() + WAIT_SECONDS * 1_000_000_000L;
        while (System.nanoTime() < deadline) {
            String log = Files.readString(dir.resolve("tern.log"), StandardCharsets.UTF_8);
            Matcher m = WATCH.matcher(log);
            String last = null;
            long found = 0;
            while (m.find()) {
                last = m.group(1);
                found++;
            }
            if (found > seen) {
                return last;
            }
            assertTrue("bin/tern exited:\n" + log, tern.isAlive());
            Thread.sleep(250);
        }
        throw new AssertionError(command + " named no page within " + WAIT_SECONDS + " s:\n"
                + Files.readString(dir.resolve("tern.log")));
    }
}
