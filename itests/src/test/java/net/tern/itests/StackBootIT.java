package net.tern.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import javax.inject.Inject;
import net.tern.spi.net.IfAddress;
import net.tern.spi.net.Link;
import net.tern.spi.net.LinkRegistry;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/** The stack as the built bundles boot it: loopback registered and up, shell commands answering. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class StackBootIT extends TernTestSupport {
    @Inject
    private LinkRegistry links;

    @Test
    public void loopbackIsRegisteredUpWithItsAddressAndMtu() throws Exception {
        await("lo to register", 10_000, () -> links.byName("lo").isPresent());
        Link lo = links.byName("lo").orElseThrow();
        assertTrue("lo is up", lo.isUp());
        assertEquals(65536, lo.mtu());
        assertEquals(IfAddress.parse("127.0.0.1/8"), lo.addresses().get(0));
        assertEquals(1, lo.index());
    }

    @Test
    public void netLinksListsLoopbackAsIpDoes() throws Exception {
        awaitService(Object.class, "(osgi.command.function=links)", 10_000);
        String out = runCommand("net:links");
        assertTrue(out, out.contains("1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 state UP"));
        assertTrue(out, out.contains("inet 127.0.0.1/8"));
        assertTrue(out, out.contains("RX:"));
        assertTrue(out, out.contains("TX:"));
    }

    @Test
    public void netFamiliesListsInetAndItsProtocols() throws Exception {
        awaitService(Object.class, "(osgi.command.function=families)", 10_000);
        await("AF_INET with UDP to register", 10_000, () -> runCommand("net:families").contains("UDP"));
        String out = runCommand("net:families");
        assertTrue(out, out.lines().anyMatch(line -> line.matches("2\\s+inet\\s+\\d+\\s+SOCK_DGRAM\\s+17\\s+UDP\\*")));
    }

}
