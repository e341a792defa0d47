package net.tern.core.time;

import static java.util.concurrent.TimeUnit.MICROSECONDS;
import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import net.tern.spi.net.Clock;
import net.tern.spi.net.Timeout;
import org.junit.jupiter.api.Test;

class HashedTimerWheelTest {
    private static final long MS = 1_000_000L;

    /** Time that moves only when the test moves it; the wheel under test is driven by hand. */
    private static final class ManualClock implements Clock {
        long now;

        @Override
        public long nanoTime() {
            return now;
        }

        @Override
        public long currentTimeMillis() {
            return now / MS;
        }
    }

    private final ManualClock clock = new ManualClock();
    private final List<Throwable> failures = new ArrayList<>();
    private final HashedTimerWheel wheel = new HashedTimerWheel(clock, (task, error) -> failures.add(error));

    /** Moves the clock to {@code nanos} and expires what is due. */
    private int at(long nanos) {
        clock.now = nanos;
        return wheel.expire(nanos);
    }

    @Test
    void timerNeverRunsBeforeItsDeadline() {
        AtomicInteger runs = new AtomicInteger();
        wheel.schedule(10, MILLISECONDS, runs::incrementAndGet);

        at(10 * MS - 1);
        assertThat(runs).hasValue(0);
        at(10 * MS);
        assertThat(runs).hasValue(1);
        at(50 * MS);
        assertThat(runs).hasValue(1);
    }

    @Test
    void deadlineBetweenTicksIsRoundedUpNotDown() {
        clock.now = 500 * 1000; // 0.5 ms
        AtomicInteger runs = new AtomicInteger();
        wheel.schedule(1, MILLISECONDS, runs::incrementAndGet); // due at 1.5 ms

        at(1 * MS);
        at(1500 * 1000 - 1);
        assertThat(runs).hasValue(0);
        at(2 * MS);
        assertThat(runs).hasValue(1);
    }

    @Test
    void cancelledTimerNeverRunsAndCancelIsIdempotent() {
        AtomicInteger runs = new AtomicInteger();
        Timeout timeout = wheel.schedule(5, MILLISECONDS, runs::incrementAndGet);

        assertThat(timeout.cancel()).isTrue();
        assertThat(timeout.cancel()).isFalse();
        assertThat(timeout.isCancelled()).isTrue();
        assertThat(timeout.isExpired()).isFalse();
        assertThat(wheel.pending()).isZero();

        at(1 * SECONDS.toNanos(1));
        assertThat(runs).hasValue(0);
    }

    @Test
    void cancelAfterRunningReturnsFalseAndReportsExpired() {
        Timeout timeout = wheel.schedule(1, MILLISECONDS, () -> { });
        at(1 * MS);

        assertThat(timeout.isExpired()).isTrue();
        assertThat(timeout.cancel()).isFalse();
        assertThat(timeout.isCancelled()).isFalse();
    }

    @Test
    void timerScheduledFromInsideACallbackRunsAtItsOwnDeadline() {
        List<Long> ranAt = new ArrayList<>();
        wheel.schedule(3, MILLISECONDS, () -> {
            ranAt.add(clock.now);
            wheel.schedule(4, MILLISECONDS, () -> ranAt.add(clock.now));
        });

        for (long t = 0; t <= 10 * MS; t += MS) {
            at(t);
        }
        assertThat(ranAt).containsExactly(3 * MS, 7 * MS);
    }

    @Test
    void zeroDelayTimerFromACallbackRunsOnTheNextExpireNotRecursively() {
        List<String> ran = new ArrayList<>();
        wheel.schedule(2, MILLISECONDS, () -> {
            ran.add("outer");
            wheel.schedule(0, MILLISECONDS, () -> ran.add("inner"));
        });

        assertThat(at(2 * MS)).isEqualTo(1);
        assertThat(ran).containsExactly("outer");
        assertThat(wheel.nextExpiryNanos()).isLessThanOrEqualTo(clock.now);
        assertThat(at(2 * MS)).isEqualTo(1);
        assertThat(ran).containsExactly("outer", "inner");
    }

    @Test
    void negativeDelayRunsOnTheNextExpire() {
        AtomicInteger runs = new AtomicInteger();
        wheel.schedule(-5, SECONDS, runs::incrementAndGet);
        at(0);
        assertThat(runs).hasValue(1);
    }

    @Test
    void callbackCancellingATimerDueInTheSameBatchStopsIt() {
        List<String> ran = new ArrayList<>();
        Timeout[] second = new Timeout[1];
        wheel.schedule(5, MILLISECONDS, () -> {
            ran.add("first");
            assertThat(second[0].cancel()).isTrue();
        });
        second[0] = wheel.schedule(6, MILLISECONDS, () -> ran.add("second"));

        at(20 * MS); // one late expire covers both deadlines

        assertThat(ran).containsExactly("first");
        assertThat(second[0].isCancelled()).isTrue();
    }

    @Test
    void oneLateExpireRunsEveryDueTimerInDeadlineOrder() {
        List<Integer> order = new ArrayList<>();
        int[] delaysMs = {40, 3, 700, 17, 3, 1200, 1};
        for (int i = 0; i < delaysMs.length; i++) {
            int d = delaysMs[i];
            wheel.schedule(d, MILLISECONDS, () -> order.add(d));
        }

        assertThat(at(2 * SECONDS.toNanos(1))).isEqualTo(delaysMs.length);
        assertThat(order).containsExactly(1, 3, 3, 17, 40, 700, 1200);
    }

    @Test
    void equalDeadlinesRunInScheduleOrder() {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            int n = i;
            wheel.schedule(8, MILLISECONDS, () -> order.add(n));
        }
        at(8 * MS);
        assertThat(order).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19);
    }

    @Test
    void deadlineSeveralRevolutionsAwayWaitsForItsOwnRevolution() {
        HashedTimerWheel small = new HashedTimerWheel(clock, MS, 8, (task, error) -> failures.add(error));
        assertThat(small.wheelSize()).isEqualTo(8);
        List<Long> ranAt = new ArrayList<>();
        small.schedule(100, MILLISECONDS, () -> ranAt.add(clock.now)); // 12.5 revolutions
        small.schedule(4, MILLISECONDS, () -> ranAt.add(clock.now)); // same bucket (100 mod 8 == 4)

        for (long t = 0; t <= 120 * MS; t += MS) {
            clock.now = t;
            small.expire(t);
        }
        assertThat(ranAt).containsExactly(4 * MS, 100 * MS);
    }

    @Test
    void wheelSizeIsRoundedUpToAPowerOfTwo() {
        assertThat(new HashedTimerWheel(clock, MS, 500, (task, error) -> { }).wheelSize()).isEqualTo(512);
        assertThat(new HashedTimerWheel(clock, MS, 1, (task, error) -> { }).wheelSize()).isEqualTo(1);
    }

    @Test
    void manyTimersAcrossManyRevolutionsEachRunOnceInOrderAndNeverEarly() {
        HashedTimerWheel small = new HashedTimerWheel(clock, MS, 64, (task, error) -> failures.add(error));
        Random random = new Random(42);
        int count = 50_000;
        long[] deadline = new long[count];
        int[] runs = new int[count];
        List<Long> firedDeadlines = new ArrayList<>();
        List<Long> firedAt = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int n = i;
            long delayMicros = random.nextInt(10 * 64 * 1000); // up to 10 revolutions
            deadline[i] = clock.now + delayMicros * 1000;
            small.schedule(delayMicros, MICROSECONDS, () -> {
                runs[n]++;
                firedDeadlines.add(deadline[n]);
                firedAt.add(clock.now);
            });
        }
        long limit = 11 * 64 * MS;
        while (clock.now < limit) {
            clock.now += 1 + random.nextInt((int) (3 * MS)); // irregular steps, off tick boundaries
            small.expire(clock.now);
        }

        assertThat(runs).containsOnly(1);
        assertThat(small.pending()).isZero();
        assertThat(firedDeadlines).isSorted();
        for (int i = 0; i < firedAt.size(); i++) {
            assertThat(firedAt.get(i)).isGreaterThanOrEqualTo(firedDeadlines.get(i));
            // Late by at most one tick plus the largest step between expires.
            assertThat(firedAt.get(i) - firedDeadlines.get(i)).isLessThanOrEqualTo(4 * MS);
        }
    }

    @Test
    void cancelHeavyLoadRunsExactlyTheTimersLeft() {
        Random random = new Random(7);
        int count = 100_000;
        Timeout[] timeouts = new Timeout[count];
        boolean[] ran = new boolean[count];
        for (int i = 0; i < count; i++) {
            int n = i;
            timeouts[i] = wheel.schedule(1 + random.nextInt(5000), MILLISECONDS, () -> ran[n] = true);
        }
        boolean[] cancelled = new boolean[count];
        for (int i = 0; i < count; i++) {
            if (random.nextInt(10) != 0) {
                cancelled[i] = timeouts[i].cancel();
                assertThat(cancelled[i]).isTrue();
            }
        }
        int left = (int) java.util.stream.IntStream.range(0, count).filter(i -> !cancelled[i]).count();
        assertThat(wheel.pending()).isEqualTo(left);

        int fired = 0;
        for (long t = 0; t <= 5001 * MS; t += 7 * MS) {
            fired += at(t);
        }

        assertThat(fired).isEqualTo(left);
        for (int i = 0; i < count; i++) {
            assertThat(ran[i]).as("timer %d (cancelled=%s)", i, cancelled[i]).isEqualTo(!cancelled[i]);
        }
        assertThat(wheel.pending()).isZero();
    }

    @Test
    void aThrowingCallbackIsReportedAndTheOthersStillRun() {
        AtomicInteger runs = new AtomicInteger();
        wheel.schedule(1, MILLISECONDS, runs::incrementAndGet);
        wheel.schedule(1, MILLISECONDS, () -> {
            throw new IllegalStateException("timer failed");
        });
        wheel.schedule(1, MILLISECONDS, runs::incrementAndGet);

        at(1 * MS);

        assertThat(runs).hasValue(2);
        assertThat(failures).singleElement().satisfies(e -> assertThat(e).hasMessage("timer failed"));
    }

    @Test
    void nextExpiryIsTheEarliestDeadlineTick() {
        assertThat(wheel.nextExpiryNanos()).isEqualTo(Long.MAX_VALUE);

        Timeout far = wheel.schedule(5, SECONDS, () -> { });
        assertThat(wheel.nextExpiryNanos()).isEqualTo(5 * SECONDS.toNanos(1));
        Timeout near = wheel.schedule(2500, MICROSECONDS, () -> { });
        assertThat(wheel.nextExpiryNanos()).isEqualTo(3 * MS); // rounded up to its tick

        near.cancel();
        assertThat(wheel.nextExpiryNanos()).isLessThanOrEqualTo(5 * SECONDS.toNanos(1));
        at(3 * MS); // an idle wake-up at the stale hint
        assertThat(wheel.nextExpiryNanos()).isEqualTo(5 * SECONDS.toNanos(1));

        far.cancel();
        assertThat(wheel.nextExpiryNanos()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void onceEveryTimerWasCancelledTheNextTimerIsDueAtItsOwnDeadlineNotInThePast() {
        AtomicInteger runs = new AtomicInteger();
        Timeout cancelled = wheel.schedule(5, MILLISECONDS, runs::incrementAndGet);
        at(MS);
        assertThat(wheel.nextExpiryNanos()).isEqualTo(5 * MS); // the wheel knows its earliest tick
        cancelled.cancel();
        at(20 * MS); // an idle wheel: nothing pending
        assertThat(wheel.nextExpiryNanos()).isEqualTo(Long.MAX_VALUE);
        wheel.schedule(50, MILLISECONDS, runs::incrementAndGet);
        // Not the cancelled timer's tick, long past: a driver would wake at once, run nothing,
        // and ask again for ever.
        assertThat(wheel.nextExpiryNanos()).isEqualTo(70 * MS);
        assertThat(at(69 * MS)).isZero();
        assertThat(at(70 * MS)).isEqualTo(1);
        assertThat(runs).hasValue(1);
    }

    @Test
    void aLongIdleJumpSkipsEmptyTicksAndStillFindsDistantTimers() {
        AtomicInteger runs = new AtomicInteger();
        wheel.schedule(2, java.util.concurrent.TimeUnit.HOURS, runs::incrementAndGet);
        wheel.schedule(3, java.util.concurrent.TimeUnit.HOURS, runs::incrementAndGet);

        at(java.util.concurrent.TimeUnit.HOURS.toNanos(2) - 1);
        assertThat(runs).hasValue(0);
        at(java.util.concurrent.TimeUnit.HOURS.toNanos(2));
        assertThat(runs).hasValue(1);
        at(java.util.concurrent.TimeUnit.HOURS.toNanos(3));
        assertThat(runs).hasValue(2);
    }
    @Test
    void nextExpiryIsNeverLaterThanTheEarliestPendingTimerAmongManyLaterRevolutions() {
        HashedTimerWheel small = new HashedTimerWheel(clock, MS, 16, (task, error) -> failures.add(error));
        java.util.SplittableRandom random = new java.util.SplittableRandom(23);
        List<Timeout> pending = new ArrayList<>();
        List<Long> deadlineTicks = new ArrayList<>();
        for (int step = 0; step < 3_000; step++) {
            int op = random.nextInt(10);
            if (op < 5) {
                // Mostly many revolutions away (like TIME-WAIT entries), some within this one.
                long delayMs = random.nextInt(4) == 0 ? random.nextInt(1, 16) : random.nextInt(16, 2_000);
                pending.add(small.schedule(delayMs, MILLISECONDS, () -> { }));
                deadlineTicks.add((clock.now + delayMs * MS + MS - 1) / MS);
            } else if (op < 8 && !pending.isEmpty()) {
                int victim = random.nextInt(pending.size());
                pending.remove(victim).cancel();
                deadlineTicks.remove(victim);
            } else if (op == 8 && random.nextInt(8) == 0) {
                // Now and then every timer is cancelled: the wheel goes idle.
                pending.forEach(Timeout::cancel);
                pending.clear();
                deadlineTicks.clear();
            } else {
                clock.now += random.nextLong(1, 5 * MS);
                small.expire(clock.now);
                // Everything due has run: the next expiry is ahead (a stale hint may be early, never past).
                assertThat(small.nextExpiryNanos()).isGreaterThan(clock.now);
                for (int i = pending.size() - 1; i >= 0; i--) {
                    if (pending.get(i).isExpired()) {
                        assertThat(deadlineTicks.get(i) * MS).isLessThanOrEqualTo(clock.now);
                        pending.remove(i);
                        deadlineTicks.remove(i);
                    } else {
                        assertThat(deadlineTicks.get(i) * MS).isGreaterThan(clock.now); // none left late
                    }
                }
            }
            long earliest = deadlineTicks.stream().mapToLong(t -> t * MS).min().orElse(Long.MAX_VALUE);
            assertThat(small.nextExpiryNanos()).isLessThanOrEqualTo(earliest);
        }
        assertThat(failures).isEmpty();
    }

    @Test
    void withoutCancelsNextExpiryIsExactAcrossBitmapWordsAndTheWrapOfTheWheel() {
        // 128 buckets: two words of the pending-bucket bitmap, and deadlines that wrap the wheel.
        HashedTimerWheel wide = new HashedTimerWheel(clock, MS, 128, (task, error) -> failures.add(error));
        java.util.SplittableRandom random = new java.util.SplittableRandom(41);
        List<Long> deadlineTicks = new ArrayList<>();
        for (int step = 0; step < 4_000; step++) {
            if (random.nextInt(3) > 0) {
                long delayMs = random.nextInt(4) == 0 ? random.nextInt(128, 1_000) : random.nextInt(1, 128);
                wide.schedule(delayMs, MILLISECONDS, () -> { });
                deadlineTicks.add((clock.now + delayMs * MS + MS - 1) / MS);
            } else {
                clock.now += random.nextLong(1, 40 * MS);
                wide.expire(clock.now);
                deadlineTicks.removeIf(tick -> tick * MS <= clock.now);
            }
            assertThat(wide.pendingMapMatchesBuckets()).isTrue();
            assertThat(wide.farTimersAreFar()).isTrue();
            long earliest = deadlineTicks.stream().mapToLong(t -> t * MS).min().orElse(Long.MAX_VALUE);
            assertThat(wide.nextExpiryNanos()).isEqualTo(earliest);
        }
        assertThat(wide.pending()).isEqualTo(deadlineTicks.size());
        assertThat(failures).isEmpty();
    }

    @Test
    void theBitmapOfPendingBucketsFollowsSchedulesCancelsAndExpiries() {
        HashedTimerWheel wide = new HashedTimerWheel(clock, MS, 256, (task, error) -> failures.add(error));
        java.util.SplittableRandom random = new java.util.SplittableRandom(7);
        List<Timeout> pending = new ArrayList<>();
        List<Long> deadlineTicks = new ArrayList<>();
        for (int step = 0; step < 5_000; step++) {
            int op = random.nextInt(10);
            if (op < 5) {
                long delayMs = random.nextInt(3) == 0 ? random.nextInt(256, 60_000) : random.nextInt(0, 256);
                pending.add(wide.schedule(delayMs, MILLISECONDS, () -> { }));
                deadlineTicks.add((clock.now + delayMs * MS + MS - 1) / MS);
            } else if (op < 8 && !pending.isEmpty()) {
                int victim = random.nextInt(pending.size());
                pending.remove(victim).cancel();
                deadlineTicks.remove(victim);
            } else {
                clock.now += random.nextLong(1, 300 * MS);
                wide.expire(clock.now);
                for (int i = pending.size() - 1; i >= 0; i--) {
                    if (pending.get(i).isExpired()) {
                        pending.remove(i);
                        deadlineTicks.remove(i);
                    }
                }
                // Every timer due has run; none is left behind in a bucket the bitmap lost.
                assertThat(deadlineTicks).allMatch(tick -> tick * MS > clock.now);
            }
            assertThat(wide.pendingMapMatchesBuckets()).isTrue();
            assertThat(wide.farTimersAreFar()).isTrue();
            long earliest = deadlineTicks.stream().mapToLong(t -> t * MS).min().orElse(Long.MAX_VALUE);
            assertThat(wide.nextExpiryNanos()).isLessThanOrEqualTo(earliest);
        }
        assertThat(failures).isEmpty();
    }

    @Test
    void farTimersComeDownALevelAndRunAtTheirOwnTick() {
        // 16 buckets of 1 ms: the second level holds revolutions of 16 ms, and wraps after 256 ms.
        HashedTimerWheel small = new HashedTimerWheel(clock, MS, 16, (task, error) -> failures.add(error));
        List<Long> ranAt = new ArrayList<>();
        long[] delaysMs = {17, 31, 32, 33, 47, 255, 256, 257, 600, 4_097};
        for (long delay : delaysMs) {
            small.schedule(delay, MILLISECONDS, () -> ranAt.add(clock.now));
        }
        assertThat(small.nextExpiryNanos()).isEqualTo(17 * MS);
        while (clock.now < 5_000 * MS) {
            clock.now += MS;
            small.expire(clock.now);
            assertThat(small.farTimersAreFar()).isTrue();
            assertThat(small.pendingMapMatchesBuckets()).isTrue();
        }
        assertThat(ranAt).containsExactly(17 * MS, 31 * MS, 32 * MS, 33 * MS, 47 * MS, 255 * MS, 256 * MS,
                257 * MS, 600 * MS, 4_097 * MS);
        assertThat(failures).isEmpty();
    }

    @Test
    void aJumpOverManySecondLevelRevolutionsLosesNoFarTimer() {
        HashedTimerWheel small = new HashedTimerWheel(clock, MS, 16, (task, error) -> failures.add(error));
        List<Long> ranAt = new ArrayList<>();
        small.schedule(10_000, MILLISECONDS, () -> ranAt.add(clock.now));
        small.schedule(10_001, MILLISECONDS, () -> ranAt.add(clock.now));
        assertThat(small.nextExpiryNanos()).isEqualTo(10_000 * MS);
        clock.now = 9_999 * MS; // one call, 39 second-level revolutions later
        assertThat(small.expire(clock.now)).isZero();
        assertThat(small.farTimersAreFar()).isTrue();
        assertThat(small.nextExpiryNanos()).isEqualTo(10_000 * MS);
        clock.now = 10_001 * MS;
        assertThat(small.expire(clock.now)).isEqualTo(2);
        assertThat(ranAt).containsExactly(10_001 * MS, 10_001 * MS);
        assertThat(small.pending()).isZero();
        assertThat(small.pendingMapMatchesBuckets()).isTrue();
    }
}
