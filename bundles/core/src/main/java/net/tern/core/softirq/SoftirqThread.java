package net.tern.core.softirq;

import io.netty.util.concurrent.FastThreadLocalThread;
import io.netty.util.internal.PlatformDependent;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import net.tern.core.time.HashedTimerWheel;
import net.tern.spi.net.Clock;
import net.tern.spi.net.Timeout;
import net.tern.spi.net.TimerService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One network thread ({@code net_rx_action} and {@code run_timer_softirq} on one CPU): a
 * daemon thread that runs queued tasks and its own timer wheel. {@link NetworkLoop} has one or
 * more of them.
 *
 * <p>The loop: run queued tasks in batches of {@value #BATCH} (so a flood of packets cannot
 * starve timers), expire due timers, then park until the next timer deadline or a new task.
 * {@link #execute} adds to a multi-producer queue and unparks the thread only when it may be
 * parked; a timer scheduled from another thread wakes it only when the new deadline is
 * earlier than the one it sleeps towards. A task or timer that throws is logged and counted;
 * the thread goes on.
 */
final class SoftirqThread implements TimerService {
    /** Tasks run between two looks at the timer wheel. */
    static final int BATCH = 256;
    /** {@link #parkUntil} while the thread is awake: nothing needs to wake it. */
    private static final long AWAKE = Long.MIN_VALUE;

    private static final Logger LOG = LoggerFactory.getLogger(SoftirqThread.class);

    private final Clock clock;
    private final HashedTimerWheel wheel;
    private final Queue<Runnable> tasks = PlatformDependent.newMpscQueue();
    private final LongAdder failures;
    private final LongAdder tasksRun = new LongAdder();
    private final Thread thread;
    private final String name;
    private volatile boolean running;
    /** The deadline the thread sleeps towards, {@link Long#MAX_VALUE} for "until a task comes", or {@link #AWAKE}. */
    private volatile long parkUntil = AWAKE;

    /** {@code failures} counts the tasks and timers that threw, shared by a loop's threads. */
    SoftirqThread(Clock clock, long tickNanos, int wheelSize, String name, LongAdder failures) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.name = name;
        this.failures = failures;
        this.wheel = new HashedTimerWheel(clock, tickNanos, wheelSize, this::timerFailed);
        // A FastThreadLocalThread: Netty's pooled allocator keeps its per-thread caches and
        // recycles its buffer objects only for these; on a plain thread every packet this
        // thread allocates (ACKs, replies) costs a new buffer object and a trip to the arena.
        this.thread = new FastThreadLocalThread(this::loop, name);
        this.thread.setDaemon(true);
    }

    void start() {
        running = true;
        thread.start();
    }

    /** Asks the thread to stop after running what is queued; {@link #join} waits for it. */
    void signalStop() {
        running = false;
        LockSupport.unpark(thread);
    }

    /** Waits at most {@code millis} for the thread to end; false if it is still running. */
    boolean join(long millis) {
        if (Thread.currentThread() == thread) {
            return true;
        }
        try {
            thread.join(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            LOG.warn("{} did not stop within {} ms; a task is still running", name, millis);
            return false;
        }
        return true;
    }

    boolean isAlive() {
        return thread.isAlive();
    }

    boolean isCurrent() {
        return Thread.currentThread() == thread;
    }

    /** Queues {@code task} behind those already queued; {@link RejectedExecutionException} once stopped. */
    void execute(Runnable task) {
        Objects.requireNonNull(task, "task");
        if (!running) {
            throw new RejectedExecutionException("execute: " + name + " is stopped");
        }
        tasks.offer(task);
        if (parkUntil != AWAKE) {
            LockSupport.unpark(thread);
        }
    }

    @Override
    public Timeout schedule(long delay, TimeUnit unit, Runnable task) {
        Timeout timeout = wheel.schedule(delay, unit, task);
        if (!isCurrent()) {
            long deadline = clock.nanoTime() + Math.max(0, unit.toNanos(delay));
            if (deadline < parkUntil) {
                LockSupport.unpark(thread);
            }
        }
        return timeout;
    }

    long tasksRun() {
        return tasksRun.sum();
    }

    int pendingTimers() {
        return wheel.pending();
    }

    private void loop() {
        LOG.debug("{} started", name);
        while (running) {
            runTasks(BATCH);
            wheel.expire(clock.nanoTime());
            if (!tasks.isEmpty()) {
                continue;
            }
            long next = wheel.nextExpiryNanos();
            if (next <= clock.nanoTime()) {
                continue;
            }
            // Publish the deadline before the last look at the queue and the wheel, so a
            // producer either sees it (and unparks us) or its work is seen here.
            parkUntil = next;
            if (running && tasks.isEmpty() && wheel.nextExpiryNanos() >= next) {
                if (next == Long.MAX_VALUE) {
                    LockSupport.park(this);
                } else {
                    LockSupport.parkNanos(this, next - clock.nanoTime());
                }
                // Only a stop ends the loop; a stray interrupt must not turn parking into spinning.
                Thread.interrupted();
            }
            parkUntil = AWAKE;
        }
        // Run what was queued before the stop, so packets handed in are released by their owners.
        int drained = runTasks(tasks.size());
        LOG.debug("{} stopped after running {} queued task(s)", name, drained);
    }

    private int runTasks(int max) {
        int ran = 0;
        Runnable task;
        while (ran < max && (task = tasks.poll()) != null) {
            ran++;
            try {
                task.run();
            } catch (VirtualMachineError fatal) {
                throw fatal;
            } catch (Throwable error) {
                failures.increment();
                LOG.error("{}: task {} threw; the thread goes on", name, task, error);
            }
        }
        tasksRun.add(ran);
        return ran;
    }

    private void timerFailed(Runnable task, Throwable error) {
        failures.increment();
        LOG.error("{}: timer {} threw; the thread goes on", name, task, error);
    }
}
