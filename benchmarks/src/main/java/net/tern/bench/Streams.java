package net.tern.bench;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** Several bulk streams at once, each on its own thread: the sum of their Gbit/s. */
final class Streams {
    /** One stream's round: connect, send for the round's time, return its Gbit/s. */
    interface Round {
        double run() throws IOException;
    }

    private Streams() {
    }

    /** Runs {@code round} {@code streams} times at once; the sum of their rates. One stream runs on the caller. */
    static double sum(int streams, Round round) throws IOException {
        if (streams == 1) {
            return round.run();
        }
        ExecutorService pool = Executors.newFixedThreadPool(streams);
        try {
            List<Future<Double>> results = new ArrayList<>();
            for (int i = 0; i < streams; i++) {
                results.add(pool.submit(round::run));
            }
            double total = 0;
            for (Future<Double> result : results) {
                total += result.get();
            }
            return total;
        } catch (ExecutionException e) {
            throw new IOException("a stream failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } finally {
            pool.shutdownNow();
        }
    }
}
