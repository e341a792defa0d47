package net.tern.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.List;
import javax.inject.Inject;
import net.tern.spi.net.IfAddress;
import net.tern.spi.net.Link;
import net.tern.spi.net.LinkRegistry;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/**
 * The stack as the built bundles boot it: loopback registered and up, shell commands
 * answering. The bundles start in the background, so each test waits (generously, for a
 * busy machine) for the state it checks before it checks the details.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class StackBootIT extends TernTestSupport {
    @Inject
    private LinkRegistry links;

    @Test
    public void loopbackIsRegisteredUpWithItsAddressAndMtu() throws Exception {
        // The core registers lo, then brings it up: wait for both.
        await("lo to register and come up", WAIT_MILLIS, () -> links.byName("lo").map(Link::isUp).orElse(false));
        Link lo = links.byName("lo").orElseThrow();
        assertTrue("lo is up", lo.isUp());
        assertEquals(65536, lo.mtu());
        assertEquals(List.of(IfAddress.parse("127.0.0.1/8")), lo.addresses());
        assertEquals(1, lo.index());
    }

    @Test
    public void netLinksListsLoopbackAsIpDoes() throws Exception {
        awaitService(Object.class, "(osgi.command.function=links)", WAIT_MILLIS);
        String loUp = "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 state UP";
        await("net:links to show lo up", WAIT_MILLIS, () -> runCommand("net:links").contains(loUp));
        String out = runCommand("net:links");
        assertTrue(out, out.contains(loUp));
        assertTrue(out, out.contains("inet 127.0.0.1/8"));
        assertTrue(out, out.contains("RX:"));
        assertTrue(out, out.contains("TX:"));
    }

    @Test
    public void netFamiliesListsInetAndItsProtocols() throws Exception {
        awaitService(Object.class, "(osgi.command.function=families)", WAIT_MILLIS);
        await("AF_INET with UDP to register", WAIT_MILLIS, () -> runCommand("net:families").contains("UDP"));
        String out = runCommand("net:families");
        assertTrue(out, out.lines().anyMatch(line -> line.matches("2\\s+inet\\s+\\d+\\s+SOCK_DGRAM\\s+17\\s+UDP\\*")));
    }
}
