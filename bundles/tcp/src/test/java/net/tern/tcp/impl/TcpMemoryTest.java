package net.tern.tcp.impl;

import static net.tern.api.socket.SocketConstants.EPOLLOUT;
import static net.tern.api.socket.SocketConstants.SOL_SOCKET;
import static net.tern.api.socket.SocketConstants.SOL_TCP;
import static net.tern.api.socket.SocketConstants.SO_RCVBUF;
import static net.tern.api.socket.SocketConstants.TCP_INFO;
import static net.tern.wire.TcpPacket.ACK;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.TcpInfo;
import net.tern.inet.sock.ProtoMemory;
import net.tern.tcp.testing.Seg;
import org.junit.jupiter.api.Test;

/**
 * TCP's memory accounting ({@link TcpMemory}): receive and send queues charged at their true
 * size against {@code SO_RCVBUF} / {@code SO_SNDBUF} and {@code tcp_mem}; pruning of the
 * out-of-order queue as {@code tcp_prune_queue} does; memory pressure; in virtual time
 * against the scripted peer.
 */
class TcpMemoryTest extends ScriptedPeerTestBase {
    private static final int PEER_ISN = 70_000;
    private static final int MSS = 1448;

    TcpMemoryTest() {
        super(PEER_ISN);
    }

    /** Connects to the peer, which offers MSS 1460, SACK and window scale 7 (no timestamps: 1448-byte segments). */
    private Conn open() throws ErrnoException {
        return open(0);
    }

    /**
     * An established connection; with {@code rcvbuf} > 0 its receive buffer set with
     * {@code SO_RCVBUF} (and so not autotuned: a buffer at its budget would first grow, up to
     * {@code tcp_rmem[2]}, while TCP's memory is under {@code tcp_mem}'s min).
     */
    private Conn open(int rcvbuf) throws ErrnoException {
        int fd = socket();
        if (rcvbuf > 0) {
            api.setsockopt(fd, SOL_SOCKET, SO_RCVBUF, rcvbuf);
        }
        Seg syn = connectToPeer(fd);
        peer.inject(synAckTo(syn).mss(1460 + 12).sackOk().wscale(7).window(65535).build());
        assertThat(peer.emittedOne().flagString()).isEqualTo(".");
        return established(fd, syn);
    }

    private TcpSock sockOf(Conn c) {
        return peer.host().tcp().sockets().stream().filter(s -> s.num() == c.port()).findFirst().orElseThrow();
    }

    private ProtoMemory pool() {
        return peer.host().tcp().memoryPool();
    }

    private long counter(TcpExtMib m) {
        return peer.host().counter(m);
    }

    private void tcpMem(long min, long pressure, long max) {
        TcpSettings s = peer.host().tcp().settings();
        peer.host().tcp().reconfigure(s.withMemory(s.memory().withTcpMem(new ProtoMemory.Limits(min, pressure, max))));
    }

    /** The peer's stream: the byte at stream offset {@code offset} (0 is the first after the SYN). */
    private static byte streamByte(long offset) {
        return (byte) (offset * 31 + (offset >>> 9));
    }

    private static byte[] stream(long offset, int length) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = streamByte(offset + i);
        }
        return b;
    }

    /** The peer's data segment of {@code length} bytes at stream offset {@code offset}. */
    private Seg data(Conn c, long offset, int length) {
        return fromPeer(c).flags(ACK).seq(PEER_ISN + 1 + (int) offset).ack(c.nxt(0)).payload(stream(offset, length))
                .build();
    }

    /** Sends {@code bytes} of the stream in order from {@code offset}, in MSS-sized segments. */
    private long sendInOrder(Conn c, long offset, int bytes) {
        long end = offset + bytes;
        while (offset < end) {
            int n = (int) Math.min(MSS, end - offset);
            peer.inject(data(c, offset, n));
            offset += n;
        }
        peer.discardEmitted();
        return offset;
    }

    /** Reads what is queued on {@code c} and checks it is the stream from {@code offset}; returns the bytes read. */
    private int readChecked(Conn c, long offset) throws ErrnoException {
        int total = 0;
        ByteBuffer buf = ByteBuffer.allocate(1 << 16);
        while (true) {
            buf.clear();
            int n;
            try {
                n = api.recv(c.fd(), buf, 0);
            } catch (ErrnoException e) {
                assertThat(e.errno()).isEqualTo(Errno.EAGAIN);
                return total;
            }
            assertThat(java.util.Arrays.copyOf(buf.array(), n)).as("bytes from %d", offset + total)
                    .isEqualTo(stream(offset + total, n));
            total += n;
        }
    }

    private static long usedHeapAfterGc() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return memory.getHeapMemoryUsage().getUsed();
    }

    /**
     * The flood: 200 MB of segments far ahead of {@code rcv_nxt}, all inside the window, the
     * first byte never sent. Full-sized ones over the lower half of the window repeat what is
     * held (one run, no growth: {@code TCPOFOMerge}); bursts of tiny ones with gaps in the upper
     * half make more runs than the socket's budget allows, so the far ones are pruned
     * ({@code OfoPruned}) and segments that could only land after everything held are dropped
     * ({@code RcvPruned}, {@code TCPOFODrop}). After every segment the socket's charge is within
     * {@code SO_RCVBUF} and TCP's within {@code tcp_mem}'s max, and the ACK does not move. When
     * the hole is filled, what was held from it on is delivered at once and correct, and the
     * rest comes with the peer's retransmission.
     */
    @Test
    void aFloodOfFarAheadOutOfOrderDataStaysWithinTheBudgetAndPrunesFromTheFarEnd() throws Exception {
        Conn c = open(128 << 10); // doubled: the 256 KiB default buffer, fixed
        TcpSock sk = sockOf(c);
        int window = sk.rcv().rcvWnd();
        // Half of the buffer in whole segments, aligned up to the window scale's unit: 129940 is
        // offered as 130048, as Linux 6.18 does (ALIGN in __tcp_select_window).
        assertThat(window).isEqualTo(130048);
        int half = window / 2;
        List<byte[]> fullSegments = new ArrayList<>();
        for (int offset = 1; offset < half; offset += MSS) {
            fullSegments.add(data(c, offset, Math.min(MSS, half - offset)).toDatagram());
        }
        SplittableRandom random = new SplittableRandom(11);
        List<byte[]> tinySegments = new ArrayList<>();
        for (int i = 0; i < 12_000; i++) {
            int length = random.nextInt(1, 17);
            tinySegments.add(data(c, random.nextLong(half, window - length), length).toDatagram());
        }
        long heapBefore = usedHeapAfterGc();
        long flooded = 0;
        long segments = 0;
        long peakRmem = 0;
        long peakPages = 0;
        int round = 0;
        int sackChecks = 0;
        boolean clamped = false;
        while (flooded < 200L << 20) {
            for (byte[] d : fullSegments) {
                peer.inject(d);
                flooded += d.length - 40;
                segments++;
                peakRmem = Math.max(peakRmem, sk.mem().rmemAlloc());
                assertThat(sk.mem().rmemAlloc()).isLessThanOrEqualTo(sk.rcvbuf());
                peer.discardEmitted();
            }
            if (round++ % 32 == 0) {
                int from = (round / 32 % 4) * 3000;
                for (int i = from; i < from + 3000; i++) {
                    byte[] d = tinySegments.get(i);
                    peer.inject(d);
                    flooded += d.length - 40;
                    segments++;
                    peakRmem = Math.max(peakRmem, sk.mem().rmemAlloc());
                    peakPages = Math.max(peakPages, pool().allocatedPages());
                    clamped |= sk.rcv().rcvSsthresh() == 2 * 1460;
                    assertThat(sk.mem().rmemAlloc()).as("receive memory after %d segments", segments)
                            .isLessThanOrEqualTo(sk.rcvbuf());
                    assertThat(pool().allocatedPages()).isLessThanOrEqualTo(pool().limits().max());
                    if (i % 97 == 0) {
                        // SACK blocks tell only what is held now (RFC 2018 lets a receiver renege).
                        for (Seg ack : peer.emitted()) {
                            assertThat(ack.ack()).isEqualTo(PEER_ISN + 1);
                            for (int b = 0; b < ack.options().sackBlockCount; b++) {
                                long start = ack.options().sackBlocks[2 * b] - (PEER_ISN + 1L);
                                long end = ack.options().sackBlocks[2 * b + 1] - (PEER_ISN + 1L);
                                assertThat(start < end && sk.rcv().outOfOrder().covers(start, end))
                                        .as("SACK block %d..%d", start, end).isTrue();
                            }
                            sackChecks++;
                        }
                    } else {
                        peer.discardEmitted();
                    }
                }
            }
            assertThat(sk.rcv().rcvNxt()).isEqualTo(PEER_ISN + 1);
        }
        long heapAfter = usedHeapAfterGc();
        long ofoQueue = counter(TcpExtMib.TCPOFOQueue);
        long ofoDrop = counter(TcpExtMib.TCPOFODrop);
        System.out.printf("flood: %d MB in %d segments; peak receive memory %d of %d (SO_RCVBUF), peak tcp_mem %d"
                + " pages; PruneCalled %d OfoPruned %d RcvPruned %d TCPOFODrop %d TCPOFOQueue %d TCPOFOMerge %d"
                + " TCPDSACKOfoSent %d; heap after GC %d KiB before, %d KiB after%n", flooded >> 20, segments, peakRmem,
                sk.rcvbuf(), peakPages, counter(TcpExtMib.PruneCalled), counter(TcpExtMib.OfoPruned),
                counter(TcpExtMib.RcvPruned), ofoDrop, ofoQueue, counter(TcpExtMib.TCPOFOMerge),
                counter(TcpExtMib.TCPDSACKOfoSent), heapBefore >> 10, heapAfter >> 10);
        // Every out-of-order segment was queued or dropped; drops only when pruning could not make
        // room (RcvPruned): tcp_mem never refused here.
        assertThat(ofoQueue + ofoDrop).isEqualTo(segments);
        assertThat(counter(TcpExtMib.PruneCalled)).isPositive();
        assertThat(counter(TcpExtMib.OfoPruned)).isPositive().isLessThanOrEqualTo(counter(TcpExtMib.PruneCalled));
        assertThat(ofoDrop).isPositive().isEqualTo(counter(TcpExtMib.RcvPruned));
        assertThat(counter(TcpExtMib.TCPOFOMerge)).isPositive();
        assertThat(counter(TcpExtMib.TCPDSACKOfoSent)).isEqualTo(counter(TcpExtMib.TCPOFOMerge));
        assertThat(counter(TcpExtMib.TCPRcvQDrop)).isZero();
        assertThat(counter(TcpExtMib.TCPMemoryPressures)).isZero();
        assertThat(sackChecks).isPositive();

        // The hole fills: the run held from offset 1, if any, comes with it at once.
        long firstRunEnd = sk.rcv().outOfOrder().reach(1);
        peer.inject(data(c, 0, 1));
        Seg ack = peer.emitted().get(0);
        assertThat(ack.ack()).isEqualTo(PEER_ISN + 1 + (int) firstRunEnd);
        assertThat(readChecked(c, 0)).isEqualTo(firstRunEnd);
        // At its budget the socket clamped its window to two segments (tcp_clamp_window); it
        // grows back with the data that come in order.
        assertThat(clamped).isTrue();
        // The peer sends the rest again, within the window offered (its retransmission after the
        // SACKs it saw were taken back); everything acknowledged reaches the reader, correct.
        long next = firstRunEnd;
        long end = window;
        while (next < end) {
            int offered = sk.rcv().rcvWup() + sk.rcv().rcvWnd() - (PEER_ISN + 1 + (int) next);
            assertThat(offered).isPositive();
            long sent = sendInOrder(c, next, (int) Math.min(offered, end - next));
            assertThat(readChecked(c, next)).isEqualTo(sent - next);
            next = sent;
        }
        assertThat(sk.rcv().rcvNxt()).isEqualTo(PEER_ISN + 1 + window);
        assertThat(api.getsockopt(c.fd(), SOL_TCP, TCP_INFO, TcpInfo.class).rcvSsthresh()).isGreaterThan(8 * 1460);
        assertThat(sk.rcv().outOfOrder().isEmpty()).isTrue();
    }

    /**
     * Which counters move, as Linux 6.18 moves them (interop/linux-ofo-prune.py: 200 one-byte
     * segments at odd offsets 1..399 to a socket with {@code SO_RCVBUF} 4096, the hole at
     * {@code rcv_nxt}): when each segment would land after everything held, pruning cannot drop
     * anything (it stops at runs before the arriving segment), so each one past the budget is
     * {@code PruneCalled}, {@code RcvPruned} and {@code TCPOFODrop}, never {@code OfoPruned},
     * and is not answered (Linux: 190 of each, 10 queued and answered); when each
     * lands before everything held, pruning drops the far ones and every segment is queued and
     * answered ({@code PruneCalled} = {@code OfoPruned}, no drops; Linux: 95 and 95, 200
     * queued). Tern holds more of them (a run costs 112 bytes where a one-byte skb costs about
     * 800), so the numbers differ and the pattern is the same.
     */
    @Test
    void segmentsLandingLastAreDroppedAndSegmentsLandingFirstPruneTheFarEndAsLinuxCounts() throws Exception {
        for (boolean ascending : new boolean[] {true, false}) {
            tearDown();
            setUp();
            int fd = socket();
            api.setsockopt(fd, net.tern.api.socket.SocketConstants.SOL_SOCKET,
                    net.tern.api.socket.SocketConstants.SO_RCVBUF, 4096);
            Seg syn = connectToPeer(fd);
            peer.inject(synAckTo(syn).mss(1460).sackOk().wscale(7).window(65535).build());
            peer.emitted();
            Conn c = established(fd, syn);
            TcpSock sk = sockOf(c);
            int answered = 0;
            for (int i = 0; i < 200; i++) {
                int offset = ascending ? 1 + 2 * i : 399 - 2 * i;
                peer.inject(data(c, offset, 1));
                answered += peer.emitted().size();
                assertThat(sk.mem().rmemAlloc()).isLessThanOrEqualTo(sk.rcvbuf());
            }
            long queued = counter(TcpExtMib.TCPOFOQueue);
            if (ascending) {
                assertThat(queued).isBetween(10L, 199L);
                assertThat(counter(TcpExtMib.TCPOFODrop)).isEqualTo(200 - queued);
                assertThat(counter(TcpExtMib.RcvPruned)).isEqualTo(200 - queued);
                assertThat(counter(TcpExtMib.PruneCalled)).isEqualTo(200 - queued);
                assertThat(counter(TcpExtMib.OfoPruned)).isZero();
                assertThat(answered).isEqualTo(queued);
                assertThat(sk.rcv().outOfOrder().lastRunStart()).isEqualTo(2 * queued - 1); // the first ones stay
            } else {
                assertThat(queued).isEqualTo(200);
                assertThat(counter(TcpExtMib.TCPOFODrop)).isZero();
                assertThat(counter(TcpExtMib.RcvPruned)).isZero();
                assertThat(counter(TcpExtMib.OfoPruned)).isPositive().isEqualTo(counter(TcpExtMib.PruneCalled));
                assertThat(answered).isEqualTo(200);
                assertThat(sk.rcv().outOfOrder().covers(1, 2)).isTrue(); // the nearest one stays
            }
        }
    }

    @Test
    void memoryPressureStartsOverThePressureMarkClampsWindowsAndEndsUnderMin() throws Exception {
        tcpMem(20, 40, 1000);
        Conn a = open();
        Conn b = open();
        Conn c = open();
        sendInOrder(a, 0, 50 * MSS);
        assertThat(pool().underPressure()).isFalse();
        sendInOrder(b, 0, 50 * MSS); // each ring now 128 KiB: 64 pages > 40
        assertThat(pool().underPressure()).isTrue();
        assertThat(counter(TcpExtMib.TCPMemoryPressures)).isEqualTo(1);
        long enteredAt = peer.time().nanoTime();

        // Under pressure the window c offers stops at four segments once the edge offered before is used.
        TcpSock skc = sockOf(c);
        long cOffset = sendInOrder(c, 0, 1000);
        assertThat(api.getsockopt(c.fd(), SOL_TCP, TCP_INFO, TcpInfo.class).rcvSsthresh()).isEqualTo(4 * 1460);
        cOffset = sendInOrder(c, cOffset, skc.rcv().rcvWup() + skc.rcv().rcvWnd() - skc.rcv().rcvNxt());
        assertThat(readChecked(c, 0)).isEqualTo(cOffset);
        Seg update = peer.emitted().get(0);
        assertThat(((long) update.window() << 7)).isBetween(1L, 4L * 1460 + 127);
        assertThat(pool().underPressure()).isTrue();

        peer.advance(1500, TimeUnit.MILLISECONDS);
        assertThat(readChecked(a, 0)).isEqualTo(50 * MSS);
        assertThat(readChecked(b, 0)).isEqualTo(50 * MSS);
        // The emptied rings gave their memory back: under min, pressure ends and its length is counted.
        assertThat(pool().allocatedPages()).isLessThan(20);
        assertThat(pool().underPressure()).isFalse();
        long expectedMillis = (peer.time().nanoTime() - enteredAt) / 1_000_000;
        assertThat(counter(TcpExtMib.TCPMemoryPressuresChrono)).isEqualTo(expectedMillis);
        assertThat(expectedMillis).isGreaterThanOrEqualTo(1500);

        // Out of pressure, the window grows back with the data that arrive.
        peer.discardEmitted();
        sendInOrder(c, cOffset, 3 * MSS);
        assertThat(api.getsockopt(c.fd(), SOL_TCP, TCP_INFO, TcpInfo.class).rcvSsthresh()).isGreaterThan(4 * 1460);
    }

    @Test
    void overTcpMemMaxArrivingDataAreDroppedAndCountedAndSendersWait() throws Exception {
        tcpMem(8, 16, 40);
        Conn a = open();
        // a's queue: the 50 segments kept in their packets, each charged its truesize (a pooled
        // buffer of 1,792 bytes and the packet's 256): 100 KiB, 25 pages.
        sendInOrder(a, 0, 50 * MSS);
        assertThat(sockOf(a).mem().rmemAlloc()).isEqualTo(50 * 2048);
        assertThat(pool().allocatedPages()).isEqualTo(25);
        Conn b = open();

        // b's ring may grow to the max, then it is refused: in-order data with the reader's
        // queue not empty are dropped (TCPRcvQDrop), and the ACK says where b is.
        TcpSock skb = sockOf(b);
        long offset = 0;
        while (counter(TcpExtMib.TCPRcvQDrop) == 0) {
            peer.inject(data(b, offset, MSS));
            List<Seg> acks = peer.emitted();
            if (counter(TcpExtMib.TCPRcvQDrop) == 0) {
                offset += MSS;
            } else {
                assertThat(acks).isNotEmpty();
                assertThat(acks.get(acks.size() - 1).ack()).isEqualTo(PEER_ISN + 1 + (int) offset);
            }
            assertThat(pool().allocatedPages()).isLessThanOrEqualTo(40);
            assertThat(offset).isLessThan(64 * MSS);
        }
        assertThat(skb.rcv().rcvNxt()).isEqualTo(PEER_ISN + 1 + (int) offset);
        assertThat(counter(TcpExtMib.PruneCalled)).isPositive();
        // Out-of-order data needing memory are dropped too (TCPOFODrop), without an ACK.
        peer.inject(data(b, offset + 20 * MSS, MSS));
        assertThat(counter(TcpExtMib.TCPOFODrop)).isEqualTo(1);
        assertThat(peer.emitted()).isEmpty();

        // A sender, with the max lowered to what is held now (in place): its first write is taken
        // (one segment, whatever the limit), then it waits, with what fits in the memory it holds queued.
        long full = pool().allocatedPages();
        tcpMem(8, 16, full);
        Conn s = open();
        TcpSock sks = sockOf(s);
        assertThat(api.send(s.fd(), ByteBuffer.wrap(new byte[100_000]), 0)).isEqualTo(sks.opts().mssCache());
        assertThat(pool().allocatedPages()).isEqualTo(full + 1);
        peer.discardEmitted();
        int more = 0;
        try {
            while (true) {
                more += api.send(s.fd(), ByteBuffer.wrap(new byte[10_000]), 0);
            }
        } catch (ErrnoException e) {
            assertThat(e.errno()).isEqualTo(Errno.EAGAIN);
        }
        assertThat(more).isEqualTo(sks.snd().queue().capacity() - sks.opts().mssCache());
        assertThat(sks.snd().memoryLimited()).isTrue();
        assertThat(peer.host().tcp().prot().poll(sks) & EPOLLOUT).isZero();
        // The peer acknowledges: the memory held is free for the next data, the sender may go on.
        peer.inject(fromPeer(s).flags(ACK).seq(PEER_ISN + 1).ack(sks.snd().sndNxt()).window(65535).build());
        assertThat(peer.host().tcp().prot().poll(sks) & EPOLLOUT).isEqualTo(EPOLLOUT);
        assertThat(api.send(s.fd(), ByteBuffer.wrap(new byte[100]), 0)).isEqualTo(100);
        assertThat(pool().allocatedPages()).isEqualTo(full + 1); // the one forced page
        assertThat(readChecked(b, 0)).isEqualTo(offset);
    }

    @Test
    void theSendQueuesStayWithinTheSendBufferAsLinuxCountsIt() throws Exception {
        Conn c = open();
        TcpSock sk = sockOf(c);
        int acked = 0;
        for (int round = 0; round < 40; round++) {
            try {
                while (true) {
                    api.send(c.fd(), ByteBuffer.wrap(new byte[7_000]), 0);
                    // A write starts an skb only below SO_SNDBUF and fills it; the ring holds one skb's most beyond.
                    assertThat(sk.snd().queue().size()).isLessThanOrEqualTo(sk.sendLimit());
                }
            } catch (ErrnoException e) {
                assertThat(e.errno()).isEqualTo(Errno.EAGAIN);
            }
            assertThat(TcpMemory.sndbufUsed(sk)).isGreaterThanOrEqualTo(sk.sndbuf());
            assertThat(sk.mem().wmemQueued()).isEqualTo(TcpMemory.sendTruesize(sk));
            assertThat((long) sk.mem().wmemQueued()).isLessThanOrEqualTo(sk.sendLimit() + ByteRing.ARRAY_OVERHEAD
                    + (long) sk.rtx().size() * TcpMemory.TX_SEGMENT_TRUESIZE);
            assertThat(peer.host().tcp().prot().poll(sk) & EPOLLOUT).isZero();
            peer.discardEmitted();
            // The peer acknowledges half of what is in flight.
            acked += (sk.snd().sndNxt() - sk.snd().sndUna()) / 2;
            peer.inject(fromPeer(c).flags(ACK).seq(PEER_ISN + 1).ack(c.nxt(acked)).window(65535).build());
            assertThat(sk.rtx().skbs()).isLessThanOrEqualTo(sk.rtx().size());
        }
        peer.discardEmitted();
        assertThat(sk.rtx().size()).isGreaterThan(10);
    }

    @Test
    void tcpMemAndTheWindowShareChangeInPlaceThroughTheComponentConfiguration() throws Exception {
        Conn c = open();
        TcpSock sk = sockOf(c);
        sendInOrder(c, 0, 10 * MSS);
        long held = pool().allocatedPages();
        assertThat(held).isPositive();
        TcpSettings before = peer.host().tcp().settings();
        TcpSettings config = TcpInit.settings(TcpReconfigureTest.config(Map.of("tcpMem", "1 2 3", "tcpAdvWinScale", 2,
                "tcpRmemMin", 1000, "tcpWmemMin", 2000)));
        assertThat(config.memory()).isEqualTo(new TcpSettings.Memory(new ProtoMemory.Limits(1, 2, 3), 1000, 2000, 2));
        peer.host().tcp().reconfigure(before.withMemory(config.memory()));
        // The pool keeps what it holds and judges the next charge by the new limits.
        assertThat(pool().limits()).isEqualTo(new ProtoMemory.Limits(1, 2, 3));
        assertThat(pool().rmemMin()).isEqualTo(1000);
        assertThat(pool().allocatedPages()).isEqualTo(held);
        assertThat(pool().underPressure()).isFalse();
        // The window share applies to the next window offered: three quarters of the buffer.
        assertThat(peer.host().tcp().memory().fullSpace(sk)).isEqualTo(sk.rcvbuf() - sk.rcvbuf() / 4);
        peer.inject(data(c, 10 * MSS + 30 * MSS, MSS)); // out of order, needs the ring to grow: refused
        assertThat(counter(TcpExtMib.TCPOFODrop)).isEqualTo(1);
        assertThat(pool().underPressure()).isTrue();
        assertThat(counter(TcpExtMib.TCPMemoryPressures)).isEqualTo(1);
        // An empty string is the default scaled to the heap; a malformed one is refused.
        assertThat(TcpInit.settings(TcpReconfigureTest.config(Map.of("tcpMem", ""))).memory().tcpMem())
                .isEqualTo(TcpSettings.Memory.defaultTcpMem());
        assertThatThrownBy(() -> TcpInit.settings(TcpReconfigureTest.config(Map.of("tcpMem", "3 2 1"))))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(readChecked(c, 0)).isEqualTo(10 * MSS);
    }
}
