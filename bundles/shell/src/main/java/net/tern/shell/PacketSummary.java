package net.tern.shell;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import net.tern.api.socket.SocketConstants;
import net.tern.wire.IcmpPacket;
import net.tern.wire.IcmpTypes;
import net.tern.wire.Ipv4Address;
import net.tern.wire.Ipv4Packet;
import net.tern.wire.TcpPacket;
import net.tern.wire.UdpPacket;

/**
 * One line per captured packet, in the words tcpdump uses without {@code -v}:
 * {@code 12:00:01.000250 IP 127.0.0.1 > 127.0.0.1: ICMP echo request, id 7, seq 1, length 64},
 * {@code IP 10.0.0.1.5000 > 10.0.0.2.53: UDP, length 12},
 * {@code IP 10.0.0.1.40000 > 10.0.0.2.80: Flags [S.], seq 1, ack 2, win 65535, length 0}.
 */
final class PacketSummary {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSSSSS");

    private final ZoneId zone;

    PacketSummary(ZoneId zone) {
        this.zone = zone;
    }

    String line(CaptureRun.Record record) {
        long micros = record.timestampMicros();
        String time = TIME.format(Instant.ofEpochSecond(micros / 1_000_000, (micros % 1_000_000) * 1000).atZone(zone));
        return time + " " + describe(record.data(), record.originalLength());
    }

    static String describe(byte[] data, int originalLength) {
        if (data.length > 0 && (data[0] & 0xf0) == 0x60) {
            return "IP6, length " + originalLength;
        }
        CapturedIpv4 packet = CapturedIpv4.of(data, data.length);
        if (packet == null) {
            return "truncated or unknown packet, length " + originalLength;
        }
        Ipv4Packet ip = packet.ip();
        String src = Ipv4Address.format(ip.source());
        String dst = Ipv4Address.format(ip.destination());
        int payload = packet.payloadLength();
        if (packet.isLaterFragment()) {
            return "IP " + src + " > " + dst + ": ip-proto-" + ip.protocol() + " (fragment), length " + payload;
        }
        switch (ip.protocol()) {
            case SocketConstants.IPPROTO_ICMP -> {
                IcmpPacket icmp = packet.icmp();
                if (icmp == null) {
                    return "IP " + src + " > " + dst + ": ICMP, truncated";
                }
                String what = switch (icmp.type()) {
                    case IcmpTypes.ECHO_REPLY -> "echo reply, id " + icmp.identifier() + ", seq " + icmp.sequence();
                    case IcmpTypes.ECHO -> "echo request, id " + icmp.identifier() + ", seq " + icmp.sequence();
                    case IcmpTypes.DEST_UNREACH -> "destination unreachable, code " + icmp.code();
                    case IcmpTypes.TIME_EXCEEDED -> "time exceeded in-transit";
                    default -> "type " + icmp.type() + ", code " + icmp.code();
                };
                return "IP " + src + " > " + dst + ": ICMP " + what + ", length " + payload;
            }
            case SocketConstants.IPPROTO_UDP -> {
                UdpPacket udp = packet.udp();
                if (udp == null) {
                    return "IP " + src + " > " + dst + ": UDP, truncated";
                }
                return "IP " + src + "." + udp.sourcePort() + " > " + dst + "." + udp.destinationPort()
                        + ": UDP, length " + Math.max(0, udp.payloadLength());
            }
            case SocketConstants.IPPROTO_TCP -> {
                TcpPacket tcp = packet.tcp();
                if (tcp == null) {
                    return "IP " + src + " > " + dst + ": tcp, truncated";
                }
                int dataLength = payload - tcp.headerLength();
                StringBuilder line = new StringBuilder("IP ").append(src).append('.').append(tcp.sourcePort())
                        .append(" > ").append(dst).append('.').append(tcp.destinationPort())
                        .append(": Flags [").append(TcpPacket.flagsToString(tcp.flags())).append("], seq ")
                        .append(Integer.toUnsignedString(tcp.seq()));
                if (tcp.has(TcpPacket.ACK)) {
                    line.append(", ack ").append(Integer.toUnsignedString(tcp.ack()));
                }
                return line.append(", win ").append(tcp.window()).append(", length ").append(Math.max(0, dataLength))
                        .toString();
            }
            default -> {
                return "IP " + src + " > " + dst + ": ip-proto-" + ip.protocol() + " " + payload;
            }
        }
    }
}
