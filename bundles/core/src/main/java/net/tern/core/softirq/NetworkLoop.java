package net.tern.core.softirq;

import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
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

/**
 * The stack's network threads, Tern's softirqs ({@code net_rx_action} and
 * {@code run_timer_softirq}, one per CPU): N daemon threads ({@value #THREAD_NAME},
 * {@value #THREAD_NAME}-1, ...; by default as many as the machine has cores), each with its
 * own task queue and timer wheel ({@link SoftirqThread}).
 *
 * <p>Execution model. Devices with a reader thread (TUN) hand received packets to the thread
 * of their flow ({@link #execute(int, Runnable)}, chosen by a hash of the 4-tuple as RSS
 * chooses a queue), and a connection's timers run on that same thread
 * ({@link #forFlow(int)}), so a connection's input and timers never race each other for its
 * lock and its packets are never reordered between threads. Loopback input runs on the
 * sending thread instead ({@link net.tern.spi.net.Softnet}). Protocol state is safe by the
 * per-socket rule (the socket's lock, or its backlog): see the README's execution model.
 * Work without a flow ({@link #execute(Runnable)}, {@link #schedule}) goes to the calling
 * network thread, or to the first one when called from elsewhere.
 */
@Component(service = {NetworkThread.class, TimerService.class}, immediate = true)
@Designate(ocd = NetworkLoop.Config.class)
public final class NetworkLoop implements NetworkThread, TimerService {
    public static final String THREAD_NAME = "tern-net";
    /** How long {@link #stop()} waits for the threads to finish. */
    static final long STOP_TIMEOUT_MILLIS = 5_000;

    @ObjectClassDefinition(name = "Tern network threads", description = "The softirq threads and their timer wheels.")
    public @interface Config {
        @AttributeDefinition(description = "Timer wheel tick in microseconds: the timers' resolution.")
        long tickMicros() default 1000;

        @AttributeDefinition(description = "Buckets in each timer wheel (rounded up to a power of two).")
        int wheelSize() default HashedTimerWheel.DEFAULT_WHEEL_SIZE;

        @AttributeDefinition(description = "Network threads; 0 (the default) for one per core.")
        int threads() default 0;
    }

    private final SoftirqThread[] threads;
    private final LongAdder failures = new LongAdder();

    /** DS: starts the threads on activation. */
    @Activate
    public NetworkLoop(@Reference(name = "clock") Clock clock, Config config) {
        this(clock, TimeUnit.MICROSECONDS.toNanos(config.tickMicros()), config.wheelSize(),
                config.threads() > 0 ? config.threads() : Runtime.getRuntime().availableProcessors());
        start();
    }

    /** One network thread with its own timer wheel; not running until {@link #start()}. */
    public NetworkLoop(Clock clock, long tickNanos, int wheelSize) {
        this(clock, tickNanos, wheelSize, 1);
    }

    /** {@code count} network threads, each with its own timer wheel; not running until {@link #start()}. */
    public NetworkLoop(Clock clock, long tickNanos, int wheelSize, int count) {
        Objects.requireNonNull(clock, "clock");
        if (count < 1) {
            throw new IllegalArgumentException("network threads: at least 1, got " + count);
        }
        this.threads = new SoftirqThread[count];
        for (int i = 0; i < count; i++) {
            threads[i] = new SoftirqThread(clock, tickNanos, wheelSize, i == 0 ? THREAD_NAME : THREAD_NAME + "-" + i,
                    failures);
        }
    }

    public void start() {
        for (SoftirqThread t : threads) {
            t.start();
        }
    }

    /**
     * Stops the threads: each runs the tasks already queued (so packets in flight are released
     * by the code that owns them) and exits. Waits at most {@value #STOP_TIMEOUT_MILLIS} ms.
     */
    @Deactivate
    public void stop() {
        for (SoftirqThread t : threads) {
            t.signalStop();
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(STOP_TIMEOUT_MILLIS);
        for (SoftirqThread t : threads) {
            t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        }
    }

    /** Whether every thread is alive. */
    public boolean isRunning() {
        for (SoftirqThread t : threads) {
            if (!t.isAlive()) {
                return false;
            }
        }
        return true;
    }

    /**
     * Queues {@code task} on the calling network thread, or on the first when called from
     * elsewhere. Throws {@link java.util.concurrent.RejectedExecutionException} once stopped.
     */
    @Override
    public void execute(Runnable task) {
        current().execute(task);
    }

    /** Queues {@code task} on network thread {@code index} (taken modulo {@link #count()}). */
    @Override
    public void execute(int index, Runnable task) {
        threads[Math.floorMod(index, threads.length)].execute(task);
    }

    @Override
    public int count() {
        return threads.length;
    }

    @Override
    public boolean inNetworkThread() {
        for (SoftirqThread t : threads) {
            if (t.isCurrent()) {
                return true;
            }
        }
        return false;
    }

    /** On the calling network thread's wheel, or the first thread's when called from elsewhere. */
    @Override
    public Timeout schedule(long delay, TimeUnit unit, Runnable task) {
        return current().schedule(delay, unit, task);
    }

    /** The timers of the flow with {@code flowHash}: they run on that flow's thread. */
    @Override
    public TimerService forFlow(int flowHash) {
        return threads[Math.floorMod(flowHash, threads.length)];
    }

    /** Tasks and timers that threw, on every thread. */
    public long failures() {
        return failures.sum();
    }

    /** Tasks run since the start, on every thread. */
    public long tasksRun() {
        long sum = 0;
        for (SoftirqThread t : threads) {
            sum += t.tasksRun();
        }
        return sum;
    }

    /** Timers pending on every wheel. */
    public int pendingTimers() {
        int sum = 0;
        for (SoftirqThread t : threads) {
            sum += t.pendingTimers();
        }
        return sum;
    }

    private SoftirqThread current() {
        for (SoftirqThread t : threads) {
            if (t.isCurrent()) {
                return t;
            }
        }
        return threads[0];
    }
}
