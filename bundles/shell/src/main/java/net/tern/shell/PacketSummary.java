package net.tern.shell;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import net.tern.api.socket.InetSockAddr;

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
        Ipv4View ip = Ipv4View.of(data, data.length);
        if (ip == null) {
            return "truncated or unknown packet, length " + originalLength;
        }
        String src = InetSockAddr.formatAddress(ip.source());
        String dst = InetSockAddr.formatAddress(ip.destination());
        int h = ip.headerLength();
        int payload = Math.max(0, ip.totalLength() - h);
        if (ip.fragmentOffset() != 0) {
            return "IP " + src + " > " + dst + ": ip-proto-" + ip.protocol() + " (fragment), length " + payload;
        }
        switch (ip.protocol()) {
            case 1 -> {
                int type = ip.u16(h) >> 8;
                String what = switch (type) {
                    case 0 -> "echo reply, id " + ip.u16(h + 4) + ", seq " + ip.u16(h + 6);
                    case 8 -> "echo request, id " + ip.u16(h + 4) + ", seq " + ip.u16(h + 6);
                    case 3 -> "destination unreachable, code " + (ip.u16(h) & 0xff);
                    case 11 -> "time exceeded in-transit";
                    default -> "type " + type + ", code " + (ip.u16(h) & 0xff);
                };
                return "IP " + src + " > " + dst + ": ICMP " + what + ", length " + payload;
            }
            case 17 -> {
                if (!ip.hasPorts()) {
                    return "IP " + src + " > " + dst + ": UDP, truncated";
                }
                return "IP " + src + "." + ip.sourcePort() + " > " + dst + "." + ip.destinationPort()
                        + ": UDP, length " + Math.max(0, ip.u16(h + 4) - 8);
            }
            case 6 -> {
                if (ip.length() < h + 20) {
                    return "IP " + src + " > " + dst + ": tcp, truncated";
                }
                int offsetFlags = ip.u16(h + 12);
                int dataLength = payload - (offsetFlags >> 12) * 4;
                int flags = offsetFlags & 0x3f;
                StringBuilder line = new StringBuilder("IP ").append(src).append('.').append(ip.sourcePort())
                        .append(" > ").append(dst).append('.').append(ip.destinationPort())
                        .append(": Flags [").append(tcpFlags(flags)).append("], seq ").append(ip.u32(h + 4));
                if ((flags & 0x10) != 0) {
                    line.append(", ack ").append(ip.u32(h + 8));
                }
                return line.append(", win ").append(ip.u16(h + 14)).append(", length ").append(Math.max(0, dataLength))
                        .toString();
            }
            default -> {
                return "IP " + src + " > " + dst + ": ip-proto-" + ip.protocol() + " " + payload;
            }
        }
    }

    /** tcpdump's flag letters: S F P R U, then {@code .} for ACK; {@code none} when empty. */
    static String tcpFlags(int flags) {
        StringBuilder s = new StringBuilder();
        if ((flags & 0x02) != 0) {
            s.append('S');
        }
        if ((flags & 0x01) != 0) {
            s.append('F');
        }
        if ((flags & 0x08) != 0) {
            s.append('P');
        }
        if ((flags & 0x04) != 0) {
            s.append('R');
        }
        if ((flags & 0x20) != 0) {
            s.append('U');
        }
        if ((flags & 0x10) != 0) {
            s.append('.');
        }
        return s.length() == 0 ? "none" : s.toString();
    }
}
