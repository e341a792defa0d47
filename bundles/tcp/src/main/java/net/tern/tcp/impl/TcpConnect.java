package net.tern.tcp.impl;

import java.util.function.IntFunction;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.inet.sock.SkState;
import net.tern.spi.net.Clock;
import net.tern.wire.TcpPacket;

/**
 * What {@code tcp_v4_connect} and {@code tcp_v6_connect} share once each has its route and
 * source address: the 4-tuple hashed with a local port ({@link #hash}, {@code inet_hash_connect})
 * and the SYN sent ({@link #start}, {@code tcp_connect_init} and {@code tcp_connect}). The
 * 4-tuple's addresses are the key's, of either family.
 */
final class TcpConnect {
    private final Clock clock;
    private final Supplier<TcpSettings> settings;
    private final TcpCounters counters;
    private final TcpMemory memory;
    private final TcpHashTables tables;
    private final Secrets secrets;
    private final IntSupplier random;
    private final TcpTrace trace;
    private final TcpOutput output;
    private final TcpLifecycle lifecycle;
    /** {@code tcp_twsk_unique}: a connect taking over a TIME-WAIT 4-tuple. */
    private final TcpTwReuse twReuse;

    TcpConnect(Clock clock, Supplier<TcpSettings> settings, TcpCounters counters, TcpMemory memory,
            TcpHashTables tables, Secrets secrets, IntSupplier random, TcpTrace trace, TcpOutput output,
            TcpLifecycle lifecycle) {
        this.clock = clock;
        this.settings = settings;
        this.counters = counters;
        this.memory = memory;
        this.tables = tables;
        this.secrets = secrets;
        this.random = random;
        this.trace = trace;
        this.output = output;
        this.lifecycle = lifecycle;
        this.twReuse = new TcpTwReuse(clock, settings, lifecycle, counters);
    }

    /**
     * {@code inet_hash_connect}: the connection's 4-tuple ({@code keyAt} of its local port) in
     * the established hash, with an ephemeral port from {@code offset} when the socket has none,
     * in place of a TIME-WAIT entry it may take over ({@link TcpTwReuse}); EADDRNOTAVAIL when
     * no port is free or the 4-tuple is taken.
     */
    TcpHashTables.Connection hash(TcpSock sk, IntFunction<ConnKey> keyAt, int offset, String call)
            throws ErrnoException {
        if (sk.num() == 0) {
            return tables.hashConnect(sk, keyAt, offset + random.getAsInt(), twReuse);
        }
        ConnKey key = keyAt.apply(sk.num());
        TcpHashTables.Connection connection = tables.checkEstablished(sk, key, twReuse, false);
        if (connection == null) {
            if (!sk.userBound()) {
                tables.release(sk, sk.num());
                sk.num(0);
            }
            throw new ErrnoException(Errno.EADDRNOTAVAIL, call + ": the connection " + key + " exists already");
        }
        return connection;
    }

    /**
     * {@code tcp_connect_init} and {@code tcp_connect}: the socket, hashed by {@link #hash}
     * ({@code connection}) with a route of {@code mtu}, gets its MSS, window, timestamp offset
     * and initial sequence number (beyond a TIME-WAIT entry's it took over), goes to SYN-SENT
     * and sends its SYN, under the retransmission timer.
     * {@code callName} ({@code tcp_v4_connect}, {@code tcp_v6_connect}) names it in traces.
     */
    void start(TcpSock sk, TcpHashTables.Connection connection, int mtu, String callName) {
        ConnKey key = connection.key();
        sk.setKey(key);
        TcpSettings s = settings.get();
        sk.opts().connectInit(mtu, s.windowScaling() ? Math.max(0, s.windowShift()) : 0);
        sk.rcv().initialWindow(TcpWindow.selectInitialWindow(memory.fullSpace(sk), sk.opts().advmss()));
        sk.ts().initTsOffset(secrets.tsOffset(key.localAddress(), key.remoteAddress()));
        sk.snd().connectInit(connection.recycled() != null ? twReuse.takeOver(sk, connection.recycled())
                : secrets.secureTcpSeq(key.localAddress(), key.remoteAddress(), key.localPort(), key.remotePort()));
        sk.ca().recoveryPointAt(sk.snd().iss());
        sk.rtt().initRto(s.rtoInitialMillis() * 1000);
        sk.retries().clearRetransmits();
        // Fired once the 4-tuple is chosen and before the state change, so a trace reads as
        // Linux's call path: tcp_v4_connect, then tcp_set_state(TCP_SYN_SENT), then the SYN.
        trace.sock(callName, sk);
        lifecycle.setState(sk, SkState.SYN_SENT);
        counters.inc(TcpMib.ActiveOpens);
        long now = clock.nanoTime();
        output.sendSyn(sk, false);
        sk.rtx().add(TxSegment.of(sk.snd().iss(), 0, TcpPacket.SYN, now, false));
        memory.settleSend(sk);
        sk.retries().retransStamp(now);
        sk.timers().resetXmitTimer(SockTimers.Pending.RETRANS, sk.rtt().rtoUs());
    }
}
