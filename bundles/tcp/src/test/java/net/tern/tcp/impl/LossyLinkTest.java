package net.tern.tcp.impl;

import static net.tern.api.socket.SocketConstants.AF_INET;
import static net.tern.api.socket.SocketConstants.SOCK_NONBLOCK;
import static net.tern.api.socket.SocketConstants.SOCK_STREAM;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import net.tern.api.socket.Accepted;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.InetSockAddr;
import net.tern.api.socket.SocketApi;
import net.tern.core.packet.PooledPacketAllocator;
import net.tern.core.testing.PacketLeakCheck;
import net.tern.core.testing.VirtualTime;
import net.tern.tcp.testing.Host;
import net.tern.tcp.testing.WireLink;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Two hosts joined by a wire that drops, duplicates and reorders packets by a seeded
 * schedule; transfers both ways at once must arrive intact (SHA-256 compared), in virtual time,
 * and SACK recovery (RFC 6675) must beat NewReno on the same schedule.
 */
@ExtendWith(PacketLeakCheck.class)
class LossyLinkTest {
    /** A bound on any transfer here: an hour of virtual time means recovery is stuck. */
    private static final long MAX_VIRTUAL_MILLIS = 3_600_000;
    private static final WireLink.Impairment FIVE_PERCENT_LOSS = new WireLink.Impairment(0.05, 0.01, 0.02, 1000, 3000);

    private static final class Transfer {
        final byte[] data;
        final ByteBuffer toSend;
        final MessageDigest received;
        long receivedBytes;

        Transfer(int size, long seed) throws Exception {
            data = new byte[size];
            new SplittableRandom(seed).nextBytes(data);
            toSend = ByteBuffer.wrap(data);
            received = MessageDigest.getInstance("SHA-256");
        }

        boolean done() {
            return receivedBytes == data.length;
        }
    }

    private static void pump(SocketApi sender, int sendFd, Transfer t, SocketApi receiver, int recvFd,
            ByteBuffer scratch) throws ErrnoException {
        if (t.toSend.hasRemaining()) {
            try {
                sender.send(sendFd, t.toSend, 0);
            } catch (ErrnoException e) {
                if (e.errno() != Errno.EAGAIN) {
                    throw e;
                }
            }
        }
        while (true) {
            scratch.clear();
            try {
                int n = receiver.recv(recvFd, scratch, 0);
                if (n == 0) {
                    return;
                }
                t.received.update(scratch.array(), 0, n);
                t.receivedBytes += n;
            } catch (ErrnoException e) {
                if (e.errno() != Errno.EAGAIN) {
                    throw e;
                }
                return;
            }
        }
    }

    /** How a transfer went: virtual time taken, and the two hosts' timeouts and SACK recoveries summed. */
    private record Outcome(long virtualMillis, long timeouts, long sackRecoveries) {
    }

    /** Transfers {@code size} bytes each way at once with the default settings. */
    private static Outcome transferBothWays(long seed, WireLink.Impairment impairment, int size) throws Exception {
        return transferBothWays(seed, impairment, size, TcpSettings.defaults());
    }

    private static Outcome transferBothWays(long seed, WireLink.Impairment impairment, int size, TcpSettings settings)
            throws Exception {
        VirtualTime time = new VirtualTime();
        PooledPacketAllocator allocator = new PooledPacketAllocator();
        Host a = new Host(time, allocator, settings, seed);
        Host b = new Host(time, allocator, settings, seed + 100);
        WireLink wire = new WireLink(time, allocator, seed, WireLink.Impairment.clean(1000), "wa", "10.0.0.1/24", "wb",
                "10.0.0.2/24", 1500);
        try {
            a.register(wire.a());
            b.register(wire.b());
            time.runPending();
            SocketApi apiA = a.api();
            SocketApi apiB = b.api();
            int listener = apiB.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
            apiB.bind(listener, InetSockAddr.parse("10.0.0.2:5001"));
            apiB.listen(listener, 16);
            int client = apiA.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
            try {
                apiA.connect(client, InetSockAddr.parse("10.0.0.2:5001"));
            } catch (ErrnoException e) {
                assertThat(e.errno()).isEqualTo(Errno.EINPROGRESS);
            }
            time.advance(10, TimeUnit.MILLISECONDS);
            Accepted accepted = apiB.accept(listener, SOCK_NONBLOCK);
            wire.impairment(impairment);

            Transfer up = new Transfer(size, seed * 31 + 1);
            Transfer down = new Transfer(size, seed * 31 + 2);
            ByteBuffer scratch = ByteBuffer.allocate(1 << 16);
            long rounds = 0;
            while (!up.done() || !down.done()) {
                assertThat(rounds++).as("virtual milliseconds").isLessThan(MAX_VIRTUAL_MILLIS);
                pump(apiA, client, up, apiB, accepted.fd(), scratch);
                pump(apiB, accepted.fd(), down, apiA, client, scratch);
                time.advance(1, TimeUnit.MILLISECONDS);
            }
            assertThat(up.received.digest()).isEqualTo(MessageDigest.getInstance("SHA-256").digest(up.data));
            assertThat(down.received.digest()).isEqualTo(MessageDigest.getInstance("SHA-256").digest(down.data));
            if (impairment.loss() > 0) {
                assertThat(wire.dropped()).isPositive();
                assertThat(a.counter(TcpMib.RetransSegs) + b.counter(TcpMib.RetransSegs)).isPositive();
            }
            Outcome outcome = new Outcome(rounds, a.counter(TcpExtMib.TCPTimeouts) + b.counter(TcpExtMib.TCPTimeouts),
                    a.counter(TcpExtMib.TCPSackRecovery) + b.counter(TcpExtMib.TCPSackRecovery));
            apiA.close(client);
            apiB.close(accepted.fd());
            apiB.close(listener);
            time.advance(200, TimeUnit.SECONDS);
            return outcome;
        } finally {
            a.close();
            b.close();
            time.advance(1, TimeUnit.SECONDS);
        }
    }

    @Test
    void sackRecoveryRepairsLossSoonerAndWithFewerTimeoutsThanNewReno() throws Exception {
        Outcome sack = transferBothWays(14, FIVE_PERCENT_LOSS, 2 << 20, TcpSettings.defaults());
        Outcome newReno = transferBothWays(14, FIVE_PERCENT_LOSS, 2 << 20, TcpSettings.defaults().withSack(false));
        assertThat(sack.sackRecoveries()).isPositive();
        assertThat(newReno.sackRecoveries()).isZero();
        assertThat(sack.timeouts()).isLessThan(newReno.timeouts());
        assertThat(sack.virtualMillis()).isLessThan(newReno.virtualMillis());
    }

    @Test
    void cleanWireCarriesFourMibEachWay() throws Exception {
        transferBothWays(1, WireLink.Impairment.clean(1000), 4 << 20);
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {11, 12, 13})
    void fourMibEachWayArriveIntactAtFivePercentLossWithReorderingAndDuplicates(long seed) throws Exception {
        transferBothWays(seed, FIVE_PERCENT_LOSS, 4 << 20);
    }

    /**
     * The long haul: 50 MiB each way, both at once, through 5% loss with duplicates and
     * reordering. Recovery is SACK (RFC 6675): about 100 virtual seconds (NewReno took about
     * 330), some 5 to 20 s of wall time on two cores; it prints both.
     */
    @Test
    void fiftyMibEachWayArriveIntactAtFivePercentLossWithReorderingAndDuplicates() throws Exception {
        long wallStart = System.nanoTime();
        long virtualMillis = transferBothWays(21, FIVE_PERCENT_LOSS, 50 << 20).virtualMillis();
        System.out.printf("LossyLinkTest: 50 MiB each way at 5%% loss: %d virtual s, %d ms wall%n",
                virtualMillis / 1000, (System.nanoTime() - wallStart) / 1_000_000);
    }
}
