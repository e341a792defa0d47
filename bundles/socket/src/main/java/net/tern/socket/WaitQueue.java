package net.tern.socket;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import net.tern.api.socket.Errno;

/**
 * A wait queue ({@code wait_queue_head_t}) with a wake-up sequence number, so a waiter
 * cannot miss a wake-up: it reads {@link #sequence()} <em>before</em> it tries the operation,
 * and {@link #await} returns at once if any wake-up happened since. Every wake-up increments
 * the sequence; only wake-ups that find a sleeper pay for the lock.
 *
 * <p>The lock is a leaf: nothing else is taken (not even the clock) while holding it, so a
 * protocol, or a timer, may wake a queue while holding its own locks. The lock and its
 * condition are made by the first caller that has to sleep ({@link Sleep}): a socket nobody
 * ever waited on (most of a server's idle connections) holds neither.
 *
 * <p>Each queue also keeps its socket layer's count of callers <em>parked</em>: asleep with no
 * signal sent to them since they went to sleep. A parked caller stays asleep until something
 * else happens (a packet, a timer, another call), which lets a test that drives virtual time
 * know when every application thread has settled ({@link SocketLayer#parkedCallers}).
 */
final class WaitQueue {
    private static final VarHandle SEQUENCE;
    private static final VarHandle SLEEP;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            SEQUENCE = lookup.findVarHandle(WaitQueue.class, "sequence", long.class);
            SLEEP = lookup.findVarHandle(WaitQueue.class, "sleep", Sleep.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The lock sleepers wait under and the condition they wait on. */
    private static final class Sleep {
        final ReentrantLock lock = new ReentrantLock();
        final Condition changed = lock.newCondition();
    }

    /** Made by the first caller that sleeps here; null while nobody ever has. */
    private volatile Sleep sleep;
    /** Wake-ups so far: a volatile field bumped through {@link #SEQUENCE}, not an AtomicLong (one object less per socket). */
    private volatile long sequence;
    private volatile int sleepers;
    /** The socket layer's count of parked callers, over all its queues. */
    private final AtomicInteger layerParked;
    /** Sleepers here parked since the last signal (guarded by the lock). */
    private int parked;
    /** Signals sent so far (guarded by the lock): a sleeper that wakes with the same count was not signalled. */
    private long signals;

    WaitQueue(AtomicInteger layerParked) {
        this.layerParked = layerParked;
    }

    /** The wake-up count now; read it before trying the operation that may have to wait. */
    long sequence() {
        return sequence;
    }

    /** {@code wake_up_interruptible_all}: records a wake-up and wakes every sleeper. */
    void wakeAll() {
        SEQUENCE.getAndAdd(this, 1L);
        // Dekker pairing with await: a sleeper increments sleepers before it re-reads the
        // sequence, so either it sees the new sequence or this sees the sleeper.
        if (sleepers > 0) {
            signalSleepers();
        }
    }

    /** Wakes sleepers without recording a wake-up (a deadline passed: only its owner cares). */
    void signalSleepers() {
        Sleep s = sleep;
        if (s == null) {
            return; // nobody has slept here: a caller about to sleep checks its deadline under the lock first
        }
        s.lock.lock();
        try {
            signals++;
            layerParked.addAndGet(-parked);
            parked = 0;
            s.changed.signalAll();
        } finally {
            s.lock.unlock();
        }
    }

    /** The lock and condition, made now by the first caller to sleep. */
    private Sleep sleep() {
        Sleep s = sleep;
        if (s == null) {
            s = new Sleep();
            if (!SLEEP.compareAndSet(this, null, s)) {
                s = sleep;
            }
        }
        return s;
    }

    /** Threads waiting now. */
    int sleepers() {
        return sleepers;
    }

    /**
     * Sleeps until a wake-up newer than {@code seen}, or until {@code deadline} (null: none)
     * has passed. Returns 0, or {@link Errno#EINTR}'s number when an interrupt ended the wait
     * (the interrupt status kept), so that a caller returning errors as values allocates nothing.
     */
    int await(long seen, Deadline deadline) {
        Sleep s = sleep();
        s.lock.lock();
        try {
            sleepers++;
            while (sequence == seen && (deadline == null || !deadline.fired())) {
                park(s.changed);
            }
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Errno.EINTR.number();
        } finally {
            sleepers--;
            s.lock.unlock();
        }
    }

    /** One sleep on the condition, counted as parked until a signal (or a spurious wake-up) ends it. Under lock. */
    private void park(Condition changed) throws InterruptedException {
        long signalsBefore = signals;
        parked++;
        layerParked.incrementAndGet();
        try {
            changed.await();
        } finally {
            if (signals == signalsBefore) {
                // Not signalled (spurious wake-up or interrupt): still counted, so uncount.
                parked--;
                layerParked.decrementAndGet();
            }
        }
    }
}
