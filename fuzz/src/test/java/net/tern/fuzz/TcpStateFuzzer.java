package net.tern.fuzz;

import static net.tern.wire.TcpPacket.ACK;
import static net.tern.wire.TcpPacket.FIN;
import static net.tern.wire.TcpPacket.PSH;
import static net.tern.wire.TcpPacket.RST;
import static net.tern.wire.TcpPacket.SYN;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import net.tern.api.socket.Accepted;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.InetSockAddr;
import net.tern.api.socket.SocketApi;
import net.tern.api.socket.SocketConstants;
import net.tern.fuzz.harness.FuzzHost;
import net.tern.fuzz.harness.TcpPeer;
import net.tern.fuzz.harness.Wire;
import net.tern.tcp.impl.TcpSettings;
import net.tern.wire.TcpPacket;

/**
 * TCP from the wire in every state. The input's first bytes choose the settings, the peer's
 * SYN options and the state to reach (LISTEN, SYN-SENT, SYN-RECV, SYN-RECV by cookie,
 * ESTABLISHED with data, out-of-order data and SACKs, FIN-WAIT-1, FIN-WAIT-2, CLOSING,
 * CLOSE-WAIT, LAST-ACK, TIME-WAIT); a scripted peer takes the connection there with
 * well-formed segments; then the rest of the input is a sequence of steps: segments with
 * fuzzed flags, sequence and ACK numbers (near the live ones or anywhere), windows, options
 * (well-formed or raw bytes), data, checksums and IP fragmentation; ICMP errors quoting the
 * connection's segments; application calls (send, recv, shutdown, close, accept); and virtual
 * time. After every step {@link FuzzHost#check()} holds the stack to its invariants, and at
 * the end every descriptor must close, every connection end and every packet be released.
 *
 * <p>{@code fuzz/run.sh} fuzzes it with Jazzer's driver; {@link TcpStateFuzzTest} replays the
 * saved inputs in {@code mvn verify} (README).
 */
public final class TcpStateFuzzer {
    static final int LISTEN_PORT = 80;
    static final int PEER_PORT = 40000;
    static final int MAX_STEPS = 48;

    /** The states a connection is taken to before the fuzzed steps. */
    enum Start {
        LISTEN, SYN_SENT, SYN_RECV, SYN_RECV_COOKIE, ESTABLISHED_PASSIVE, ESTABLISHED_ACTIVE, ESTABLISHED_DATA,
        ESTABLISHED_OOO, ESTABLISHED_SACKED, FIN_WAIT1, FIN_WAIT2, CLOSING, CLOSE_WAIT, LAST_ACK, TIME_WAIT,
        TIME_WAIT_ORPHAN
    }

    private TcpStateFuzzer() {
    }

    /** One input: Jazzer's entry point. */
    public static void fuzzerTestOneInput(FuzzedDataProvider data) throws Exception {
        Start start = data.pickValue(Start.values());
        int variant = data.consumeInt(0, 15);
        FuzzHost.trace("start " + start + ", variant " + variant);
        TcpSettings settings = TcpSettings.defaults().withTimestamps((variant & 1) == 0).withSack((variant & 2) == 0)
                .withSyncookies(true);
        try (FuzzHost host = new FuzzHost(settings)) {
            new Run(host, data, start).run();
        }
    }

    /** One input's run. */
    private static final class Run {
        private final FuzzHost host;
        private final SocketApi api;
        private final FuzzedDataProvider data;
        private final Start start;
        private int listenFd = -1;
        /** The connection's descriptor (the connecting socket, or the accepted one); -1 none or closed. */
        private int connFd = -1;
        private TcpPeer peer;
        private TcpPeer filler;

        Run(FuzzHost host, FuzzedDataProvider data, Start start) {
            this.host = host;
            this.api = host.api();
            this.data = data;
            this.start = start;
        }

        void run() throws ErrnoException {
            listenFd = host.socket(SocketConstants.SOCK_STREAM);
            api.bind(listenFd, new InetSockAddr(0, LISTEN_PORT));
            api.listen(listenFd, start == Start.SYN_RECV_COOKIE ? 1 : data.consumeInt(1, 8));
            int peerOptions = data.consumeInt(0, 15);
            peer = new TcpPeer(PEER_PORT, LISTEN_PORT, data.consumeInt());
            peer.tsWanted = (peerOptions & 1) != 0;
            peer.sack = (peerOptions & 2) != 0;
            peer.wscale = (peerOptions & 4) != 0 ? (peerOptions & 8) != 0 ? 7 : 0 : -1;
            reach();
            host.check();
            for (int step = 0; step < MAX_STEPS && data.remainingBytes() > 0; step++) {
                step();
                absorb();
                host.check();
            }
        }

        private void absorb() {
            List<byte[]> sent = host.sent();
            peer.absorb(sent);
            if (filler != null) {
                filler.absorb(sent);
            }
        }

        private void inject(byte[] datagram) {
            host.inject(datagram);
            absorb();
        }

        // ---- reaching the state

        private void reach() throws ErrnoException {
            switch (start) {
                case LISTEN -> {
                }
                case SYN_SENT -> activeOpen();
                case SYN_RECV -> inject(peer.next(SYN, new byte[0]));
                case SYN_RECV_COOKIE -> {
                    filler = new TcpPeer(PEER_PORT + 1, LISTEN_PORT, 7);
                    inject(filler.next(SYN, new byte[0]));
                    inject(peer.next(SYN, new byte[0]));
                }
                case ESTABLISHED_ACTIVE -> established(true);
                default -> {
                    established(false);
                    after();
                }
            }
        }

        private void activeOpen() throws ErrnoException {
            connFd = host.socket(SocketConstants.SOCK_STREAM);
            try {
                api.connect(connFd, new InetSockAddr(FuzzHost.PEER, PEER_PORT));
            } catch (ErrnoException e) {
                if (e.errno() != Errno.EINPROGRESS) {
                    throw e;
                }
            }
            // The peer is now the remote listener the stack's SYN went to, 10.0.0.2:PEER_PORT.
            int localPort = ((InetSockAddr) api.getsockname(connFd)).port();
            TcpPeer remote = new TcpPeer(PEER_PORT, localPort, peer.iss);
            remote.tsWanted = peer.tsWanted;
            remote.sack = peer.sack;
            remote.wscale = peer.wscale;
            peer = remote;
            absorb();
        }

        private void established(boolean active) throws ErrnoException {
            if (active) {
                activeOpen();
                inject(peer.next(SYN | ACK, new byte[0]));
                return;
            }
            inject(peer.next(SYN, new byte[0]));
            inject(peer.next(ACK, new byte[0]));
            accept();
        }

        private void accept() {
            try {
                Accepted accepted = api.accept(listenFd, SocketConstants.SOCK_NONBLOCK);
                host.adopt(accepted.fd());
                if (connFd < 0) {
                    connFd = accepted.fd();
                }
            } catch (ErrnoException e) {
                // EAGAIN: nothing completed (the fuzzed steps may still make a connection).
            }
        }

        /** From ESTABLISHED (passive) on to the chosen later state. */
        private void after() throws ErrnoException {
            switch (start) {
                case ESTABLISHED_DATA -> {
                    appSend(3000);
                    inject(peer.next(ACK | PSH, pattern(700)));
                }
                case ESTABLISHED_OOO -> {
                    // A hole of 1000 bytes, then two runs beyond it: out-of-order queue and SACK blocks.
                    int hole = peer.nxt;
                    peer.nxt = hole + 1000;
                    inject(peer.next(ACK, pattern(500)));
                    peer.nxt += 300;
                    inject(peer.next(ACK, pattern(200)));
                    peer.nxt = hole;
                }
                case ESTABLISHED_SACKED -> {
                    appSend(6000);
                    int una = peer.stackIss + 1;
                    int[] blocks = {una + 1448, una + 2896};
                    for (int i = 0; i < 3; i++) {
                        inject(peer.datagram(ACK, peer.nxt, una, 65535, peer.options(false, peer.ts, blocks),
                                new byte[0], false));
                    }
                }
                case FIN_WAIT1 -> {
                    appSend(2000);
                    shutdownWrite();
                }
                case FIN_WAIT2 -> {
                    shutdownWrite();
                    inject(peer.next(ACK, new byte[0]));
                }
                case CLOSING -> {
                    shutdownWrite();
                    int ackBeforeFin = peer.stackNxt - 1;
                    peer.tsVal += 10;
                    inject(peer.datagram(FIN | ACK, peer.nxt, ackBeforeFin, 65535, peer.options(false, peer.ts, null),
                            new byte[0], false));
                    peer.nxt++;
                }
                case CLOSE_WAIT -> inject(peer.next(FIN | ACK, new byte[0]));
                case LAST_ACK -> {
                    inject(peer.next(FIN | ACK, new byte[0]));
                    closeConn();
                }
                case TIME_WAIT, TIME_WAIT_ORPHAN -> {
                    shutdownWrite();
                    inject(peer.next(ACK, new byte[0]));
                    inject(peer.next(FIN | ACK, new byte[0]));
                    if (start == Start.TIME_WAIT_ORPHAN) {
                        closeConn();
                    }
                }
                default -> {
                }
            }
        }

        // ---- the fuzzed steps

        private void step() throws ErrnoException {
            switch (data.consumeInt(0, 11)) {
                case 0, 1, 2, 3 -> fuzzedSegment();
                case 4 -> inject(peer.next(data.pickValue(new int[] {ACK, ACK | PSH, FIN | ACK, SYN, RST, RST | ACK}),
                        pattern(data.consumeInt(0, 1500))));
                case 5 -> appCall();
                case 6 -> host.advance(data.consumeBoolean() ? data.consumeInt(1, 500) : data.consumeInt(500, 300_000));
                case 7 -> icmpError();
                case 8 -> fragmentedSegment();
                case 9 -> {
                    // Raw TCP bytes for the connection's ports: whatever the header says.
                    byte[] raw = data.consumeBytes(data.consumeInt(0, 80));
                    byte[] tcp = Arrays.copyOf(raw, Math.max(raw.length, 4));
                    tcp[0] = (byte) (peer.port >>> 8);
                    tcp[1] = (byte) peer.port;
                    tcp[2] = (byte) (peer.stackPort >>> 8);
                    tcp[3] = (byte) peer.stackPort;
                    inject(Wire.ipv4(Wire.Ip.plain(FuzzHost.PEER, FuzzHost.LOCAL, Wire.IPPROTO_TCP, 77), tcp));
                }
                case 10 -> {
                    // Another peer port: the listener (a new SYN, or a stray ACK checked as a cookie).
                    TcpPeer other = new TcpPeer(data.consumeInt(1024, 1030), LISTEN_PORT, data.consumeInt());
                    other.tsWanted = data.consumeBoolean();
                    other.stackNxt = data.consumeInt();
                    inject(other.datagram(data.pickValue(new int[] {SYN, ACK, SYN | ACK, RST, FIN | ACK}), other.nxt,
                            other.stackNxt, 65535, other.options(data.consumeBoolean(), other.tsWanted, null),
                            pattern(data.consumeInt(0, 100)), false));
                }
                default -> inject(peer.next(ACK, new byte[0]));
            }
        }

        /** A segment of the connection with every field chosen by the input. */
        private byte[] fuzzedSegmentBytes() {
            int flags = data.consumeInt(0, 0x1ff);
            int seq = switch (data.consumeInt(0, 3)) {
                case 0 -> peer.nxt;
                case 1 -> peer.nxt + data.consumeInt(-70_000, 70_000);
                case 2 -> peer.nxt + data.consumeInt(-3, 3);
                default -> data.consumeInt();
            };
            int ack = switch (data.consumeInt(0, 3)) {
                case 0 -> peer.stackNxt;
                case 1 -> peer.stackNxt + data.consumeInt(-70_000, 70_000);
                case 2 -> peer.stackNxt + data.consumeInt(-3, 3);
                default -> data.consumeInt();
            };
            int window = data.consumeBoolean() ? 65535 : data.consumeInt(0, 65535);
            byte[] options;
            switch (data.consumeInt(0, 3)) {
                case 0 -> options = peer.options(false, peer.ts, null);
                case 1 -> {
                    int blocks = data.consumeInt(1, 4);
                    int[] sack = new int[2 * blocks];
                    for (int i = 0; i < sack.length; i += 2) {
                        sack[i] = peer.stackNxt + data.consumeInt(-70_000, 70_000);
                        sack[i + 1] = sack[i] + data.consumeInt(-100, 70_000);
                    }
                    options = peer.options(false, peer.ts, sack);
                }
                case 2 -> {
                    peer.tsVal += data.consumeInt(-2_000_000, 2_000_000);
                    options = peer.options(data.consumeBoolean(), true, null);
                }
                default -> options = data.consumeBytes(data.consumeInt(0, 40));
            }
            byte[] payload = pattern(data.consumeInt(0, 3000));
            peer.tsVal += 1;
            return peer.datagram(flags, seq, ack, window, options, payload, data.consumeInt(0, 31) == 0);
        }

        private void fuzzedSegment() {
            inject(fuzzedSegmentBytes());
        }

        /** A segment of the connection cut into IP fragments, in an order and with overlaps the input chooses. */
        private void fragmentedSegment() {
            byte[] datagram = fuzzedSegmentBytes();
            byte[] payload = Arrays.copyOfRange(datagram, 20, datagram.length);
            int id = data.consumeInt(0, 0xffff);
            int pieces = data.consumeInt(1, 4);
            for (int i = 0; i < pieces && data.remainingBytes() > 0; i++) {
                int offset = data.consumeInt(0, Math.max(0, payload.length / 8)) * 8;
                int length = data.consumeInt(0, Math.max(0, payload.length - offset));
                if (data.consumeBoolean()) {
                    length = (length / 8) * 8;
                }
                boolean more = offset + length < payload.length && data.consumeBoolean() || data.consumeInt(0, 7) == 0;
                byte[] piece = Arrays.copyOfRange(payload, Math.min(offset, payload.length),
                        Math.min(payload.length, offset + length));
                host.inject(Wire.ipv4(new Wire.Ip(FuzzHost.PEER, FuzzHost.LOCAL, Wire.IPPROTO_TCP, 64, 0, id, false,
                        more, offset, new byte[0], false), piece));
            }
            absorb();
        }

        /** An ICMP error about the last segment the stack sent on the connection (or a made-up one). */
        private void icmpError() {
            byte[] quoted;
            if (peer.lastFromStack != null && data.consumeBoolean()) {
                quoted = Arrays.copyOf(peer.lastFromStack, Math.min(peer.lastFromStack.length, data.consumeInt(0, 68)));
                if (quoted.length > 27 && data.consumeBoolean()) {
                    // Move the quoted sequence number: in or out of snd_una..snd_nxt.
                    int seq = ByteBuffer.wrap(quoted, 24, 4).getInt() + data.consumeInt(-5000, 5000);
                    ByteBuffer.wrap(quoted, 24, 4).putInt(seq);
                }
            } else {
                quoted = data.consumeBytes(data.consumeInt(0, 68));
            }
            int type = data.pickValue(new int[] {3, 3, 3, 4, 5, 11, 12, data.consumeInt(0, 255)});
            int code = data.consumeInt(0, 15);
            int info = data.consumeBoolean() ? data.consumeInt(0, 1500) : data.consumeInt();
            byte[] icmp = Wire.icmp(type, code, info, quoted, data.consumeInt(0, 31) == 0);
            inject(Wire.ipv4(Wire.Ip.plain(FuzzHost.PEER, FuzzHost.LOCAL, Wire.IPPROTO_ICMP, 99), icmp));
        }

        private void appCall() throws ErrnoException {
            switch (data.consumeInt(0, 6)) {
                case 0 -> appSend(data.consumeInt(1, 20_000));
                case 1 -> appRecv();
                case 2 -> shutdownWrite();
                case 3 -> closeConn();
                case 4 -> accept();
                case 5 -> {
                    if (connFd >= 0) {
                        try {
                            api.shutdown(connFd, SocketConstants.SHUT_RD);
                        } catch (ErrnoException e) {
                            // ENOTCONN: as the state has it
                        }
                    }
                }
                default -> {
                    if (listenFd >= 0) {
                        host.closeFd(listenFd);
                        listenFd = -1;
                    }
                }
            }
            absorb();
        }

        private void appSend(int n) {
            if (connFd < 0) {
                return;
            }
            FuzzHost.trace("send(" + connFd + ", " + n + " bytes)");
            try {
                api.send(connFd, ByteBuffer.wrap(pattern(n)), SocketConstants.MSG_NOSIGNAL);
            } catch (ErrnoException e) {
                // EAGAIN, EPIPE, ENOTCONN, ECONNRESET...: what the state gives
            }
            absorb();
        }

        private void appRecv() {
            if (connFd < 0) {
                return;
            }
            FuzzHost.trace("recv(" + connFd + ")");
            try {
                api.recv(connFd, ByteBuffer.allocate(1 << 16), 0);
            } catch (ErrnoException e) {
                // EAGAIN, ECONNRESET, ...
            }
        }

        private void shutdownWrite() {
            if (connFd < 0) {
                return;
            }
            FuzzHost.trace("shutdown(" + connFd + ", SHUT_WR)");
            try {
                api.shutdown(connFd, SocketConstants.SHUT_WR);
            } catch (ErrnoException e) {
                // ENOTCONN
            }
            absorb();
        }

        private void closeConn() throws ErrnoException {
            if (connFd >= 0) {
                host.closeFd(connFd);
                connFd = -1;
                absorb();
            }
        }
    }

    /** Data whose content does not matter: a pattern, so inputs stay small. */
    static byte[] pattern(int n) {
        byte[] out = new byte[n];
        for (int i = 0; i < n; i++) {
            out[i] = (byte) ('a' + i % 26);
        }
        return out;
    }
}
