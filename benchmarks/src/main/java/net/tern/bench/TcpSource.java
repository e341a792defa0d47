package net.tern.bench;

import java.net.InetSocketAddress;
import java.util.Locale;

/**
 * The kernel-to-kernel side of the TUN test's comparison, run in the veth peer namespace
 * ({@code ip netns exec NS java ... TcpSource HOST PORT MILLIS}): sends to the {@link TcpSink}
 * over the veth pair and prints the Gbit/s it confirmed.
 */
public final class TcpSource {
    private TcpSource() {
    }

    public static void main(String[] args) throws Exception {
        InetSocketAddress sink = new InetSocketAddress(args[0], Integer.parseInt(args[1]));
        try (Net.Conn conn = ChannelNet.kernel().connect(sink)) {
            System.out.println(String.format(Locale.ROOT, "%.6f", TcpSink.sendTo(conn, Long.parseLong(args[2]))));
        }
    }
}
