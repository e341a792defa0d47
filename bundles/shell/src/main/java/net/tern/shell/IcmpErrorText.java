package net.tern.shell;

import net.tern.wire.IcmpTypes;

/** How iputils' {@code ping} names an ICMP error about one of its requests ({@code pr_icmph}). */
final class IcmpErrorText {
    private IcmpErrorText() {
    }

    /** {@code info}: the next-hop MTU for "fragmentation needed", the pointer for a parameter problem. */
    static String describe(int type, int code, int info) {
        return switch (type) {
            case IcmpTypes.DEST_UNREACH -> unreachable(code, info);
            case IcmpTypes.SOURCE_QUENCH -> "Source Quench";
            case IcmpTypes.TIME_EXCEEDED -> switch (code) {
                case IcmpTypes.EXC_TTL -> "Time to live exceeded";
                case IcmpTypes.EXC_FRAGTIME -> "Frag reassembly time exceeded";
                default -> "Time exceeded, Bad Code: " + code;
            };
            case IcmpTypes.PARAMETER_PROB -> "Parameter problem: pointer = " + info;
            default -> "Bad ICMP type: " + type;
        };
    }

    private static String unreachable(int code, int info) {
        return switch (code) {
            case IcmpTypes.NET_UNREACH -> "Destination Net Unreachable";
            case IcmpTypes.HOST_UNREACH -> "Destination Host Unreachable";
            case IcmpTypes.PROT_UNREACH -> "Destination Protocol Unreachable";
            case IcmpTypes.PORT_UNREACH -> "Destination Port Unreachable";
            case IcmpTypes.FRAG_NEEDED -> "Frag needed and DF set (mtu = " + info + ")";
            case IcmpTypes.SR_FAILED -> "Source Route Failed";
            case IcmpTypes.NET_UNKNOWN -> "Destination Net Unknown";
            case IcmpTypes.HOST_UNKNOWN -> "Destination Host Unknown";
            case 8 -> "Source Host Isolated"; // ICMP_HOST_ISOLATED
            case IcmpTypes.NET_ANO -> "Destination Net Prohibited";
            case IcmpTypes.HOST_ANO -> "Destination Host Prohibited";
            case 11 -> "Destination Net Unreachable for Type of Service"; // ICMP_NET_UNR_TOS
            case 12 -> "Destination Host Unreachable for Type of Service"; // ICMP_HOST_UNR_TOS
            case IcmpTypes.PKT_FILTERED -> "Packet filtered";
            case 14 -> "Precedence Violation"; // ICMP_PREC_VIOLATION
            case 15 -> "Precedence Cutoff"; // ICMP_PREC_CUTOFF
            default -> "Dest Unreachable, Bad Code: " + code;
        };
    }
}
