package net.tern.core.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class VirtualTimeTest {
    private final VirtualTime time = new VirtualTime();

    @Test
    @org.junit.jupiter.api.Timeout(value = 10, threadMode = org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD)
    void aTimerScheduledAfterEveryOtherWasCancelledStillFiresAndAdvanceReturns() {
        // Regression: with every timer cancelled, the wheel jumped ahead but kept its stale
        // earliest tick, so the next timer looked overdue for ever and advance() never returned.
        List<String> fired = new ArrayList<>();
        time.schedule(5, TimeUnit.MILLISECONDS, () -> fired.add("first"));
        time.advance(10, TimeUnit.MILLISECONDS);
        var cancelled = time.schedule(5, TimeUnit.MILLISECONDS, () -> fired.add("cancelled"));
        time.advance(1, TimeUnit.MILLISECONDS); // the wheel learns the earliest deadline, not yet due
        cancelled.cancel();
        time.advance(10, TimeUnit.MILLISECONDS);
        time.schedule(50, TimeUnit.MILLISECONDS, () -> fired.add("later"));
        time.advance(49, TimeUnit.MILLISECONDS);
        assertThat(fired).containsExactly("first");
        time.advance(1, TimeUnit.MILLISECONDS);
        assertThat(fired).containsExactly("first", "later");
    }

    @Test
    void startsAtZeroWithAFixedWallClock() {
        assertThat(time.nanoTime()).isZero();
        assertThat(time.currentTimeMillis()).isEqualTo(VirtualTime.EPOCH_MILLIS);
        time.advance(1500, TimeUnit.MILLISECONDS);
        assertThat(time.nanoTime()).isEqualTo(1_500_000_000L);
        assertThat(time.currentTimeMillis()).isEqualTo(VirtualTime.EPOCH_MILLIS + 1500);
    }

    @Test
    void advanceFiresTimersInDeadlineOrderAtTheirDeadline() {
        List<String> fired = new ArrayList<>();
        time.schedule(30, TimeUnit.MILLISECONDS, () -> fired.add("30ms@" + time.nanoTime() / 1_000_000));
        time.schedule(10, TimeUnit.MILLISECONDS, () -> fired.add("10ms@" + time.nanoTime() / 1_000_000));
        time.schedule(20, TimeUnit.MILLISECONDS, () -> fired.add("20ms@" + time.nanoTime() / 1_000_000));

        time.advance(25, TimeUnit.MILLISECONDS);
        assertThat(fired).containsExactly("10ms@10", "20ms@20");
        assertThat(time.nanoTime()).isEqualTo(TimeUnit.MILLISECONDS.toNanos(25));

        time.advance(5, TimeUnit.MILLISECONDS);
        assertThat(fired).containsExactly("10ms@10", "20ms@20", "30ms@30");
    }

    @Test
    void tasksQueuedByATimerRunAtThatTimersInstant() {
        AtomicLong taskRanAt = new AtomicLong(-1);
        time.schedule(7, TimeUnit.MILLISECONDS, () -> time.execute(() -> taskRanAt.set(time.nanoTime())));
        time.schedule(9, TimeUnit.MILLISECONDS, () -> { });

        time.advance(1, TimeUnit.SECONDS);

        assertThat(taskRanAt).hasValue(TimeUnit.MILLISECONDS.toNanos(7));
    }

    @Test
    void runPendingRunsTasksAndTheTasksTheyQueueWithoutMovingTime() {
        List<Integer> order = new ArrayList<>();
        time.execute(() -> {
            order.add(1);
            time.execute(() -> order.add(3));
        });
        time.execute(() -> order.add(2));

        time.runPending();

        assertThat(order).containsExactly(1, 2, 3);
        assertThat(time.nanoTime()).isZero();
        assertThat(time.pendingTasks()).isZero();
    }

    @Test
    void inNetworkThreadOnlyWhileDriving() {
        AtomicBoolean insideTask = new AtomicBoolean();
        AtomicBoolean insideTimer = new AtomicBoolean();
        time.execute(() -> insideTask.set(time.inNetworkThread()));
        time.schedule(1, TimeUnit.MILLISECONDS, () -> insideTimer.set(time.inNetworkThread()));

        assertThat(time.inNetworkThread()).isFalse();
        time.advance(1, TimeUnit.MILLISECONDS);

        assertThat(insideTask).isTrue();
        assertThat(insideTimer).isTrue();
        assertThat(time.inNetworkThread()).isFalse();
    }

    @Test
    void aThrowingTaskDoesNotStopTheRunButIsReportedAfterIt() {
        AtomicBoolean laterTaskRan = new AtomicBoolean();
        time.execute(() -> {
            throw new IllegalStateException("boom");
        });
        time.execute(() -> laterTaskRan.set(true));

        assertThatThrownBy(time::runPending)
                .isInstanceOf(AssertionError.class)
                .hasRootCauseInstanceOf(IllegalStateException.class)
                .hasMessageContaining("boom");
        assertThat(laterTaskRan).isTrue();
        time.runPending(); // the failure was reported once
    }

    @Test
    void aThreadBlockedOnATimerIsReleasedByAdvanceFromAnotherThread() throws Exception {
        CountDownLatch fired = new CountDownLatch(1);
        CountDownLatch scheduled = new CountDownLatch(1);
        AtomicBoolean wokeInTime = new AtomicBoolean();
        Thread blocked = new Thread(() -> {
            time.schedule(200, TimeUnit.MILLISECONDS, fired::countDown);
            scheduled.countDown();
            try {
                wokeInTime.set(fired.await(10, TimeUnit.SECONDS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "blocked-caller");
        blocked.start();
        assertThat(scheduled.await(10, TimeUnit.SECONDS)).isTrue();

        time.advance(199, TimeUnit.MILLISECONDS);
        assertThat(fired.getCount()).isEqualTo(1);
        time.advance(1, TimeUnit.MILLISECONDS);

        blocked.join(TimeUnit.SECONDS.toMillis(10));
        assertThat(blocked.isAlive()).isFalse();
        assertThat(wokeInTime).isTrue();
    }
}
