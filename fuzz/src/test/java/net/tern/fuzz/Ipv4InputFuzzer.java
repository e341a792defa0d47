package net.tern.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.tern.api.socket.Accepted;
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
 * The IPv4 input path from the wire ({@code ip_rcv} on): datagrams whose header fields, IP
 * options, addresses, fragment fields and lengths the input chooses; fragment series cut,
 * reordered and overlapped at will (reassembly, its limits and timeouts); ICMP of every type,
 * errors quoting UDP and TCP headers of live sockets (and made-up ones); UDP to a bound, a
 * connected and a closed port with right, wrong and missing checksums and skewed lengths; TCP
 * to a listener, a live connection and a closed port; raw bytes; and virtual time. The host
 * has a UDP socket bound to port 53, one connected from port 5000 to the peer's 5353, a TCP
 * listener on 80 and a connection to it from the peer. After each step
 * {@link FuzzHost#check()} holds the stack to its invariants (the IP counters account for
 * every datagram); at the end every socket closes and every packet is released.
 *
 * <p>{@code fuzz/run.sh} fuzzes it; {@link Ipv4InputFuzzTest} replays the saved inputs.
 */
public final class Ipv4InputFuzzer {
    static final int MAX_STEPS = 64;
    static final int UDP_BOUND = 53;
    static final int UDP_CONNECTED = 5000;
    static final int UDP_PEER = 5353;
    static final int TCP_LISTEN = 80;
    static final int TCP_PEER = 40000;

    private static final int[] SOURCES = {FuzzHost.PEER, 0x0a000003, 0x0a0000ff, 0xffffffff, 0x7f000001, 0xe0000001,
        0, 0xc0a80001};
    private static final int[] DESTINATIONS = {FuzzHost.LOCAL, FuzzHost.LOCAL, 0x0a0000ff, 0xffffffff, 0x7f000001,
        0xe0000001, 0x0a000002, 0x08080808, 0};

    private Ipv4InputFuzzer() {
    }

    /** One input: Jazzer's entry point. */
    public static void fuzzerTestOneInput(FuzzedDataProvider data) throws Exception {
        try (FuzzHost host = new FuzzHost(TcpSettings.defaults(), true)) {
            new Run(host, data).run();
        }
    }

    private static final class Run {
        private final FuzzHost host;
        private final SocketApi api;
        private final FuzzedDataProvider data;
        private final TcpPeer tcp;
        private int udpBound;
        private int udpConnected;
        private int listenFd;
        private int ipId = 1;
        /** The last datagrams the host sent: what ICMP errors quote. */
        private final List<byte[]> lastSent = new ArrayList<>();

        Run(FuzzHost host, FuzzedDataProvider data) {
            this.host = host;
            this.api = host.api();
            this.data = data;
            this.tcp = new TcpPeer(TCP_PEER, TCP_LISTEN, 5_000_000);
        }

        void run() throws ErrnoException {
            udpBound = host.socket(SocketConstants.SOCK_DGRAM);
            api.bind(udpBound, new InetSockAddr(0, UDP_BOUND));
            udpConnected = host.socket(SocketConstants.SOCK_DGRAM);
            api.bind(udpConnected, new InetSockAddr(FuzzHost.LOCAL, UDP_CONNECTED));
            api.connect(udpConnected, new InetSockAddr(FuzzHost.PEER, UDP_PEER));
            listenFd = host.socket(SocketConstants.SOCK_STREAM);
            api.bind(listenFd, new InetSockAddr(0, TCP_LISTEN));
            api.listen(listenFd, 4);
            tcp.tsWanted = true;
            inject(tcp.next(TcpPacket.SYN, new byte[0]));
            inject(tcp.next(TcpPacket.ACK, new byte[0]));
            Accepted accepted = api.accept(listenFd, SocketConstants.SOCK_NONBLOCK);
            host.adopt(accepted.fd());
            api.send(accepted.fd(), ByteBuffer.wrap(new byte[300]), 0);
            udpSend();
            collect();
            host.check();
            for (int step = 0; step < MAX_STEPS && data.remainingBytes() > 0; step++) {
                step();
                collect();
                host.check();
            }
        }

        private void collect() {
            List<byte[]> sent = host.sent();
            tcp.absorb(sent);
            if (!sent.isEmpty()) {
                lastSent.clear();
                lastSent.addAll(sent);
            }
        }

        private void inject(byte[] datagram) {
            host.inject(datagram);
            collect();
        }

        private void step() throws ErrnoException {
            switch (data.consumeInt(0, 9)) {
                case 0, 1, 2 -> inject(Wire.ipv4(header(data.consumeInt(0, 3)), transport()));
                case 3, 4 -> fragments();
                case 5 -> {
                    // Raw bytes as the datagram, the version nibble kept at 4 most of the time.
                    byte[] raw = data.consumeBytes(data.consumeInt(0, 120));
                    if (raw.length > 0 && data.consumeBoolean()) {
                        raw[0] = (byte) (0x40 | (raw[0] & 0x0f));
                    }
                    inject(raw);
                }
                case 6 -> {
                    // A well-formed header whose total length or IHL disagrees with the bytes.
                    byte[] d = Wire.ipv4(header(0), transport());
                    int total = data.consumeInt(0, 0xffff);
                    d[2] = (byte) (total >>> 8);
                    d[3] = (byte) total;
                    if (data.consumeBoolean()) {
                        d[0] = (byte) (0x40 | data.consumeInt(0, 15));
                    }
                    if (data.consumeBoolean()) {
                        fixHeaderChecksum(d);
                    }
                    inject(Arrays.copyOf(d, Math.max(0, d.length - data.consumeInt(0, 8) + data.consumeInt(0, 8))));
                }
                case 7 -> host.advance(data.consumeBoolean() ? data.consumeInt(1, 2000) : data.consumeInt(2000, 70_000));
                case 8 -> udpSend();
                default -> udpRecv();
            }
        }

        /** An IPv4 header; {@code wildness} 0 keeps it plain and for this host, 3 lets every field vary. */
        private Wire.Ip header(int wildness) {
            int protocol = data.pickValue(new int[] {Wire.IPPROTO_ICMP, Wire.IPPROTO_TCP, Wire.IPPROTO_UDP,
                Wire.IPPROTO_UDP, Wire.IPPROTO_ICMP, data.consumeInt(0, 255)});
            if (wildness == 0) {
                return Wire.Ip.plain(FuzzHost.PEER, FuzzHost.LOCAL, protocol, ipId++);
            }
            int source = wildness >= 2 && data.consumeBoolean() ? data.pickValue(SOURCES) : FuzzHost.PEER;
            int destination = wildness >= 2 && data.consumeBoolean() ? data.pickValue(DESTINATIONS) : FuzzHost.LOCAL;
            if (wildness == 3 && data.consumeInt(0, 7) == 0) {
                source = data.consumeInt();
                destination = data.consumeInt();
            }
            return new Wire.Ip(source, destination, protocol, data.consumeInt(0, 255), data.consumeInt(0, 255),
                    ipId++, data.consumeBoolean(), wildness == 3 && data.consumeInt(0, 3) == 0,
                    wildness == 3 && data.consumeInt(0, 3) == 0 ? data.consumeInt(0, 8191) * 8 : 0, ipOptions(),
                    data.consumeInt(0, 63) == 0);
        }

        /** IP options: well-formed ones Linux parses (ip_options_compile), or raw bytes. */
        private byte[] ipOptions() {
            return switch (data.consumeInt(0, 7)) {
                case 0, 1, 2 -> new byte[0];
                case 3 -> new byte[] {1, 1, 1, 0}; // NOPs, EOL
                case 4 -> {
                    // Record route (7) with room for n addresses and a pointer the input picks.
                    int n = data.consumeInt(1, 9);
                    byte[] o = new byte[3 + 4 * n];
                    o[0] = 7;
                    o[1] = (byte) o.length;
                    o[2] = (byte) data.consumeInt(0, 44);
                    yield o;
                }
                case 5 -> {
                    // Timestamp (68): pointer, overflow and flags (0 stamps only, 1 with addresses, 3 prespecified).
                    int n = data.consumeInt(1, 9);
                    byte[] o = new byte[4 + 4 * n];
                    o[0] = 68;
                    o[1] = (byte) o.length;
                    o[2] = (byte) data.consumeInt(0, 44);
                    o[3] = (byte) data.consumeInt(0, 255);
                    yield o;
                }
                case 6 -> {
                    // Loose (131) or strict (137) source route, or router alert (148).
                    int kind = data.pickValue(new int[] {131, 137, 148});
                    if (kind == 148) {
                        yield new byte[] {(byte) 148, 4, 0, 0};
                    }
                    int n = data.consumeInt(1, 9);
                    ByteBuffer o = ByteBuffer.allocate(3 + 4 * n);
                    o.put((byte) kind).put((byte) (3 + 4 * n)).put((byte) data.consumeInt(0, 44));
                    for (int i = 0; i < n; i++) {
                        o.putInt(data.consumeBoolean() ? FuzzHost.LOCAL : data.consumeInt());
                    }
                    yield o.array();
                }
                default -> data.consumeBytes(data.consumeInt(1, 40));
            };
        }

        /** A transport payload for the protocol the input picks. */
        private byte[] transport() {
            return switch (data.consumeInt(0, 3)) {
                case 0 -> udp();
                case 1 -> icmp();
                case 2 -> tcpSegment();
                default -> data.consumeBytes(data.consumeInt(0, 200));
            };
        }

        private byte[] udp() {
            int dport = data.pickValue(new int[] {UDP_BOUND, UDP_CONNECTED, 9, data.consumeInt(0, 65535)});
            int sport = data.consumeBoolean() ? UDP_PEER : data.consumeInt(0, 65535);
            byte[] payload = data.consumeBytes(data.consumeInt(0, 1600));
            return Wire.udp(FuzzHost.PEER, FuzzHost.LOCAL, sport, dport, payload, data.consumeInt(0, 2),
                    data.consumeBoolean() ? 0 : data.consumeInt(-10, 10));
        }

        private byte[] tcpSegment() {
            int dport = data.pickValue(new int[] {TCP_LISTEN, 81, TCP_LISTEN});
            int sport = data.consumeBoolean() ? TCP_PEER : data.consumeInt(1024, 1100);
            int seq = data.consumeBoolean() ? tcp.nxt : data.consumeInt();
            int ack = data.consumeBoolean() ? tcp.stackNxt : data.consumeInt();
            byte[] options = data.consumeBytes(data.consumeInt(0, 40));
            return Wire.tcp(FuzzHost.PEER, FuzzHost.LOCAL, sport, dport, seq, ack, data.consumeInt(0, 0x3f),
                    data.consumeInt(0, 65535), 0, options, data.consumeBytes(data.consumeInt(0, 600)),
                    data.consumeInt(0, 15) == 0);
        }

        private byte[] icmp() {
            int type = data.pickValue(new int[] {8, 0, 3, 3, 11, 12, 4, 5, 13, 14, 17, data.consumeInt(0, 255)});
            int code = data.consumeInt(0, 15);
            int rest = data.consumeBoolean() ? data.consumeInt(0, 1500) : data.consumeInt();
            byte[] body;
            if ((type == 3 || type == 11 || type == 12 || type == 4 || type == 5) && data.consumeBoolean()) {
                body = quoted();
            } else {
                body = data.consumeBytes(data.consumeInt(0, 1200));
            }
            return Wire.icmp(type, code, rest, body, data.consumeInt(0, 31) == 0);
        }

        /**
         * What an ICMP error quotes: a datagram this host sent (its IP header and the first
         * bytes after, as routers quote), one built about a live socket, or raw bytes.
         */
        private byte[] quoted() {
            switch (data.consumeInt(0, 2)) {
                case 0 -> {
                    if (!lastSent.isEmpty()) {
                        byte[] d = lastSent.get(data.consumeInt(0, lastSent.size() - 1));
                        return Arrays.copyOf(d, Math.min(d.length, data.consumeInt(0, 600)));
                    }
                    return new byte[0];
                }
                case 1 -> {
                    // A datagram from this host: UDP from the connected socket, or TCP of the connection.
                    byte[] inner = data.consumeBoolean()
                            ? Wire.udp(FuzzHost.LOCAL, FuzzHost.PEER, UDP_CONNECTED, UDP_PEER, new byte[8], 1, 0)
                            : Wire.tcp(FuzzHost.LOCAL, FuzzHost.PEER, TCP_LISTEN, TCP_PEER,
                                    tcp.stackNxt + data.consumeInt(-2000, 10), tcp.nxt, TcpPacket.ACK, 65535, 0,
                                    new byte[0], new byte[0], false);
                    int protocol = (inner.length == 16) ? Wire.IPPROTO_UDP : Wire.IPPROTO_TCP;
                    byte[] ip = Wire.ipv4(new Wire.Ip(FuzzHost.LOCAL, FuzzHost.PEER, protocol, 64, 0, 1,
                            data.consumeBoolean(), false, 0, data.consumeBoolean() ? new byte[0] : ipOptions(), false),
                            inner);
                    return Arrays.copyOf(ip, Math.min(ip.length, data.consumeInt(0, ip.length)));
                }
                default -> {
                    return data.consumeBytes(data.consumeInt(0, 80));
                }
            }
        }

        /** A datagram cut into fragments with offsets, lengths, order, ids and MF flags the input picks. */
        private void fragments() {
            Wire.Ip h = header(data.consumeInt(0, 1));
            byte[] payload = transport();
            int id = data.consumeBoolean() ? 4242 : data.consumeInt(0, 0xffff);
            int pieces = data.consumeInt(1, 8);
            for (int i = 0; i < pieces && data.remainingBytes() > 0; i++) {
                int offset = data.consumeInt(0, Math.max(0, (payload.length + 16) / 8)) * 8;
                int length = data.consumeInt(0, Math.max(0, payload.length - Math.min(offset, payload.length)));
                if (data.consumeBoolean()) {
                    length = (length / 8) * 8;
                }
                boolean more = data.consumeBoolean() ? offset + length < payload.length : data.consumeBoolean();
                byte[] piece = Arrays.copyOfRange(payload, Math.min(offset, payload.length),
                        Math.min(payload.length, offset + length));
                int protocol = data.consumeInt(0, 15) == 0 ? data.consumeInt(0, 255) : h.protocol();
                inject(Wire.ipv4(new Wire.Ip(h.source(), h.destination(), protocol, h.ttl(), h.tos(),
                        data.consumeInt(0, 15) == 0 ? id + 1 : id, h.dontFragment() && data.consumeBoolean(), more,
                        offset, i == 0 ? h.options() : new byte[0], false), piece));
            }
        }

        private void udpSend() {
            try {
                api.send(udpConnected, ByteBuffer.wrap(new byte[data.consumeInt(0, 3000)]), 0);
            } catch (ErrnoException e) {
                // ECONNREFUSED from an ICMP error before: reported once
            }
        }

        private void udpRecv() {
            for (int fd : new int[] {udpBound, udpConnected}) {
                try {
                    api.recvfrom(fd, ByteBuffer.allocate(65536), 0);
                } catch (ErrnoException e) {
                    // EAGAIN, or an error from ICMP
                }
            }
        }

        private static void fixHeaderChecksum(byte[] d) {
            int ihl = (d[0] & 0x0f) * 4;
            if (ihl < 20 || ihl > d.length) {
                return;
            }
            d[10] = 0;
            d[11] = 0;
            int sum = net.tern.wire.InetChecksum.checksum(io.netty.buffer.Unpooled.wrappedBuffer(d), 0, ihl);
            d[10] = (byte) (sum >>> 8);
            d[11] = (byte) sum;
        }
    }
}
