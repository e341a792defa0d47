package net.tern.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.tern.api.socket.InetSockAddr;
import net.tern.link.tun.TunDevice;
import net.tern.link.tun.TunSettings;
import net.tern.spi.net.IfAddress;

/**
 * TCP throughput over TUN against kernel-to-kernel over veth, in the namespaces run.sh
 * created (and deletes): Tern in this JVM on a TUN interface created inside namespace
 * {@code tunNetns} sends to the {@link TcpSink} there; a {@link TcpSource} process in
 * {@code vethNetns} sends to the same sink over the veth pair. Both links have MTU 1500.
 *
 * <p>Both sides are warmed alike: the kernel's sender is one JVM that stays up for every round
 * ({@code TcpSource --rounds}), as Tern's stack does in this one, and each side runs one
 * warm-up round; then the rounds alternate which side goes first.
 *
 * <p>With several streams each round runs that many connections at once on both sides, each
 * from its own thread, and counts the sum of their rates.
 */
final class TunComparison {
    static final String TUN_NAME = "terntun0";
    static final String KERNEL_TUN_ADDRESS = "10.201.0.1";
    static final String TERN_TUN_ADDRESS = "10.201.0.2";
    /** The sink's address on the veth pair, as run.sh configures it. */
    static final String KERNEL_VETH_ADDRESS = "10.202.0.1";
    static final int MTU = 1500;

    private TunComparison() {
    }

    /**
     * One comparison; {@code offload}: the TUN driver's segmentation and checksum offload with
     * the kernel; {@code queues}: the driver's TUN queues (0: one per network thread);
     * {@code streams}: connections at once in each round.
     */
    static Comparison.Result run(String tunNetns, String vethNetns, int sinkPort, long millis, int rounds,
            boolean offload, int queues, int streams) throws Exception {
        double[] tern = new double[rounds];
        double[] veth = new double[rounds];
        int threads;
        int queuesOpen;
        try (TernStack stack = new TernStack(1024)) {
            // By default one TUN queue per network thread, as the driver's DS component opens.
            TunDevice device = new TunDevice(TunSettings.of(TUN_NAME).withNetns(tunNetns).withMtu(MTU).withOffload(offload)
                    .withQueues(queues).withAddresses(List.of(IfAddress.parse(TERN_TUN_ADDRESS + "/24"))),
                    stack.networkThreads());
            stack.register(device);
            threads = stack.networkThreads();
            queuesOpen = device.queues();
            command("ip", "-n", tunNetns, "addr", "add", KERNEL_TUN_ADDRESS + "/24", "dev", TUN_NAME);
            command("ip", "-n", tunNetns, "link", "set", TUN_NAME, "up");
            TernNet net = new TernNet(stack.api(), InetSockAddr.parseAddress(KERNEL_TUN_ADDRESS));
            try (VethSource source = new VethSource(vethNetns, sinkPort, millis, streams)) {
                ternRound(net, sinkPort, millis, streams); // warm-up of both
                source.round();
                for (int i = 0; i < rounds; i++) {
                    if (i % 2 == 0) {
                        tern[i] = ternRound(net, sinkPort, millis, streams);
                        veth[i] = source.round();
                    } else {
                        veth[i] = source.round();
                        tern[i] = ternRound(net, sinkPort, millis, streams);
                    }
                }
            }
            System.out.printf("tun queues: packets read per queue %s, %d on a queue not their flow's%n",
                    java.util.Arrays.toString(device.packetsPerQueue()), device.misqueued());
            stack.unregister(device);
        }
        Comparison.Result result = new Comparison.Result(new Comparison.Metric("throughput", "Gbit/s"), tern, veth);
        System.out.println(result.line("tun (tern, offload " + (offload ? "on" : "off") + ", " + streams
                + (streams == 1 ? " stream" : " streams") + ", " + threads + " network threads, " + queuesOpen
                + (queuesOpen == 1 ? " TUN queue" : " TUN queues") + ") vs veth (kernel)"));
        return result;
    }

    private static double ternRound(TernNet net, int port, long millis, int streams) throws IOException {
        return Streams.sum(streams, () -> {
            try (Net.Conn conn = net.connect(port)) {
                return TcpSink.sendTo(conn, millis);
            }
        });
    }

    /** The kernel's sender in the veth namespace: one process for every round, a round per line it reads. */
    private static final class VethSource implements AutoCloseable {
        private final Process process;
        private final BufferedReader output;
        private final java.io.Writer input;

        VethSource(String netns, int port, long millis, int streams) throws IOException {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            process = new ProcessBuilder("ip", "netns", "exec", netns, java, "-Xmx256m", "-cp",
                    System.getProperty("java.class.path"), TcpSource.class.getName(), KERNEL_VETH_ADDRESS,
                    Integer.toString(port), Long.toString(millis), "--rounds", "--streams", Integer.toString(streams))
                    .redirectErrorStream(true).start();
            output = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            input = new java.io.OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        }

        /** One round's Gbit/s, or an exception with what the process printed instead. */
        double round() throws IOException {
            input.write("round\n");
            input.flush();
            String line = output.readLine();
            if (line == null) {
                throw new IOException("the veth sender ended");
            }
            try {
                return Double.parseDouble(line.trim());
            } catch (NumberFormatException e) {
                throw new IOException("the veth sender printed: " + line);
            }
        }

        @Override
        public void close() throws IOException {
            input.close();
            try {
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Runs a command (bounded to 60 s); its output lines, or an exception naming it and its output. */
    static List<String> command(String... argv) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(argv).redirectErrorStream(true).start();
        List<String> lines = new ArrayList<>();
        try (BufferedReader reader = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                lines.add(line);
            }
        }
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException(String.join(" ", argv) + ": did not finish in 60 s");
        }
        if (process.exitValue() != 0) {
            throw new IOException(String.join(" ", argv) + ": exit " + process.exitValue() + ": " + lines);
        }
        return lines;
    }
}
