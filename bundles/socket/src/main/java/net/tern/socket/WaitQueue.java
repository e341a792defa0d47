package net.tern.socket;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
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
 * protocol, or a timer, may wake a queue while holding its own locks.
 *
 * <p>Each queue also keeps its socket layer's count of callers <em>parked</em>: asleep with no
 * signal sent to them since they went to sleep. A parked caller stays asleep until something
 * else happens (a packet, a timer, another call), which lets a test that drives virtual time
 * know when every application thread has settled ({@link SocketLayer#parkedCallers}).
 */
final class WaitQueue {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final AtomicLong sequence = new AtomicLong();
    private volatile int sleepers;
    /** The socket layer's count of parked callers, over all its queues. */
    private final AtomicInteger layerParked;
    /** Sleepers here parked since the last signal (guarded by lock). */
    private int parked;
    /** Signals sent so far (guarded by lock): a sleeper that wakes with the same count was not signalled. */
    private long signals;

    WaitQueue(AtomicInteger layerParked) {
        this.layerParked = layerParked;
    }

    /** The wake-up count now; read it before trying the operation that may have to wait. */
    long sequence() {
        return sequence.get();
    }

    /** {@code wake_up_interruptible_all}: records a wake-up and wakes every sleeper. */
    void wakeAll() {
        sequence.incrementAndGet();
        // Dekker pairing with await: a sleeper increments sleepers before it re-reads the
        // sequence, so either it sees the new sequence or this sees the sleeper.
        if (sleepers > 0) {
            signalSleepers();
        }
    }

    /** Wakes sleepers without recording a wake-up (a deadline passed: only its owner cares). */
    void signalSleepers() {
        lock.lock();
        try {
            signals++;
            layerParked.addAndGet(-parked);
            parked = 0;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
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
        lock.lock();
        try {
            sleepers++;
            while (sequence.get() == seen && (deadline == null || !deadline.fired())) {
                park();
            }
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Errno.EINTR.number();
        } finally {
            sleepers--;
            lock.unlock();
        }
    }

    /** One sleep on the condition, counted as parked until a signal (or a spurious wake-up) ends it. Under lock. */
    private void park() throws InterruptedException {
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
