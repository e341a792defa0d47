package net.tern.bench;

import java.util.List;
import java.util.Locale;

/**
 * The TCP rows on Tern alone, through its SocketApi and through java.nio channels of its
 * provider, alternately for many short rounds, to tell the java.nio adapter's own cost from a
 * shared machine's noise: {@code java -cp ... net.tern.bench.NioAdapter [ROUNDS [MILLIS]]}
 * (default 15 rounds of 1000 ms, after one warm-up round).
 */
public final class NioAdapter {
    private NioAdapter() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 15;
        long millis = args.length > 1 ? Long.parseLong(args[1]) : 1000;
        System.out.printf(Locale.ROOT, "java.nio adapter on tern: %d rounds of %d ms each, load before %s%n", rounds,
                millis, ProcessCpu.loadAverage());
        try (TernStack stack = new TernStack(1 << 16)) {
            List<Net> subjects = List.of(new TernNet(stack.api()), ChannelNet.ternNio(stack.api()));
            AdapterCost.print(AdapterCost.of(TcpRows.run(1, rounds, millis, millis, millis, subjects)));
        }
        System.out.printf(Locale.ROOT, "load after %s%n", ProcessCpu.loadAverage());
        System.exit(0);
    }
}
