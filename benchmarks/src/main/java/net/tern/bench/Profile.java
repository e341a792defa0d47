package net.tern.bench;

import java.util.Arrays;

/**
 * One workload on Tern alone, repeated for a while, to run under a profiler:
 * {@code java -XX:StartFlightRecording=filename=x.jfr -cp ... net.tern.bench.Profile bulk 20 [nio]}
 * (workloads: bulk, bulk4, rr, cps, udp, idle, hold, http; idle prints the connections opened
 * per second and the heap per idle connection, as the benchmark's idle row measures it). With {@code nio} the workload goes
 * through java.nio channels of Tern's provider instead of the SocketApi (http always does).
 */
public final class Profile {
    private Profile() {
    }

    public static void main(String[] args) throws Exception {
        String workload = args[0];
        long seconds = Long.parseLong(args[1]);
        boolean nio = args.length > 2 && args[2].equals("nio");
        try (TernStack stack = new TernStack(1 << 20)) {
            ChannelNet ternNio = ChannelNet.ternNio(stack.api());
            Net tern = nio ? ternNio : new TernNet(stack.api());
            long end = System.nanoTime() + seconds * 1_000_000_000L;
            while (System.nanoTime() < end) {
                double[] result = switch (workload) {
                    case "bulk" -> TcpWorkloads.bulk(tern, 1, 1000);
                    case "bulk4" -> TcpWorkloads.bulk(tern, 4, 1000);
                    case "rr" -> TcpWorkloads.requestResponse(tern, 1000);
                    case "cps" -> TcpWorkloads.connectRate(tern, 1000, 8);
                    case "udp" -> UdpWorkload.run(tern, 1000);
                    case "idle" -> idle(tern);
                    case "hold" -> hold(tern, end);
                    case "http" -> HttpWorkload.run(ternNio.provider(), HttpWorkload.CONNECTIONS, 1000);
                    default -> throw new IllegalArgumentException("unknown workload " + workload);
                };
                System.out.println(workload + " " + Arrays.toString(result) + " retransmitted segments "
                        + stack.tcpCounter("RetransSegs") + ", receive backlog drops " + stack.backlogDrops());
            }
        }
        System.exit(0);
    }

    /** Holds 20,000 idle connections until the end, for a heap histogram ({@code jcmd PID GC.class_histogram}). */
    private static double[] hold(Net tern, long end) throws InterruptedException {
        try (IdleConnections conns = new IdleConnections(tern, 0)) {
            long n = conns.growTo(20_000, Long.MAX_VALUE);
            System.out.println("holding " + n + " connections");
            Thread.sleep(Math.max(0, (end - System.nanoTime()) / 1_000_000));
            return new double[] {n};
        }
    }

    /** 20,000 idle connections: {connections opened per second, heap bytes per connection after full GC}. */
    private static double[] idle(Net tern) {
        long heapBefore = IdleConnections.heapAfterGc();
        try (IdleConnections conns = new IdleConnections(tern, 0)) {
            long start = System.nanoTime();
            long n = conns.growTo(20_000, Long.MAX_VALUE);
            double rate = n * 1e9 / (System.nanoTime() - start);
            return new double[] {rate, (double) (IdleConnections.heapAfterGc() - heapBefore) / n};
        }
    }

}
