package net.tern.core.softirq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import net.tern.core.time.HashedTimerWheel;
import net.tern.core.time.SystemClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The real network thread, on the system clock. Every wait is bounded. */
class NetworkLoopTest {
    private static final long WAIT_SECONDS = 10;

    private final SystemClock clock = new SystemClock();
    private final NetworkLoop loop =
            new NetworkLoop(clock, HashedTimerWheel.DEFAULT_TICK_NANOS, HashedTimerWheel.DEFAULT_WHEEL_SIZE);

    @AfterEach
    void stop() {
        loop.stop();
    }

    /** Waits until every task queued so far has run. */
    private void awaitQueued() throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        loop.execute(done::countDown);
        assertThat(done.await(WAIT_SECONDS, TimeUnit.SECONDS)).as("network thread drained its queue").isTrue();
    }

    @Test
    void runsOnOneDaemonThreadNamedTernNet() throws Exception {
        loop.start();
        AtomicReference<Thread> ranOn = new AtomicReference<>();
        AtomicBoolean inNetworkThread = new AtomicBoolean();
        loop.execute(() -> {
            ranOn.set(Thread.currentThread());
            inNetworkThread.set(loop.inNetworkThread());
        });
        awaitQueued();

        assertThat(ranOn.get().getName()).isEqualTo(NetworkLoop.THREAD_NAME);
        assertThat(ranOn.get().isDaemon()).isTrue();
        assertThat(inNetworkThread).isTrue();
        assertThat(loop.inNetworkThread()).isFalse();
    }

    @Test
    void runsTasksInTheOrderTheyWereQueued() throws Exception {
        loop.start();
        List<Integer> order = Collections.synchronizedList(new ArrayList<>());
        for (int i = 0; i < 10_000; i++) {
            int n = i;
            loop.execute(() -> order.add(n));
        }
        awaitQueued();

        assertThat(order).hasSize(10_000).isSorted();
    }

    @Test
    void keepsTheOrderOfEachProducerWhenManyThreadsQueue() throws Exception {
        loop.start();
        int producers = 4;
        int perProducer = 5_000;
        List<int[]> seen = Collections.synchronizedList(new ArrayList<>());
        Thread[] threads = new Thread[producers];
        for (int p = 0; p < producers; p++) {
            int producer = p;
            threads[p] = new Thread(() -> {
                for (int i = 0; i < perProducer; i++) {
                    int n = i;
                    loop.execute(() -> seen.add(new int[] {producer, n}));
                }
            });
            threads[p].start();
        }
        for (Thread t : threads) {
            t.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
        }
        awaitQueued();

        assertThat(seen).hasSize(producers * perProducer);
        int[] last = new int[producers];
        java.util.Arrays.fill(last, -1);
        for (int[] e : seen) {
            assertThat(e[1]).as("producer %d's tasks in order", e[0]).isEqualTo(last[e[0]] + 1);
            last[e[0]] = e[1];
        }
    }

    @Test
    void survivesAThrowingTaskAndCountsIt() throws Exception {
        loop.start();
        AtomicBoolean after = new AtomicBoolean();
        loop.execute(() -> {
            throw new IllegalStateException("task failed on purpose");
        });
        loop.execute(() -> after.set(true));
        awaitQueued();

        assertThat(after).isTrue();
        assertThat(loop.failures()).isEqualTo(1);
        assertThat(loop.isRunning()).isTrue();
    }

    @Test
    void survivesAThrowingTimer() throws Exception {
        loop.start();
        CountDownLatch later = new CountDownLatch(1);
        loop.schedule(1, TimeUnit.MILLISECONDS, () -> {
            throw new IllegalStateException("timer failed on purpose");
        });
        loop.schedule(2, TimeUnit.MILLISECONDS, later::countDown);

        assertThat(later.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
        assertThat(loop.failures()).isEqualTo(1);
    }

    @Test
    void firesTimersOnTheNetworkThreadNoEarlierThanTheirDeadline() throws Exception {
        loop.start();
        CountDownLatch fired = new CountDownLatch(1);
        AtomicLong firedAt = new AtomicLong();
        AtomicBoolean onNetworkThread = new AtomicBoolean();
        long scheduledAt = clock.nanoTime();
        loop.schedule(20, TimeUnit.MILLISECONDS, () -> {
            firedAt.set(clock.nanoTime());
            onNetworkThread.set(loop.inNetworkThread());
            fired.countDown();
        });

        assertThat(fired.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
        assertThat(firedAt.get() - scheduledAt).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(20));
        assertThat(onNetworkThread).isTrue();
    }

    @Test
    void anEarlierTimerFromAnotherThreadWakesTheParkedThread() throws Exception {
        loop.start();
        loop.schedule(1, TimeUnit.HOURS, () -> { });
        awaitQueued(); // the thread has computed its park deadline an hour ahead
        CountDownLatch fired = new CountDownLatch(1);

        loop.schedule(5, TimeUnit.MILLISECONDS, fired::countDown);

        assertThat(fired.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void aCancelledTimerDoesNotRun() throws Exception {
        loop.start();
        AtomicBoolean ran = new AtomicBoolean();
        CountDownLatch later = new CountDownLatch(1);
        loop.schedule(10, TimeUnit.MILLISECONDS, () -> ran.set(true)).cancel();
        loop.schedule(30, TimeUnit.MILLISECONDS, later::countDown);

        assertThat(later.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
        assertThat(ran).isFalse();
    }

    @Test
    void stopRunsWhatWasQueuedThenEndsTheThread() throws Exception {
        loop.start();
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean queuedRan = new AtomicBoolean();
        loop.execute(() -> {
            try {
                release.await(WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        loop.execute(() -> queuedRan.set(true));
        Thread stopper = new Thread(loop::stop);
        stopper.start();
        release.countDown();
        stopper.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));

        assertThat(stopper.isAlive()).isFalse();
        assertThat(loop.isRunning()).isFalse();
        assertThat(queuedRan).isTrue();
    }

    @Test
    void executeAfterStopIsRejected() {
        loop.start();
        loop.stop();

        assertThatThrownBy(() -> loop.execute(() -> { }))
                .isInstanceOf(RejectedExecutionException.class)
                .hasMessageContaining("tern-net");
    }
    @Test
    void manyThreadsEachRunTheirOwnTasksAndTheTimersOfTheirFlows() throws Exception {
        NetworkLoop four = new NetworkLoop(clock, HashedTimerWheel.DEFAULT_TICK_NANOS,
                HashedTimerWheel.DEFAULT_WHEEL_SIZE, 4);
        four.start();
        try {
            assertThat(four.count()).isEqualTo(4);
            List<String> names = Collections.synchronizedList(new ArrayList<>());
            CountDownLatch ran = new CountDownLatch(8);
            AtomicBoolean allInNetworkThread = new AtomicBoolean(true);
            for (int i = 0; i < 4; i++) {
                int index = i;
                four.execute(i, () -> {
                    names.add("task " + index + " on " + Thread.currentThread().getName());
                    allInNetworkThread.compareAndSet(true, four.inNetworkThread());
                    ran.countDown();
                });
                four.forFlow(i + 4).schedule(1, TimeUnit.MILLISECONDS, () -> {
                    names.add("timer " + index + " on " + Thread.currentThread().getName());
                    ran.countDown();
                });
            }
            assertThat(ran.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();

            assertThat(names).containsExactlyInAnyOrder("task 0 on tern-net", "task 1 on tern-net-1",
                    "task 2 on tern-net-2", "task 3 on tern-net-3", "timer 0 on tern-net", "timer 1 on tern-net-1",
                    "timer 2 on tern-net-2", "timer 3 on tern-net-3");
            assertThat(allInNetworkThread).isTrue();
            assertThat(four.inNetworkThread()).isFalse();
        } finally {
            four.stop();
        }
        assertThat(four.isRunning()).isFalse();
    }

    @Test
    void workWithoutAFlowStaysOnTheCallingNetworkThread() throws Exception {
        NetworkLoop two = new NetworkLoop(clock, HashedTimerWheel.DEFAULT_TICK_NANOS,
                HashedTimerWheel.DEFAULT_WHEEL_SIZE, 2);
        two.start();
        try {
            AtomicReference<String> taskOn = new AtomicReference<>();
            AtomicReference<String> timerOn = new AtomicReference<>();
            CountDownLatch done = new CountDownLatch(2);
            two.execute(1, () -> {
                two.execute(() -> {
                    taskOn.set(Thread.currentThread().getName());
                    done.countDown();
                });
                two.schedule(1, TimeUnit.MILLISECONDS, () -> {
                    timerOn.set(Thread.currentThread().getName());
                    done.countDown();
                });
            });
            assertThat(done.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
            assertThat(taskOn.get()).isEqualTo("tern-net-1");
            assertThat(timerOn.get()).isEqualTo("tern-net-1");
        } finally {
            two.stop();
        }
    }
}
