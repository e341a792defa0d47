package net.tern.core.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.PooledByteBufAllocator;
import java.lang.reflect.Proxy;
import java.util.HashMap;
import java.util.Map;
import net.tern.core.packet.PooledPacketAllocator;
import net.tern.spi.net.Packet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionContext;

/** The leak check's callbacks, driven by hand on a fake extension context. */
class PacketLeakCheckTest {
    private final PacketLeakCheck check = new PacketLeakCheck();

    /** An ExtensionContext with a working store and a display name; nothing else is used. */
    private static ExtensionContext fakeContext(String displayName) {
        Map<Object, Object> values = new HashMap<>();
        ExtensionContext.Store store = (ExtensionContext.Store) Proxy.newProxyInstance(
                PacketLeakCheckTest.class.getClassLoader(), new Class<?>[] {ExtensionContext.Store.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "put" -> values.put(args[0], args[1]);
                    case "get" -> values.get(args[0]);
                    case "remove" -> values.remove(args[0]);
                    default -> throw new UnsupportedOperationException(method.getName());
                });
        return (ExtensionContext) Proxy.newProxyInstance(
                PacketLeakCheckTest.class.getClassLoader(), new Class<?>[] {ExtensionContext.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "getStore" -> store;
                    case "getDisplayName" -> displayName;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    @Test
    void failsATestThatLeavesAPacketUnreleasedAndSaysWhereItWasAllocated() {
        PooledPacketAllocator allocator = new PooledPacketAllocator(PooledByteBufAllocator.DEFAULT, true);
        ExtensionContext context = fakeContext("leakyTest()");
        check.beforeEach(context);
        Packet leaked = allocator.allocate(0, 16);
        try {
            assertThatThrownBy(() -> check.afterEach(context))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("leakyTest(): 1 packet(s) allocated during the test were not released")
                    .hasMessageContaining("failsATestThatLeavesAPacketUnreleasedAndSaysWhereItWasAllocated");
        } finally {
            leaked.release();
        }
    }

    @Test
    void withoutAllocationSitesItStillFailsOnTheCount() {
        PooledPacketAllocator counting = new PooledPacketAllocator(PooledByteBufAllocator.DEFAULT, false);
        ExtensionContext context = fakeContext("countedLeak()");
        check.beforeEach(context);
        Packet leaked = counting.allocate(0, 16);
        try {
            assertThatThrownBy(() -> check.afterEach(context))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("countedLeak(): 1 more packet(s) live")
                    .hasMessageContaining("tern.leakCheck=strict");
        } finally {
            leaked.release();
        }
    }

    @Test
    void passesATestThatReleasesWhatItAllocated() {
        PooledPacketAllocator allocator = new PooledPacketAllocator(PooledByteBufAllocator.DEFAULT, true);
        ExtensionContext context = fakeContext("tidyTest()");
        check.beforeEach(context);
        allocator.allocate(0, 16).release();
        allocator.allocate(8, 16).release();

        assertThatCode(() -> check.afterEach(context)).doesNotThrowAnyException();
    }

    @Test
    void doesNotBlameATestForAPacketAllocatedBeforeItStarted() {
        PooledPacketAllocator allocator = new PooledPacketAllocator(PooledByteBufAllocator.DEFAULT, true);
        Packet earlier = allocator.allocate(0, 16);
        try {
            ExtensionContext context = fakeContext("innocentTest()");
            check.beforeEach(context);
            allocator.allocate(0, 16).release();

            assertThatCode(() -> check.afterEach(context)).doesNotThrowAnyException();
        } finally {
            earlier.release();
        }
    }

    @Test
    void listsEveryLeakedPacket() {
        PooledPacketAllocator allocator = new PooledPacketAllocator(PooledByteBufAllocator.DEFAULT, true);
        ExtensionContext context = fakeContext("leaksThree()");
        check.beforeEach(context);
        Packet[] leaked = {allocator.allocate(0, 1), allocator.allocate(0, 2), allocator.allocate(0, 3)};
        try {
            Throwable failure = org.assertj.core.api.Assertions.catchThrowable(() -> check.afterEach(context));
            assertThat(failure).hasMessageContaining("3 packet(s)");
            assertThat(failure.getMessage().split("allocated on thread", -1)).hasSize(4);
        } finally {
            for (Packet p : leaked) {
                p.release();
            }
        }
    }
}
