package net.tern.core.testing;

import java.util.List;
import net.tern.core.packet.PacketLedger;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test that leaves packets unreleased: {@code @ExtendWith(PacketLeakCheck.class)}.
 *
 * <p>Before each test it notes the {@link PacketLedger}'s allocation sequence and live count;
 * after it, any packet allocated during the test and still live is a leak. With
 * {@code tern.leakCheck=strict} (the build's setting for tests) the failure lists where each
 * leaked packet was allocated; otherwise it gives the count. Only packets from the core's
 * allocator are seen, in the whole process, so finish the test's work (run the network
 * thread until idle) before it ends.
 */
public final class PacketLeakCheck implements BeforeEachCallback, AfterEachCallback {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(PacketLeakCheck.class);
    private static final String MARK = "mark";
    /** Leaks listed in full in one failure; the rest are counted. */
    private static final int MAX_LISTED = 10;

    /** The ledger as it stood when the test started. */
    record Mark(long sequence, long live) {
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        context.getStore(NAMESPACE).put(MARK, new Mark(PacketLedger.allocations(), PacketLedger.live()));
    }

    @Override
    public void afterEach(ExtensionContext context) {
        Mark mark = context.getStore(NAMESPACE).remove(MARK, Mark.class);
        if (mark == null) {
            return;
        }
        List<PacketLedger.Allocation> leaked = PacketLedger.liveSince(mark.sequence());
        if (!leaked.isEmpty()) {
            StringBuilder sb = new StringBuilder();
            sb.append(context.getDisplayName()).append(": ").append(leaked.size())
                    .append(" packet(s) allocated during the test were not released:");
            for (int i = 0; i < Math.min(MAX_LISTED, leaked.size()); i++) {
                sb.append("\n").append(leaked.get(i).describe());
            }
            if (leaked.size() > MAX_LISTED) {
                sb.append("\n... and ").append(leaked.size() - MAX_LISTED).append(" more");
            }
            throw new AssertionError(sb.toString());
        }
        long grown = PacketLedger.live() - mark.live();
        if (grown > 0) {
            throw new AssertionError(context.getDisplayName() + ": " + grown
                    + " more packet(s) live than when the test started (run with -D" + PacketLedger.PROPERTY
                    + "=strict to see where they were allocated)");
        }
    }
}
