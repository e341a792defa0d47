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
import net.tern.spi.net.NetworkThread;
import net.tern.spi.net.Timeout;
import net.tern.spi.net.TimerService;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stack's network thread, Tern's softirq ({@code net_rx_action} and
 * {@code run_timer_softirq} on one CPU): a single daemon thread {@value #THREAD_NAME} that
 * runs queued tasks and the timer wheel.
 *
 * <p>Execution model. Receive dispatch ({@code netif_receive_skb}), protocol input and every
 * timer run here, one at a time, so protocol code reached from the wire never runs
 * concurrently with itself. Application threads enter protocol code through socket calls,
 * under the socket's own lock (process context with {@code lock_sock} in Linux). Drivers
 * call {@code NetDeviceContext.receive} from any thread; it hops onto this thread with
 * {@link #execute}.
 *
 * <p>The loop: run queued tasks in batches of {@value #BATCH} (so a flood of packets cannot
 * starve timers), expire due timers, then park until the next timer deadline or a new task.
 * {@link #execute} adds to a multi-producer queue and unparks the thread only when it may be
 * parked; a timer scheduled from another thread wakes it only when the new deadline is
 * earlier than the one it sleeps towards. A task or timer that throws is logged and counted;
 * the thread goes on.
 */
@Component(service = {NetworkThread.class, TimerService.class}, immediate = true)
@Designate(ocd = NetworkLoop.Config.class)
public final class NetworkLoop implements NetworkThread, TimerService {
    public static final String THREAD_NAME = "tern-net";
    /** Tasks run between two looks at the timer wheel. */
    static final int BATCH = 256;
    /** How long {@link #stop()} waits for the thread to finish. */
    static final long STOP_TIMEOUT_MILLIS = 5_000;
    /** {@link #parkUntil} while the thread is awake: nothing needs to wake it. */
    private static final long AWAKE = Long.MIN_VALUE;

    private static final Logger LOG = LoggerFactory.getLogger(NetworkLoop.class);

    @ObjectClassDefinition(name = "Tern network thread", description = "The softirq thread and its timer wheel.")
    public @interface Config {
        @AttributeDefinition(description = "Timer wheel tick in microseconds: the timers' resolution.")
        long tickMicros() default 1000;

        @AttributeDefinition(description = "Buckets in the timer wheel (rounded up to a power of two).")
        int wheelSize() default HashedTimerWheel.DEFAULT_WHEEL_SIZE;
    }

    private final Clock clock;
    private final HashedTimerWheel wheel;
    private final Queue<Runnable> tasks = PlatformDependent.newMpscQueue();
    private final LongAdder failures = new LongAdder();
    private final LongAdder tasksRun = new LongAdder();
    private final Thread thread;
    private volatile boolean running;
    /** The deadline the thread sleeps towards, {@link Long#MAX_VALUE} for "until a task comes", or {@link #AWAKE}. */
    private volatile long parkUntil = AWAKE;

    /** DS: starts the thread on activation. */
    @Activate
    public NetworkLoop(@Reference(name = "clock") Clock clock, Config config) {
        this(clock, TimeUnit.MICROSECONDS.toNanos(config.tickMicros()), config.wheelSize());
        start();
    }

    /** A loop with its own timer wheel; not running until {@link #start()}. */
    public NetworkLoop(Clock clock, long tickNanos, int wheelSize) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.wheel = new HashedTimerWheel(clock, tickNanos, wheelSize, this::timerFailed);
        // A FastThreadLocalThread: Netty's pooled allocator keeps its per-thread caches and
        // recycles its buffer objects only for these; on a plain thread every packet this
        // thread allocates (ACKs, replies) costs a new buffer object and a trip to the arena.
        this.thread = new FastThreadLocalThread(this::loop, THREAD_NAME);
        this.thread.setDaemon(true);
    }

    public void start() {
        running = true;
        thread.start();
    }

    /**
     * Stops the thread: it runs the tasks already queued (so packets in flight are released
     * by the code that owns them) and exits. Waits at most {@value #STOP_TIMEOUT_MILLIS} ms.
     */
    @Deactivate
    public void stop() {
        running = false;
        LockSupport.unpark(thread);
        if (Thread.currentThread() == thread) {
            return;
        }
        try {
            thread.join(STOP_TIMEOUT_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            LOG.warn("{} did not stop within {} ms; a task is still running", THREAD_NAME, STOP_TIMEOUT_MILLIS);
        }
    }

    /** Whether the thread is alive. */
    public boolean isRunning() {
        return thread.isAlive();
    }

    /**
     * Queues {@code task} behind those already queued. Throws
     * {@link RejectedExecutionException} once the loop is stopped.
     */
    @Override
    public void execute(Runnable task) {
        Objects.requireNonNull(task, "task");
        if (!running) {
            throw new RejectedExecutionException("execute: " + THREAD_NAME + " is stopped");
        }
        tasks.offer(task);
        if (parkUntil != AWAKE) {
            LockSupport.unpark(thread);
        }
    }

    @Override
    public boolean inNetworkThread() {
        return Thread.currentThread() == thread;
    }

    @Override
    public Timeout schedule(long delay, TimeUnit unit, Runnable task) {
        Timeout timeout = wheel.schedule(delay, unit, task);
        if (!inNetworkThread()) {
            long deadline = clock.nanoTime() + Math.max(0, unit.toNanos(delay));
            if (deadline < parkUntil) {
                LockSupport.unpark(thread);
            }
        }
        return timeout;
    }

    /** Tasks and timers that threw. */
    public long failures() {
        return failures.sum();
    }

    /** Tasks run since the start. */
    public long tasksRun() {
        return tasksRun.sum();
    }

    /** Timers pending on the wheel. */
    public int pendingTimers() {
        return wheel.pending();
    }

    private void loop() {
        LOG.debug("{} started", THREAD_NAME);
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
                // Only stop() ends the loop; a stray interrupt must not turn parking into spinning.
                Thread.interrupted();
            }
            parkUntil = AWAKE;
        }
        // Run what was queued before the stop, so packets handed in are released by their owners.
        int drained = runTasks(tasks.size());
        LOG.debug("{} stopped after running {} queued task(s)", THREAD_NAME, drained);
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
                LOG.error("{}: task {} threw; the thread goes on", THREAD_NAME, task, error);
            }
        }
        tasksRun.add(ran);
        return ran;
    }

    private void timerFailed(Runnable task, Throwable error) {
        failures.increment();
        LOG.error("{}: timer {} threw; the thread goes on", THREAD_NAME, task, error);
    }
}
