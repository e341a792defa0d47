package net.tern.tcp.impl;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import net.tern.inet.sock.SkState;
import net.tern.tcp.testing.LoopbackHost;
import org.junit.jupiter.api.Test;

/**
 * What an idle connection holds: parts a connection needs only once data flows (RACK's state,
 * made when data is first acknowledged) are absent after the handshake and at an end that only
 * receives, although every segment it takes carries an ACK, and present once data was
 * acknowledged. The idle-connection
 * memory the benchmarks report depends on it.
 */
class IdleConnectionPartsTest {
    @Test
    void rackStateIsMadeByAcknowledgedDataOnly() throws Exception {
        try (LoopbackHost lo = new LoopbackHost()) {
            int[] pair = lo.connectPair(lo.listen(80, 8), 80);
            lo.runUntilIdle();
            List<TcpSock> established = established(lo);
            assertThat(established).as("both ends established").hasSize(2);
            assertThat(established).allSatisfy(sk -> assertThat(sk.rtx().rackIfMade()).as("RACK state of an idle end").isNull());

            lo.sendAll(pair[0], "data".getBytes(StandardCharsets.US_ASCII), 1000);
            lo.runUntilIdle();
            assertThat(new String(lo.readAvailable(pair[1]), StandardCharsets.US_ASCII)).isEqualTo("data");
            TcpSock sender = established(lo).stream().filter(sk -> sk.num() != 80).findFirst().orElseThrow();
            TcpSock receiver = established(lo).stream().filter(sk -> sk.num() == 80).findFirst().orElseThrow();
            assertThat(sender.rtx().rackIfMade()).as("RACK state once data was acknowledged").isNotNull();
            assertThat(sender.rtx().delivered()).as("segments delivered").isPositive();
            assertThat(receiver.rtx().rackIfMade()).as("RACK state of an end that only received (its ACK field moved nothing)")
                    .isNull();
        }
    }

    /**
     * The parts for loss recovery (undo, PRR, Reno's SACK count), the window's use, the
     * chronographs and the TSO packets' state are made when first used: none is reachable from
     * either end of an idle connection; once data flowed the sender holds what sending made
     * (window use, chronographs, TSO packets).
     */
    @Test
    void recoveryAndSendingPartsAreMadeWhenFirstUsed() throws Exception {
        List<Class<?>> lazy = List.of(TcpUndo.class, TcpCwndReduction.class, RenoSacks.class, TcpCwndUsage.class,
                TcpChrono.class, TcpTso.class);
        try (LoopbackHost lo = new LoopbackHost()) {
            int[] pair = lo.connectPair(lo.listen(80, 8), 80);
            lo.runUntilIdle();
            List<TcpSock> established = established(lo);
            assertThat(established).hasSize(2);
            for (TcpSock sk : established) {
                assertThat(reachableTypes(sk)).as("parts of an idle end").doesNotContainAnyElementsOf(lazy);
            }
            lo.sendAll(pair[0], "data".getBytes(StandardCharsets.US_ASCII), 1000);
            lo.runUntilIdle();
            TcpSock sender = established(lo).stream().filter(sk -> sk.num() != 80).findFirst().orElseThrow();
            assertThat(reachableTypes(sender)).as("parts of an end that sent")
                    .contains(TcpCwndUsage.class, TcpChrono.class, TcpTso.class)
                    .doesNotContain(TcpUndo.class, TcpCwndReduction.class, RenoSacks.class);
        }
    }

    /** The classes of this package reachable from {@code sk} through fields of objects of this package. */
    private static Set<Class<?>> reachableTypes(TcpSock sk) throws IllegalAccessException {
        Set<Class<?>> types = new HashSet<>();
        Set<Object> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        Deque<Object> work = new ArrayDeque<>(List.of(sk));
        while (!work.isEmpty()) {
            Object o = work.pop();
            if (!seen.add(o)) {
                continue;
            }
            types.add(o.getClass());
            for (Class<?> c = o.getClass(); c != null && c.getPackage() == TcpSock.class.getPackage(); c = c.getSuperclass()) {
                for (Field f : c.getDeclaredFields()) {
                    if (Modifier.isStatic(f.getModifiers()) || f.getType().isPrimitive()) {
                        continue;
                    }
                    f.setAccessible(true);
                    Object v = f.get(o);
                    if (v != null && v.getClass().getPackage() == TcpSock.class.getPackage() && !(v instanceof Enum<?>)) {
                        work.push(v);
                    }
                }
            }
        }
        return types;
    }

    private static List<TcpSock> established(LoopbackHost lo) {
        return lo.host().tcp().sockets().stream().filter(s -> s.state() == SkState.ESTABLISHED).toList();
    }
}
