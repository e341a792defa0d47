package net.tern.bench;

import java.net.InetSocketAddress;
import java.util.Locale;

/**
 * The kernel-to-kernel side of the TUN test's comparison, run in the veth peer namespace
 * ({@code ip netns exec NS java ... TcpSource HOST PORT MILLIS}): sends to the {@link TcpSink}
 * over the veth pair and prints the Gbit/s it confirmed. With {@code --rounds} it stays up and
 * sends one round for each line read from its input, printing each round's figure, so that its
 * JIT warms up over the rounds as the Tern side's does in its JVM; it ends at end of input.
 */
public final class TcpSource {
    private TcpSource() {
    }

    public static void main(String[] args) throws Exception {
        InetSocketAddress sink = new InetSocketAddress(args[0], Integer.parseInt(args[1]));
        long millis = Long.parseLong(args[2]);
        if (args.length > 3 && args[3].equals("--rounds")) {
            java.io.BufferedReader in = new java.io.BufferedReader(
                    new java.io.InputStreamReader(System.in, java.nio.charset.StandardCharsets.UTF_8));
            while (in.readLine() != null) {
                round(sink, millis);
                System.out.flush();
            }
            return;
        }
        round(sink, millis);
    }

    private static void round(InetSocketAddress sink, long millis) throws Exception {
        try (Net.Conn conn = ChannelNet.kernel().connect(sink)) {
            System.out.println(String.format(Locale.ROOT, "%.6f", TcpSink.sendTo(conn, millis)));
        }
    }
}
