package net.tern.tcp.impl;

import static net.tern.api.socket.SocketConstants.MSG_DONTWAIT;
import static net.tern.api.socket.SocketConstants.SHUT_RDWR;
import static net.tern.api.socket.SocketConstants.SHUT_WR;
import static net.tern.api.socket.SocketConstants.SOL_SOCKET;
import static net.tern.api.socket.SocketConstants.SO_RCVBUF;
import static net.tern.api.socket.SocketConstants.SO_SNDBUF;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.core.testing.PacketLeakCheck;
import net.tern.socket.SocketLayer;
import net.tern.tcp.testing.LoopbackHost;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Several application threads on one TCP socket at once, through the socket layer's blocking
 * calls, with the test thread as the network thread (it alone moves virtual time). What is
 * asserted is what Linux guarantees and no more: {@code tcp_sendmsg} holds the socket lock
 * while it copies, so a write that finds room for all its bytes is contiguous in the stream,
 * while a write that must wait for room ({@code sk_stream_wait_memory} releases the lock) may
 * have other writes between its parts; every byte written arrives once, each writer's bytes in
 * its order; concurrent readers each get contiguous runs that together are the stream once.
 * A descriptor closed while threads are blocked on it wakes them with EBADF (the socket
 * layer's rule: Linux leaves them blocked), {@code shutdown} wakes them as Linux does.
 * Waits are bounded and event-driven ({@link SocketLayer#parkedCallers()}); nothing sleeps.
 */
@ExtendWith(PacketLeakCheck.class)
class ConcurrentSocketCallsTest {
    private static final int PORT = 7100;
    /** The most wall-clock time any wait for another thread may take on a loaded machine. */
    private static final long BOUND_NANOS = TimeUnit.SECONDS.toNanos(60);

    private LoopbackHost lo;
    private SocketLayer sockets;
    private ExecutorService threads;
    private int listener;

    @BeforeEach
    void setUp() throws ErrnoException {
        lo = new LoopbackHost();
        sockets = lo.host().socketLayer();
        threads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "socket-caller");
            t.setDaemon(true);
            return t;
        });
        listener = lo.listen(PORT, 16);
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        threads.shutdownNow();
        assertThat(threads.awaitTermination(60, TimeUnit.SECONDS)).as("caller threads ended").isTrue();
        lo.close();
    }

    /** A connected pair {writer, reader}, both blocking. */
    private int[] blockingPair() throws ErrnoException {
        int[] pair = lo.connectPair(listener, PORT);
        lo.api().setNonBlocking(pair[0], false);
        lo.api().setNonBlocking(pair[1], false);
        return pair;
    }

    /**
     * Runs the network (virtual time in 1 ms steps) until {@code done}, failing after
     * {@code maxSteps} steps or the wall-clock bound; between steps, waits until every caller
     * still inside a call is asleep in it, so that each step sees what the callers did.
     */
    private void driveUntil(BooleanSupplier done, int maxSteps, String what) {
        long wallDeadline = System.nanoTime() + BOUND_NANOS;
        for (int step = 0; !done.getAsBoolean(); step++) {
            assertThat(step).as("virtual milliseconds waiting for " + what).isLessThan(maxSteps);
            assertThat(System.nanoTime()).as("wall-clock bound waiting for " + what).isLessThan(wallDeadline);
            lo.advance(1, TimeUnit.MILLISECONDS);
            Thread.onSpinWait();
        }
    }

    /** Waits (bounded, without moving time) until {@code n} callers are asleep in blocking calls with no wake-up pending. */
    private void awaitParked(int n) {
        long wallDeadline = System.nanoTime() + BOUND_NANOS;
        while (sockets.parkedCallers() < n) {
            assertThat(System.nanoTime()).as("wall-clock bound waiting for " + n + " parked callers").isLessThan(wallDeadline);
            lo.runUntilIdle();
            Thread.onSpinWait();
        }
    }

    private static <T> T result(Future<T> future) throws Exception {
        return future.get(60, TimeUnit.SECONDS);
    }

    /**
     * Drives the network, reading {@code fd} without blocking, until {@code total} bytes came
     * and every writer returned; returns the bytes.
     */
    private byte[] readAll(int fd, int total, List<Future<Integer>> writers, int maxSteps) {
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        driveUntil(() -> {
            try {
                readAvailable(fd, stream);
            } catch (ErrnoException e) {
                throw new AssertionError(e);
            }
            return stream.size() >= total && writers.stream().allMatch(Future::isDone);
        }, maxSteps, total + " bytes and the writers' return");
        return stream.toByteArray();
    }

    /** Reads what {@code fd} (blocking) has, without blocking; adds it to {@code into}. */
    private void readAvailable(int fd, ByteArrayOutputStream into) throws ErrnoException {
        ByteBuffer buf = ByteBuffer.allocate(1 << 16);
        while (true) {
            buf.clear();
            int n;
            try {
                n = lo.api().recv(fd, buf, MSG_DONTWAIT);
            } catch (ErrnoException e) {
                if (e.errno() == Errno.EAGAIN) {
                    return;
                }
                throw e;
            }
            if (n == 0) {
                return;
            }
            into.write(buf.array(), 0, n);
        }
    }

    // ---- several writers

    private static final int RECORD = 1000;

    /** Writer {@code w}'s record {@code seq}: its two numbers, then bytes that follow from them. */
    private static byte[] record(int w, int seq) {
        byte[] r = new byte[RECORD];
        r[0] = (byte) w;
        r[1] = (byte) (seq >> 8);
        r[2] = (byte) seq;
        for (int i = 3; i < RECORD; i++) {
            r[i] = (byte) (w * 31 + seq * 7 + i);
        }
        return r;
    }

    /**
     * Writes that find room are contiguous: four threads each write 40 records of 1,000 bytes
     * with blocking sends into a send buffer that holds them all, and the stream is the 160
     * records each whole, each writer's in its order.
     */
    @Test
    void writesThatFindRoomStayContiguousAndInEachWritersOrder() throws Exception {
        int writers = 4;
        int perWriter = 40;
        int[] pair = blockingPair();
        lo.api().setsockopt(pair[0], SOL_SOCKET, SO_SNDBUF, 1 << 20); // capped at wmem_max, doubled: 416 KiB
        // All writers start each record together, so that the writes overlap as much as they can.
        CyclicBarrier together = new CyclicBarrier(writers);
        List<Future<Integer>> results = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            int writer = w;
            results.add(threads.submit(() -> {
                int sent = 0;
                for (int seq = 0; seq < perWriter; seq++) {
                    together.await(60, TimeUnit.SECONDS);
                    sent += lo.api().send(pair[0], ByteBuffer.wrap(record(writer, seq)), 0);
                }
                return sent;
            }));
        }
        int total = writers * perWriter * RECORD;
        byte[] bytes = readAll(pair[1], total, results, 60_000);
        for (Future<Integer> r : results) {
            assertThat(result(r)).isEqualTo(perWriter * RECORD);
        }
        assertThat(bytes).hasSize(total);
        int[] nextSeq = new int[writers];
        for (int at = 0; at < total; at += RECORD) {
            int w = bytes[at];
            assertThat(w).as("writer of the record at %d", at).isBetween(0, writers - 1);
            int seq = ((bytes[at + 1] & 0xff) << 8) | (bytes[at + 2] & 0xff);
            assertThat(seq).as("writer %d's record at %d", w, at).isEqualTo(nextSeq[w]);
            byte[] expected = record(w, seq);
            for (int i = 0; i < RECORD; i++) {
                if (bytes[at + i] != expected[i]) {
                    throw new AssertionError("record " + w + "/" + seq + " at " + at + " is broken at byte " + i
                            + ": another write came inside it");
                }
            }
            nextSeq[w]++;
        }
        assertThat(nextSeq).containsOnly(perWriter);
    }

    /**
     * Writes larger than the send buffer wait for room in parts and may interleave (as on
     * Linux), but every byte arrives once and each writer's bytes stay in its order: each
     * byte carries its writer in the top two bits and its place in that writer's stream, modulo
     * 64, in the low six.
     */
    @Test
    void writesLargerThanTheBufferLoseNothingAndKeepEachWritersOrder() throws Exception {
        int writers = 3;
        int writes = 2;
        int writeLength = 300_000; // the send buffer is 128 KiB
        int[] pair = blockingPair();
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Integer>> results = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            int writer = w;
            results.add(threads.submit(() -> {
                start.await();
                int sent = 0;
                for (int k = 0; k < writes; k++) {
                    byte[] data = new byte[writeLength];
                    for (int i = 0; i < writeLength; i++) {
                        data[i] = (byte) (writer << 6 | ((k * writeLength + i) & 63));
                    }
                    sent += lo.api().send(pair[0], ByteBuffer.wrap(data), 0);
                }
                return sent;
            }));
        }
        start.countDown();
        int total = writers * writes * writeLength;
        byte[] bytes = readAll(pair[1], total, results, 120_000);
        for (Future<Integer> r : results) {
            assertThat(result(r)).isEqualTo(writes * writeLength);
        }
        assertThat(bytes).hasSize(total);
        long[] count = new long[writers];
        for (int at = 0; at < bytes.length; at++) {
            int w = (bytes[at] & 0xff) >> 6;
            assertThat(w).isLessThan(writers);
            if ((bytes[at] & 63) != (count[w] & 63)) {
                throw new AssertionError("writer " + w + "'s byte " + count[w] + " at " + at + " is out of its order");
            }
            count[w]++;
        }
        assertThat(count).containsOnly((long) writes * writeLength);
    }

    // ---- several readers

    /**
     * Four threads blocked in {@code recv} on one socket share a stream sent in rounds of 200
     * bytes (each byte its offset in the round); every read is a contiguous run, and each round's
     * runs, from all readers, cover it exactly once.
     */
    @Test
    void concurrentReadersGetContiguousRunsThatMakeTheStreamOnce() throws Exception {
        int readers = 4;
        int rounds = 30;
        int roundLength = 200;
        int[] pair = blockingPair();
        ConcurrentLinkedQueue<byte[]> runs = new ConcurrentLinkedQueue<>();
        List<Future<Integer>> results = new ArrayList<>();
        for (int r = 0; r < readers; r++) {
            results.add(threads.submit(() -> {
                int got = 0;
                ByteBuffer buf = ByteBuffer.allocate(64);
                while (true) {
                    buf.clear();
                    int n = lo.api().recv(pair[1], buf, 0);
                    if (n == 0) {
                        return got; // end of stream
                    }
                    byte[] run = new byte[n];
                    buf.flip().get(run);
                    runs.add(run);
                    got += n;
                }
            }));
        }
        int readBytes = 0;
        for (int round = 0; round < rounds; round++) {
            awaitParked(readers);
            byte[] data = new byte[roundLength];
            for (int i = 0; i < roundLength; i++) {
                data[i] = (byte) i;
            }
            // Four writes, so that the readers wake more than once in a round.
            for (int part = 0; part < 4; part++) {
                assertThat(lo.api().send(pair[0], ByteBuffer.wrap(data, part * 50, 50), 0)).isEqualTo(50);
            }
            int[] covered = new int[roundLength];
            int[] received = {0};
            driveUntil(() -> {
                byte[] run;
                while ((run = runs.poll()) != null) {
                    int first = run[0] & 0xff;
                    for (int i = 0; i < run.length; i++) {
                        assertThat(run[i] & 0xff).as("byte %d of a %d-byte read", i, run.length).isEqualTo(first + i);
                        covered[first + i]++;
                    }
                    received[0] += run.length;
                }
                return received[0] >= roundLength;
            }, 10_000, "round " + round);
            assertThat(received[0]).isEqualTo(roundLength);
            assertThat(covered).as("round %d: each byte read once", round).containsOnly(1);
            readBytes += received[0];
        }
        lo.api().shutdown(pair[0], SHUT_WR);
        driveUntil(() -> results.stream().allMatch(Future::isDone), 10_000, "the readers to see the end of the stream");
        int perReaderTotal = 0;
        for (Future<Integer> r : results) {
            perReaderTotal += result(r);
        }
        assertThat(perReaderTotal).isEqualTo(readBytes).isEqualTo(rounds * roundLength);
        assertThat(runs).isEmpty();
    }

    // ---- close and shutdown while others are blocked

    /** Fills the send buffer of {@code fd} and the peer's receive window (the peer not reading). */
    private void fillSendBuffer(int fd) throws ErrnoException {
        lo.api().setNonBlocking(fd, true);
        byte[] chunk = new byte[16_384];
        int steps = 0;
        while (true) {
            try {
                lo.api().send(fd, ByteBuffer.wrap(chunk), 0);
            } catch (ErrnoException e) {
                assertThat(e.errno()).isEqualTo(Errno.EAGAIN);
                lo.advance(1, TimeUnit.SECONDS); // the window is closed: nothing moves any more
                try {
                    lo.api().send(fd, ByteBuffer.wrap(chunk), 0);
                } catch (ErrnoException still) {
                    assertThat(still.errno()).isEqualTo(Errno.EAGAIN);
                    break;
                }
            }
            assertThat(++steps).as("sends until the buffers are full").isLessThan(10_000);
            lo.runUntilIdle();
        }
        lo.api().setNonBlocking(fd, false);
    }

    /** Three threads asleep in calls: {@code recv} and {@code send} on {@code fd}, {@code accept} on the listener. */
    private record Blocked(int fd, Future<Integer> recv, Future<Integer> send, Future<Integer> accept) {
    }

    /**
     * A connection whose send buffer and peer window are full (the peer reads nothing), with
     * one thread blocked in {@code recv} and one in {@code send} on it (nothing of that write
     * taken), and one in {@code accept} on the listener, all three asleep.
     */
    private Blocked blockRecvSendAndAccept() throws ErrnoException {
        int[] pair = blockingPair();
        lo.api().setsockopt(pair[1], SOL_SOCKET, SO_RCVBUF, 4096);
        fillSendBuffer(pair[0]);
        lo.api().setNonBlocking(listener, false);
        Blocked blocked = new Blocked(pair[0], threads.submit(() -> lo.api().recv(pair[0], ByteBuffer.allocate(100), 0)),
                threads.submit(() -> lo.api().send(pair[0], ByteBuffer.wrap(new byte[10_000]), 0)),
                threads.submit(() -> lo.api().accept(listener, 0).fd()));
        awaitParked(3);
        return blocked;
    }

    private static Errno errnoOf(Future<Integer> call) throws InterruptedException, TimeoutException {
        try {
            Integer value = call.get(60, TimeUnit.SECONDS);
            throw new AssertionError("the call returned " + value + " instead of failing");
        } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(ErrnoException.class);
            return ((ErrnoException) e.getCause()).errno();
        }
    }

    /**
     * {@code close} from one thread while others are blocked on the descriptor in
     * {@code recv}, {@code send} (the buffer full, nothing of this write taken yet) and
     * {@code accept}: each wakes and fails with EBADF, without anything more from the network.
     */
    @Test
    void closeWakesThreadsBlockedOnTheDescriptorWithEbadf() throws Exception {
        Blocked blocked = blockRecvSendAndAccept();
        assertThat(sockets.blockedCallers(blocked.fd())).isEqualTo(2);
        assertThat(sockets.blockedCallers(listener)).isEqualTo(1);

        lo.api().close(blocked.fd());
        lo.api().close(listener);
        assertThat(errnoOf(blocked.recv())).isEqualTo(Errno.EBADF);
        assertThat(errnoOf(blocked.send())).isEqualTo(Errno.EBADF);
        assertThat(errnoOf(blocked.accept())).isEqualTo(Errno.EBADF);
        lo.runUntilIdle();
    }

    /**
     * {@code shutdown(SHUT_RDWR)} wakes them as on Linux: {@code recv} returns 0 (end of
     * stream), {@code send} fails with EPIPE, and {@code accept} on a listener shut down fails
     * with EINVAL ({@code inet_shutdown} disconnects it); the descriptors stay open.
     */
    @Test
    void shutdownWakesThreadsBlockedOnTheSocketAsLinuxDoes() throws Exception {
        Blocked blocked = blockRecvSendAndAccept();

        lo.api().shutdown(blocked.fd(), SHUT_RDWR);
        lo.api().shutdown(listener, SHUT_RDWR);
        assertThat(result(blocked.recv())).isZero();
        assertThat(errnoOf(blocked.send())).isEqualTo(Errno.EPIPE);
        assertThat(errnoOf(blocked.accept())).isEqualTo(Errno.EINVAL);
        lo.api().close(blocked.fd());
        lo.runUntilIdle();
    }
}
