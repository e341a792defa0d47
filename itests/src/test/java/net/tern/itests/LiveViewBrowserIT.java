package net.tern.itests;

import static net.tern.itests.DevTools.number;
import static net.tern.itests.HostCommands.count;
import static net.tern.itests.HostCommands.output;
import static net.tern.itests.HostCommands.requireRoot;
import static net.tern.itests.HostCommands.run;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * The status page's live view in a real browser: {@code bin/tern --tun ... --services
 * chargen,http --impair "loss 2 delay 5 seed 7"} in a network namespace this test creates,
 * headless Chromium in the same namespace (driven through the DevTools protocol,
 * {@link DevTools}) on {@code /conn.html?port=19}; then the kernel reads 300,000 bytes of
 * chargen from Tern, whose transmissions the impairment delays and drops. The page must draw
 * that transfer: as many segments sent by Tern as its {@code tcp_transmit_skb} events say
 * (read again, independently, from {@code /trace/events} with {@code curl}), at least the
 * bytes the kernel read, each retransmission marked, the three charts with one point per
 * {@code tcp_probe} sample, and a congestion window that fell. Screenshots of the page go to
 * {@code target/browser/} (CI keeps them).
 */
public class LiveViewBrowserIT {
    private static final Path HOME = Path.of(System.getProperty("tern.distribution", "../distribution/target/tern"));
    private static final Path SHOTS = Path.of(System.getProperty("basedir", "."), "target/browser");
    private static final String TUN = "terntrace0";
    private static final String KERNEL = "10.92.0.1";
    private static final String TERN = "10.92.0.2";
    private static final int BYTES = 300_000;
    private static final long WAIT_SECONDS = 180;

    private String ns;
    private Path dir;
    private Process tern;

    @Before
    public void namespaceWithATun() throws Exception {
        requireRoot("ip", "curl", "socat", "chromium");
        assertTrue("the distribution is built at " + HOME, HOME.resolve("bin/tern").toFile().canExecute());
        dir = Files.createTempDirectory("tern-browser");
        ns = "terntrace" + ProcessHandle.current().pid();
        run(10, "ip", "netns", "add", ns);
        HostCommands.addTun(ns, TUN, KERNEL + "/24");
    }

    @After
    public void cleanUp() throws Exception {
        HostCommands.stopAndRemove(tern, ns, dir);
    }

    @Test
    public void theLiveViewDrawsTheSegmentsAndTheCongestionWindowOfALossyTransfer() throws Exception {
        tern = new ProcessBuilder("ip", "netns", "exec", ns, HOME.resolve("bin/tern").toString(), "--tun", TUN,
                "--address", TERN + "/24", "--services", "chargen,http", "--impair", "loss 2 delay 5 seed 7",
                "--headless").redirectErrorStream(true).redirectOutput(dir.resolve("tern.log").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        HostCommands.awaitStatusPage(ns, TERN, tern, dir.resolve("tern.log"), WAIT_SECONDS);

        try (DevTools browser = DevTools.start(ns, dir, 1400, 1000)) {
            browser.open("http://" + TERN + "/conn.html?port=19");
            browser.await("typeof window.ternView === 'object' && typeof uPlot === 'function'", "the page's scripts", WAIT_SECONDS);
            Thread.sleep(1000); // the event stream is open: the buffer records from now on

            String read = run(120, "ip", "netns", "exec", ns, "sh", "-c",
                    "socat -u TCP:" + TERN + ":19 - 2>/dev/null | head -c " + BYTES + " | wc -c").strip();
            assertEquals("the kernel read chargen's bytes", String.valueOf(BYTES), read);
            browser.await("document.body.dataset.closed === 'true'", "the connection drawn to its end", WAIT_SECONDS);
            Thread.sleep(1000);

            String conn = browser.evaluate("document.body.dataset.conn");
            Matcher ends = Pattern.compile("(10\\.92\\.0\\.\\d+:\\d+) (10\\.92\\.0\\.\\d+:\\d+)").matcher(conn);
            assertTrue(conn, ends.matches());
            String kernelEnd = ends.group(1).endsWith(":19") ? ends.group(2) : ends.group(1);

            // What the stack traced, read independently of the page.
            Path stream = dir.resolve("events.txt");
            output(20, "ip", "netns", "exec", ns, "curl", "-sN", "--max-time", "5", "-o", stream.toString(),
                    "http://" + TERN + "/trace/events?a=" + TERN + ":19&b=" + kernelEnd);
            String events = Files.readString(stream, StandardCharsets.UTF_8);
            long transmits = count(events, "\"function\":\"(tcp_transmit_skb|tcp_v4_send_synack)\",\"system\":\"tcp\","
                    + "\"fd\":-?\\d+,\"local\":\"" + Pattern.quote(TERN + ":19") + "\"");
            long retransmits = count(events, "\"function\":\"tcp_retransmit_skb\"");
            long probes = count(events, "\"local\":\"" + Pattern.quote(TERN + ":19") + "\"[^\\n]*\"probe\":");
            // With the TUN's offload TCP hands the link packets of several segments, one
            // tcp_transmit_skb each (as Linux traces a TSO skb); the link cuts them for netem.
            assertTrue("the stream has the transfer: " + transmits + " packets", transmits > BYTES / 65536);

            String figures = browser.evaluate("JSON.stringify({"
                    + "sent: Number(document.body.dataset.sent),"
                    + "sentBytes: Number(document.body.dataset.sentBytes),"
                    + "retrans: Number(document.body.dataset.retrans),"
                    + "segments: Number(document.body.dataset.segments),"
                    + "arrows: document.querySelectorAll('#timeline g.seg').length,"
                    + "redArrows: document.querySelectorAll('#timeline g.seg.retrans').length,"
                    + "states: document.querySelectorAll('#timeline text.state').length,"
                    + "charts: document.querySelectorAll('.uplot canvas').length,"
                    + "probes: Number(document.body.dataset.probes),"
                    + "cwndPoints: ternView.plots['plot-cwnd'].data[1].length,"
                    + "rttPoints: ternView.plots['plot-rtt'].data[1].length,"
                    + "ratePoints: ternView.plots['plot-rate'].data[1].filter(v => v !== null).length,"
                    + "cwndMin: Number(document.body.dataset.cwndMin),"
                    + "cwndMax: Number(document.body.dataset.cwndMax)})");
            assertEquals(figures, transmits, number(figures, "sent"));
            assertTrue(figures, number(figures, "sentBytes") >= BYTES);
            assertEquals(figures, retransmits, number(figures, "retrans"));
            assertTrue("2% loss made Tern send again: " + figures, number(figures, "retrans") > 0);
            assertEquals(figures, number(figures, "segments"), number(figures, "arrows"));
            assertTrue("the kernel's segments are drawn too: " + figures,
                    number(figures, "arrows") > number(figures, "sent"));
            assertEquals(figures, number(figures, "retrans"), number(figures, "redArrows"));
            assertTrue("state changes are marked: " + figures, number(figures, "states") >= 2);
            assertEquals(figures, 3, number(figures, "charts"));
            assertEquals(figures, probes, number(figures, "probes"));
            assertEquals(figures, probes, number(figures, "cwndPoints"));
            assertEquals(figures, probes, number(figures, "rttPoints"));
            assertTrue(figures, number(figures, "ratePoints") > 0);
            assertTrue("the congestion window grew and fell: " + figures,
                    number(figures, "cwndMax") > 10 && number(figures, "cwndMin") < number(figures, "cwndMax"));

            // The window: the handshake at the top of the sequence diagram, and the charts.
            browser.evaluate("String(window.scrollTo(0, 0))");
            browser.screenshot(SHOTS.resolve("live-view.png"), false);
            // Further down the diagram, where segments were lost and sent again.
            browser.evaluate("String((() => { const r = document.querySelector('#timeline g.seg.retrans');"
                    + " document.getElementById('timeline-box').scrollTop = r.getBBox().y - 200; })())");
            browser.screenshot(SHOTS.resolve("live-view-retransmission.png"), false);
            assertTrue(Files.size(SHOTS.resolve("live-view.png")) > 10_000);
        }
    }
}
