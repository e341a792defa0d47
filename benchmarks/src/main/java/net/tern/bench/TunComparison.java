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

    static Comparison.Result run(String tunNetns, String vethNetns, int sinkPort, long millis, int rounds)
            throws Exception {
        double[] tern = new double[rounds];
        double[] veth = new double[rounds];
        try (TernStack stack = new TernStack(1024)) {
            TunDevice device = new TunDevice(TunSettings.of(TUN_NAME).withNetns(tunNetns).withMtu(MTU)
                    .withAddresses(List.of(IfAddress.parse(TERN_TUN_ADDRESS + "/24"))));
            stack.register(device);
            command("ip", "-n", tunNetns, "addr", "add", KERNEL_TUN_ADDRESS + "/24", "dev", TUN_NAME);
            command("ip", "-n", tunNetns, "link", "set", TUN_NAME, "up");
            TernNet net = new TernNet(stack.api(), InetSockAddr.parseAddress(KERNEL_TUN_ADDRESS));
            // Warm-up of both, then alternate.
            ternRound(net, sinkPort, millis);
            vethRound(vethNetns, sinkPort, millis);
            for (int i = 0; i < rounds; i++) {
                tern[i] = ternRound(net, sinkPort, millis);
                veth[i] = vethRound(vethNetns, sinkPort, millis);
            }
            stack.unregister(device);
        }
        Comparison.Result result = new Comparison.Result(new Comparison.Metric("throughput", "Gbit/s"), tern, veth);
        System.out.println(result.line("tun (tern) vs veth (kernel)"));
        return result;
    }

    private static double ternRound(TernNet net, int port, long millis) throws IOException {
        try (Net.Conn conn = net.connect(port)) {
            return TcpSink.sendTo(conn, millis);
        }
    }

    private static double vethRound(String netns, int port, long millis) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> output = command("ip", "netns", "exec", netns, java, "-Xmx256m", "-cp",
                System.getProperty("java.class.path"), TcpSource.class.getName(), KERNEL_VETH_ADDRESS,
                Integer.toString(port), Long.toString(millis));
        return Double.parseDouble(output.get(output.size() - 1).trim());
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
