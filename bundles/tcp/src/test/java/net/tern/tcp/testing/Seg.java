package net.tern.tcp.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import net.tern.api.socket.InetSockAddr;
import net.tern.wire.Ipv4Packet;
import net.tern.wire.Ipv4Repr;
import net.tern.wire.TcpOptions;
import net.tern.wire.TcpPacket;

/**
 * A TCP segment as a test writes or reads it: addresses, ports, flags, sequence and ACK
 * numbers, window field, options and payload. {@link #toDatagram()} builds the IPv4
 * datagram to inject; {@link #parse} decodes one the stack sent.
 */
public record Seg(int saddr, int daddr, int sport, int dport, int flags, int seq, int ack, int window,
        TcpOptions options, byte[] payload, long atNanos) {

    public static Builder from(String address, int port) {
        return new Builder().source(InetSockAddr.parseAddress(address), port);
    }

    public boolean has(int flag) {
        return (flags & flag) != 0;
    }

    /** Flags as tcpdump prints them ({@code S.}, {@code F.}, {@code R}). */
    public String flagString() {
        return TcpPacket.flagsToString(flags);
    }

    public int length() {
        return payload.length;
    }

    public Seg at(long nanos) {
        return new Seg(saddr, daddr, sport, dport, flags, seq, ack, window, options, payload, nanos);
    }

    /** The IPv4 datagram carrying this segment, checksums filled. */
    public byte[] toDatagram() {
        int headerLength = TcpPacket.headerLength(options);
        int tcpLength = headerLength + payload.length;
        ByteBuf buf = Unpooled.buffer(Ipv4Repr.LENGTH + tcpLength);
        Ipv4Repr.builder().source(saddr).destination(daddr).protocol(6).payloadLength(tcpLength).build()
                .emit(buf, 0);
        TcpPacket.emitHeader(buf, Ipv4Repr.LENGTH, sport, dport, seq, ack, flags, window, options);
        buf.setBytes(Ipv4Repr.LENGTH + headerLength, payload);
        TcpPacket.fillChecksum(buf, Ipv4Repr.LENGTH, tcpLength, saddr, daddr);
        byte[] out = new byte[Ipv4Repr.LENGTH + tcpLength];
        buf.getBytes(0, out);
        return out;
    }

    /** Decodes an IPv4 datagram holding a TCP segment. */
    public static Seg parse(ByteBuf buf, int index, long atNanos) {
        Ipv4Packet ip = Ipv4Packet.at(buf, index);
        int tcpStart = ip.payloadOffset();
        int tcpLength = ip.payloadLength();
        TcpPacket th = TcpPacket.at(buf, tcpStart);
        TcpOptions options = new TcpOptions();
        th.parseOptions(options);
        byte[] payload = new byte[tcpLength - th.headerLength()];
        buf.getBytes(tcpStart + th.headerLength(), payload);
        return new Seg(ip.source(), ip.destination(), th.sourcePort(), th.destinationPort(), th.flags(), th.seq(),
                th.ack(), th.window(), options, payload, atNanos);
    }

    @Override
    public String toString() {
        return String.format("%.3f %s:%d > %s:%d %s seq %s ack %s win %d %s len %d", atNanos / 1e9,
                InetSockAddr.formatAddress(saddr), sport, InetSockAddr.formatAddress(daddr), dport, flagString(),
                Integer.toUnsignedString(seq), Integer.toUnsignedString(ack), window, options, payload.length);
    }

    /** Builds segments to inject. */
    public static final class Builder {
        private int saddr;
        private int daddr;
        private int sport;
        private int dport;
        private int flags;
        private int seq;
        private int ack;
        private int window = 65535;
        private final TcpOptions options = new TcpOptions();
        private byte[] payload = new byte[0];

        public Builder source(int address, int port) {
            this.saddr = address;
            this.sport = port;
            return this;
        }

        public Builder to(String address, int port) {
            this.daddr = InetSockAddr.parseAddress(address);
            this.dport = port;
            return this;
        }

        public Builder flags(int value) {
            this.flags = value;
            return this;
        }

        public Builder seq(int value) {
            this.seq = value;
            return this;
        }

        public Builder ack(int value) {
            this.ack = value;
            return this;
        }

        public Builder window(int value) {
            this.window = value;
            return this;
        }

        public Builder mss(int value) {
            options.mss = value;
            return this;
        }

        public Builder wscale(int value) {
            options.wscale = value;
            return this;
        }

        public Builder sackOk() {
            options.sackPermitted = true;
            return this;
        }

        public Builder timestamp(int val, int ecr) {
            options.timestamp = true;
            options.tsVal = val;
            options.tsEcr = ecr;
            return this;
        }

        public Builder sack(int start, int end) {
            options.addSackBlock(start, end);
            return this;
        }

        public Builder payload(byte[] value) {
            this.payload = value.clone();
            return this;
        }

        public Seg build() {
            TcpOptions copy = new TcpOptions();
            copy.mss = options.mss;
            copy.wscale = options.wscale;
            copy.sackPermitted = options.sackPermitted;
            copy.timestamp = options.timestamp;
            copy.tsVal = options.tsVal;
            copy.tsEcr = options.tsEcr;
            for (int i = 0; i < options.sackBlockCount; i++) {
                copy.addSackBlock(options.sackBlocks[2 * i], options.sackBlocks[2 * i + 1]);
            }
            return new Seg(saddr, daddr, sport, dport, flags, seq, ack, window, copy, payload, 0);
        }
    }
}
