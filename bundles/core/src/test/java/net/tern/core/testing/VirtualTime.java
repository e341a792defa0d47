package net.tern.core.testing;

import io.netty.util.internal.PlatformDependent;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import net.tern.core.time.HashedTimerWheel;
import net.tern.spi.net.Clock;
import net.tern.spi.net.NetworkThread;
import net.tern.spi.net.Timeout;
import net.tern.spi.net.TimerService;

/**
 * Time that moves only when a test says so, and a network thread that is whichever thread
 * drives it. Timers live on the core's real {@link HashedTimerWheel}, so tests exercise the
 * same wheel the stack runs on.
 *
 * <p>{@link #advance} moves time forward in steps: to each timer deadline on the way (in
 * deadline order), firing the timers due there and then running every queued task (and the
 * tasks those queue), then on to the next, and finally to the target time. Nothing runs
 * concurrently with the driving thread: while {@link #advance} or {@link #runPending} runs
 * tasks and timers, {@link #inNetworkThread()} is true for the caller and only for it.
 *
 * <p>Thread-safe: another thread may {@link #execute} tasks, schedule and cancel timers and
 * read the clock while it is blocked in a socket call waiting for a timer that the test's
 * thread fires with {@link #advance}. One thread drives time at a time (others wait).
 *
 * <p>A task or timer that throws does not stop the run (as on the real network thread); once
 * the run is over, the driving call throws an {@link AssertionError} carrying the failures,
 * so a test cannot pass over an exception hidden in protocol code.
 */
public final class VirtualTime implements Clock, TimerService, NetworkThread {
    /** The wall clock at virtual nanoTime 0: 2024-01-01T00:00:00Z. */
    public static final long EPOCH_MILLIS = 1_704_067_200_000L;

    private final HashedTimerWheel wheel;
    /** A multi-producer queue of arrays, as the network thread's: queuing a task allocates no node. */
    private final Queue<Runnable> tasks = PlatformDependent.newMpscQueue();
    private final ReentrantLock driverLock = new ReentrantLock();
    private final List<Throwable> failures = new ArrayList<>();
    private volatile long nowNanos;
    private volatile Thread driver;

    /** Starts at nanoTime 0, with the wall clock at {@link #EPOCH_MILLIS}; 1 ms timer ticks. */
    public VirtualTime() {
        this.wheel = new HashedTimerWheel(this, (task, error) -> recordFailure(error));
    }

    // ---- Clock

    @Override
    public long nanoTime() {
        return nowNanos;
    }

    @Override
    public long currentTimeMillis() {
        return EPOCH_MILLIS + TimeUnit.NANOSECONDS.toMillis(nowNanos);
    }

    // ---- TimerService

    @Override
    public Timeout schedule(long delay, TimeUnit unit, Runnable task) {
        return wheel.schedule(delay, unit, task);
    }

    /** Timers scheduled and neither run nor cancelled. */
    public int pendingTimers() {
        return wheel.pending();
    }

    /**
     * When the earliest pending timer falls due, or {@link Long#MAX_VALUE} with none; never
     * later than the truth (it may be earlier after a cancel). A driver that must see what
     * each timer does at its own instant advances to this time, then looks again.
     */
    public long nextTimerNanos() {
        return wheel.nextExpiryNanos();
    }

    // ---- NetworkThread

    @Override
    public void execute(Runnable task) {
        if (task == null) {
            throw new NullPointerException("task");
        }
        tasks.add(task);
    }

    @Override
    public boolean inNetworkThread() {
        return driver == Thread.currentThread();
    }

    /** Tasks queued and not yet run. */
    public int pendingTasks() {
        return tasks.size();
    }

    // ---- Driving time

    /**
     * Moves time forward by {@code amount}, stopping at each timer deadline on the way to run
     * the timers due there and every queued task. {@code advance(0, ...)} runs what is due now.
     */
    public void advance(long amount, TimeUnit unit) {
        if (amount < 0) {
            throw new IllegalArgumentException("advance by a negative amount: " + amount + " " + unit);
        }
        Thread previous = enter();
        try {
            long step = unit.toNanos(amount);
            long target = nowNanos > Long.MAX_VALUE - step ? Long.MAX_VALUE : nowNanos + step;
            runDueNow();
            int idleAtNow = 0;
            while (true) {
                long next = wheel.nextExpiryNanos();
                if (next > target) {
                    break;
                }
                boolean moved = next > nowNanos;
                if (moved) {
                    nowNanos = next;
                }
                if (runDueNow() > 0 || moved) {
                    idleAtNow = 0;
                } else if (++idleAtNow > 1) {
                    // A wheel may name an early time once after a cancel; naming a time that has
                    // come while nothing runs, again, means advance would never return.
                    throw new AssertionError("the timer wheel says a timer is due at " + next + " ns, but at "
                            + nowNanos + " ns none runs (" + wheel.pending() + " pending): time cannot move on");
                }
            }
            nowNanos = target;
            runDueNow();
        } finally {
            leave(previous);
        }
        if (previous == null) {
            throwFailures();
        }
    }

    /** Runs queued tasks, and the tasks they queue, until none is left; time does not move. */
    public void runPending() {
        Thread previous = enter();
        try {
            runTasks();
        } finally {
            leave(previous);
        }
        if (previous == null) {
            throwFailures();
        }
    }

    /** Fires the timers due at the current time and runs the queued tasks until neither is left; how many ran. */
    private int runDueNow() {
        int total = 0;
        while (true) {
            int fired = wheel.expire(nowNanos);
            int ran = runTasks();
            if (fired == 0 && ran == 0) {
                return total;
            }
            total += fired + ran;
        }
    }

    private int runTasks() {
        int ran = 0;
        Runnable task;
        while ((task = tasks.poll()) != null) {
            ran++;
            try {
                task.run();
            } catch (VirtualMachineError fatal) {
                throw fatal;
            } catch (Throwable error) {
                recordFailure(error);
            }
        }
        return ran;
    }

    /**
     * The calling thread drives time (other drivers wait); returns the driver it took over from,
     * null for the outermost call, which throws the failures once it has left ({@link #leave}).
     * Without a lambda per call, so driving time allocates nothing a test measuring a path counts.
     */
    private Thread enter() {
        driverLock.lock();
        Thread previous = driver;
        driver = Thread.currentThread();
        return previous;
    }

    private void leave(Thread previous) {
        driver = previous;
        driverLock.unlock();
    }

    private void recordFailure(Throwable error) {
        synchronized (failures) {
            failures.add(error);
        }
    }

    private void throwFailures() {
        List<Throwable> copy;
        synchronized (failures) {
            if (failures.isEmpty()) {
                return;
            }
            copy = new ArrayList<>(failures);
            failures.clear();
        }
        AssertionError error = new AssertionError(
                copy.size() + " task(s) or timer(s) threw in virtual time; first: " + copy.get(0), copy.get(0));
        for (int i = 1; i < copy.size(); i++) {
            error.addSuppressed(copy.get(i));
        }
        throw error;
    }

    @Override
    public String toString() {
        return "VirtualTime[now=" + nowNanos + "ns, timers=" + wheel.pending() + ", tasks=" + tasks.size() + "]";
    }
}
