package net.tern.tcp.impl;

import net.tern.spi.net.Clock;
import net.tern.wire.TcpPacket;
import net.tern.wire.TcpOptions;

/**
 * The options of a segment the connection sends ({@code tcp_syn_options},
 * {@code tcp_synack_options}, {@code tcp_established_options}): a SYN offers what the settings
 * enable (a SYN-ACK grants what was offered and negotiated); other segments carry the
 * timestamp when negotiated, and SACK blocks in the room the payload leaves under the MSS.
 */
final class TcpOutOptions {
    private TcpOutOptions() {
    }

    /**
     * The options for a segment of {@code length} bytes with {@code flags}, in the calling
     * thread's scratch options (valid until its next segment is built).
     */
    static TcpOptions of(TcpSock sk, int flags, int length, Clock clock, TcpSettings settings) {
        TcpOptions options = ThreadScratch.get().txOptions.clear();
        if ((flags & TcpPacket.SYN) != 0) {
            synOptions(sk, options, (flags & TcpPacket.ACK) != 0, clock, settings);
            return options;
        }
        if (sk.opts().tsOk()) {
            options.timestamp = true;
            options.tsVal = sk.ts().tsVal(TcpTimestamps.tsNow(clock));
            options.tsEcr = sk.ts().tsRecent();
        }
        if (sk.opts().sackOk() && (!sk.rcv().outOfOrder().isEmpty() || sk.rcv().dsackPending())) {
            // SACK blocks ride in the room the payload leaves under the MSS: a full-sized
            // segment (or a packet of several) carries none (they are advisory, and pure ACKs
            // carry them all).
            int room = length == 0 ? Integer.MAX_VALUE : sk.opts().mssCache() - length;
            int fit = room >= 12 ? Math.min(TcpOptions.MAX_SACK_BLOCKS, (room - 4) / 8) : 0;
            if (fit > 0) {
                addSackBlocks(sk, options, fit);
            }
        }
        return options;
    }

    private static void synOptions(TcpSock sk, TcpOptions options, boolean synAck, Clock clock, TcpSettings s) {
        options.mss = sk.opts().advmss();
        boolean offer = !synAck;
        if (offer ? s.timestamps() : sk.opts().tsOk()) {
            options.timestamp = true;
            options.tsVal = sk.ts().tsVal(TcpTimestamps.tsNow(clock));
            options.tsEcr = sk.ts().tsRecent(); // on a SYN 0, or TS.Recent taken over from TIME-WAIT (TcpTwReuse)
        }
        if (offer ? s.sack() : sk.opts().sackOk()) {
            options.sackPermitted = true;
        }
        if (offer ? s.windowScaling() : sk.opts().wscaleOk()) {
            options.wscale = sk.opts().rcvWscale();
        }
    }

    private static void addSackBlocks(TcpSock sk, TcpOptions options, int limit) {
        long[] runs = new long[2 * TcpOptions.MAX_SACK_BLOCKS];
        int max = Math.min(limit, sk.opts().tsOk() ? 3 : TcpOptions.MAX_SACK_BLOCKS);
        if (sk.rcv().dsackPending()) {
            // The D-SACK block goes first (RFC 2883 4), once.
            options.addSackBlock(sk.rcv().dsackStart(), sk.rcv().dsackEnd());
            sk.rcv().dsackSent();
            max--;
        }
        int count = sk.rcv().outOfOrder().sackRuns(runs, max);
        for (int i = 0; i < count; i++) {
            int start = sk.rcv().seqAt(runs[2 * i]);
            int end = sk.rcv().seqAt(runs[2 * i + 1]);
            options.addSackBlock(start, end);
        }
    }
}
