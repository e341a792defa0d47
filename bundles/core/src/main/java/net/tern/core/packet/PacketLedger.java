package net.tern.core.packet;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import net.tern.spi.net.Packet;

/**
 * The process-wide account of packets handed out by every {@link PooledPacketAllocator} and
 * not yet released: a count always, and, in strict mode, each live packet's allocation site,
 * so a leak report says where the packet came from. Leak checks in tests read it (the core's
 * counterpart of Netty's {@code ResourceLeakDetector}, but exact rather than sampled).
 *
 * <p>Strict mode is on when the system property {@value #PROPERTY} is {@code strict}; the
 * build sets it for every test. Recording a stack trace per packet is far too slow for
 * production, so it is off otherwise.
 */
public final class PacketLedger {
    /** The system property that turns on allocation-site tracking: {@code tern.leakCheck=strict}. */
    public static final String PROPERTY = "tern.leakCheck";

    private static final AtomicLong ALLOCATIONS = new AtomicLong();
    private static final LongAdder LIVE = new LongAdder();
    private static final Map<Packet, Allocation> SITES = new ConcurrentHashMap<>();

    private PacketLedger() {
    }

    /** Where and when a live packet was allocated. */
    public record Allocation(long sequence, String thread, String packet, StackTraceElement[] site) {
        /** The allocation as a leak report prints it: the packet, thread and stack. */
        public String describe() {
            StringBuilder sb = new StringBuilder();
            sb.append("#").append(sequence).append(' ').append(packet).append(" allocated on thread ").append(thread);
            for (StackTraceElement frame : site) {
                sb.append("\n\tat ").append(frame);
            }
            return sb.toString();
        }
    }

    /** Whether {@value #PROPERTY}{@code =strict} is set. */
    public static boolean strictFromSystemProperty() {
        return "strict".equalsIgnoreCase(System.getProperty(PROPERTY, ""));
    }

    /** Records a new packet; with {@code recordSite}, remembers the caller's stack. */
    static void allocated(Packet packet, boolean recordSite) {
        long sequence = ALLOCATIONS.incrementAndGet();
        LIVE.increment();
        if (recordSite) {
            StackTraceElement[] stack = new Throwable().getStackTrace();
            // Drop the ledger's and the allocator's own frames: the report starts at the caller.
            int skip = 0;
            while (skip < stack.length && isOwnFrame(stack[skip].getClassName())) {
                skip++;
            }
            StackTraceElement[] site = Arrays.copyOfRange(stack, skip, stack.length);
            SITES.put(packet, new Allocation(sequence, Thread.currentThread().getName(), packet.toString(), site));
        }
    }

    private static boolean isOwnFrame(String className) {
        return className.equals(PacketLedger.class.getName())
                || className.equals(PooledPacketAllocator.class.getName());
    }

    static void released(Packet packet) {
        LIVE.decrement();
        if (!SITES.isEmpty()) {
            SITES.remove(packet);
        }
    }

    /** Packets allocated so far in this process; also the sequence number of the latest. */
    public static long allocations() {
        return ALLOCATIONS.get();
    }

    /** Packets allocated and not yet released, across all allocators. */
    public static long live() {
        return LIVE.sum();
    }

    /**
     * The recorded allocation sites of live packets allocated after the one numbered
     * {@code sequence}, oldest first. Empty unless those packets were allocated in strict mode.
     */
    public static List<Allocation> liveSince(long sequence) {
        List<Allocation> result = new ArrayList<>();
        for (Allocation a : SITES.values()) {
            if (a.sequence() > sequence) {
                result.add(a);
            }
        }
        result.sort(Comparator.comparingLong(Allocation::sequence));
        return result;
    }
}
