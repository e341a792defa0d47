package net.tern.itests;

import static net.tern.api.socket.SocketConstants.IPPROTO_TCP;
import static net.tern.itests.HostCommands.output;
import static net.tern.itests.HostCommands.requireRoot;
import static net.tern.itests.HostCommands.run;
import static net.tern.itests.HostCommands.stop;
import static org.junit.Assert.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import javax.inject.Inject;
import net.tern.api.socket.SocketApi;
import net.tern.spi.net.LinkRegistry;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * Four TCP streams at once between Tern and the Linux kernel over a multi-queue TUN
 * ({@code IFF_MULTI_QUEUE}, four queues): each stream echoes 32 MiB of seeded random bytes
 * through a kernel echo of its own ({@code socat ... EXEC:cat}) and the SHA-256 of what came
 * back must match what was sent. The kernel's side of the interface shows four queues
 * attached ({@code /sys/class/net/TUN/queues/tx-0..3}, which {@code tun_attach} raises as each
 * file attaches) and Tern runs one reader thread per queue. Each flow's packets leave on the
 * queue of its network thread and the kernel answers on the queue the flow last came from, so
 * a connection stays on one queue; a packet on another is still handed to its flow's thread.
 *
 * <p>Needs root, {@code /dev/net/tun}, {@code ip} and {@code socat}; without them it fails
 * saying so, unless {@code TERN_SKIP_ROOT_TESTS=1} is set. The namespace is deleted, and the
 * echoes stopped, whatever the outcome.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class TunMultiQueueIT extends TernTestSupport {
    private static final String TUN = "terntun9";
    private static final String KERNEL_ADDRESS = "10.99.0.1";
    private static final String TERN_ADDRESS = "10.99.0.2/24";
    private static final int FIRST_PORT = 7010;
    private static final int STREAMS = 4;
    private static final int QUEUES = 4;
    private static final int MTU = 1500;
    private static final int SIZE = 32 << 20;
    private static final int TIMEOUT_MILLIS = 240_000;

    @Inject
    private SocketApi sockets;

    @Inject
    private LinkRegistry links;

    @Inject
    private ConfigurationAdmin configAdmin;

    @Override
    protected Option[] extraOptions() {
        return new Option[] {optionalTernBundle("jna"), optionalTernBundle("tern-link-tun")};
    }

    @Test
    public void fourStreamsOverFourQueuesEachArriveIntact() throws Exception {
        requireRoot("ip", "socat");
        String ns = "ternmq" + ProcessHandle.current().pid();
        List<Process> echoes = new ArrayList<>();
        Configuration tunConfig = null;
        run(10, "ip", "netns", "add", ns);
        try {
            HostCommands.addTun(ns, TUN, KERNEL_ADDRESS + "/24", true);
            for (int i = 0; i < STREAMS; i++) {
                echoes.add(startKernelEcho(ns, KERNEL_ADDRESS, FIRST_PORT + i));
            }
            awaitInetProtocol(sockets, IPPROTO_TCP);
            tunConfig = tunConfiguration(configAdmin, TUN);
            attachTun(tunConfig, links, TUN, TIMEOUT_MILLIS, "netns", ns, "mtu", MTU, "addresses",
                    new String[] {TERN_ADDRESS}, "queues", QUEUES);

            assertEquals("four queues attached on the kernel's side", List.of("tx-0", "tx-1", "tx-2", "tx-3"),
                    HostCommands.tunQueues(ns, TUN));
            List<String> readers = Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
                    .filter(name -> name.startsWith("tern-tun-" + TUN + "-")).sorted().collect(Collectors.toList());
            assertEquals("one reader thread per queue", List.of("tern-tun-" + TUN + "-0", "tern-tun-" + TUN + "-1",
                    "tern-tun-" + TUN + "-2", "tern-tun-" + TUN + "-3"), readers);

            long start = System.nanoTime();
            List<StreamTransfer> transfers = new ArrayList<>();
            List<Integer> fds = new ArrayList<>();
            for (int i = 0; i < STREAMS; i++) {
                int fd = connectToKernel(sockets, KERNEL_ADDRESS, FIRST_PORT + i, TIMEOUT_MILLIS);
                fds.add(fd);
                transfers.add(new StreamTransfer(sockets, fd, fd, SIZE, 90 + i, 64 * 1024, "tun-mq-" + i).start());
            }
            for (int i = 0; i < STREAMS; i++) {
                StreamTransfer transfer = transfers.get(i);
                try {
                    transfer.assertDeliveredIntact(TIMEOUT_MILLIS);
                } catch (AssertionError e) {
                    throw withReport(e, "stream " + i + " after " + transfer.received() + " of " + SIZE + " bytes\n"
                            + stackState() + "\nkernel: "
                            + output(5, "ip", "netns", "exec", ns, "ip", "-s", "link", "show", TUN));
                }
            }
            long millis = Math.max(1, (System.nanoTime() - start) / 1_000_000);
            System.out.printf("TunMultiQueueIT: %d streams of %d MiB each way over %d TUN queues in %d ms"
                    + " (%.2f Gbit/s each way in all)%n", STREAMS, SIZE >> 20, QUEUES, millis,
                    STREAMS * (double) SIZE * 8 / millis / 1e6);
            for (int fd : fds) {
                sockets.close(fd);
            }
        } finally {
            try {
                detachTun(tunConfig, links, TUN);
            } finally {
                for (Process echo : echoes) {
                    stop(echo);
                }
                run(10, "ip", "netns", "del", ns);
            }
        }
    }
}
