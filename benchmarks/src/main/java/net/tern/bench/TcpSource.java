package net.tern.bench;

import java.net.InetSocketAddress;
import java.util.Locale;

/**
 * The kernel-to-kernel side of the TUN test's comparison, run in the veth peer namespace
 * ({@code ip netns exec NS java ... TcpSource HOST PORT MILLIS}): sends to the {@link TcpSink}
 * over the veth pair and prints the Gbit/s it confirmed. With {@code --rounds} it stays up and
 * sends one round for each line read from its input, printing each round's figure, so that its
 * JIT warms up over the rounds as the Tern side's does in its JVM; it ends at end of input.
 * {@code --streams N} after {@code --rounds} sends each round over N connections at once, each
 * from its own thread, and prints the sum of their Gbit/s (as {@code iperf -P} sums).
 */
public final class TcpSource {
    private TcpSource() {
    }

    public static void main(String[] args) throws Exception {
        InetSocketAddress sink = new InetSocketAddress(args[0], Integer.parseInt(args[1]));
        long millis = Long.parseLong(args[2]);
        if (args.length > 3 && args[3].equals("--rounds")) {
            int streams = args.length > 5 && args[4].equals("--streams") ? Integer.parseInt(args[5]) : 1;
            java.io.BufferedReader in = new java.io.BufferedReader(
                    new java.io.InputStreamReader(System.in, java.nio.charset.StandardCharsets.UTF_8));
            while (in.readLine() != null) {
                System.out.println(String.format(Locale.ROOT, "%.6f",
                        Streams.sum(streams, () -> send(sink, millis))));
                System.out.flush();
            }
            return;
        }
        System.out.println(String.format(Locale.ROOT, "%.6f", send(sink, millis)));
    }

    private static double send(InetSocketAddress sink, long millis) throws java.io.IOException {
        try (Net.Conn conn = ChannelNet.kernel().connect(sink)) {
            return TcpSink.sendTo(conn, millis);
        }
    }
}
