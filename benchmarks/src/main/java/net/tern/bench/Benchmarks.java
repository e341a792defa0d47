package net.tern.bench;

import java.util.List;
import java.util.Map;
import java.util.Locale;

/**
 * Tern against the Linux kernel, side by side in one JVM (see {@code benchmarks/run.sh}):
 * TCP bulk (1 and 4 streams), request/response and connection rate, each through Tern's
 * SocketApi, through java.nio channels on Tern (Tern's SelectorProvider) and through the JDK's
 * channels on the kernel; HTTP through Netty on either provider; UDP rate, idle connection
 * cost and capacity, and (as root, in namespaces run.sh made) TCP over TUN against veth.
 * Each figure is printed with its spread and the ratios Tern/kernel (and, for the TCP rows,
 * the java.nio adapter's own cost: tern-nio/tern); the last line is the summary.
 *
 * <p>Arguments: {@code --quick}; {@code --tun NETNS --veth NETNS --sink-port PORT} to run the
 * TUN comparison; {@code --tun-skipped REASON} to say why it does not run; {@code --tun-only}
 * for that row alone (one stream, then 4 at once: {@code tun} and {@code tun4}); {@code --tun-offload on|off}
 * for the TUN driver's offload (on by default); {@code --tun-queues N} for its queues (0, the default: one per
 * network thread); {@code --only bulk} for the bulk rows alone, Tern against the
 * kernel (summary {@code bulk=… bulk4=… bulk8=…}); {@code --only cps} for the connection-rate
 * row alone, Tern against the kernel (summary {@code cps=… cpu_cps=… alloc_cps=…}).
 */
public final class Benchmarks {
    /** Durations, rounds and sizes of one run. */
    record Plan(int warmups, int rounds, long bulkMillis, long rrMillis, long cpsMillis, long udpMillis,
            long httpMillis, int idleConnections, long maxConnections, long maxConnectionsSeconds,
            long tunMillis, int tunRounds) {
        static Plan quick() {
            return new Plan(1, 3, 1000, 1000, 1000, 500, 1000, 20_000, 40_000, 15, 1000, 2);
        }

        static Plan full() {
            return new Plan(2, 5, 3000, 3000, 3000, 2000, 3000, 100_000, 1_000_000, 360, 3000, 3);
        }
    }

    /** The idle test's listening ports on Tern: below the ephemeral range (32768-60999), 50 for 1,000,000. */
    static final int TERN_IDLE_FIRST_PORT = 20_000;

    private Benchmarks() {
    }

    public static void main(String[] args) throws Exception {
        Plan plan = Plan.quick();
        String tunNetns = null;
        String vethNetns = null;
        int sinkPort = 0;
        String tunSkipped = "no namespaces given (run through benchmarks/run.sh as root)";
        boolean tunOnly = false;
        boolean tunOffload = true;
        String only = null;
        int tunQueues = 0;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> plan = Plan.quick();
                case "--full" -> plan = Plan.full();
                case "--tun" -> tunNetns = args[++i];
                case "--veth" -> vethNetns = args[++i];
                case "--sink-port" -> sinkPort = Integer.parseInt(args[++i]);
                case "--tun-skipped" -> tunSkipped = args[++i];
                case "--tun-only" -> tunOnly = true;
                case "--tun-offload" -> tunOffload = !"off".equals(args[++i]);
                case "--only" -> only = args[++i];
                case "--tun-queues" -> tunQueues = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        Runtime runtime = Runtime.getRuntime();
        System.out.printf(Locale.ROOT, "tern benchmarks: %d cores, Java %s, max heap %d MiB, plan %s%n",
                runtime.availableProcessors(), System.getProperty("java.version"), runtime.maxMemory() >> 20, plan);

        if (tunOnly) {
            String one = tunRow(tunNetns, vethNetns, sinkPort, plan, tunOffload, tunQueues, 1, tunSkipped);
            String four = tunRow(tunNetns, vethNetns, sinkPort, plan, tunOffload, tunQueues, 4, tunSkipped);
            System.out.printf(Locale.ROOT, "summary: tun=%s tun4=%s tun_offload=%s%n", one, four,
                    tunOffload ? "on" : "off");
            System.exit(0);
        }
        ChannelNet kernel = ChannelNet.kernel();
        if ("bulk".equals(only)) {
            try (TernStack stack = new TernStack(1 << 16)) {
                Map<String, Comparison.Result> rows = TcpRows.runBulk(plan.warmups(), plan.rounds(), plan.bulkMillis(),
                        List.of(new TernNet(stack.api()), kernel));
                System.out.printf(Locale.ROOT, "summary: bulk=%.2f bulk4=%.2f bulk8=%.2f%n", rows.get("bulk").ratio(),
                        rows.get("bulk4").ratio(), rows.get("bulk8").ratio());
            }
            System.exit(0);
        } else if ("cps".equals(only)) {
            try (TernStack stack = new TernStack(1 << 16)) {
                Map<String, Comparison.Result> rows = TcpRows.runConnectRate(plan.warmups(), plan.rounds(),
                        plan.cpsMillis(), List.of(new TernNet(stack.api()), kernel));
                System.out.printf(Locale.ROOT, "summary: cps=%.2f cpu_cps=%.2f alloc_cps=%.2f%n",
                        rows.get("cps").ratio(), rows.get("cpu_cps").ratio(), rows.get("alloc_cps").ratio());
            }
            System.exit(0);
        } else if (only != null) {
            throw new IllegalArgumentException("--only takes bulk or cps, not " + only);
        }
        double bulk;
        double bulk4;
        double bulk8;
        double rrP50;
        double cps;
        double udp;
        List<AdapterCost> adapter;
        double http;
        double httpP99;
        double httpCpu;
        try (TernStack stack = new TernStack(1 << 16)) {
            Net tern = new TernNet(stack.api());
            ChannelNet ternNio = ChannelNet.ternNio(stack.api());
            List<Net> tcpSubjects = List.of(tern, kernel, ternNio);
            Plan p = plan;
            Map<String, Comparison.Result> tcp = TcpRows.run(p.warmups(), p.rounds(), p.bulkMillis(), p.rrMillis(),
                    p.cpsMillis(), List.of(tern, kernel, ternNio));
            bulk = tcp.get("bulk").ratio();
            bulk4 = tcp.get("bulk4").ratio();
            bulk8 = tcp.get("bulk8").ratio();
            rrP50 = tcp.get("rr_p50").ratio();
            cps = tcp.get("cps").ratio();
            adapter = AdapterCost.of(tcp);
            AdapterCost.print(adapter);
            List<Comparison.Result> httpResults = Comparison.run("http netty " + HttpWorkload.CONNECTIONS + " conns",
                    List.of(new Comparison.Metric("rate", "requests/s"), new Comparison.Metric("p50", "us", true),
                            new Comparison.Metric("p99", "us", true), new Comparison.Metric("cpu", "us/request", true),
                            new Comparison.Metric("alloc", "B/request", true)),
                    p.warmups(), p.rounds(),
                    List.of(ternNio, kernel),
                    net -> HttpWorkload.run(net.provider(), HttpWorkload.CONNECTIONS, p.httpMillis()));
            http = httpResults.get(0).ratio();
            httpP99 = httpResults.get(2).ratio();
            httpCpu = httpResults.get(3).ratio();
            List<Comparison.Result> udpResults = Comparison.run("udp 64 B", List.of(
                    new Comparison.Metric("received", "datagrams/s"), new Comparison.Metric("loss", "%", true),
                    new Comparison.Metric("alloc", "B/datagram", true)),
                    p.warmups(), p.rounds(), List.of(tern, kernel), net -> UdpWorkload.run(net, p.udpMillis()));
            udp = udpResults.get(0).ratio();
            System.out.printf(Locale.ROOT, "tern packets still allocated after the loopback tests: %d%n",
                    stack.outstandingPackets());
        }

        long[] idle = idleConnections(plan, kernel);
        long bytesPerConnection = idle[0];
        long maxConnections = idle[1];

        String tun = tunRow(tunNetns, vethNetns, sinkPort, plan, tunOffload, tunQueues, 1, tunSkipped);
        String tun4 = tunRow(tunNetns, vethNetns, sinkPort, plan, tunOffload, tunQueues, 4, tunSkipped);
        StringBuilder nio = new StringBuilder();
        for (AdapterCost cost : adapter) {
            if (AdapterCost.SUMMARY.contains(cost.key())) {
                nio.append(String.format(Locale.ROOT, " nio_%s=%.2f", cost.key(), cost.ratio()));
            }
        }
        System.out.printf(Locale.ROOT,
                "summary: bulk=%.2f bulk4=%.2f bulk8=%.2f rr_p50=%.2f cps=%.2f udp=%.2f bytes_per_conn=%d"
                        + " max_conns=%d tun=%s tun4=%s%s http=%.2f http_p99=%.2f http_cpu=%.2f%n",
                bulk, bulk4, bulk8, rrP50, cps, udp, bytesPerConnection, maxConnections, tun, tun4, nio, http, httpP99,
                httpCpu);
        System.exit(0);
    }

    /**
     * The TUN row's ratio (Tern over TUN to veth) with {@code streams} connections at once,
     * "n/a" when it is skipped or fails (and says why).
     */
    private static String tunRow(String tunNetns, String vethNetns, int sinkPort, Plan plan, boolean offload,
            int queues, int streams, String skipped) {
        if (tunNetns == null || vethNetns == null || sinkPort <= 0) {
            System.out.println("tun: skipped: " + skipped);
            return "n/a";
        }
        try {
            return String.format(Locale.ROOT, "%.2f", TunComparison.run(tunNetns, vethNetns, sinkPort, plan.tunMillis(),
                    plan.tunRounds(), offload, queues, streams).ratio());
        } catch (Exception e) {
            System.out.println("tun: failed: " + e.getMessage());
            return "n/a";
        }
    }

    /**
     * Idle connections, both ends on one stack: heap per connection at the plan's count, then
     * how many the heap holds (Tern, up to the plan's cap); the kernel at as many as Tern's idle
     * row or its descriptor limit allows, with its own memory per connection. Returns {Tern's
     * bytes per connection, Tern's most connections}.
     */
    private static long[] idleConnections(Plan plan, Net kernel) throws Exception {
        long ternBytes;
        long ternMax;
        try (TernStack stack = new TernStack((int) Math.min(Integer.MAX_VALUE, 2 * plan.maxConnections() + 1024));
                IdleConnections conns = new IdleConnections(new TernNet(stack.api()), TERN_IDLE_FIRST_PORT)) {
            long before = IdleConnections.heapAfterGc();
            long start = System.nanoTime();
            long deadline = start + plan.maxConnectionsSeconds() * 1_000_000_000L;
            long n = conns.growTo(plan.idleConnections(), deadline);
            long after = IdleConnections.heapAfterGc();
            double seconds = (System.nanoTime() - start) / 1e9;
            ternBytes = n == 0 ? -1 : (after - before) / n;
            System.out.printf(Locale.ROOT,
                    "idle tcp (tern, both ends): %d connections (%s) in %.1f s, heap +%d MiB, %d bytes per connection"
                            + " (%d per socket)%n", n, conns.stopReason(), seconds, (after - before) >> 20, ternBytes,
                    ternBytes / 2);
            n = conns.growTo(plan.maxConnections(), deadline);
            long held = IdleConnections.heapAfterGc();
            System.out.printf(Locale.ROOT,
                    "max tcp connections (tern, both ends, -Xmx %d MiB): %d (stopped: %s) in %.1f s, heap %d MiB live%n",
                    Runtime.getRuntime().maxMemory() >> 20, n, conns.stopReason(), (System.nanoTime() - start) / 1e9,
                    held >> 20);
            ternMax = n;
        }
        IdleConnections.heapAfterGc();
        // The kernel holds as many as Tern's idle row, or as the descriptor limit allows (two
        // per connection, both ends here; run.sh raises the soft limit to the hard one).
        long limit = KernelMemory.descriptorLimit();
        long byDescriptors = limit < 0 ? plan.idleConnections() : (limit - KernelMemory.openDescriptors() - 256) / 2;
        long target = Math.max(0, Math.min(plan.idleConnections(), byDescriptors));
        String ceiling = target < plan.idleConnections()
                ? "the descriptor limit " + limit + " allows " + target : "the plan's " + target;
        try (IdleConnections conns = new IdleConnections(kernel,
                target > IdleConnections.PER_LISTENER ? TERN_IDLE_FIRST_PORT : 0)) {
            long before = IdleConnections.heapAfterGc();
            long buffersBefore = KernelMemory.tcpBufferBytes();
            long slabBefore = KernelMemory.slabBytes();
            long n = conns.growTo(target, Long.MAX_VALUE);
            long after = IdleConnections.heapAfterGc();
            long buffers = KernelMemory.tcpBufferBytes() - buffersBefore;
            long slab = KernelMemory.slabBytes() - slabBefore;
            System.out.printf(Locale.ROOT,
                    "idle tcp (kernel, both ends): %d connections (stopped: %s; ceiling: %s), Java heap %d bytes"
                            + " per connection; kernel slab %s, TCP buffers %s per connection (/proc/slabinfo,"
                            + " /proc/net/sockstat: the machine's, other processes' noise included)%n",
                    n, conns.stopReason(), ceiling, n == 0 ? -1 : (after - before) / n,
                    slabBefore < 0 || n == 0 ? "unreadable" : (slab / n) + " bytes",
                    buffersBefore < 0 || n == 0 ? "unreadable" : (buffers / n) + " bytes");
        }
        return new long[] {ternBytes, ternMax};
    }
}
